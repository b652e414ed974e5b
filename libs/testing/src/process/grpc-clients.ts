import { credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

import { GRPC_LOADER_OPTIONS, protoPath } from '@voltha/proto';

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date },
  cb: (e: ServiceError | null, r: unknown) => void
) => unknown;

/** A promise-based caller of one gRPC service (proto-loader objects: camelCase, 64-bit strings). */
export interface GrpcCaller {
  readonly client: Client;
  call<T = Record<string, unknown>>(
    method: string,
    request?: unknown,
    metadata?: Record<string, string>,
    timeoutMs?: number
  ): Promise<T>;
  /** Opens a server stream; returns the stream (data/error/end events). */
  stream(
    method: string,
    request?: unknown,
    metadata?: Record<string, string>
  ): NodeJS.ReadableStream & { cancel(): void };
  close(): void;
}

/** A client of `voltha.<service>` defined in voltha_protos/<protoFile>, at `address`. */
export function grpcCaller(service: string, protoFile: string, address: string): GrpcCaller {
  const definition = loadSync(protoPath(protoFile), GRPC_LOADER_OPTIONS);
  const pkg = loadPackageDefinition(definition) as unknown as {
    voltha: Record<string, new (a: string, c: unknown) => Client>;
  };
  const client = new pkg.voltha[service](address, credentials.createInsecure());
  const meta = (m?: Record<string, string>): Metadata => {
    const md = new Metadata();
    for (const [k, v] of Object.entries(m ?? {})) md.set(k, v);
    return md;
  };
  return {
    client,
    call<T>(
      method: string,
      request: unknown = {},
      metadata?: Record<string, string>,
      timeoutMs = 20_000
    ): Promise<T> {
      const fn = (client as unknown as Record<string, Unary>)[method];
      if (typeof fn !== 'function') return Promise.reject(new Error(`no method ${service}.${method}`));
      return new Promise<T>((resolve, reject) => {
        fn.call(client, request, meta(metadata), { deadline: new Date(Date.now() + timeoutMs) }, (e, r) =>
          e ? reject(e) : resolve(r as T)
        );
      });
    },
    stream(method: string, request: unknown = {}, metadata?: Record<string, string>) {
      const fn = (
        client as unknown as Record<
          string,
          (r: unknown, m: Metadata) => NodeJS.ReadableStream & { cancel(): void }
        >
      )[method];
      return fn.call(client, request, meta(metadata));
    },
    close: () => client.close()
  };
}
