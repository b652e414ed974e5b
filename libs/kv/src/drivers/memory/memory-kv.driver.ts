import {
  CasConflictError,
  KvError,
  LockLostError,
  TransientKvError,
  ValueTooLargeError
} from '../../kv.error';
import type { KvEntry, KvLimits, KvVersion } from '../../kv-store.interface';
import { InProcessLockTable } from '../../lock/in-process-lock-table';
import type { LockHandle } from '../../lock/lock-handle';
import type { KvAttemptContext } from '../../retry/kv-retry';
import { errorMessage } from '../../util/error-message';
import { BaseKvStore, type FullTxn, type KvStoreOptions } from '../base-kv-store';

export const MEMORY_DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;
export const MEMORY_DEFAULT_MAX_TXN_OPS = 10_000;

/**
 * The data behind memory stores. Several `MemoryKvStore` clients on one backend see the same
 * data and locks, like clients of one server.
 */
export class MemoryKvBackend {
  revision = 0;
  readonly data = new Map<string, { readonly value: Uint8Array; readonly version: number }>();
  readonly locks = new InProcessLockTable();
}

export interface MemoryKvOptions extends KvStoreOptions {
  /** Share data between clients (default: a private backend of its own). */
  readonly shared?: MemoryKvBackend;
  /** Largest value accepted (default 64 MiB). */
  readonly maxValueBytes?: number;
  /** Most checks + ops per transaction (default 10000). */
  readonly maxTxnOps?: number;
}

/** In-memory driver for tests and `BACKEND=none`: nothing survives the process. */
export class MemoryKvStore extends BaseKvStore {
  readonly backend = 'memory' as const;
  readonly limits: KvLimits;
  readonly data: MemoryKvBackend;

  constructor(options: MemoryKvOptions = {}) {
    super(options);
    this.data = options.shared ?? new MemoryKvBackend();
    const maxValueBytes = options.maxValueBytes ?? MEMORY_DEFAULT_MAX_VALUE_BYTES;
    this.limits = {
      maxTxnOps: options.maxTxnOps ?? MEMORY_DEFAULT_MAX_TXN_OPS,
      maxValueBytes,
      maxTxnBytes: Number.MAX_SAFE_INTEGER
    };
  }

  protected classify(error: unknown): KvError {
    return error instanceof KvError ? error : new TransientKvError(errorMessage(error), { cause: error });
  }

  protected override checkValueSize(key: string, value: Uint8Array): void {
    if (value.length > this.limits.maxValueBytes) {
      throw new ValueTooLargeError(
        `value of "${key}" is ${value.length} bytes, over the limit of ${this.limits.maxValueBytes}`,
        key
      );
    }
  }

  protected doGet(fullKey: string): Promise<KvEntry | undefined> {
    return Promise.resolve(this.read(fullKey));
  }

  protected doGetMany(fullKeys: readonly string[]): Promise<Map<string, KvEntry>> {
    const out = new Map<string, KvEntry>();
    for (const key of fullKeys) {
      const entry = this.read(key);
      if (entry !== undefined) out.set(key, entry);
    }
    return Promise.resolve(out);
  }

  protected doList(fullPrefix: string): Promise<string[]> {
    return Promise.resolve([...this.data.data.keys()].filter((k) => k.startsWith(fullPrefix)));
  }

  protected doPut(fullKey: string, value: Uint8Array): Promise<KvVersion> {
    this.data.revision += 1;
    this.data.data.set(fullKey, { value: new Uint8Array(value), version: this.data.revision });
    return Promise.resolve(String(this.data.revision));
  }

  protected doDelete(fullKey: string): Promise<void> {
    if (this.data.data.delete(fullKey)) {
      this.data.revision += 1;
    }
    return Promise.resolve();
  }

  protected doTxn(txn: FullTxn, ctx: KvAttemptContext): Promise<Map<string, KvVersion>> {
    if (txn.fence !== undefined && !this.data.locks.isHeld(txn.fence.fullKey, txn.fence.sessionId)) {
      return Promise.reject(new LockLostError(txn.fence.key, 'the lock is no longer held'));
    }
    for (const check of txn.checks) {
      const current = this.data.data.get(check.key);
      const ok = check.type === 'absent' ? current === undefined : String(current?.version) === check.version;
      if (!ok) {
        const key = this.relative(check.key) ?? check.key;
        return Promise.reject(
          new CasConflictError(
            check.type === 'absent'
              ? `check failed: "${key}" exists`
              : `check failed: "${key}" is at version ${current === undefined ? '(absent)' : current.version}, not ${check.version}`,
            key,
            ctx.attempt > 1
          )
        );
      }
    }
    const versions = new Map<string, KvVersion>();
    if (txn.ops.length > 0) {
      this.data.revision += 1;
      for (const op of txn.ops) {
        if (op.type === 'put') {
          this.data.data.set(op.key, { value: new Uint8Array(op.value), version: this.data.revision });
          versions.set(op.key, String(this.data.revision));
        } else {
          this.data.data.delete(op.key);
          versions.delete(op.key);
        }
      }
    }
    return Promise.resolve(versions);
  }

  protected async acquireLock(
    key: string,
    fullKey: string,
    _owner: string,
    wait: boolean,
    signal: AbortSignal
  ): Promise<LockHandle | undefined> {
    const locks = this.data.locks;
    for (;;) {
      let handle: LockHandle | undefined;
      const acquired = locks.tryAcquire(fullKey, (detail) => handle?.markLost(detail));
      if (acquired !== undefined) {
        handle = this.newLock(
          key,
          fullKey,
          acquired.token,
          acquired.id,
          () => {
            locks.release(fullKey, acquired.id);
            return Promise.resolve();
          },
          () => locks.release(fullKey, acquired.id)
        );
        return handle;
      }
      if (!wait) {
        return undefined;
      }
      await locks.waitUntilFree(fullKey, signal);
    }
  }

  protected doClose(): Promise<void> {
    return Promise.resolve();
  }

  private read(fullKey: string): KvEntry | undefined {
    const entry = this.data.data.get(fullKey);
    return entry === undefined
      ? undefined
      : { value: new Uint8Array(entry.value), version: String(entry.version) };
  }
}
