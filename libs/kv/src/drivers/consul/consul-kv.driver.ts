import { EventEmitter, getMaxListeners, setMaxListeners } from 'node:events';

import { parseConsulAddress } from '../../kv-address';
import {
  CasConflictError,
  InvalidKvRequestError,
  KvClosedError,
  KvError,
  LockLostError,
  PermanentKvError,
  PermissionDeniedError,
  TransientKvError,
  ValueTooLargeError
} from '../../kv.error';
import type { KvEntry, KvLimits, KvVersion } from '../../kv-store.interface';
import type { LockHandle } from '../../lock/lock-handle';
import { sleep, type KvAttemptContext } from '../../retry/kv-retry';
import { errorMessage } from '../../util/error-message';
import { BaseKvStore, type FullTxn, type KvStoreOptions } from '../base-kv-store';
import {
  bodyOf,
  ConsulHttp,
  statusOf,
  type ConsulCallOptions,
  type ConsulConnection,
  type ConsulKvItem,
  type ConsulTxnOp
} from './consul-http';

/** Consul's default `kv_max_value_size` and `txn_max_req_len` (512 KiB). */
export const CONSUL_DEFAULT_MAX_VALUE_BYTES = 512 * 1024;
/** Operations per `/v1/txn` (64 in Consul's documented API; newer servers accept 128). */
export const CONSUL_DEFAULT_MAX_TXN_OPS = 64;

export interface ConsulTlsOptions {
  readonly ca?: Buffer | string;
  readonly cert?: Buffer | string;
  readonly key?: Buffer | string;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

export interface ConsulKvOptions extends KvStoreOptions {
  /** Agent address `host:port` (default `localhost:8500`). */
  readonly address?: string;
  /** ACL token (sent as X-Consul-Token). */
  readonly token?: string;
  /** TLS settings; setting them (or `secure`) switches to https. */
  readonly tls?: ConsulTlsOptions;
  readonly secure?: boolean;
  /** Most checks + ops per transaction (default 64). */
  readonly maxTxnOps?: number;
  /** The agent's `kv_max_value_size` (default 512 KiB). */
  readonly maxValueBytes?: number;
  /** The agent's `txn_max_req_len` (default 512 KiB): whole `/v1/txn` body, base64 values included. */
  readonly maxTxnBytes?: number;
  /** Lock-delay of lock sessions (default 0: fencing makes Consul's 15s safety delay unnecessary). */
  readonly lockDelayMs?: number;
  /** Session name shown in Consul (default "voltha-kv-lock"). */
  readonly sessionName?: string;
  /** Parallel GETs in `getMany` (default 16). */
  readonly getManyConcurrency?: number;
  /** `wait` of blocking queries used by lock waits and holder watches (default 10s). */
  readonly blockingWaitMs?: number;
}

/** Per-request overhead of a txn op in the JSON body (verb, key quoting, braces). */
const TXN_OP_OVERHEAD = 64;

/**
 * Consul driver (node-consul 2.x, HTTP API). Values are read byte-safely (buffer mode, `null` ->
 * empty), versions are ModifyIndexes, transactions go through `/v1/txn`, locks are TTL sessions
 * with `acquire` semantics and a `check-session` fence.
 */
export class ConsulKvStore extends BaseKvStore {
  readonly backend = 'consul' as const;
  readonly limits: KvLimits;
  readonly address: string;
  private readonly http: ConsulHttp;
  private readonly lockDelayMs: number;
  private readonly sessionName: string;
  private readonly concurrency: number;
  private readonly blockingWaitMs: number;

  constructor(options: ConsulKvOptions = {}) {
    super(options);
    const { host, port } = parseConsulAddress(options.address);
    this.address = `${host}:${port}`;
    const connection: ConsulConnection = {
      host,
      port,
      secure: options.secure ?? options.tls !== undefined,
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.tls !== undefined ? { tls: options.tls } : {})
    };
    this.http = new ConsulHttp(connection);
    this.limits = {
      maxTxnOps: options.maxTxnOps ?? CONSUL_DEFAULT_MAX_TXN_OPS,
      maxValueBytes: options.maxValueBytes ?? CONSUL_DEFAULT_MAX_VALUE_BYTES,
      maxTxnBytes: options.maxTxnBytes ?? CONSUL_DEFAULT_MAX_VALUE_BYTES
    };
    this.lockDelayMs = options.lockDelayMs ?? 0;
    this.sessionName = options.sessionName ?? 'voltha-kv-lock';
    this.concurrency = Math.max(1, options.getManyConcurrency ?? 16);
    this.blockingWaitMs = options.blockingWaitMs ?? 10_000;
  }

  // ------------------------------------------------------------------ errors

  protected classify(error: unknown): KvError {
    if (error instanceof KvError) {
      return error;
    }
    if (this.closed) {
      return new KvClosedError('consul call');
    }
    const message = errorMessage(error);
    const body = bodyOf(error);
    const detail = typeof body === 'string' && body !== '' ? body : message;
    const status = statusOf(error);
    if (status !== undefined) {
      if (status === 413) {
        return /too many operations/i.test(detail)
          ? new InvalidKvRequestError(`consul: ${detail}`, { cause: error })
          : new ValueTooLargeError(`consul: ${detail}`, undefined, { cause: error });
      }
      if (status === 409) {
        const errors = (body as { Errors?: { What?: unknown }[] } | undefined)?.Errors ?? [];
        const whats = errors.map((e) => String(e.What));
        if (whats.some((w) => /permission denied|acl not found/i.test(w))) {
          return new PermissionDeniedError(`consul: ${whats.join('; ')}`, { cause: error });
        }
        return new PermanentKvError(`consul: transaction failed: ${whats.join('; ') || detail}`, {
          cause: error
        });
      }
      if (status === 403 || status === 401) {
        return new PermissionDeniedError(`consul: ${detail}`, { cause: error });
      }
      if (status === 429 || status >= 500) {
        return new TransientKvError(`consul: HTTP ${status} ${detail}`, { cause: error });
      }
      if (status === 400 || status === 405 || status === 404) {
        return new InvalidKvRequestError(`consul: HTTP ${status} ${detail}`, { cause: error });
      }
      return new PermanentKvError(`consul: HTTP ${status} ${detail}`, { cause: error });
    }
    const flags = error as { isTimeout?: boolean; isAbort?: boolean; isValidation?: boolean; code?: unknown };
    if (flags.isValidation === true) {
      return new InvalidKvRequestError(`consul: ${message}`, { cause: error });
    }
    if (
      flags.isTimeout === true ||
      flags.isAbort === true ||
      (typeof flags.code === 'string' &&
        /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ECONNABORTED|ERR_STREAM_PREMATURE_CLOSE)$/.test(
          flags.code
        )) ||
      /socket hang up|ECONN|timed out|network|premature/i.test(message)
    ) {
      return new TransientKvError(`consul: ${message}`, { cause: error });
    }
    return new PermanentKvError(`consul: ${message}`, { cause: error });
  }

  // ------------------------------------------------------------------ data

  protected async doGet(fullKey: string, ctx: KvAttemptContext): Promise<KvEntry | undefined> {
    const item = await this.request(ctx.signal, (call) => this.http.get(fullKey, call));
    return item === undefined ? undefined : toEntry(item);
  }

  /** Parallel single GETs (a `/v1/txn` "get" fails the whole batch on a missing key). */
  protected async doGetMany(
    fullKeys: readonly string[],
    ctx: KvAttemptContext
  ): Promise<Map<string, KvEntry>> {
    const out = new Map<string, KvEntry>();
    // Each parallel GET listens on the attempt's signal: allow that many listeners (no leak warning).
    setMaxListeners(Math.max(getMaxListeners(ctx.signal), this.concurrency + 8), ctx.signal);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < fullKeys.length) {
        const key = fullKeys[next];
        next += 1;
        if (key === undefined) continue;
        const item = await this.request(ctx.signal, (call) => this.http.get(key, call));
        if (item !== undefined) out.set(key, toEntry(item));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, fullKeys.length) }, () => worker()));
    return out;
  }

  protected doList(fullPrefix: string, ctx: KvAttemptContext): Promise<string[]> {
    return this.request(ctx.signal, (call) => this.http.keys(fullPrefix, call));
  }

  /**
   * A put goes through `/v1/txn` (whose answer carries the new ModifyIndex) when its base64 body
   * fits `maxTxnBytes`; bigger values use `PUT /v1/kv` and read the version back (reported as "0",
   * which matches no check, if another writer changed the key in between).
   */
  protected async doPut(fullKey: string, value: Uint8Array, ctx: KvAttemptContext): Promise<KvVersion> {
    const encoded = base64Length(value.length) + Buffer.byteLength(fullKey) + TXN_OP_OVERHEAD;
    if (encoded <= this.limits.maxTxnBytes) {
      const response = await this.request(ctx.signal, (call) =>
        this.http.transaction([{ KV: { Verb: 'set', Key: fullKey, Value: toBase64(value) } }], call)
      );
      const result = response.Results?.find((r) => r.KV?.Key === fullKey)?.KV;
      if (result === undefined) {
        throw new PermanentKvError(`consul: txn set of "${fullKey}" returned no result`);
      }
      return String(result.ModifyIndex);
    }
    const buffer = toBufferView(value);
    await this.request(ctx.signal, (call) => this.http.put(fullKey, buffer, call));
    const item = await this.request(ctx.signal, (call) => this.http.get(fullKey, call));
    if (item === undefined || !(item.Value ?? Buffer.alloc(0)).equals(buffer)) {
      return '0';
    }
    return String(item.ModifyIndex);
  }

  protected async doDelete(fullKey: string, ctx: KvAttemptContext): Promise<void> {
    await this.request(ctx.signal, (call) => this.http.delete(fullKey, call));
  }

  protected async doTxn(txn: FullTxn, ctx: KvAttemptContext): Promise<Map<string, KvVersion>> {
    const ops: ConsulTxnOp[] = [];
    let fenceIndex = -1;
    if (txn.fence !== undefined) {
      fenceIndex = ops.length;
      ops.push({ KV: { Verb: 'check-session', Key: txn.fence.fullKey, Session: txn.fence.sessionId } });
    }
    const checkStart = ops.length;
    for (const check of txn.checks) {
      ops.push(
        check.type === 'absent'
          ? { KV: { Verb: 'check-not-exists', Key: check.key } }
          : { KV: { Verb: 'check-index', Key: check.key, Index: Number(check.version) } }
      );
    }
    const opStart = ops.length;
    for (const op of txn.ops) {
      ops.push(
        op.type === 'put'
          ? { KV: { Verb: 'set', Key: op.key, Value: toBase64(op.value) } }
          : { KV: { Verb: 'delete', Key: op.key } }
      );
    }
    let response;
    try {
      response = await this.request(ctx.signal, (call) => this.http.transaction(ops, call));
    } catch (error) {
      if (statusOf(error) !== 409) {
        throw error;
      }
      const errors =
        (bodyOf(error) as { Errors?: { OpIndex: number; What: string }[] } | undefined)?.Errors ?? [];
      if (errors.some((e) => /permission denied|acl not found/i.test(e.What))) {
        throw new PermissionDeniedError(`consul: ${errors.map((e) => e.What).join('; ')}`, { cause: error });
      }
      if (txn.fence !== undefined && errors.some((e) => e.OpIndex === fenceIndex)) {
        txn.fence.markLost('the lock session no longer holds the key');
        throw new LockLostError(txn.fence.key, 'the lock session no longer holds the key');
      }
      const failed = errors.find((e) => e.OpIndex >= checkStart && e.OpIndex < opStart);
      if (failed !== undefined) {
        const check = txn.checks[failed.OpIndex - checkStart];
        const key = check === undefined ? undefined : (this.relative(check.key) ?? check.key);
        throw new CasConflictError(`check failed: ${failed.What}`, key, ctx.attempt > 1, { cause: error });
      }
      throw new PermanentKvError(`consul: transaction failed: ${errors.map((e) => e.What).join('; ')}`, {
        cause: error
      });
    }
    const versions = new Map<string, KvVersion>();
    const putKeys = new Set(txn.ops.filter((o) => o.type === 'put').map((o) => o.key));
    // Results follow the op order (deletes and check-not-exists have none): the last one per key wins.
    for (const result of response.Results ?? []) {
      if (result.KV !== undefined && putKeys.has(result.KV.Key)) {
        versions.set(result.KV.Key, String(result.KV.ModifyIndex));
      }
    }
    return versions;
  }

  // ------------------------------------------------------------------ locks

  /**
   * A TTL session (renewed every TTL/2) acquires the key with a txn `lock` (the answer's
   * ModifyIndex is the fencing token). A standby blocks on the key with `?index` until it is free.
   */
  protected async acquireLock(
    key: string,
    fullKey: string,
    owner: string,
    wait: boolean,
    signal: AbortSignal
  ): Promise<LockHandle | undefined> {
    let freeBackoffMs = 100;
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const createdAt = Date.now();
      const sessionId = await this.call('lock', (ctx) =>
        this.request(ctx.signal, (call) =>
          this.http.createSession(
            { name: this.sessionName, ttl: `${this.lockTtlMs / 1000}s`, lockDelay: `${this.lockDelayMs}ms` },
            call
          )
        )
      );
      let token: string | undefined;
      try {
        token = await this.call('lock', async (ctx) => {
          try {
            const response = await this.request(ctx.signal, (call) =>
              this.http.transaction(
                [
                  {
                    KV: {
                      Verb: 'lock',
                      Key: fullKey,
                      Value: toBase64(Buffer.from(owner)),
                      Session: sessionId
                    }
                  }
                ],
                call
              )
            );
            const result = response.Results?.[0]?.KV;
            return result === undefined ? undefined : String(result.ModifyIndex);
          } catch (error) {
            if (statusOf(error) === 409) {
              // Held by another session (or lock-delay): not acquired. A retried attempt whose first
              // try succeeded finds the key held by our own session:
              const current = await this.request(ctx.signal, (call) => this.http.get(fullKey, call));
              return current?.Session === sessionId ? String(current.ModifyIndex) : undefined;
            }
            throw error;
          }
        });
      } catch (error) {
        await this.destroySession(sessionId);
        throw error;
      }
      if (token !== undefined) {
        return this.holdLock(key, fullKey, owner, sessionId, token, createdAt);
      }
      await this.destroySession(sessionId);
      if (!wait) {
        return undefined;
      }
      const wasFree = await this.waitUntilFree(fullKey, signal);
      if (wasFree) {
        // The key showed no holder yet the lock failed: lock-delay. Back off (bounded).
        await sleep(freeBackoffMs, signal);
        freeBackoffMs = Math.min(freeBackoffMs * 2, 2000);
      } else {
        freeBackoffMs = 100;
      }
    }
  }

  private holdLock(
    key: string,
    fullKey: string,
    owner: string,
    sessionId: string,
    token: string,
    createdAt: number
  ): LockHandle {
    const stop = new AbortController();
    // Only called asynchronously, after `handle` is initialised.
    const lost = (detail: string): void => handle.markLost(detail);
    const handle = this.newLock(
      key,
      fullKey,
      token,
      sessionId,
      async () => {
        try {
          await this.request(undefined, (call) =>
            this.http.put(fullKey, Buffer.from(owner), call, { release: sessionId })
          );
        } finally {
          await this.destroySession(sessionId);
        }
      },
      () => stop.abort()
    );
    void this.renewLoop(sessionId, createdAt, stop.signal, lost);
    void this.watchHeld(fullKey, sessionId, stop.signal, lost);
    return handle;
  }

  /**
   * Renew the session every TTL/2. The lock counts as lost once TTL has passed since the last
   * renewal that succeeded (measured from when it was sent), or at once if Consul says the session
   * is gone.
   */
  private async renewLoop(
    sessionId: string,
    createdAt: number,
    stop: AbortSignal,
    lost: (detail: string) => void
  ): Promise<void> {
    let lastOkSentAt = createdAt;
    const expiry = { timer: undefined as NodeJS.Timeout | undefined };
    const arm = (): void => {
      clearTimeout(expiry.timer);
      expiry.timer = setTimeout(
        () => lost(`session ${sessionId} not renewed within its ${this.lockTtlMs}ms TTL`),
        Math.max(0, lastOkSentAt + this.lockTtlMs - Date.now())
      );
    };
    arm();
    stop.addEventListener('abort', () => clearTimeout(expiry.timer), { once: true });
    let delay = this.lockTtlMs / 2;
    while (!stop.aborted) {
      try {
        await sleep(delay, stop);
      } catch {
        return;
      }
      const sentAt = Date.now();
      try {
        await this.request(stop, (call) => this.http.renewSession(sessionId, call));
        lastOkSentAt = sentAt;
        arm();
        delay = this.lockTtlMs / 2;
      } catch (error) {
        if (stop.aborted) return;
        if (statusOf(error) === 404) {
          lost(`session ${sessionId} was invalidated`);
          return;
        }
        delay = Math.max(50, this.lockTtlMs / 6);
      }
    }
  }

  /** Blocking-query the held key: gone or held by another session means the lock is lost. */
  private async watchHeld(
    fullKey: string,
    sessionId: string,
    stop: AbortSignal,
    lost: (detail: string) => void
  ): Promise<void> {
    let index = 0;
    let errorDelay = 100;
    while (!stop.aborted) {
      try {
        const result = await this.request(
          stop,
          (call) => this.http.watch(fullKey, index, this.blockingWaitMs, call),
          this.blockingTimeout()
        );
        errorDelay = 100;
        if (result.item === undefined) {
          lost('the lock key was deleted');
          return;
        }
        if (result.item.Session !== sessionId) {
          lost(
            result.item.Session === undefined
              ? 'the lock was released (session invalidated)'
              : 'the lock was taken by another session'
          );
          return;
        }
        index = result.index < index ? 0 : result.index;
      } catch {
        if (stop.aborted) return;
        try {
          await sleep(errorDelay, stop);
        } catch {
          return;
        }
        errorDelay = Math.min(errorDelay * 2, 2000);
      }
    }
  }

  /**
   * Block until the key is free (missing or without a session). Resolves true if it was free at
   * once, false if we had to wait for a change.
   */
  private async waitUntilFree(fullKey: string, signal: AbortSignal): Promise<boolean> {
    let index = 0;
    let first = true;
    let errorDelay = 100;
    for (;;) {
      if (signal.aborted) throw signal.reason;
      try {
        const waitMs = first ? 0 : this.blockingWaitMs;
        const result = await this.request(
          signal,
          (call) => this.http.watch(fullKey, index, waitMs, call),
          this.blockingTimeout()
        );
        errorDelay = 100;
        if (result.item === undefined || result.item.Session === undefined || result.item.Session === '') {
          return first;
        }
        index = result.index < index ? 0 : result.index;
        first = false;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const kvError = this.classify(error);
        if (!(kvError instanceof TransientKvError)) throw kvError;
        await sleep(errorDelay, signal);
        errorDelay = Math.min(errorDelay * 2, 2000);
      }
    }
  }

  private async destroySession(sessionId: string): Promise<void> {
    try {
      await this.request(undefined, (call) => this.http.destroySession(sessionId, call));
    } catch {
      // It expires by TTL anyway.
    }
  }

  protected doClose(): Promise<void> {
    this.http.close();
    return Promise.resolve();
  }

  // ------------------------------------------------------------------ requests

  /**
   * One HTTP request with a timeout, cancelled (papi ctx 'cancel') when `signal` aborts. The abort
   * listener is removed afterwards, so long-lived signals do not collect listeners.
   */
  private async request<T>(
    signal: AbortSignal | undefined,
    fn: (call: ConsulCallOptions) => Promise<T>,
    timeoutMs: number = this.retry.requestTimeoutMs
  ): Promise<T> {
    const ctx = new EventEmitter() as EventEmitter & { includeResponse?: boolean };
    const cancel = (): void => {
      ctx.emit('cancel');
    };
    if (signal?.aborted === true) {
      throw signal.reason;
    }
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await fn({ timeout: timeoutMs, ctx });
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Timeout of a blocking query: Consul may answer up to wait/16 late, plus a normal request. */
  private blockingTimeout(): number {
    return this.blockingWaitMs + this.blockingWaitMs / 16 + this.retry.requestTimeoutMs;
  }
}

function toEntry(item: ConsulKvItem): KvEntry {
  // Consul sends `Value: null` for an empty value: that is an empty value, not a missing key.
  const value = item.Value;
  return {
    value: value === null || value === undefined ? new Uint8Array(0) : new Uint8Array(value),
    version: String(item.ModifyIndex)
  };
}

function toBufferView(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function toBase64(value: Uint8Array): string {
  return toBufferView(value).toString('base64');
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}
