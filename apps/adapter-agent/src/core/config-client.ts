import { credentials, loadPackageDefinition, Metadata, status } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

import { AdapterError } from '@voltha/adapters';
import type { AdapterErrorCode } from '@voltha/adapters';
import { fromAny, GRPC_LOADER_OPTIONS, protoPath, toWireAny } from '@voltha/proto';
import type { AnyLike, UnknownMessage } from '@voltha/proto';

/** Result of a ConfigService write. */
export interface Mutation {
  readonly rootHash: string;
  readonly seq: number;
  readonly assignedId: string;
}

export interface ReadOptions {
  /** 0: the node only (default); N: N levels of children; -1: everything. */
  readonly depth?: number;
  readonly txid?: string;
  /** A retained root revision to read instead of the latest. */
  readonly hash?: string;
}

export interface WriteOptions {
  readonly txid?: string;
  readonly origin?: string;
}

/**
 * An error of a ConfigService call that is not one of the adapter error codes (UNAVAILABLE,
 * DEADLINE_EXCEEDED, ABORTED, INTERNAL, ...). `code` names the gRPC status, so GrpcErrorFilter maps it.
 */
export class CoreCallError extends Error {
  public constructor(
    message: string,
    public readonly code: string,
    public readonly grpcCode: number
  ) {
    super(message);
    this.name = 'CoreCallError';
  }
}

const ADAPTER_CODES: ReadonlySet<string> = new Set<AdapterErrorCode>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'UNIMPLEMENTED',
  'CANCELLED'
]);

const STATUS_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k])
);

/**
 * A gRPC error of core-config as the adapters expect it: the adapter error codes become AdapterErrors
 * (adapters test `isAdapterError(e, 'NOT_FOUND')`), the rest CoreCallErrors.
 */
export function coreError(error: unknown, what: string): Error {
  const e = error as Partial<ServiceError>;
  if (typeof e?.code !== 'number') return error instanceof Error ? error : new Error(String(error));
  const name = STATUS_NAMES[e.code] ?? 'UNKNOWN';
  const message = `${what}: ${e.details || e.message || name}`;
  if (ADAPTER_CODES.has(name)) return new AdapterError(message, name as AdapterErrorCode);
  return new CoreCallError(message, name, e.code);
}

export const isCoreCode = (error: unknown, code: string): boolean =>
  (error as { code?: unknown } | null)?.code === code;

interface WireGetResponse {
  isList: boolean;
  data: AnyLike | null;
  items: AnyLike[];
}

interface WireMutation {
  rootHash: string;
  seq: string;
  assignedId: string;
}

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: unknown) => void
) => void;

/**
 * core-config's ConfigService (the config tree by path, transactions) through @grpc/proto-loader:
 * messages cross as google.protobuf.Any in proto-loader's `type_url` form.
 */
export class ConfigClient {
  private readonly client: Client;

  public constructor(
    public readonly address: string,
    private readonly timeoutMs: number
  ) {
    const definition = loadSync(protoPath('config_service.proto'), GRPC_LOADER_OPTIONS);
    const pkg = loadPackageDefinition(definition) as unknown as {
      voltha: { ConfigService: new (address: string, creds: unknown, options: object) => Client };
    };
    this.client = new pkg.voltha.ConfigService(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024
    });
  }

  /** A node (undefined when the path does not exist). */
  public async find<T extends UnknownMessage>(
    path: string,
    options: ReadOptions = {}
  ): Promise<T | undefined> {
    try {
      return await this.getNode<T>(path, options);
    } catch (error) {
      if (isCoreCode(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /** A node; NOT_FOUND (AdapterError) when the path does not exist. */
  public async getNode<T extends UnknownMessage>(path: string, options: ReadOptions = {}): Promise<T> {
    const r = await this.get(path, options);
    if (r.isList || !r.data) throw new CoreCallError(`Get ${path}: not a node`, 'INTERNAL', status.INTERNAL);
    return fromAny<T>(r.data);
  }

  /** The children of a container path. */
  public async getList<T extends UnknownMessage>(path: string, options: ReadOptions = {}): Promise<T[]> {
    const r = await this.get(path, options);
    if (!r.isList) throw new CoreCallError(`Get ${path}: not a container`, 'INTERNAL', status.INTERNAL);
    return r.items.map((a) => fromAny<T>(a));
  }

  public add(path: string, message: UnknownMessage, options: WriteOptions = {}): Promise<Mutation> {
    return this.mutation('Add', `Add ${path}`, {
      path,
      data: toWireAny(message),
      txid: options.txid ?? '',
      origin: options.origin ?? ''
    });
  }

  public update(path: string, message: UnknownMessage, options: WriteOptions = {}): Promise<Mutation> {
    return this.mutation('Update', `Update ${path}`, {
      path,
      data: toWireAny(message),
      strict: false,
      txid: options.txid ?? '',
      origin: options.origin ?? ''
    });
  }

  public remove(path: string, options: WriteOptions = {}): Promise<Mutation> {
    return this.mutation('Remove', `Remove ${path}`, {
      path,
      txid: options.txid ?? '',
      origin: options.origin ?? ''
    });
  }

  public async openTransaction(): Promise<string> {
    const r = await this.unary<{ txid: string }>('OpenTransaction', 'OpenTransaction', {});
    return r.txid;
  }

  public commitTransaction(txid: string, origin: string): Promise<Mutation> {
    return this.mutation('CommitTransaction', 'CommitTransaction', { txid, origin });
  }

  public async cancelTransaction(txid: string): Promise<void> {
    await this.unary('CancelTransaction', 'CancelTransaction', { txid });
  }

  public close(): void {
    this.client.close();
  }

  private get(path: string, options: ReadOptions): Promise<WireGetResponse> {
    return this.unary<WireGetResponse>('Get', `Get ${path}`, {
      path,
      depth: options.depth ?? 0,
      hash: options.hash ?? '',
      txid: options.txid ?? ''
    });
  }

  private async mutation(method: string, what: string, request: object): Promise<Mutation> {
    const r = await this.unary<WireMutation>(method, what, request);
    return { rootHash: r.rootHash, seq: Number(r.seq), assignedId: r.assignedId };
  }

  private unary<T>(method: string, what: string, request: object): Promise<T> {
    const fn = (this.client as unknown as Record<string, Unary>)[method];
    return new Promise<T>((resolve, reject) => {
      fn.call(
        this.client,
        request,
        new Metadata(),
        { deadline: new Date(Date.now() + this.timeoutMs) },
        (error, response) => (error ? reject(coreError(error, what)) : resolve(response as T))
      );
    });
  }
}
