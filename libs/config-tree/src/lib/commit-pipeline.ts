/**
 * The ordered queue of store commits in flight (see README "Pipelined store commits").
 *
 * Entries are submitted in commit order; each may hand one batch to the store at once, without waiting for
 * the previous batches. Outcomes are processed strictly in submission order, whatever order the store
 * settles them in:
 *
 * - the oldest entry's batch resolved: the entry is durable (`hooks.durable`, then its promise resolves);
 * - the oldest entry's batch was rejected: that entry and every later one in the queue fail together
 *   (`hooks.failed` undoes them, newest first, and returns the error they all reject with).
 *
 * From the moment a rejection is observed until the failure is processed and every store call of the
 * failed entries has settled, the pipeline is **blocked** ({@link CommitPipeline.blocked}): the tree must
 * not build or submit anything new, so that no new batch is built on state that is being rolled back and
 * no new batch reaches the store while it may still be rejecting the failed ones.
 */

/** What the owner of the pipeline does when entries become durable or fail. */
export interface PipelineHooks<E> {
  /** The entry is durable: publish it. Called in submission order; must not throw. */
  durable(entry: E): void;
  /**
   * `entries` (oldest first) failed because the store rejected the first one's batch with `error`: undo them
   * (newest first) and return the error every one of them rejects with. Must not throw.
   */
  failed(entries: readonly E[], error: unknown): Error;
  /** Diagnostics (a store that broke its contract). */
  warn(event: string, fields: Record<string, unknown>): void;
}

const PENDING = 0;
const OK = 1;
const REJECTED = 2;

interface Slot<E> {
  readonly entry: E;
  state: typeof PENDING | typeof OK | typeof REJECTED;
  error?: unknown;
  /** The entry has a store call. */
  readonly hasCommit: boolean;
  /** The store call settled (or there was none). */
  settled: boolean;
  /** Failed with an earlier entry while its store call was still running. */
  orphaned: boolean;
  readonly promise: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
}

export class CommitPipeline<E> {
  private readonly queue: Slot<E>[] = [];
  /** Store calls of failed entries that have not settled yet. */
  private orphans = 0;
  /** A rejection was observed and not processed yet (an older entry is still pending). */
  private rejectionPending = false;
  private barrier: { promise: Promise<void>; release(): void } | undefined;
  private idleWaiters: Array<() => void> = [];
  private pumping = false;

  constructor(private readonly hooks: PipelineHooks<E>) {}

  /** Entries submitted and not yet durable or failed. */
  get size(): number {
    return this.queue.length;
  }

  /** Store calls still running, failed ones included (diagnostics). */
  get storeCallsInFlight(): number {
    let n = this.orphans;
    for (const s of this.queue) if (!s.settled) n++;
    return n;
  }

  /**
   * Queues an entry. `commit` hands its batch to the store (called at once); without it the entry only
   * waits for the entries before it. The promise resolves after `hooks.durable(entry)` ran, or rejects with
   * the error returned by `hooks.failed`. Must not be called while {@link blocked} returns a promise.
   */
  submit(entry: E, commit?: () => Promise<void>): Promise<void> {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The submitter awaits the promise; this only keeps a late await from counting as unhandled.
    promise.catch(() => undefined);
    const slot: Slot<E> = {
      entry,
      state: commit ? PENDING : OK,
      hasCommit: commit !== undefined,
      settled: !commit,
      orphaned: false,
      promise,
      resolve,
      reject
    };
    this.queue.push(slot);
    if (commit) {
      let p: Promise<void>;
      try {
        p = commit();
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        () => this.settle(slot, true, undefined),
        (e: unknown) => this.settle(slot, false, e)
      );
    } else this.pump();
    return promise;
  }

  /** The promise of the newest queued entry (it settles after every older one), or undefined. */
  tail(): Promise<void> | undefined {
    return this.queue.length > 0 ? this.queue[this.queue.length - 1].promise : undefined;
  }

  /** While a failure is being processed: a promise to wait for before building or submitting anything. */
  blocked(): Promise<void> | undefined {
    return this.barrier?.promise;
  }

  /** Resolves when nothing is queued and no store call of a failed entry is still running. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.orphans === 0;
  }

  private settle(slot: Slot<E>, ok: boolean, error: unknown): void {
    slot.settled = true;
    if (slot.orphaned) {
      this.orphans--;
      if (ok) this.contractViolation();
      this.update();
      return;
    }
    if (ok) slot.state = OK;
    else {
      slot.state = REJECTED;
      slot.error = error;
      this.rejectionPending = true;
    }
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        if (head.state === PENDING) break;
        if (head.state === OK) {
          this.queue.shift();
          this.hooks.durable(head.entry);
          head.resolve();
          continue;
        }
        const failed = this.queue.splice(0);
        for (const s of failed) {
          if (!s.settled) {
            s.orphaned = true;
            this.orphans++;
          } else if (s.state === OK && s.hasCommit) this.contractViolation();
        }
        const error = this.hooks.failed(
          failed.map((s) => s.entry),
          head.error
        );
        for (const s of failed) s.reject(error);
      }
    } finally {
      this.pumping = false;
    }
    this.rejectionPending = this.queue.some((s) => s.state === REJECTED);
    this.update();
  }

  private contractViolation(): void {
    this.hooks.warn('store-contract-violation', {
      detail: 'the store applied a batch after rejecting an earlier one'
    });
  }

  /** Raises or releases the barrier; wakes idle waiters. */
  private update(): void {
    const blocked = this.rejectionPending || this.orphans > 0;
    if (blocked && !this.barrier) {
      let release!: () => void;
      const promise = new Promise<void>((r) => (release = r));
      this.barrier = { promise, release };
    } else if (!blocked && this.barrier) {
      const b = this.barrier;
      this.barrier = undefined;
      b.release();
    }
    if (this.isIdle() && this.idleWaiters.length > 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of w) wake();
    }
  }
}
