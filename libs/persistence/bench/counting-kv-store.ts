import type {
  KvEntry,
  KvLimits,
  KvLock,
  KvLockOptions,
  KvStore,
  KvTxnRequest,
  KvTxnResult,
  KvVersion
} from '@voltha/kv';

/** Calls per KvStore method. Each one is one request to the backend as the caller sees it. */
export interface KvCallCounts {
  get: number;
  getMany: number;
  list: number;
  put: number;
  delete: number;
  txn: number;
}

const zero = (): KvCallCounts => ({ get: 0, getMany: 0, list: 0, put: 0, delete: 0, txn: 0 });

/** Sum of all counted calls: the KV round trips of the benchmark. */
export function totalCalls(c: KvCallCounts): number {
  return c.get + c.getMany + c.list + c.put + c.delete + c.txn;
}

/**
 * A KvStore that counts every data call (get, getMany, list, put, delete, txn) and forwards it to
 * the wrapped store. Lock calls are forwarded uncounted (taken once, before the measurement).
 * Retries inside the driver are not visible here: a call counts once however many attempts it took.
 */
export class CountingKvStore implements KvStore {
  private counts = zero();

  constructor(private readonly inner: KvStore) {}

  get backend(): KvStore['backend'] {
    return this.inner.backend;
  }

  get prefix(): string {
    return this.inner.prefix;
  }

  get limits(): KvLimits {
    return this.inner.limits;
  }

  get maxTxnOps(): number {
    return this.inner.maxTxnOps;
  }

  /** A copy of the counts since the last reset. */
  snapshot(): KvCallCounts {
    return { ...this.counts };
  }

  reset(): void {
    this.counts = zero();
  }

  get(key: string): Promise<KvEntry | undefined> {
    this.counts.get++;
    return this.inner.get(key);
  }

  getMany(keys: readonly string[]): Promise<Map<string, KvEntry>> {
    this.counts.getMany++;
    return this.inner.getMany(keys);
  }

  list(prefix?: string): Promise<string[]> {
    this.counts.list++;
    return this.inner.list(prefix);
  }

  put(key: string, value: Uint8Array): Promise<KvVersion> {
    this.counts.put++;
    return this.inner.put(key, value);
  }

  delete(key: string): Promise<void> {
    this.counts.delete++;
    return this.inner.delete(key);
  }

  txn(request: KvTxnRequest): Promise<KvTxnResult> {
    this.counts.txn++;
    return this.inner.txn(request);
  }

  lock(key: string, options?: KvLockOptions): Promise<KvLock> {
    return this.inner.lock(key, options);
  }

  tryLock(key: string, options?: Pick<KvLockOptions, 'owner'>): Promise<KvLock | undefined> {
    return this.inner.tryLock(key, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
