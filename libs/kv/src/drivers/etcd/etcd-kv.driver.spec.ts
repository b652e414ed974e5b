import { Etcd3 } from 'etcd3';

import { FaultProxy, startEtcd, type EtcdHarness } from '@voltha/testing';

import { describeKvContract, type KvContractClientOptions, type KvContractTarget } from '../../testing/kv-contract';
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
