import { hostname } from 'node:os';

import {
  InvalidKvRequestError,
  KvClosedError,
  KvError,
  LockLostError,
  LockWaitAbortedError,
  TxnTooLargeError
} from '../kv.error';
import { assertValidKey, coreStorePrefix, normalizePrefix } from '../kv-prefix';
import type {
  KvBackendName,
  KvCheck,
  KvEntry,
  KvLimits,
  KvLock,
  KvLockOptions,
  KvOp,
  KvStore,
  KvTxnRequest,
  KvTxnResult,
  KvVersion
} from '../kv-store.interface';
import { LockHandle } from '../lock/lock-handle';
import {
  resolveRetryOptions,
  withRetry,
  type KvAttemptContext,
  type KvRetryOptions
} from '../retry/kv-retry';

/** Options every driver takes. */
export interface KvStoreOptions {
  /** Key prefix (default `service/voltha/data/core/0001`, see `coreStorePrefix`). */
  readonly prefix?: string;
  /** Timeout and retry settings (defaults: `DEFAULT_KV_RETRY`). */
  readonly retry?: Partial<KvRetryOptions>;
  /**
   * Lock session/lease TTL in ms (Consul session TTL, etcd lease TTL; default 15000). The holder
   * renews well within it; a crashed holder's lock is freed after about this long.
   */
  readonly lockTtlMs?: number;
}

/** A transaction with full (prefixed) keys, as drivers see it. */
export interface FullTxn {
  readonly checks: readonly KvCheck[];
  readonly ops: readonly KvOp[];
  readonly fence: LockHandle | undefined;
}

export const DEFAULT_LOCK_TTL_MS = 15_000;

/**
 * Shared behaviour of all drivers: prefixing, validation, limits, retries with timeouts, lock
 * bookkeeping and close. Drivers implement the `do*` hooks with full keys, one attempt each.
 */
export abstract class BaseKvStore implements KvStore {
  abstract readonly backend: KvBackendName;
  abstract readonly limits: KvLimits;
  readonly prefix: string;
  protected readonly retry: KvRetryOptions;
  protected readonly lockTtlMs: number;
  /** Aborted by `close()`: stops retries, waits and background loops. */
  protected readonly closing = new AbortController();
  private readonly heldLocks = new Set<LockHandle>();
  private readonly issuedLocks = new WeakSet<LockHandle>();
  private closePromise: Promise<void> | undefined;

  protected constructor(options: KvStoreOptions) {
    this.prefix = normalizePrefix(options.prefix ?? coreStorePrefix());
    this.retry = resolveRetryOptions(options.retry);
    this.lockTtlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
    if (!(this.lockTtlMs > 0)) {
      throw new RangeError(`lockTtlMs must be > 0, got ${this.lockTtlMs}`);
    }
  }

  get maxTxnOps(): number {
    return this.limits.maxTxnOps;
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  // ------------------------------------------------------------------ driver hooks

  /** Map anything a backend call threw to a `TransientKvError` (retried) or another `KvError`. */
  protected abstract classify(error: unknown): KvError;
  protected abstract doGet(fullKey: string, ctx: KvAttemptContext): Promise<KvEntry | undefined>;
  protected abstract doGetMany(
    fullKeys: readonly string[],
    ctx: KvAttemptContext
  ): Promise<Map<string, KvEntry>>;
  /** Full keys starting with `fullPrefix` (any order). */
  protected abstract doList(fullPrefix: string, ctx: KvAttemptContext): Promise<string[]>;
  protected abstract doPut(fullKey: string, value: Uint8Array, ctx: KvAttemptContext): Promise<KvVersion>;
  protected abstract doDelete(fullKey: string, ctx: KvAttemptContext): Promise<void>;
  /** Apply a non-empty transaction; resolve with the versions of put keys (full keys). */
  protected abstract doTxn(txn: FullTxn, ctx: KvAttemptContext): Promise<Map<string, KvVersion>>;
  /**
   * Acquire the lock on `fullKey`. With `wait`, block (without polling) until acquired or `signal`
   * aborts (then reject with anything; the base maps it). Without, resolve undefined if taken.
   */
  protected abstract acquireLock(
    key: string,
    fullKey: string,
    owner: string,
    wait: boolean,
    signal: AbortSignal
  ): Promise<LockHandle | undefined>;
  protected abstract doClose(): Promise<void>;

  // ------------------------------------------------------------------ helpers for drivers

  /** Prefixed key. */
  protected full(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  /** Store-relative key of a full key (undefined if outside the prefix). */
  protected relative(fullKey: string): string | undefined {
    if (this.prefix === '') {
      return fullKey;
    }
    const head = `${this.prefix}/`;
    return fullKey.startsWith(head) ? fullKey.slice(head.length) : undefined;
  }

  /** Run one KV operation with timeout and retries. */
  protected call<T>(operation: string, attempt: (ctx: KvAttemptContext) => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(new KvClosedError(operation));
    }
    return withRetry(operation, this.retry, (error) => this.classify(error), attempt, this.closing.signal);
  }

  /** Register a freshly acquired lock (drivers call this from `acquireLock`). */
  protected newLock(
    key: string,
    fullKey: string,
    token: string,
    sessionId: string,
    release: () => Promise<void>,
    onEnd: (handle: LockHandle) => void = () => undefined
  ): LockHandle {
    const handle = new LockHandle(key, fullKey, token, sessionId, {
      release,
      onEnd: (h) => {
        this.heldLocks.delete(h);
        onEnd(h);
      }
    });
    this.heldLocks.add(handle);
    this.issuedLocks.add(handle);
    return handle;
  }

  // ------------------------------------------------------------------ KvStore

  async get(key: string): Promise<KvEntry | undefined> {
    assertValidKey(key);
    return this.call('get', (ctx) => this.doGet(this.full(key), ctx));
  }

  async getMany(keys: readonly string[]): Promise<Map<string, KvEntry>> {
    keys.forEach((key) => assertValidKey(key));
    const unique = [...new Set(keys)];
    if (unique.length === 0) {
      return new Map();
    }
    const found = await this.call('getMany', (ctx) =>
      this.doGetMany(
        unique.map((k) => this.full(k)),
        ctx
      )
    );
    const out = new Map<string, KvEntry>();
    for (const key of unique) {
      const entry = found.get(this.full(key));
      if (entry !== undefined) {
        out.set(key, entry);
      }
    }
    return out;
  }

  async list(prefix = ''): Promise<string[]> {
    if (typeof prefix !== 'string' || prefix.startsWith('/')) {
      throw new InvalidKvRequestError(
        `list prefix must be a string not starting with "/": ${JSON.stringify(prefix)}`
      );
    }
    const fullPrefix = this.prefix === '' ? prefix : `${this.prefix}/${prefix}`;
    const keys = await this.call('list', (ctx) => this.doList(fullPrefix, ctx));
    const out: string[] = [];
    for (const fullKey of keys) {
      const key = this.relative(fullKey);
      if (key !== undefined && key !== '' && key.startsWith(prefix)) {
        out.push(key);
      }
    }
    return out.sort(compareKeys);
  }

  async put(key: string, value: Uint8Array): Promise<KvVersion> {
    assertValidKey(key);
    assertBytes(value, key);
    this.checkValueSize(key, value);
    return this.call('put', (ctx) => this.doPut(this.full(key), value, ctx));
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    return this.call('delete', (ctx) => this.doDelete(this.full(key), ctx));
  }

  async txn(request: KvTxnRequest): Promise<KvTxnResult> {
    const checks = request.checks ?? [];
    const ops = request.ops;
    if (!Array.isArray(ops)) {
      throw new InvalidKvRequestError('txn needs an ops array');
    }
    const size = checks.length + ops.length + (request.fence !== undefined ? 1 : 0);
    if (size > this.limits.maxTxnOps) {
      throw new TxnTooLargeError(size, this.limits.maxTxnOps);
    }
    for (const check of checks) {
      assertValidKey(check.key);
      if (check.type === 'version' && (typeof check.version !== 'string' || !/^\d+$/.test(check.version))) {
        throw new InvalidKvRequestError(
          `version check on "${check.key}" needs a version, got ${String(check.version)}`
        );
      }
      if (check.type !== 'version' && check.type !== 'absent') {
        throw new InvalidKvRequestError(
          `unknown check type ${JSON.stringify((check as { type: unknown }).type)}`
        );
      }
    }
    for (const op of ops) {
      assertValidKey(op.key);
      if (op.type === 'put') {
        assertBytes(op.value, op.key);
        this.checkValueSize(op.key, op.value);
      } else if (op.type !== 'delete') {
        throw new InvalidKvRequestError(`unknown op type ${JSON.stringify((op as { type: unknown }).type)}`);
      }
    }
    let fence: LockHandle | undefined;
    if (request.fence !== undefined) {
      fence = this.ownLock(request.fence);
      if (!fence.held) {
        throw new LockLostError(fence.key, fence.end?.detail ?? 'not held');
      }
    }
    if (size === 0) {
      return { versions: new Map() };
    }
    // Several ops on one key: the last one wins (etcd rejects duplicate keys in one txn).
    const lastOps = [...new Map(ops.map((o) => [o.key, o] as const)).values()];
    const full: FullTxn = {
      checks: checks.map((c) => ({ ...c, key: this.full(c.key) })),
      ops: lastOps.map((o) => ({ ...o, key: this.full(o.key) })),
      fence
    };
    const versions = await this.call('txn', (ctx) => this.doTxn(full, ctx));
    const out = new Map<string, KvVersion>();
    for (const [fullKey, version] of versions) {
      const key = this.relative(fullKey);
      if (key !== undefined) {
        out.set(key, version);
      }
    }
    return { versions: out };
  }

  async lock(key: string, options: KvLockOptions = {}): Promise<KvLock> {
    assertValidKey(key);
    if (this.closed) {
      throw new KvClosedError('lock');
    }
    const controller = new AbortController();
    let reason: 'timeout' | 'aborted' | 'closed' | undefined;
    const abort = (why: 'timeout' | 'aborted' | 'closed'): void => {
      reason ??= why;
      controller.abort(new LockWaitAbortedError(key, why));
    };
    const onUserAbort = (): void => abort('aborted');
    const onClose = (): void => abort('closed');
    const timer =
      options.waitTimeoutMs !== undefined
        ? setTimeout(() => abort('timeout'), options.waitTimeoutMs)
        : undefined;
    options.signal?.addEventListener('abort', onUserAbort, { once: true });
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    if (options.signal?.aborted === true) {
      abort('aborted');
    }
    try {
      const handle = await this.acquireLock(
        key,
        this.full(key),
        options.owner ?? defaultOwner(),
        true,
        controller.signal
      );
      if (handle === undefined) {
        throw new LockWaitAbortedError(key, reason ?? 'aborted');
      }
      return handle;
    } catch (error) {
      if (reason !== undefined) {
        throw new LockWaitAbortedError(key, reason);
      }
      throw error instanceof KvError ? error : this.classify(error);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onUserAbort);
      this.closing.signal.removeEventListener('abort', onClose);
    }
  }

  async tryLock(key: string, options: Pick<KvLockOptions, 'owner'> = {}): Promise<KvLock | undefined> {
    assertValidKey(key);
    if (this.closed) {
      throw new KvClosedError('tryLock');
    }
    try {
      return await this.acquireLock(
        key,
        this.full(key),
        options.owner ?? defaultOwner(),
        false,
        this.closing.signal
      );
    } catch (error) {
      throw error instanceof KvError ? error : this.classify(error);
    }
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      const held = [...this.heldLocks];
      // Release locks while the connection still works, then stop everything else.
      await Promise.all(held.map((lock) => lock.closeAndRelease()));
      this.closing.abort(new KvClosedError('close'));
      await this.doClose();
    })();
    return this.closePromise;
  }

  // ------------------------------------------------------------------ internals

  /** Value size limit enforced by the driver itself (memory/embedded); others let the server decide. */
  protected checkValueSize(_key: string, _value: Uint8Array): void {
    // default: the backend enforces its own limit
  }

  private ownLock(lock: KvLock): LockHandle {
    if (!(lock instanceof LockHandle) || !this.issuedLocks.has(lock)) {
      throw new InvalidKvRequestError(`fence lock "${lock.key}" was not acquired from this store`);
    }
    return lock;
  }
}

function assertBytes(value: unknown, key: string): asserts value is Uint8Array {
  // ArrayBuffer.isView, not instanceof: Buffers and Uint8Arrays from another realm must pass too.
  if (
    !ArrayBuffer.isView(value) ||
    value instanceof DataView ||
    (value as Uint8Array).BYTES_PER_ELEMENT !== 1
  ) {
    throw new InvalidKvRequestError(`value of "${key}" must be a Uint8Array`);
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

let owner: string | undefined;
function defaultOwner(): string {
  owner ??= `${process.pid}@${hostname()}`;
  return owner;
}
