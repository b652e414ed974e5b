/**
 * Exclusive locks by key within one process, shared by every store instance on the same backend
 * (a memory backend, or an LMDB data directory). Tokens increase strictly per table.
 */
export class InProcessLockTable {
  private nextToken: bigint;
  private nextId = 0;
  private readonly holders = new Map<
    string,
    { readonly id: string; readonly onRevoke: (detail: string) => void }
  >();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(seed: bigint = 0n) {
    this.nextToken = seed;
  }

  /** Take the lock if free. `onRevoke` is called if the table takes it away (`revoke`). */
  tryAcquire(key: string, onRevoke: (detail: string) => void): { id: string; token: string } | undefined {
    if (this.holders.has(key)) {
      return undefined;
    }
    this.nextId += 1;
    this.nextToken += 1n;
    const id = `local-${process.pid}-${this.nextId}`;
    this.holders.set(key, { id, onRevoke });
    return { id, token: this.nextToken.toString() };
  }

  isHeld(key: string, id: string): boolean {
    return this.holders.get(key)?.id === id;
  }

  release(key: string, id: string): void {
    if (this.holders.get(key)?.id !== id) {
      return;
    }
    this.holders.delete(key);
    const waiting = this.waiters.get(key);
    if (waiting !== undefined) {
      this.waiters.delete(key);
      for (const wake of waiting) {
        wake();
      }
    }
  }

  /** Take a lock away from its holder (tests of loss handling); the holder is told. */
  revoke(key: string, detail = 'revoked'): boolean {
    const holder = this.holders.get(key);
    if (holder === undefined) {
      return false;
    }
    this.release(key, holder.id);
    holder.onRevoke(detail);
    return true;
  }

  /** Resolves when `key` is (or becomes) free; rejects with `signal.reason` on abort. */
  waitUntilFree(key: string, signal: AbortSignal): Promise<void> {
    if (!this.holders.has(key)) {
      return Promise.resolve();
    }
    if (signal.aborted) {
      return Promise.reject(signal.reason);
    }
    return new Promise<void>((resolve, reject) => {
      const set = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, set);
      const onAbort = (): void => {
        set.delete(wake);
        reject(signal.reason);
      };
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      set.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
