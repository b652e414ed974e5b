import { InMemoryTreeStore, TreeStoreBatch } from '../../src';

interface Held {
  readonly batch: TreeStoreBatch;
  resolve(): void;
  reject(e: Error): void;
}

/**
 * A store that holds every commit until the test releases it. Released batches are applied in call order
 * (the TreeStore contract); `failAll` rejects every held batch, as a store must once one of them failed.
 */
export class GatedStore extends InMemoryTreeStore {
  readonly held: Held[] = [];
  /** Hold commits (off at first, so that a tree can be created). */
  gated = false;
  maxHeld = 0;
  /** Reject the next commit call at once (a queue-full or closed store), whatever is held. */
  rejectNextImmediately: Error | undefined;

  override commit(batch: TreeStoreBatch): Promise<void> {
    if (this.rejectNextImmediately) {
      const e = this.rejectNextImmediately;
      this.rejectNextImmediately = undefined;
      return Promise.reject(e);
    }
    if (!this.gated) return super.commit(batch);
    return new Promise<void>((resolve, reject) => {
      this.held.push({ batch, resolve, reject });
      this.maxHeld = Math.max(this.maxHeld, this.held.length);
    });
  }

  /** Applies and acknowledges the oldest `n` held batches (default: all). */
  async release(n = this.held.length): Promise<void> {
    for (const h of this.held.splice(0, n)) {
      await super.commit(h.batch);
      h.resolve();
    }
  }

  /** Rejects the oldest `n` held batches (default: all) without applying them. */
  fail(error: Error, n = this.held.length): void {
    for (const h of this.held.splice(0, n)) h.reject(error);
  }

  /** Stops holding: releases what is held and lets later commits through. */
  async open(): Promise<void> {
    this.gated = false;
    await this.release();
  }
}

/**
 * A group-committing store in the manner of a KV write queue: commits are queued; one writer takes every
 * queued batch and writes them as one "round trip" (one macrotask of latency); a failed round trip rejects
 * its group and everything queued behind it (later batches were built on top of the failed ones).
 */
export class GroupingStore extends InMemoryTreeStore {
  roundTrips = 0;
  batchesWritten = 0;
  largestGroup = 0;
  /** Commit calls not settled yet, and the most at any time. */
  pending = 0;
  maxPending = 0;
  failNextGroup: Error | undefined;
  private queue: Held[] = [];
  private writing = false;

  override commit(batch: TreeStoreBatch): Promise<void> {
    this.pending++;
    this.maxPending = Math.max(this.maxPending, this.pending);
    return new Promise<void>((resolve, reject) => {
      const done = (): void => void this.pending--;
      this.queue.push({
        batch,
        resolve: () => {
          done();
          resolve();
        },
        reject: (e) => {
          done();
          reject(e);
        }
      });
      if (!this.writing) {
        this.writing = true;
        void this.writeLoop();
      }
    });
  }

  private async writeLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      this.roundTrips++;
      this.largestGroup = Math.max(this.largestGroup, group.length);
      await new Promise((r) => setTimeout(r, 1));
      const failure = this.failNextGroup;
      this.failNextGroup = undefined;
      if (failure) {
        for (const h of [...group, ...this.queue.splice(0)]) h.reject(failure);
        continue;
      }
      for (const h of group) await super.commit(h.batch);
      this.batchesWritten += group.length;
      for (const h of group) h.resolve();
    }
    this.writing = false;
  }
}

/** Lets promise reactions and timers of zero delay run. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Waits until `cond()` holds (polling every macrotask), failing after `ms`. */
export async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await settle();
  }
}
