/**
 * The contract every KV driver must pass. Test code only: import it from specs with
 * `import { describeKvContract } from '<path>/libs/kv/src/testing/kv-contract'`; it is not part of
 * the `@voltha/kv` barrel, so production code never pulls in Jest globals.
 */
import {
  CasConflictError,
  InvalidKvRequestError,
  KvUnavailableError,
  LockLostError,
  LockWaitAbortedError,
  TxnTooLargeError,
  ValueTooLargeError
} from '../kv.error';
import type { KvLock, KvStore } from '../kv-store.interface';
import type { KvRetryEvent, KvRetryOptions } from '../retry/kv-retry';

export interface KvContractClientOptions {
  /** Key prefix of the client (unique per test). */
  readonly prefix: string;
  /** Retry settings to merge over the target's own. */
  readonly retry?: Partial<KvRetryOptions>;
}

/** Fault injection for targets that sit behind a fault proxy. */
export interface KvContractFaults {
  /** A client that bypasses the proxy (a standby on a healthy network path). */
  createDirectClient(options: KvContractClientOptions): Promise<KvStore>;
  setLatency(ms: number): void;
  cut(): void;
  blackhole(): void;
  restore(): void;
}

export interface KvContractTarget {
  /** A new client; all clients of one target share one backend (closed by the suite). */
  createClient(options: KvContractClientOptions): Promise<KvStore>;
  /**
   * Make `holder` lose `lock` involuntarily, as a crash or an expired session/lease would
   * (destroy the Consul session, revoke the etcd lease, revoke the in-process lock).
   */
  breakLock(holder: KvStore, lock: KvLock): Promise<void>;
  /** How long a lock loss may take to be noticed and a waiting standby to take over (ms). */
  readonly takeoverWithinMs: number;
  /** A value length the backend must reject as too large. */
  readonly oversizeValueBytes: number;
  /** Present when clients go through a fault proxy: runs the outage tests. */
  readonly faults?: KvContractFaults;
  /** Stop what the target started. */
  close(): Promise<void>;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms}ms`)), ms);
      })
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function elapsed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

let prefixCounter = 0;

/**
 * Register the KV contract for one driver. `setup` runs in `beforeAll` and returns the target;
 * the suite closes every client it created after each test and the target after all.
 * With `faults: true` the outage tests are registered too (the target must provide `faults`).
 */
export function describeKvContract(
  name: string,
  setup: () => Promise<KvContractTarget>,
  options: { readonly faults?: boolean } = {}
): void {
  describe(`KV contract: ${name}`, () => {
    let target: KvContractTarget | undefined;
    const clients: KvStore[] = [];
    let prefix = '';

    const t = (): KvContractTarget => {
      if (target === undefined) throw new Error('KV contract target failed to start');
      return target;
    };
    const client = async (options: Partial<KvContractClientOptions> = {}): Promise<KvStore> => {
      const store = await t().createClient({ prefix, ...options });
      clients.push(store);
      return store;
    };

    beforeAll(async () => {
      target = await setup();
    });

    beforeEach(() => {
      prefixCounter += 1;
      prefix = `contract/${name.replace(/[^A-Za-z0-9_-]/g, '-')}/${process.pid}-${prefixCounter}-${Math.random().toString(36).slice(2, 8)}`;
    });

    afterEach(async () => {
      t().faults?.restore();
      await Promise.all(clients.splice(0).map((c) => c.close()));
    });

    afterAll(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await target?.close();
    });

    describe('get, put, delete, list', () => {
      it('should return undefined for a missing key', async () => {
        const kv = await client();
        expect(await kv.get('missing')).toBeUndefined();
      });

      it('should round-trip a value with a version, and delete it', async () => {
        const kv = await client();
        const version = await kv.put('a', bytes('alpha'));
        expect(version).toMatch(/^\d+$/);
        const entry = await kv.get('a');
        expect(text(entry?.value)).toBe('alpha');
        expect(entry?.version).toBe(version);
        await kv.delete('a');
        expect(await kv.get('a')).toBeUndefined();
        await expect(kv.delete('a')).resolves.toBeUndefined();
      });

      it('should list relative keys under a sub-prefix, sorted', async () => {
        const kv = await client();
        for (const key of ['b/2', 'a', 'b/1', 'c/x/y']) {
          await kv.put(key, bytes(key));
        }
        expect(await kv.list()).toEqual(['a', 'b/1', 'b/2', 'c/x/y']);
        expect(await kv.list('b/')).toEqual(['b/1', 'b/2']);
        expect(await kv.list('zzz/')).toEqual([]);
      });

      it('should read several keys with getMany, leaving out missing ones', async () => {
        const kv = await client();
        const v1 = await kv.put('k1', bytes('one'));
        await kv.put('k2', bytes('two'));
        const many = await kv.getMany(['k1', 'k2', 'nope', 'k1']);
        expect([...many.keys()].sort()).toEqual(['k1', 'k2']);
        expect(text(many.get('k2')?.value)).toBe('two');
        expect(many.get('k1')?.version).toBe(v1);
        expect((await kv.getMany([])).size).toBe(0);
      });

      it('should reject invalid keys without calling the backend', async () => {
        const kv = await client();
        await expect(kv.get('')).rejects.toBeInstanceOf(InvalidKvRequestError);
        await expect(kv.put('/abs', bytes('x'))).rejects.toBeInstanceOf(InvalidKvRequestError);
      });
    });

    describe('binary values', () => {
      it('should store all 256 byte values unchanged', async () => {
        const kv = await client();
        const all = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
        await kv.put('bin', all);
        const entry = await kv.get('bin');
        expect(entry?.value).toBeInstanceOf(Uint8Array);
        expect(Array.from(entry?.value ?? [])).toEqual(Array.from(all));
        const invalidUtf8 = Uint8Array.from([0xc3, 0x28, 0xff, 0xfe, 0x00, 0x80]);
        await kv.txn({ ops: [{ type: 'put', key: 'bin2', value: invalidUtf8 }] });
        expect(Array.from((await kv.getMany(['bin2'])).get('bin2')?.value ?? [])).toEqual(
          Array.from(invalidUtf8)
        );
      });

      it('should return an empty value as an empty Uint8Array, not null or undefined', async () => {
        const kv = await client();
        await kv.put('empty', new Uint8Array(0));
        const entry = await kv.get('empty');
        expect(entry).toBeDefined();
        expect(entry?.value).toBeInstanceOf(Uint8Array);
        expect(entry?.value.length).toBe(0);
        await kv.txn({ ops: [{ type: 'put', key: 'empty2', value: new Uint8Array(0) }] });
        expect((await kv.getMany(['empty2'])).get('empty2')?.value.length).toBe(0);
        expect(await kv.list()).toEqual(['empty', 'empty2']);
      });

      it('should store a value of exactly maxValueBytes', async () => {
        const kv = await client();
        const big = new Uint8Array(kv.limits.maxValueBytes);
        for (let i = 0; i < big.length; i += 4093) big[i] = i % 251;
        await kv.put('big', big);
        const entry = await kv.get('big');
        expect(entry?.value.length).toBe(big.length);
        expect(Buffer.compare(Buffer.from(entry?.value ?? []), Buffer.from(big))).toBe(0);
      });

      it('should reject an oversized value with ValueTooLargeError, without retrying', async () => {
        const retries: KvRetryEvent[] = [];
        const kv = await client({ retry: { onRetry: (e) => retries.push(e) } });
        const started = Date.now();
        await expect(kv.put('huge', new Uint8Array(t().oversizeValueBytes))).rejects.toBeInstanceOf(
          ValueTooLargeError
        );
        expect(retries).toEqual([]);
        expect(Date.now() - started).toBeLessThan(3000);
        expect(await kv.get('huge')).toBeUndefined();
      });
    });

    describe('versions', () => {
      it('should change the version on every write and keep it on reads', async () => {
        const kv = await client();
        const v1 = await kv.put('v', bytes('1'));
        expect((await kv.get('v'))?.version).toBe(v1);
        expect((await kv.get('v'))?.version).toBe(v1);
        const v2 = await kv.put('v', bytes('1'));
        expect(v2).not.toBe(v1);
        expect(BigInt(v2)).toBeGreaterThan(BigInt(v1));
        await kv.delete('v');
        const v3 = await kv.put('v', bytes('1'));
        expect(v3).not.toBe(v2);
      });
    });

    describe('txn', () => {
      it('should apply puts and deletes atomically and report the new versions', async () => {
        const kv = await client();
        await kv.put('old', bytes('old'));
        const result = await kv.txn({
          ops: [
            { type: 'put', key: 'x', value: bytes('x') },
            { type: 'put', key: 'y', value: bytes('y') },
            { type: 'delete', key: 'old' }
          ]
        });
        expect(await kv.get('old')).toBeUndefined();
        expect(result.versions.get('x')).toBe((await kv.get('x'))?.version);
        expect(result.versions.get('y')).toBe((await kv.get('y'))?.version);
        expect(result.versions.has('old')).toBe(false);
      });

      it('should commit when version and absence checks hold', async () => {
        const kv = await client();
        const v = await kv.put('root', bytes('r1'));
        await kv.txn({
          checks: [
            { type: 'version', key: 'root', version: v },
            { type: 'absent', key: 'blob' }
          ],
          ops: [
            { type: 'put', key: 'blob', value: bytes('b') },
            { type: 'put', key: 'root', value: bytes('r2') }
          ]
        });
        expect(text((await kv.get('root'))?.value)).toBe('r2');
        expect(text((await kv.get('blob'))?.value)).toBe('b');
      });

      it('should apply nothing when a version check fails (all-or-nothing)', async () => {
        const kv = await client();
        const v = await kv.put('root', bytes('r1'));
        await kv.put('keep', bytes('keep'));
        await kv.put('root', bytes('r1b'));
        const error = await kv
          .txn({
            checks: [{ type: 'version', key: 'root', version: v }],
            ops: [
              { type: 'put', key: 'blob', value: bytes('b') },
              { type: 'delete', key: 'keep' },
              { type: 'put', key: 'root', value: bytes('r2') }
            ]
          })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CasConflictError);
        expect((error as CasConflictError).key).toBe('root');
        expect(await kv.get('blob')).toBeUndefined();
        expect(text((await kv.get('keep'))?.value)).toBe('keep');
        expect(text((await kv.get('root'))?.value)).toBe('r1b');
      });

      it('should fail an absence check on an existing key and a version check on a missing key', async () => {
        const kv = await client();
        await kv.put('exists', bytes('e'));
        await expect(
          kv.txn({
            checks: [{ type: 'absent', key: 'exists' }],
            ops: [{ type: 'put', key: 'n', value: bytes('n') }]
          })
        ).rejects.toBeInstanceOf(CasConflictError);
        await expect(
          kv.txn({
            checks: [{ type: 'version', key: 'gone', version: '1' }],
            ops: [{ type: 'put', key: 'n', value: bytes('n') }]
          })
        ).rejects.toBeInstanceOf(CasConflictError);
        expect(await kv.get('n')).toBeUndefined();
      });

      it('should detect a concurrent writer through a stale version (compare-and-set)', async () => {
        const a = await client();
        const b = await client();
        const v = await a.put('root', bytes('a1'));
        await b.txn({
          checks: [{ type: 'version', key: 'root', version: v }],
          ops: [{ type: 'put', key: 'root', value: bytes('b1') }]
        });
        await expect(
          a.txn({
            checks: [{ type: 'version', key: 'root', version: v }],
            ops: [{ type: 'put', key: 'root', value: bytes('a2') }]
          })
        ).rejects.toBeInstanceOf(CasConflictError);
        expect(text((await a.get('root'))?.value)).toBe('b1');
      });

      it('should accept exactly maxTxnOps operations and reject one more before sending', async () => {
        const kv = await client();
        const max = kv.maxTxnOps;
        expect(max).toBe(kv.limits.maxTxnOps);
        const many = Array.from({ length: max }, (_, i) => ({
          type: 'put' as const,
          key: `m/${String(i).padStart(5, '0')}`,
          value: bytes(String(i))
        }));
        await kv.txn({ ops: many });
        expect(await kv.list('m/')).toHaveLength(max);
        const tooMany = Array.from({ length: max + 1 }, (_, i) => ({
          type: 'delete' as const,
          key: `z/${i}`
        }));
        await expect(kv.txn({ ops: tooMany })).rejects.toBeInstanceOf(TxnTooLargeError);
        await expect(
          kv.txn({ checks: [{ type: 'absent', key: 'c' }], ops: tooMany.slice(0, max) })
        ).rejects.toBeInstanceOf(TxnTooLargeError);
      });

      it('should treat an empty transaction as a no-op', async () => {
        const kv = await client();
        expect((await kv.txn({ ops: [] })).versions.size).toBe(0);
      });
    });

    describe('prefix isolation', () => {
      it('should keep clients with different prefixes apart and nest keys under the prefix', async () => {
        const a = await client({ prefix: `${prefix}/a` });
        const ab = await client({ prefix: `${prefix}/ab` });
        const parent = await client({ prefix });
        await a.put('k', bytes('from a'));
        await ab.put('k', bytes('from ab'));
        expect(text((await a.get('k'))?.value)).toBe('from a');
        expect(text((await ab.get('k'))?.value)).toBe('from ab');
        expect(await a.list()).toEqual(['k']);
        expect(await ab.list()).toEqual(['k']);
        expect(await parent.list()).toEqual(['a/k', 'ab/k']);
        expect(a.prefix).toBe(`${prefix}/a`);
        await a.delete('k');
        expect(text((await ab.get('k'))?.value)).toBe('from ab');
      });
    });

    describe('locks', () => {
      it('should be exclusive between two clients and hand over on release', async () => {
        const a = await client();
        const b = await client();
        const lockA = await a.lock('leader');
        expect(lockA.held).toBe(true);
        expect(lockA.key).toBe('leader');
        expect(await b.tryLock('leader')).toBeUndefined();
        await expect(b.lock('leader', { waitTimeoutMs: 300 })).rejects.toBeInstanceOf(LockWaitAbortedError);

        const waiting = b.lock('leader');
        await new Promise((resolve) => setTimeout(resolve, 100));
        await lockA.release();
        expect(lockA.held).toBe(false);
        expect((await lockA.ended).reason).toBe('released');
        const lockB = await within(waiting, 3000, 'standby acquisition after release');
        expect(lockB.held).toBe(true);
        expect(BigInt(lockB.token)).toBeGreaterThan(BigInt(lockA.token));
        await lockB.release();
        expect(await a.tryLock('leader')).toBeDefined();
      });

      it('should stop waiting when the signal aborts', async () => {
        const a = await client();
        const b = await client();
        await a.lock('busy');
        const controller = new AbortController();
        const waiting = b.lock('busy', { signal: controller.signal });
        setTimeout(() => controller.abort(), 100);
        const error = await waiting.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LockWaitAbortedError);
        expect((error as LockWaitAbortedError).reason).toBe('aborted');
      });

      it('should fence transactions: commit while held, LockLostError once released', async () => {
        const kv = await client();
        const lock = await kv.lock('fence');
        await kv.txn({ ops: [{ type: 'put', key: 'data', value: bytes('1') }], fence: lock });
        expect(text((await kv.get('data'))?.value)).toBe('1');
        await lock.release();
        await expect(
          kv.txn({ ops: [{ type: 'put', key: 'data', value: bytes('2') }], fence: lock })
        ).rejects.toBeInstanceOf(LockLostError);
        expect(text((await kv.get('data'))?.value)).toBe('1');
        const other = await client();
        await expect(
          other.txn({ ops: [], fence: (await kv.lock('fence')) as KvLock })
        ).rejects.toBeInstanceOf(InvalidKvRequestError);
      });

      it('should detect a lost lock, let a waiting standby take over, and fence the old holder out', async () => {
        const a = await client();
        const b = await client();
        const lockA = await a.lock('leader');
        const waiting = b.lock('leader');
        await new Promise((resolve) => setTimeout(resolve, 100));
        await t().breakLock(a, lockA);
        const lockB = await within(waiting, t().takeoverWithinMs, 'standby takeover');
        const end = await within(lockA.ended, t().takeoverWithinMs, 'loss detection');
        expect(end.reason).toBe('lost');
        expect(lockA.held).toBe(false);
        expect(BigInt(lockB.token)).toBeGreaterThan(BigInt(lockA.token));
        await expect(
          a.txn({ ops: [{ type: 'put', key: 'stale', value: bytes('x') }], fence: lockA })
        ).rejects.toBeInstanceOf(LockLostError);
        await b.txn({ ops: [{ type: 'put', key: 'fresh', value: bytes('y') }], fence: lockB });
        expect(await b.get('stale')).toBeUndefined();
        expect(text((await b.get('fresh'))?.value)).toBe('y');
      });

      it('should reject a fenced write at the backend right after the lock was broken', async () => {
        const a = await client();
        const lockA = await a.lock('leader');
        await t().breakLock(a, lockA);
        // Whether the loss was already noticed locally or only the backend check catches it,
        // the write must not land.
        await expect(
          a.txn({ ops: [{ type: 'put', key: 'late', value: bytes('x') }], fence: lockA })
        ).rejects.toBeInstanceOf(LockLostError);
        expect(await a.get('late')).toBeUndefined();
      });

      it("should end a holder's lock with 'closed' on close and free it for others", async () => {
        const a = await client();
        const b = await client();
        const lockA = await a.lock('leader');
        const waiting = b.lock('leader');
        await a.close();
        expect((await lockA.ended).reason).toBe('closed');
        const lockB = await within(waiting, 3000, 'acquisition after close');
        expect(lockB.held).toBe(true);
      });
    });

    if (options.faults !== true) {
      return;
    }

    describe('faults', () => {
      const fastRetry: Partial<KvRetryOptions> = {
        requestTimeoutMs: 400,
        maxAttempts: 4,
        initialDelayMs: 30,
        maxDelayMs: 150,
        maxElapsedMs: 4000
      };

      const faults = (): KvContractFaults => {
        const f = t().faults;
        if (f === undefined) throw new Error('target has no faults');
        return f;
      };

      it('should survive added latency', async () => {
        const kv = await client({ retry: { requestTimeoutMs: 3000 } });
        await kv.put('slow', bytes('1'));
        faults().setLatency(100);
        const { value, ms } = await elapsed(() => kv.get('slow'));
        expect(text(value?.value)).toBe('1');
        expect(ms).toBeGreaterThanOrEqual(180);
      });

      it('should retry through a cut connection and recover once restored', async () => {
        const retries: KvRetryEvent[] = [];
        const kv = await client({
          retry: { ...fastRetry, maxAttempts: 20, onRetry: (e) => retries.push(e) }
        });
        await kv.put('c', bytes('before'));
        faults().cut();
        setTimeout(() => faults().restore(), 500);
        const { value, ms } = await elapsed(() => kv.get('c'));
        expect(text(value?.value)).toBe('before');
        expect(retries.length).toBeGreaterThanOrEqual(1);
        expect(ms).toBeGreaterThanOrEqual(400);
      });

      it('should time out against a black hole, back off without blocking, and give up with KvUnavailableError', async () => {
        const retries: KvRetryEvent[] = [];
        const kv = await client({ retry: { ...fastRetry, onRetry: (e) => retries.push(e) } });
        await kv.put('bh', bytes('1'));
        faults().blackhole();
        let ticks = 0;
        const ticker = setInterval(() => (ticks += 1), 20);
        try {
          const started = Date.now();
          const error = await kv.get('bh').catch((e: unknown) => e);
          const ms = Date.now() - started;
          expect(error).toBeInstanceOf(KvUnavailableError);
          expect((error as KvUnavailableError).attempts).toBe(4);
          expect(retries).toHaveLength(3);
          expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
          // 4 timeouts of 400ms plus backoff, bounded by the budget.
          expect(ms).toBeGreaterThanOrEqual(4 * 400);
          expect(ms).toBeLessThan(4000 + 400 + 1000);
          // The event loop kept running while we waited.
          expect(ticks).toBeGreaterThan(ms / 20 / 3);
        } finally {
          clearInterval(ticker);
        }
      });

      it('should recover when a black hole heals during retries', async () => {
        const kv = await client({ retry: { ...fastRetry, maxAttempts: 10, maxElapsedMs: 8000 } });
        await kv.put('heal', bytes('ok'));
        faults().blackhole();
        setTimeout(() => faults().restore(), 700);
        expect(text((await kv.get('heal'))?.value)).toBe('ok');
        await kv.put('heal', bytes('again'));
        expect(text((await kv.get('heal'))?.value)).toBe('again');
      });

      it('should notice a partitioned holder losing its lock while a healthy standby takes over', async () => {
        const holder = await client({ retry: fastRetry });
        const standby = await faults().createDirectClient({ prefix, retry: fastRetry });
        clients.push(standby);
        const lockA = await holder.lock('leader');
        const waiting = standby.lock('leader');
        await new Promise((resolve) => setTimeout(resolve, 100));
        faults().blackhole();
        const end = await within(lockA.ended, t().takeoverWithinMs, 'partitioned holder noticing the loss');
        expect(end.reason).toBe('lost');
        const lockB = await within(waiting, t().takeoverWithinMs, 'standby takeover during partition');
        expect(BigInt(lockB.token)).toBeGreaterThan(BigInt(lockA.token));
        faults().restore();
        await expect(
          holder.txn({ ops: [{ type: 'put', key: 'stale', value: bytes('x') }], fence: lockA })
        ).rejects.toBeInstanceOf(LockLostError);
      });
    });
  });
}
