import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigRoot } from '@voltha/config-tree';
import { createKvStore } from '@voltha/kv';
import type { CreateKvStoreOptions } from '@voltha/kv';
import { Adapter, LogicalDevice, VolthaInstance } from '@voltha/proto';
import { startEtcd } from '@voltha/testing';
import type { EtcdHarness } from '@voltha/testing';

import { KvTreeStore } from '../src';

jest.setTimeout(120_000);

describe('round trip: 2,000 adapters and 2,000 logical devices', () => {
  let etcd: EtcdHarness;
  let dir: string;
  beforeAll(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), 'roundtrip-'));
  });
  afterAll(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function roundTrip(kvOptions: CreateKvStoreOptions): Promise<void> {
    const kv = createKvStore(kvOptions);
    const root = await ConfigRoot.open(VolthaInstance.fromPartial({ instanceId: 'rt' }), {
      store: await KvTreeStore.open({ kv })
    });
    const tx = root.openTransaction();
    for (let i = 0; i < 2000; i++) {
      await tx.add('/adapters', Adapter.fromPartial({ id: `adapter-${i}`, vendor: 'v', version: '1' }));
      await tx.add(
        '/logical_devices',
        LogicalDevice.fromPartial({
          id: `ld-${i}`,
          datapathId: String(BigInt(i) * 4294967296n + 1n),
          rootDeviceId: `olt-${i}`
        })
      );
    }
    await tx.commit();
    await root.update(
      '/adapters/adapter-7',
      Adapter.fromPartial({ id: 'adapter-7', vendor: 'v', version: '2' })
    );
    const hash = root.latestHash;
    const seq = root.seq;
    await root.close();
    await kv.close();

    const kv2 = createKvStore(kvOptions);
    const again = await ConfigRoot.open(VolthaInstance.fromPartial({}), {
      store: await KvTreeStore.open({ kv: kv2 })
    });
    expect(again.latestHash).toBe(hash);
    expect(again.seq).toBe(seq);
    expect(await again.getList('/adapters')).toHaveLength(2000);
    const ld = await again.getNode<LogicalDevice>('/logical_devices/ld-1999');
    expect(ld.datapathId).toBe(String(1999n * 4294967296n + 1n));
    await again.close();
    await kv2.close();
  }

  it('should load the identical root hash from the embedded store', async () => {
    await roundTrip({ backend: 'embedded', path: join(dir, 'lmdb') });
  });

  it('should load the identical root hash from etcd', async () => {
    await roundTrip({ backend: 'etcd', endpoints: etcd.address, prefix: `rt/${Date.now()}` });
  });
});
