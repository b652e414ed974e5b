import { credentials, loadPackageDefinition, Metadata, status } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

import { fromAny, GRPC_LOADER_OPTIONS, protoPath, toWireAny } from '@voltha/proto';
import type { AnyLike, UnknownMessage } from '@voltha/proto';

/** Writes of this service carry this origin; change events with it are the echo of our own writes. */
export const ORIGIN = 'flow-decomposer';

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: unknown) => void
) => unknown;

/** The part of ConfigService flow-decomposer uses, as promises of typed messages. */
export interface CoreApi {
  /** A node (typed message), or the list of a container's children. */
  get(path: string, depth?: number): Promise<UnknownMessage | UnknownMessage[]>;
  /**
   * The sequence number of the latest committed root, read without writing anything: an empty
   * transaction is opened and committed (it commits nothing and emits no event).
   */
  currentSeq(): Promise<number>;
  openTransaction(): Promise<string>;
  /** Commits; resolves with the seq of the resulting root. ABORTED on a merge conflict. */
  commitTransaction(txid: string): Promise<number>;
  cancelTransaction(txid: string): Promise<void>;
  /** Writes resolve with the seq of the resulting root (unchanged inside a transaction). */
  add(path: string, message: UnknownMessage, txid?: string): Promise<number>;
  update(path: string, message: UnknownMessage, txid?: string): Promise<number>;
  remove(path: string, txid?: string): Promise<number>;
  close(): void;
}

/** gRPC status of an error from a call ('UNKNOWN' when it is not a gRPC error). */
export function grpcCode(e: unknown): status {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : status.UNKNOWN;
}

/** Errors that mean "core-config is not reachable (yet)": wait and try again. */
export function isUnavailable(e: unknown): boolean {
  const c = grpcCode(e);
  return c === status.UNAVAILABLE || c === status.DEADLINE_EXCEEDED || c === status.CANCELLED;
}

interface MutationReply {
  seq: string;
}

const seqOf = (r: MutationReply): number => Number(r.seq);

interface GetReply {
  isList: boolean;
  data?: AnyLike | null;
  items: AnyLike[];
}

/** ConfigService over @grpc/grpc-js. Every write carries origin `flow-decomposer`. */
export class CoreClient implements CoreApi {
  private readonly client: Client;

  public constructor(
    address: string,
    private readonly timeoutMs = 30_000
  ) {
    const definition = loadSync(protoPath('config_service.proto'), GRPC_LOADER_OPTIONS);
    const pkg = loadPackageDefinition(definition) as unknown as {
      voltha: Record<string, new (address: string, creds: unknown, options: object) => Client>;
    };
    this.client = new pkg.voltha.ConfigService(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 5_000
    });
  }

  public async get(path: string, depth = 0): Promise<UnknownMessage | UnknownMessage[]> {
    const r = await this.call<GetReply>('Get', { path, depth });
    if (r.isList) return r.items.map((a) => fromAny(a));
    if (!r.data) throw Object.assign(new Error(`Get ${path}: no data`), { code: status.INTERNAL });
    return fromAny(r.data);
  }

  public async currentSeq(): Promise<number> {
    const txid = await this.openTransaction();
    return this.commitTransaction(txid);
  }

  public async openTransaction(): Promise<string> {
    return (await this.call<{ txid: string }>('OpenTransaction', {})).txid;
  }

  public async commitTransaction(txid: string): Promise<number> {
    return seqOf(await this.call<MutationReply>('CommitTransaction', { txid, origin: ORIGIN }));
  }

  public async cancelTransaction(txid: string): Promise<void> {
    await this.call('CancelTransaction', { txid });
  }

  public async add(path: string, message: UnknownMessage, txid = ''): Promise<number> {
    return seqOf(
      await this.call<MutationReply>('Add', { path, data: toWireAny(message), txid, origin: ORIGIN })
    );
  }

  public async update(path: string, message: UnknownMessage, txid = ''): Promise<number> {
    return seqOf(
      await this.call<MutationReply>('Update', { path, data: toWireAny(message), txid, origin: ORIGIN })
    );
  }

  public async remove(path: string, txid = ''): Promise<number> {
    return seqOf(await this.call<MutationReply>('Remove', { path, txid, origin: ORIGIN }));
  }

  public close(): void {
    this.client.close();
  }

  private call<T>(method: string, request: unknown): Promise<T> {
    const fn = (this.client as unknown as Record<string, Unary>)[method];
    return new Promise<T>((resolve, reject) => {
      fn.call(
        this.client,
        request,
        new Metadata(),
        { deadline: new Date(Date.now() + this.timeoutMs) },
        (e, r) => (e ? reject(e) : resolve(r as T))
      );
    });
  }
}
