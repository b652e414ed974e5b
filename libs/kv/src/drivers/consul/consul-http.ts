import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';

import Consul from 'consul';

/**
 * The slice of node-consul (2.x) the driver uses, typed for how we call it: its published
 * typings lack `buffer`, `timeout`, `ctx` and TLS options, which the implementation supports.
 */
export interface ConsulKvItem {
  readonly Key: string;
  readonly Value: Buffer | null;
  readonly Flags: number;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly LockIndex: number;
  readonly Session?: string;
}

export interface ConsulTxnResponse {
  readonly Results?:
    readonly { readonly KV?: { readonly Key: string; readonly ModifyIndex: number } }[] | null;
  readonly Errors?: readonly { readonly OpIndex: number; readonly What: string }[] | null;
}

export interface ConsulCallOptions {
  /** Per-request timeout in ms (papi aborts the request). */
  readonly timeout: number;
  /** Cancellation (emit 'cancel') and `includeResponse`. */
  readonly ctx: EventEmitter & { includeResponse?: boolean };
}

export interface ConsulTxnOp {
  readonly KV: {
    readonly Verb: string;
    readonly Key: string;
    readonly Value?: string;
    readonly Index?: number;
    readonly Session?: string;
  };
}

interface KvApi {
  get(options: Record<string, unknown>): Promise<unknown>;
  keys(options: Record<string, unknown>): Promise<unknown>;
  set(options: Record<string, unknown>): Promise<unknown>;
  del(options: Record<string, unknown>): Promise<unknown>;
}
interface SessionApi {
  create(options: Record<string, unknown>): Promise<unknown>;
  renew(options: Record<string, unknown>): Promise<unknown>;
  destroy(options: Record<string, unknown>): Promise<unknown>;
}
interface TxnApi {
  create(operations: readonly ConsulTxnOp[], options: Record<string, unknown>): Promise<unknown>;
}

export interface ConsulConnection {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly token?: string;
  readonly tls?: {
    readonly ca?: Buffer | string;
    readonly cert?: Buffer | string;
    readonly key?: Buffer | string;
    readonly rejectUnauthorized?: boolean;
    readonly servername?: string;
  };
}

/** A thin typed wrapper over a node-consul client. */
export class ConsulHttp {
  private readonly consul: Consul;
  private readonly kv: KvApi;
  private readonly session: SessionApi;
  private readonly txn: TxnApi;

  constructor(connection: ConsulConnection) {
    const options: Record<string, unknown> = {
      host: connection.host,
      port: connection.port,
      secure: connection.secure,
      ...(connection.token !== undefined ? { defaults: { token: connection.token } } : {}),
      ...(connection.tls ?? {})
    };
    this.consul = new Consul(options);
    this.kv = this.consul.kv as unknown as KvApi;
    this.session = this.consul.session as unknown as SessionApi;
    this.txn = this.consul.transaction as unknown as TxnApi;
  }

  /** A value byte-safely (`buffer: true`); undefined on 404. */
  async get(key: string, call: ConsulCallOptions): Promise<ConsulKvItem | undefined> {
    const item = (await this.kv.get({ key, buffer: true, ...call })) as ConsulKvItem | undefined | null;
    return item ?? undefined;
  }

  /**
   * Blocking query on one key: resolves with the item (undefined on 404) and the X-Consul-Index
   * once the index passes `index` or `waitMs` elapses.
   */
  async watch(
    key: string,
    index: number,
    waitMs: number,
    call: ConsulCallOptions
  ): Promise<{ item: ConsulKvItem | undefined; index: number }> {
    call.ctx.includeResponse = true;
    const result = (await this.kv.get({
      key,
      buffer: true,
      index: String(index),
      wait: `${Math.max(1, Math.round(waitMs))}ms`,
      ...call
    })) as [IncomingMessage, ConsulKvItem | undefined] | undefined;
    const res = result?.[0];
    const header = res?.headers['x-consul-index'];
    const next = Number(Array.isArray(header) ? header[0] : header);
    return { item: result?.[1] ?? undefined, index: Number.isFinite(next) ? next : 0 };
  }

  /** Keys under `prefix` (404 -> []). */
  async keys(prefix: string, call: ConsulCallOptions): Promise<string[]> {
    try {
      return (await this.kv.keys({ key: prefix, ...call })) as string[];
    } catch (error) {
      if (statusOf(error) === 404) {
        return [];
      }
      throw error;
    }
  }

  async put(
    key: string,
    value: Buffer,
    call: ConsulCallOptions,
    extra: Record<string, unknown> = {}
  ): Promise<boolean> {
    return (await this.kv.set({ key, value, ...extra, ...call })) as boolean;
  }

  async delete(key: string, call: ConsulCallOptions): Promise<void> {
    await this.kv.del({ key, ...call });
  }

  /** `PUT /v1/txn`. A 409 rejects with the papi error (its `response.body` holds `Errors`). */
  async transaction(ops: readonly ConsulTxnOp[], call: ConsulCallOptions): Promise<ConsulTxnResponse> {
    return (await this.txn.create(ops, { ...call })) as ConsulTxnResponse;
  }

  async createSession(
    spec: { name: string; ttl: string; lockDelay: string },
    call: ConsulCallOptions
  ): Promise<string> {
    const result = (await this.session.create({
      name: spec.name,
      ttl: spec.ttl,
      lockdelay: spec.lockDelay,
      behavior: 'release',
      ...call
    })) as { ID: string };
    return result.ID;
  }

  async renewSession(id: string, call: ConsulCallOptions): Promise<void> {
    await this.session.renew({ id, ...call });
  }

  async destroySession(id: string, call: ConsulCallOptions): Promise<void> {
    await this.session.destroy({ id, ...call });
  }

  close(): void {
    this.consul.destroy();
  }
}

/** HTTP status of a papi response error, if it is one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'response' in error) {
    const response = (error as { response?: { statusCode?: unknown } }).response;
    if (typeof response?.statusCode === 'number') {
      return response.statusCode;
    }
  }
  return undefined;
}

/** Decoded body of a papi response error (JSON object, text, or undefined). */
export function bodyOf(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && 'response' in error) {
    const body = (error as { response?: { body?: unknown } }).response?.body;
    return Buffer.isBuffer(body) ? body.toString('utf8') : body;
  }
  return undefined;
}
