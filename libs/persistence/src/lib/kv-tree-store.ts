import type { RootPointer, TreeStore, TreeStoreBatch } from '@voltha/config-tree';
import { decodeRootPointer, encodeRootPointer } from '@voltha/config-tree';
import { CasConflictError, KvError, LockLostError, PermanentKvError, sleep } from '@voltha/kv';
import type { KvCheck, KvLock, KvStore, KvVersion } from '@voltha/kv';

import { PersistenceError, StoreClosedError, StoreFencedError, WriteQueueFullError } from './errors';
import { Journal, pointerDigest } from './journal';
import type { JournalRecord } from './journal';
import { isBlobKey, ROOT_KEY } from './layout';
import { foldBatch, mergeBatches } from './merge-batches';
import type { MergedBatch } from './merge-batches';
import { planDeletes, planTransactions } from './txn-plan';

export type WriteMode = 'sync' | 'journal';

export interface PersistenceLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export interface KvTreeStoreOptions {
  kv: KvStore;
  /** sync (default): a batch is acknowledged after its KV transaction; journal: after an fsync-ed journal append. */
  mode?: WriteMode;
  /** The journal file. Required in journal mode; in sync mode a journal left there is replayed at open. */
  journalPath?: string;
  /**
   * Batches waiting for the KV store before commit() fails with UNAVAILABLE (default 10000 in sync
   * mode; 1,000,000 in journal mode, where waiting batches are folded into one and cost only the
   * blobs they add).
   */
  maxQueued?: number;
  /** Most batches folded into one group commit (default 1024). */
  maxGroup?: number;
  /** The store lock: every transaction is fenced with it. */
  fence?: KvLock;
  /** Backoff of the background flush in journal mode (ms). */
  flushBackoff?: { minMs: number; maxMs: number };
  logger?: PersistenceLogger;
  /** Called once when the store is fenced (lock lost or another writer moved the root). */
  onFenced?: (reason: string) => void;
}

export interface KvTreeStoreStats {
  mode: WriteMode;
  /** Batches acknowledged to the tree. */
  batchesAcknowledged: number;
  /** Batches written to the KV store. */
  batchesWritten: number;
  /** Group commits (each one or more KV transactions). */
  groups: number;
  /** KV transactions issued (round trips for writes). */
  kvTransactions: number;
  /** Batches waiting: for the KV store (sync) or for the background flush (journal). */
  queued: number;
  /** Garbage blobs still to be deleted. */
  pendingDeletes: number;
  fenced: boolean;
  lastError?: string;
}

interface Waiter {
  batch: TreeStoreBatch;
  resolve: () => void;
  reject: (e: Error) => void;
}

const noopLogger: PersistenceLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined
};

/**
 * The config tree's store over a KV store (the seed's "write queue"). Batches from the tree are queued
 * and written by one writer in group commits: consecutive batches are folded (mergeBatches) and
 * written as few atomic KV transactions as the backend's limits allow, blobs first and the root
 * pointer last with compare-and-set on its version and a fence on the store lock, so a writer that
 * lost the lock can never overwrite the root. Garbage blobs are deleted after the root, in the same
 * or later transactions.
 *
 * sync mode acknowledges a batch after its group's root transaction committed; journal mode after
 * its journal record is fsync-ed, then writes to the KV store in the background, retrying until the
 * store is back (nothing acknowledged is ever dropped). A journal left by a crash is replayed at open.
 */
export class KvTreeStore implements TreeStore {
  private readonly kv: KvStore;
  private readonly mode: WriteMode;
  private readonly maxQueued: number;
  private readonly maxGroup: number;
  private readonly logger: PersistenceLogger;
  private readonly queue: Waiter[] = [];
  /** Journal mode: acknowledged batches not yet in the KV store, folded into one (bounded memory). */
  private unflushed: { merged: MergedBatch; count: number } | undefined;
  private readonly appendQueue: Array<{
    record: JournalRecord;
    resolve: () => void;
    reject: (e: Error) => void;
  }> = [];
  private pendingDeletes = new Set<string>();
  private writing = false;
  private appending = false;
  private flushing = false;
  private closed = false;
  private fencedReason: string | undefined;
  private journal: Journal | undefined;
  /** Version of the root key as last written or read; undefined when absent; null when unknown. */
  private rootVersion: KvVersion | undefined | null = null;
  /** Encoded root pointer of the last successful root write (or the one read at open). */
  private rootBytes: Uint8Array | undefined;
  /** Digest of the root the next journal record follows. */
  private journalBase = '';
  private flushIdle: Array<() => void> = [];
  private readonly stopping = new AbortController();
  private readonly stats: KvTreeStoreStats;

  private constructor(private readonly options: KvTreeStoreOptions) {
    this.kv = options.kv;
    this.mode = options.mode ?? 'sync';
    this.maxQueued = options.maxQueued ?? (this.mode === 'journal' ? 1_000_000 : 10_000);
    this.maxGroup = options.maxGroup ?? 1024;
    this.logger = options.logger ?? noopLogger;
    this.stats = {
      mode: this.mode,
      batchesAcknowledged: 0,
      batchesWritten: 0,
      groups: 0,
      kvTransactions: 0,
      queued: 0,
      pendingDeletes: 0,
      fenced: false
    };
  }

  /** Opens the store: replays a journal left by a crash, then reads the root pointer's version. */
  public static async open(options: KvTreeStoreOptions): Promise<KvTreeStore> {
    if ((options.mode ?? 'sync') === 'journal' && !options.journalPath) {
      throw new PersistenceError('journal mode needs a journal path', 'INTERNAL');
    }
    const store = new KvTreeStore(options);
    await store.readRoot();
    if (options.journalPath) {
      const { journal, records } = await Journal.open(options.journalPath);
      await store.replay(records);
      await journal.markFlushed(records.length);
      if (store.mode === 'journal') store.journal = journal;
      else await journal.close();
    }
    store.journalBase = store.rootBytes ? pointerDigest(decodeRootPointer(store.rootBytes)) : '';
    if (options.fence) {
      void options.fence.ended.then((end) => {
        if (end.reason !== 'released' && !store.closed)
          store.fence(`store lock ${end.reason}: ${end.detail}`);
      });
    }
    return store;
  }

  public async loadRoot(): Promise<RootPointer | undefined> {
    await this.readRoot();
    return this.rootBytes ? decodeRootPointer(this.rootBytes) : undefined;
  }

  public async readBlobs(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (let i = 0; i < keys.length; i += 512) {
      const got = await this.kv.getMany(keys.slice(i, i + 512));
      for (const [k, entry] of got) out.set(k, entry.value);
    }
    return out;
  }

  public async listBlobKeys(): Promise<string[]> {
    return (await this.kv.list('')).filter(isBlobKey);
  }

  public commit(batch: TreeStoreBatch): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (this.fencedReason) return Promise.reject(new StoreFencedError(this.fencedReason));
    if (this.mode === 'sync') {
      if (this.queue.length >= this.maxQueued) return Promise.reject(new WriteQueueFullError(this.maxQueued));
      return new Promise<void>((resolve, reject) => {
        this.queue.push({ batch, resolve, reject });
        this.kickWriter();
      });
    }
    if (this.unflushedCount + this.appendQueue.length >= this.maxQueued) {
      return Promise.reject(new WriteQueueFullError(this.maxQueued));
    }
    const record: JournalRecord = { base: this.journalBase, batch };
    this.journalBase = pointerDigest(batch.root);
    return new Promise<void>((resolve, reject) => {
      this.appendQueue.push({ record, resolve, reject });
      this.kickAppender();
    });
  }

  public getStats(): KvTreeStoreStats {
    return {
      ...this.stats,
      queued: this.mode === 'sync' ? this.queue.length : this.unflushedCount + this.appendQueue.length,
      pendingDeletes: this.pendingDeletes.size,
      fenced: this.fencedReason !== undefined
    };
  }

  /** Resolves when everything acknowledged so far is in the KV store (rejects after timeoutMs). */
  public async drain(timeoutMs: number): Promise<void> {
    const idle = (): boolean =>
      this.queue.length === 0 &&
      !this.writing &&
      !this.unflushed &&
      !this.flushing &&
      this.appendQueue.length === 0;
    if (idle()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PersistenceError(`store not drained after ${timeoutMs} ms`, 'UNAVAILABLE')),
        timeoutMs
      );
      const check = (): void => {
        if (idle()) {
          clearTimeout(timer);
          resolve();
        } else this.flushIdle.push(check);
      };
      check();
    });
  }

  /** Drains (up to timeoutMs), then refuses further commits. Does not close the KV store. */
  public async close(timeoutMs = 10_000): Promise<void> {
    try {
      await this.drain(timeoutMs);
    } finally {
      this.closed = true;
      for (const w of this.queue.splice(0)) w.reject(new StoreClosedError());
      await this.journal?.close();
    }
  }

  /**
   * Stops at once without writing anything more: what is not in the KV store stays in the journal
   * (journal mode) or is rejected (sync mode). For tests of crashes and for a fenced instance.
   */
  public async abandon(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    for (const w of this.queue.splice(0)) w.reject(new StoreClosedError());
    for (const a of this.appendQueue.splice(0)) a.reject(new StoreClosedError());
    await this.journal?.close();
  }

  // ------------------------------------------------------------------ internals

  /** The unflushed accumulator (a call, so that TypeScript does not narrow it across awaits). */
  private currentUnflushed(): { merged: MergedBatch; count: number } | undefined {
    return this.unflushed;
  }

  private get unflushedCount(): number {
    return this.unflushed?.count ?? 0;
  }

  private async readRoot(): Promise<void> {
    const entry = await this.kv.get(ROOT_KEY);
    this.rootVersion = entry?.version;
    this.rootBytes = entry?.value;
  }

  private fence(reason: string): void {
    if (this.fencedReason) return;
    this.fencedReason = reason;
    this.logger.error('store-fenced', { reason });
    for (const w of this.queue.splice(0)) w.reject(new StoreFencedError(reason));
    for (const a of this.appendQueue.splice(0)) a.reject(new StoreFencedError(reason));
    this.options.onFenced?.(reason);
  }

  private notifyIdle(): void {
    for (const w of this.flushIdle.splice(0)) w();
  }

  private kickWriter(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    void this.writeLoop();
  }

  private async writeLoop(): Promise<void> {
    while (this.queue.length > 0 && !this.fencedReason) {
      const group = this.queue.splice(0, this.maxGroup);
      try {
        await this.writeGroup(group.map((w) => w.batch));
        this.stats.batchesAcknowledged += group.length;
        for (const w of group) w.resolve();
      } catch (e) {
        const error = this.asError(e);
        this.stats.lastError = error.message;
        // Later batches were built on top of the failed ones: they cannot be written either.
        for (const w of [...group, ...this.queue.splice(0)]) w.reject(error);
      }
    }
    this.writing = false;
    this.notifyIdle();
  }

  private kickAppender(): void {
    if (this.appending || this.appendQueue.length === 0 || !this.journal) return;
    this.appending = true;
    void this.appendLoop();
  }

  private async appendLoop(): Promise<void> {
    const journal = this.journal as Journal;
    while (this.appendQueue.length > 0 && !this.fencedReason) {
      const group = this.appendQueue.splice(0, this.maxGroup);
      try {
        await journal.append(group.map((a) => a.record));
        this.stats.batchesAcknowledged += group.length;
        for (const a of group) {
          this.unflushed = {
            merged: foldBatch(this.unflushed?.merged, a.record.batch),
            count: this.unflushedCount + 1
          };
        }
        for (const a of group) a.resolve();
        this.kickFlusher();
      } catch (e) {
        const error = new PersistenceError(`journal append failed: ${(e as Error).message}`, 'UNAVAILABLE', {
          cause: e
        });
        this.stats.lastError = error.message;
        const failed = [...group, ...this.appendQueue.splice(0)];
        for (const a of failed) a.reject(error);
        // The next record follows the last root that made it into the journal.
        const last =
          this.unflushed?.merged.root ?? (this.rootBytes ? decodeRootPointer(this.rootBytes) : undefined);
        this.journalBase = pointerDigest(last);
      }
    }
    this.appending = false;
    this.notifyIdle();
  }

  private kickFlusher(): void {
    if (this.flushing || !this.unflushed) return;
    this.flushing = true;
    void this.flushLoop();
  }

  /** Journal mode: writes acknowledged batches to the KV store, retrying until it succeeds. */
  private async flushLoop(): Promise<void> {
    const backoff = this.options.flushBackoff ?? { minMs: 100, maxMs: 5000 };
    let failures = 0;
    while (this.unflushed && !this.fencedReason && !this.stopping.signal.aborted) {
      const group = this.unflushed;
      this.unflushed = undefined;
      try {
        await this.writeMerged(group.merged, group.count);
        await this.journal?.markFlushed(group.count);
        if (failures > 0) this.logger.info('kv-flush-recovered', { afterFailures: failures });
        failures = 0;
      } catch (e) {
        // Put the group back in front of what was acknowledged meanwhile.
        const meanwhile = this.currentUnflushed();
        this.unflushed = meanwhile
          ? { merged: foldBatch(group.merged, meanwhile.merged), count: group.count + meanwhile.count }
          : group;
        const error = this.asError(e);
        this.stats.lastError = error.message;
        if (this.fencedReason) break;
        failures++;
        const delay = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(failures - 1, 20));
        this.logger.warn('kv-flush-failed', {
          error: error.message,
          retryInMs: Math.round(delay),
          queued: this.unflushedCount
        });
        try {
          await sleep(delay / 2 + Math.random() * (delay / 2), this.stopping.signal);
        } catch {
          break;
        }
      }
    }
    this.flushing = false;
    this.notifyIdle();
  }

  /** Writes consecutive batches as one group commit. */
  private writeGroup(batches: readonly TreeStoreBatch[]): Promise<void> {
    return this.writeMerged(mergeBatches(batches), batches.length);
  }

  private async writeMerged(merged: MergedBatch, count: number): Promise<void> {
    for (const k of merged.puts.keys()) this.pendingDeletes.delete(k);
    const deletes = new Set([...merged.deletes, ...this.pendingDeletes]);
    const rootValue = encodeRootPointer(merged.root);
    if (this.rootVersion === null) await this.resolveUncertainRoot(rootValue);
    const checks: KvCheck[] =
      this.rootVersion === undefined
        ? [{ type: 'absent', key: ROOT_KEY }]
        : [{ type: 'version', key: ROOT_KEY, version: this.rootVersion as KvVersion }];
    const plan = planTransactions({
      puts: merged.puts,
      root: { key: ROOT_KEY, value: rootValue },
      deletes,
      rootChecks: checks,
      fenced: this.options.fence !== undefined,
      limits: this.kv.limits
    });
    this.stats.groups++;
    for (const txn of plan.txns) {
      try {
        this.stats.kvTransactions++;
        const result = await this.kv.txn({
          checks: txn.writesRoot ? checks : [],
          ops: txn.ops,
          fence: this.options.fence
        });
        if (txn.writesRoot) {
          this.rootVersion = result.versions.get(ROOT_KEY);
          this.rootBytes = rootValue;
        }
      } catch (e) {
        if (txn.writesRoot) this.onRootWriteFailed(e, rootValue);
        else if (e instanceof LockLostError) this.fence(`store lock lost: ${e.message}`);
        throw e;
      }
    }
    this.pendingDeletes = new Set(plan.leftoverDeletes);
    this.stats.batchesWritten += count;
    // Garbage that did not fit into the root transaction: all of it when idle; under sustained load one
    // full transaction's worth per group once a backlog builds up, so it never grows without bound.
    const idle = this.queue.length === 0 && !this.unflushed;
    const txnWorth = this.kv.limits.maxTxnOps - (this.options.fence ? 1 : 0);
    if (this.pendingDeletes.size > 0 && idle) await this.deleteGarbage();
    else if (this.pendingDeletes.size >= txnWorth) await this.deleteGarbage(txnWorth);
  }

  /** Deletes garbage blobs that did not fit into root transactions (fenced, in backend-sized chunks). */
  private async deleteGarbage(limit = Infinity): Promise<void> {
    const keys = [...this.pendingDeletes].slice(0, limit);
    for (const ops of planDeletes(keys, this.kv.limits.maxTxnOps - (this.options.fence ? 1 : 0))) {
      try {
        this.stats.kvTransactions++;
        await this.kv.txn({ ops, fence: this.options.fence });
        for (const op of ops) this.pendingDeletes.delete(op.key);
      } catch (e) {
        // Garbage only: left for the next group or the orphan sweep at the next start.
        this.logger.warn('gc-delete-failed', { error: (e as Error).message, left: this.pendingDeletes.size });
        if (e instanceof LockLostError) this.fence(`store lock lost: ${e.message}`);
        return;
      }
    }
  }

  private onRootWriteFailed(e: unknown, attempted: Uint8Array): void {
    if (e instanceof LockLostError) {
      this.fence(`store lock lost: ${e.message}`);
    } else if (e instanceof CasConflictError && !e.mayHaveApplied) {
      this.fence('the root pointer was changed by another writer');
    } else if (!(e instanceof PermanentKvError) || e instanceof CasConflictError) {
      // Outcome unknown (timeout, connection lost): re-read the root before the next write.
      this.rootVersion = null;
      this.uncertain = attempted;
    }
  }

  private uncertain: Uint8Array | undefined;

  /**
   * After a root write with an unknown outcome: the stored root must be either the last acknowledged
   * one or the attempted one (which the tree has rolled back; the next write replaces it). Anything
   * else means another writer: fence.
   */
  private async resolveUncertainRoot(_next: Uint8Array): Promise<void> {
    const entry = await this.kv.get(ROOT_KEY);
    const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
      a === undefined
        ? b === undefined
        : b !== undefined && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
    if (same(entry?.value, this.rootBytes) || (this.uncertain && same(entry?.value, this.uncertain))) {
      this.rootVersion = entry?.version;
      this.uncertain = undefined;
      return;
    }
    this.fence('the root pointer was changed by another writer');
    throw new StoreFencedError('the root pointer was changed by another writer');
  }

  /** Journal replay at open: writes the records the KV store does not have yet. */
  private async replay(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    const current = this.rootBytes ? pointerDigest(decodeRootPointer(this.rootBytes)) : '';
    let start = -1;
    if (records[0].base === current) start = 0;
    else {
      for (let i = records.length - 1; i >= 0; i--) {
        if (pointerDigest(records[i].batch.root) === current) {
          start = i + 1;
          break;
        }
      }
    }
    if (start < 0) {
      throw new PersistenceError(
        `the journal ${this.options.journalPath} does not continue the root pointer in the KV store ` +
          '(another instance wrote the store since); move the journal aside to start without it',
        'DATA_LOSS'
      );
    }
    const pending = records.slice(start).map((r) => r.batch);
    this.logger.info('journal-replay', { records: records.length, replaying: pending.length });
    for (let i = 0; i < pending.length; i += this.maxGroup) {
      await this.writeGroup(pending.slice(i, i + this.maxGroup));
    }
  }

  private asError(e: unknown): Error {
    if (this.fencedReason && !(e instanceof StoreFencedError)) return new StoreFencedError(this.fencedReason);
    if (e instanceof PersistenceError) return e;
    if (e instanceof KvError)
      return new PersistenceError(`KV store: ${e.message}`, 'UNAVAILABLE', { cause: e });
    return e instanceof Error ? e : new Error(String(e));
  }
}
