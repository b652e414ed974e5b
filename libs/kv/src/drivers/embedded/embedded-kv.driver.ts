import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { open, type Database, type RootDatabase } from 'lmdb';

import {
  CasConflictError,
  InvalidKvRequestError,
  KvError,
  LockLostError,
  PermanentKvError,
  ValueTooLargeError
} from '../../kv.error';
import type { KvEntry, KvLimits, KvVersion } from '../../kv-store.interface';
import { InProcessLockTable } from '../../lock/in-process-lock-table';
import type { LockHandle } from '../../lock/lock-handle';
import type { KvAttemptContext } from '../../retry/kv-retry';
import { errorMessage } from '../../util/error-message';
import { BaseKvStore, type FullTxn, type KvStoreOptions } from '../base-kv-store';

export const EMBEDDED_DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;
export const EMBEDDED_DEFAULT_MAX_TXN_OPS = 10_000;
export const EMBEDDED_DEFAULT_PATH = 'data/kv';

export interface EmbeddedKvOptions extends KvStoreOptions {
  /** Data directory of the LMDB environment (created if missing; default `data/kv`). */
  readonly path?: string;
  /**
   * Wait for each commit to be synced to disk before resolving (default true). Only turn off for
   * throw-away data.
   */
  readonly durable?: boolean;
  /** Largest value accepted (default 64 MiB). */
  readonly maxValueBytes?: number;
  /** Most checks + ops per transaction (default 10000). */
  readonly maxTxnOps?: number;
}

const REVISION_KEY = 'revision';

/** One open LMDB environment, shared by every store on the same directory in this process. */
interface Environment {
  readonly root: RootDatabase;
  readonly kv: Database<Buffer, string>;
  readonly meta: Database<number, string>;
  readonly locks: InProcessLockTable;
  readonly durable: boolean;
  refs: number;
}

const environments = new Map<string, Environment>();

function acquireEnvironment(path: string, durable: boolean): Environment {
  const existing = environments.get(path);
  if (existing !== undefined) {
    if (existing.durable !== durable) {
      throw new InvalidKvRequestError(
        `embedded store at ${path} is already open with durable=${existing.durable}`
      );
    }
    existing.refs += 1;
    return existing;
  }
  mkdirSync(path, { recursive: true });
  const root = open({
    path,
    // Commits resolve only once synced to disk (no overlapping/deferred sync).
    overlappingSync: false,
    noSync: !durable,
    compression: false
  });
  const env: Environment = {
    root,
    kv: root.openDB<Buffer, string>({ name: 'kv', encoding: 'binary', useVersions: true }),
    meta: root.openDB<number, string>({ name: 'meta', encoding: 'ordered-binary' }),
    // Tokens keep increasing across restarts of the process (clock-seeded).
    locks: new InProcessLockTable(BigInt(Date.now()) * 1000n),
    durable,
    refs: 1
  };
  environments.set(path, env);
  return env;
}

/**
 * LMDB driver (the `lmdb` package): the default for single machines. Durable, atomic commits;
 * versions come from a persisted revision counter; locks are in-process (LMDB has no sessions):
 * they exclude stores of this process on the same directory, not other processes.
 */
export class EmbeddedKvStore extends BaseKvStore {
  readonly backend = 'embedded' as const;
  readonly limits: KvLimits;
  readonly path: string;
  private readonly env: Environment;
  private released = false;

  constructor(options: EmbeddedKvOptions = {}) {
    super(options);
    this.path = resolve(options.path ?? EMBEDDED_DEFAULT_PATH);
    this.env = acquireEnvironment(this.path, options.durable ?? true);
    this.limits = {
      maxTxnOps: options.maxTxnOps ?? EMBEDDED_DEFAULT_MAX_TXN_OPS,
      maxValueBytes: options.maxValueBytes ?? EMBEDDED_DEFAULT_MAX_VALUE_BYTES,
      maxTxnBytes: Number.MAX_SAFE_INTEGER
    };
  }

  /** The in-process lock table of this data directory (e.g. to revoke a lock in tests). */
  get locks(): InProcessLockTable {
    return this.env.locks;
  }

  protected classify(error: unknown): KvError {
    if (error instanceof KvError) {
      return error;
    }
    // Local disk errors (full disk, corrupt file, map full) do not heal by retrying quickly.
    return new PermanentKvError(`embedded store: ${errorMessage(error)}`, { cause: error });
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
    const out: string[] = [];
    for (const key of this.env.kv.getKeys({ start: fullPrefix })) {
      if (typeof key !== 'string' || !key.startsWith(fullPrefix)) {
        break;
      }
      out.push(key);
    }
    return Promise.resolve(out);
  }

  protected async doPut(fullKey: string, value: Uint8Array): Promise<KvVersion> {
    const versions = await this.commit(
      { checks: [], ops: [{ type: 'put', key: fullKey, value }], fence: undefined },
      1
    );
    return versions.get(fullKey) ?? '0';
  }

  protected async doDelete(fullKey: string): Promise<void> {
    await this.commit({ checks: [], ops: [{ type: 'delete', key: fullKey }], fence: undefined }, 1);
  }

  protected doTxn(txn: FullTxn, ctx: KvAttemptContext): Promise<Map<string, KvVersion>> {
    return this.commit(txn, ctx.attempt);
  }

  protected async acquireLock(
    key: string,
    fullKey: string,
    _owner: string,
    wait: boolean,
    signal: AbortSignal
  ): Promise<LockHandle | undefined> {
    const locks = this.env.locks;
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

  protected async doClose(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.env.refs -= 1;
    if (this.env.refs === 0) {
      environments.delete(this.path);
      await this.env.root.close();
    }
  }

  private read(fullKey: string): KvEntry | undefined {
    const entry = this.env.kv.getEntry(fullKey);
    if (entry === undefined || entry.value === undefined) {
      return undefined;
    }
    return { value: new Uint8Array(entry.value), version: String(entry.version ?? 0) };
  }

  /**
   * One LMDB write transaction: the callback runs inside the writer lock, so checks and writes
   * are atomic (also against other processes). Checks come first and nothing is written when one
   * fails, because lmdb-js does not roll back a callback that throws.
   */
  private async commit(txn: FullTxn, attempt: number): Promise<Map<string, KvVersion>> {
    const { kv, meta, root, locks } = this.env;
    const outcome = await root.transaction(() => {
      if (txn.fence !== undefined && !locks.isHeld(txn.fence.fullKey, txn.fence.sessionId)) {
        return { failed: 'fence' as const };
      }
      for (const check of txn.checks) {
        const current = kv.getEntry(check.key);
        const exists = current !== undefined && current.value !== undefined;
        const ok = check.type === 'absent' ? !exists : exists && String(current.version) === check.version;
        if (!ok) {
          return {
            failed: 'check' as const,
            key: check.key,
            actual: exists ? String(current.version) : undefined,
            absent: check.type === 'absent'
          };
        }
      }
      const versions = new Map<string, KvVersion>();
      const revision = (meta.get(REVISION_KEY) ?? 0) + 1;
      let wrote = false;
      for (const op of txn.ops) {
        if (op.type === 'put') {
          void kv.put(op.key, Buffer.from(op.value), revision);
          versions.set(op.key, String(revision));
          wrote = true;
        } else {
          if (kv.getEntry(op.key) !== undefined) {
            void kv.remove(op.key);
            wrote = true;
          }
          versions.delete(op.key);
        }
      }
      if (wrote) {
        void meta.put(REVISION_KEY, revision);
      }
      return { failed: undefined, versions };
    });
    if (outcome.failed === 'fence') {
      throw new LockLostError(txn.fence?.key ?? '', 'the lock is no longer held');
    }
    if (outcome.failed === 'check') {
      const key = this.relative(outcome.key) ?? outcome.key;
      throw new CasConflictError(
        outcome.absent
          ? `check failed: "${key}" exists`
          : `check failed: "${key}" is at version ${outcome.actual ?? '(absent)'}`,
        key,
        attempt > 1
      );
    }
    return outcome.versions;
  }
}
