import { ConsulTestServer, FaultProxy, TEST_TLS } from '@voltha/testing';

import { KvUnavailableError, PermanentKvError, PermissionDeniedError } from '../../kv.error';
import type { KvRetryEvent, KvRetryOptions } from '../../retry/kv-retry';
import {
  describeKvContract,
  type KvContractClientOptions,
  type KvContractTarget
} from '../../testing/kv-contract';
import { ConsulKvStore } from './consul-kv.driver';

const RETRY: Partial<KvRetryOptions> = {
  requestTimeoutMs: 2000,
  initialDelayMs: 20,
  maxDelayMs: 200,
  maxElapsedMs: 5000
};

const SERVER = { minSessionTtlMs: 100, sessionTtlMultiplier: 1 } as const;

async function consulTarget(viaProxy: boolean): Promise<KvContractTarget> {
  const server = await ConsulTestServer.start(SERVER);
  const proxy = viaProxy ? await FaultProxy.start({ target: server.address }) : undefined;
  const make = (address: string) => (options: KvContractClientOptions) =>
    Promise.resolve(
      new ConsulKvStore({
        address,
        prefix: options.prefix,
        lockTtlMs: 1000,
        blockingWaitMs: 2000,
        retry: { ...RETRY, ...options.retry }
      })
    );
  return {
    createClient: make(proxy?.address ?? server.address),
    breakLock: (_holder, lock) => {
      server.invalidateSession(lock.sessionId);
      return Promise.resolve();
    },
    takeoverWithinMs: 4000,
    oversizeValueBytes: 512 * 1024 + 1,
    ...(proxy !== undefined
      ? {
          faults: {
            createDirectClient: make(server.address),
            setLatency: (ms: number) => proxy.setLatency(ms),
            cut: () => proxy.cut(),
            blackhole: () => proxy.blackhole(),
            restore: () => proxy.restore()
          }
        }
      : {}),
    close: async () => {
      await proxy?.close();
      await server.close();
    }
  };
}

describeKvContract('consul (test server)', () => consulTarget(false));
describeKvContract('consul through a fault proxy', () => consulTarget(true), { faults: true });

describe('ConsulKvStore', () => {
  let server: ConsulTestServer;
  const stores: ConsulKvStore[] = [];
  const store = (options: ConstructorParameters<typeof ConsulKvStore>[0] = {}): ConsulKvStore => {
    const kv = new ConsulKvStore({
      address: server.address,
      prefix: 'test',
      lockTtlMs: 1000,
      blockingWaitMs: 2000,
      ...options,
      retry: { ...RETRY, ...options.retry }
    });
    stores.push(kv);
    return kv;
  };

  beforeEach(async () => {
    server = await ConsulTestServer.start({ ...SERVER, aclTokens: { writer: 'write', reader: 'read' } });
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await server.close();
  });

  describe('get', () => {
    it('should read a value written by another client byte-safely, and Value null as empty', async () => {
      const raw = (path: string, body: Uint8Array) =>
        fetch(`${server.url}${path}`, { method: 'PUT', body, headers: { 'X-Consul-Token': 'writer' } });
      await raw('/v1/kv/test/bytes', Uint8Array.from([0xff, 0x00, 0xfe, 0x80]));
      await raw('/v1/kv/test/empty', new Uint8Array(0));
      const kv = store({ token: 'reader' });
      expect(Array.from((await kv.get('bytes'))?.value ?? [])).toEqual([0xff, 0x00, 0xfe, 0x80]);
      const empty = await kv.get('empty');
      expect(empty?.value).toEqual(new Uint8Array(0));
      expect(await kv.get('missing')).toBeUndefined();
    });
  });

  describe('TLS', () => {
    it('should talk https to an agent whose certificate it trusts, and refuse an untrusted one', async () => {
      const secure = await ConsulTestServer.start({ ...SERVER, tls: TEST_TLS });
      try {
        expect(secure.url).toMatch(/^https:/);
        const trusted = new ConsulKvStore({
          address: secure.address,
          prefix: 'tls',
          tls: { ca: TEST_TLS.cert }
        });
        const untrusted = new ConsulKvStore({
          address: secure.address,
          prefix: 'tls',
          secure: true,
          retry: { maxAttempts: 3, initialDelayMs: 10 }
        });
        stores.push(trusted, untrusted);
        await trusted.put('k', Uint8Array.of(1, 2));
        expect((await trusted.get('k'))?.value).toEqual(Uint8Array.of(1, 2));
        const lock = await trusted.lock('leader');
        expect(lock.held).toBe(true);
        await lock.release();
        // A certificate problem is not transient: no retries, a permanent error.
        await expect(untrusted.get('k')).rejects.toBeInstanceOf(PermanentKvError);
      } finally {
        await Promise.all(stores.splice(0).map((s) => s.close()));
        await secure.close();
      }
    });
  });

  describe('ACL', () => {
    it('should surface 403 and txn permission errors as PermissionDeniedError without retrying', async () => {
      const retries: KvRetryEvent[] = [];
      const reader = store({ token: 'reader', retry: { onRetry: (e) => retries.push(e) } });
      await expect(reader.put('k', Uint8Array.of(1))).rejects.toBeInstanceOf(PermissionDeniedError);
      await expect(reader.txn({ ops: [{ type: 'delete', key: 'k' }] })).rejects.toBeInstanceOf(
        PermissionDeniedError
      );
      await expect(store({ token: 'bogus' }).get('k')).rejects.toBeInstanceOf(PermissionDeniedError);
      await expect(store().list()).rejects.toBeInstanceOf(PermissionDeniedError);
      expect(retries).toEqual([]);
      const writer = store({ token: 'writer' });
      await writer.put('k', Uint8Array.of(1));
      expect((await reader.get('k'))?.value).toEqual(Uint8Array.of(1));
    });
  });

  describe('retries', () => {
    it('should retry HTTP 500 answers with backoff and succeed once the agent recovers', async () => {
      const retries: KvRetryEvent[] = [];
      const kv = store({ token: 'writer', retry: { onRetry: (e) => retries.push(e) } });
      await kv.put('r', Uint8Array.of(7));
      server.failNextRequests(3, { status: 500, body: 'No cluster leader', pathPrefix: '/v1/kv/' });
      expect((await kv.get('r'))?.value).toEqual(Uint8Array.of(7));
      expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
      expect(retries[2]?.error.message).toContain('500');
    });

    it('should give up with KvUnavailableError when failures outlast the attempts', async () => {
      const kv = store({ token: 'writer', retry: { maxAttempts: 3 } });
      server.failNextRequests(10, { status: 503, pathPrefix: '/v1/kv/' });
      const error = await kv.get('r').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KvUnavailableError);
      expect((error as KvUnavailableError).attempts).toBe(3);
    });
  });

  describe('lock', () => {
    it('should wait for a held lock with blocking queries, not by polling', async () => {
      const a = store({ token: 'writer' });
      const b = store({ token: 'writer' });
      const held = await a.lock('leader');
      const onKey = (): number => server.requests((r) => r.path === '/v1/kv/test/leader').length;
      const waiting = b.lock('leader');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const settled = onKey();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Both the standby and the holder's watch sit in blocking queries (wait 2s): no new requests.
      expect(onKey() - settled).toBeLessThanOrEqual(1);
      const blocking = server.requests(
        (r) => r.path === '/v1/kv/test/leader' && Number(r.query.get('index')) > 0
      );
      expect(blocking.length).toBeGreaterThanOrEqual(2);
      await held.release();
      const lock = await waiting;
      expect(lock.held).toBe(true);
    });

    it('should wait out a lock-delay after a session is invalidated, then take over', async () => {
      const a = store({ token: 'writer', lockDelayMs: 400 });
      const b = store({ token: 'writer' });
      const held = await a.lock('leader');
      const waiting = b.lock('leader');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      server.invalidateSession(held.sessionId);
      const lock = await waiting;
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect((await held.ended).reason).toBe('lost');
      expect(BigInt(lock.token)).toBeGreaterThan(BigInt(held.token));
    });

    it('should renew its session so the lock outlives the TTL while held', async () => {
      const a = store({ token: 'writer' });
      const held = await a.lock('leader');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(held.held).toBe(true);
      expect(server.sessionIds()).toContain(held.sessionId);
      expect(server.requests((r) => r.path.startsWith('/v1/session/renew/')).length).toBeGreaterThanOrEqual(
        3
      );
    });
  });
});
