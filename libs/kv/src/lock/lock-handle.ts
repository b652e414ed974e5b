import type { KvLock, KvLockEnd, KvLockEndReason } from '../kv-store.interface';

/**
 * The `KvLock` every driver hands out. The driver supplies how to release it and calls `end()`
 * when it observes a loss; the handle guarantees `ended` resolves exactly once.
 */
export class LockHandle implements KvLock {
  readonly ended: Promise<KvLockEnd>;
  private resolveEnded!: (end: KvLockEnd) => void;
  private endedWith: KvLockEnd | undefined;
  private releasing: Promise<void> | undefined;

  constructor(
    /** Store-relative lock key. */
    readonly key: string,
    /** Backend key (prefix included). */
    readonly fullKey: string,
    readonly token: string,
    readonly sessionId: string,
    private readonly hooks: {
      /** Give the lock up on the backend (best effort; a session/lease expiry covers failures). */
      readonly release: () => Promise<void>;
      /** Called once when the lock ends, whatever the reason (stop timers, watches). */
      readonly onEnd: (handle: LockHandle) => void;
    }
  ) {
    this.ended = new Promise<KvLockEnd>((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  get held(): boolean {
    return this.endedWith === undefined;
  }

  /** How the lock ended, if it has. */
  get end(): KvLockEnd | undefined {
    return this.endedWith;
  }

  release(): Promise<void> {
    if (this.releasing !== undefined) {
      return this.releasing;
    }
    if (!this.held) {
      return Promise.resolve();
    }
    this.finish('released', 'released by its holder');
    this.releasing = this.hooks.release().catch(() => undefined);
    return this.releasing;
  }

  /** The driver observed that the lock is gone. */
  markLost(detail: string): void {
    this.finish('lost', detail);
  }

  /** The store closes: end with 'closed' and give the lock up. */
  closeAndRelease(): Promise<void> {
    if (!this.held) {
      return this.releasing ?? Promise.resolve();
    }
    this.finish('closed', 'store closed');
    this.releasing = this.hooks.release().catch(() => undefined);
    return this.releasing;
  }

  private finish(reason: KvLockEndReason, detail: string): void {
    if (this.endedWith !== undefined) {
      return;
    }
    this.endedWith = { reason, detail };
    this.resolveEnded(this.endedWith);
    this.hooks.onEnd(this);
  }
}
