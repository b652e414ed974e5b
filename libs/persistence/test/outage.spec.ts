import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigRoot } from '@voltha/config-tree';
import { createKvStore } from '@voltha/kv';
import type { KvStore } from '@voltha/kv';
import { Adapter, VolthaInstance } from '@voltha/proto';
import { FaultProxy, startEtcd } from '@voltha/testing';
import type { EtcdHarness } from '@voltha/testing';

import { KvTreeStore, LOCK_KEY } from '../src';
import type { WriteMode } from '../src';

jest.setTimeout(120_000);

const OUTAGE_MS = 10_000;
const retry = {
  requestTimeoutMs: 400,
  maxAttempts: 3,
  initialDelayMs: 50,
  maxDelayMs: 200,
  maxElapsedMs: 1500
};

describe('a 10 s KV outage during writes', () => {
  let etcd: EtcdHarness;
  let dir: string;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outage-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(mode: WriteMode): Promise<{
    acked: string[];
    ackedDuringOutage: number;
    failed: number;
    stored: Set<string>;
    sameHash: boolean;
  }> {
    const proxy = await FaultProxy.start({ target: etcd.address });
    const prefix = `outage/${mode}/${Date.now()}`;
    const kv: KvStore = createKvStore({
      backend: 'etcd',
      endpoints: proxy.address,
      prefix,
      retry,
      lockTtlMs: 30_000
    });
    const lock = await kv.lock(LOCK_KEY);
    const store = await KvTreeStore.open({
      kv,
      mode,
      journalPath: join(dir, 'journal'),
      fence: lock,
      flushBackoff: { minMs: 100, maxMs: 1000 }
    });
    const root = await ConfigRoot.open(VolthaInstance.fromPartial({}), { store });
    const acked: string[] = [];
    let failed = 0;
    let outage = false;
    let ackedDuringOutage = 0;
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      for (let n = 0; !stop; n++) {
        const id = `o-${w}-${n}`;
        const startedInOutage = outage;
        try {
          await root.add('/adapters', Adapter.fromPartial({ id }));
          acked.push(id);
          // acknowledged although it started and ended while the KV store was unreachable
          if (startedInOutage && outage) ackedDuringOutage++;
        } catch (e) {
          expect((e as { code?: string }).code).toBe('UNAVAILABLE');
          failed++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const writers = Promise.all([0, 1, 2, 3].map(writer));
    while (acked.length < 100) await new Promise((r) => setTimeout(r, 20));
    outage = true;
    proxy.blackhole();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    proxy.restore();
    outage = false;
    const after = acked.length;
    while (acked.length < after + 50) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await writers;
    await store.close(30_000);
    const hash = root.latestHash;
    await root.close();
    await lock.release();
    await kv.close();
    await proxy.close();

    // Read everything back through a direct connection, as a restarted instance would.
    const direct = createKvStore({ backend: 'etcd', endpoints: etcd.address, prefix });
    const reloaded = await ConfigRoot.open(VolthaInstance.fromPartial({}), {
      store: await KvTreeStore.open({ kv: direct })
    });
    const stored = new Set((await reloaded.getList<Adapter>('/adapters')).map((a) => a.id));
    const sameHash = reloaded.latestHash === hash;
    await reloaded.close();
    await direct.close();
    return { acked, ackedDuringOutage, failed, stored, sameHash };
  }

  it('should return errors in sync mode and lose nothing acknowledged', async () => {
    const r = await run('sync');
    expect(r.failed).toBeGreaterThan(0);
    expect(r.ackedDuringOutage).toBe(0);
    expect(r.acked.filter((id) => !r.stored.has(id))).toEqual([]);
    expect(r.stored.size).toBe(r.acked.length);
    expect(r.sameHash).toBe(true);
  });

  it('should keep acknowledging in journal mode and have everything in the KV store after recovery', async () => {
    const r = await run('journal');
    expect(r.failed).toBe(0);
    expect(r.ackedDuringOutage).toBeGreaterThan(0);
    expect(r.acked.filter((id) => !r.stored.has(id))).toEqual([]);
    expect(r.stored.size).toBe(r.acked.length);
    expect(r.sameHash).toBe(true);
  });
});
