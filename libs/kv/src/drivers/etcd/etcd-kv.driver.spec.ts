import { Etcd3 } from 'etcd3';

import { FaultProxy, startEtcd, TEST_TLS, type EtcdHarness } from '@voltha/testing';

import { KvUnavailableError, PermissionDeniedError } from '../../kv.error';
import {
  describeKvContract,
  type KvContractClientOptions,
  type KvContractTarget
} from '../../testing/kv-contract';
import type { KvRetryOptions } from '../../retry/kv-retry';
import { EtcdKvStore } from './etcd-kv.driver';

const RETRY: Partial<KvRetryOptions> = {
  requestTimeoutMs: 2000,
  initialDelayMs: 20,
  maxDelayMs: 200,
  maxElapsedMs: 5000
};

async function etcdTarget(viaProxy: boolean): Promise<KvContractTarget> {
  const etcd: EtcdHarness = await startEtcd();
  const proxy = viaProxy ? await FaultProxy.start({ target: etcd.address }) : undefined;
  const raw = new Etcd3({ hosts: [...etcd.endpoints] });
  const make = (endpoint: string) => (options: KvContractClientOptions) =>
    Promise.resolve(
      new EtcdKvStore({
        endpoints: endpoint,
        prefix: options.prefix,
        lockTtlMs: 1000,
        retry: { ...RETRY, ...options.retry }
      })
    );
  return {
    createClient: make(proxy?.address ?? etcd.address),
    breakLock: async (_holder, lock) => {
      await raw.leaseClient.leaseRevoke({ ID: lock.sessionId });
    },
    takeoverWithinMs: 4000,
    oversizeValueBytes: 1536 * 1024 + 64 * 1024,
    ...(proxy !== undefined
      ? {
          faults: {
            createDirectClient: make(etcd.address),
            setLatency: (ms: number) => proxy.setLatency(ms),
            cut: () => proxy.cut(),
            blackhole: () => proxy.blackhole(),
            restore: () => proxy.restore()
          }
        }
      : {}),
    close: async () => {
      raw.close();
      await proxy?.close();
      await etcd.stop();
    }
  };
}

describeKvContract('etcd', () => etcdTarget(false));
describeKvContract('etcd through a fault proxy', () => etcdTarget(true), { faults: true });

describe('EtcdKvStore', () => {
  describe('with etcd authentication enabled', () => {
    let etcd: EtcdHarness;
    const stores: EtcdKvStore[] = [];
    const store = (auth?: { username: string; password: string }): EtcdKvStore => {
      const kv = new EtcdKvStore({
        endpoints: etcd.address,
        prefix: 'auth',
        retry: { ...RETRY, onRetry: () => retried.push(1) },
        ...(auth !== undefined ? { auth } : {})
      });
      stores.push(kv);
      return kv;
    };
    const retried: number[] = [];

    beforeAll(async () => {
      etcd = await startEtcd();
      const admin = new Etcd3({ hosts: [...etcd.endpoints] });
      try {
        await admin.role('root').create();
        await admin.user('root').create('rootpw');
        await admin.user('root').addRole('root');
        await admin.auth.authEnable({});
      } finally {
        admin.close();
      }
    });

    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await etcd.stop();
    });

    it('should surface missing or wrong credentials as PermissionDeniedError without retrying', async () => {
      await expect(store().put('k', Uint8Array.of(1))).rejects.toBeInstanceOf(PermissionDeniedError);
      await expect(store({ username: 'root', password: 'wrong' }).get('k')).rejects.toBeInstanceOf(
        PermissionDeniedError
      );
      expect(retried).toEqual([]);
      const root = store({ username: 'root', password: 'rootpw' });
      await root.put('k', Uint8Array.of(1));
      expect((await root.get('k'))?.value).toEqual(Uint8Array.of(1));
    });
  });

  describe('over TLS', () => {
    let etcd: EtcdHarness;
    let kv: EtcdKvStore | undefined;

    beforeAll(async () => {
      etcd = await startEtcd({ tls: TEST_TLS });
    });

    afterAll(async () => {
      await kv?.close();
      await etcd.stop();
    });

    it('should connect with https endpoints and a trusted CA', async () => {
      expect(etcd.endpoints[0]).toMatch(/^https:/);
      kv = new EtcdKvStore({
        endpoints: etcd.address,
        tls: { ca: TEST_TLS.cert },
        prefix: 'tls',
        retry: RETRY
      });
      expect(kv.endpoints).toEqual([`https://${etcd.address}`]);
      await kv.put('k', Uint8Array.of(9));
      expect((await kv.get('k'))?.value).toEqual(Uint8Array.of(9));
    });
  });

  describe('when etcd crashes', () => {
    let etcd: EtcdHarness;
    let kv: EtcdKvStore | undefined;

    beforeAll(async () => {
      etcd = await startEtcd();
    });

    afterAll(async () => {
      await kv?.close();
      await etcd.stop();
    });

    it('should report KvUnavailableError while it is down and work again after a restart', async () => {
      kv = new EtcdKvStore({
        endpoints: etcd.address,
        prefix: 'crash',
        retry: { requestTimeoutMs: 300, maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }
      });
      await kv.put('k', Uint8Array.of(1));
      await etcd.kill();
      await expect(kv.get('k')).rejects.toBeInstanceOf(KvUnavailableError);
      await etcd.restart();
      // The same client reconnects by itself.
      expect((await kv.get('k'))?.value).toEqual(Uint8Array.of(1));
      await kv.put('k', Uint8Array.of(2));
      expect((await kv.get('k'))?.value).toEqual(Uint8Array.of(2));
    });
  });
});
