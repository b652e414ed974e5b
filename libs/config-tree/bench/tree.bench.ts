/**
 * Config tree benchmark (`npm run bench:tree`). Prints:
 *  1. microseconds per update at depth 3 (`/devices/<id>/ports/<n>`) in a tree of 10,000 devices,
 *     in memory and with the in-memory store (persistence work included), one update after the other;
 *     plus, for information, 64 concurrent writers against a store that takes 1 ms per group commit
 *     (pipelined store commits: batches per store round trip);
 *  2. bulk add of 10,000 vs 20,000 children: both times and their ratio (linear growth gives ~2);
 *  3. heap after 100,000 updates with historySize 1,000, sampled along the way (flat = bounded history).
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { Adapter, Device, Port, VolthaInstance } from '@voltha/proto';

import { ConfigRoot, InMemoryTreeStore, TreeStoreBatch } from '../src';

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const gc = gcFunction();

function devices(n: number): Device[] {
  return Array.from({ length: n }, (_, i) =>
    Device.fromPartial({
      id: `dev${i}`,
      type: 'brcm_openomci_onu',
      ports: [Port.fromPartial({ portNo: 1, label: 'pon' }), Port.fromPartial({ portNo: 2, label: 'uni' })]
    })
  );
}

async function updatesAtDepth3(withStore: boolean): Promise<number> {
  const store = withStore ? new InMemoryTreeStore() : undefined;
  if (store) store.recordBatches = false;
  const root = await ConfigRoot.create(VolthaInstance.fromPartial({ devices: devices(10_000) }), { store });
  const n = 20_000;
  const warm = 2_000;
  let t0 = 0;
  for (let i = 0; i < n + warm; i++) {
    if (i === warm) t0 = performance.now();
    const d = (i * 7919) % 10_000;
    await root.update(`/devices/dev${d}/ports/2`, Port.fromPartial({ portNo: 2, label: `uni-${i}` }));
  }
  return ((performance.now() - t0) * 1000) / n;
}

/** An in-memory store with 1 ms latency per write that folds every batch queued meanwhile into one write. */
class GroupCommitStore extends InMemoryTreeStore {
  roundTrips = 0;
  private queue: Array<{ batch: TreeStoreBatch; done: () => void }> = [];
  private writing = false;

  override commit(batch: TreeStoreBatch): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ batch, done });
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      this.roundTrips++;
      await new Promise((r) => setTimeout(r, 1));
      for (const { batch } of group) await super.commit(batch);
      for (const { done } of group) done();
    }
    this.writing = false;
  }
}

async function concurrentWriters(writers: number): Promise<{ us: number; perTrip: number }> {
  const store = new GroupCommitStore();
  store.recordBatches = false;
  const root = await ConfigRoot.create(VolthaInstance.fromPartial({ devices: devices(10_000) }), { store });
  const n = 20_000;
  const trips0 = store.roundTrips;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; i < n; i += writers) {
        const d = (i * 7919) % 10_000;
        await root.update(`/devices/dev${d}/ports/2`, Port.fromPartial({ portNo: 2, label: `uni-${i}` }));
      }
    })
  );
  const us = ((performance.now() - t0) * 1000) / n;
  return { us, perTrip: n / (store.roundTrips - trips0) };
}

async function bulkAdd(n: number): Promise<number> {
  const root = await ConfigRoot.create(VolthaInstance.fromPartial({}), {});
  const t0 = performance.now();
  for (let i = 0; i < n; i++)
    await root.add('/adapters', Adapter.fromPartial({ id: `adapter-${i}`, vendor: 'v' }));
  return performance.now() - t0;
}

async function heapUnderUpdates(): Promise<Array<[number, number]>> {
  const root = await ConfigRoot.create(VolthaInstance.fromPartial({ devices: devices(1_000) }), {
    historySize: 1_000
  });
  const samples: Array<[number, number]> = [];
  const total = 100_000;
  for (let i = 1; i <= total; i++) {
    await root.update(`/devices/dev${i % 1_000}/ports/1`, Port.fromPartial({ portNo: 1, label: `pon-${i}` }));
    if (i % 10_000 === 0) {
      gc();
      samples.push([i, process.memoryUsage().heapUsed / 2 ** 20]);
    }
  }
  if (root.revisions.length !== 1_000) throw new Error(`history not bounded: ${root.revisions.length}`);
  return samples;
}

async function main(): Promise<void> {
  const started = performance.now();
  const mem = await updatesAtDepth3(false);
  const persisted = await updatesAtDepth3(true);
  console.log(`1. update at depth 3 (/devices/<id>/ports/<n>), 10,000 devices:`);
  console.log(`   in memory:            ${mem.toFixed(1)} us/update`);
  console.log(`   with in-memory store: ${persisted.toFixed(1)} us/update`);
  const grouped = await concurrentWriters(64);
  console.log(
    `   64 writers, 1 ms group-commit store: ${grouped.us.toFixed(1)} us/update, ` +
      `${grouped.perTrip.toFixed(1)} updates per store round trip`
  );

  await bulkAdd(2_000); // warm-up
  const t10 = await bulkAdd(10_000);
  const t20 = await bulkAdd(20_000);
  const ratio = t20 / t10;
  console.log(
    `2. bulk add: 10,000 children ${t10.toFixed(0)} ms, 20,000 children ${t20.toFixed(0)} ms, ratio ${ratio.toFixed(2)}`
  );

  const samples = await heapUnderUpdates();
  console.log(`3. heap after N updates (historySize 1,000, 1,000 devices):`);
  for (const [n, mb] of samples) console.log(`   ${String(n).padStart(7)} updates: ${mb.toFixed(1)} MiB`);
  const tail = samples.slice(1).map(([, mb]) => mb);
  const spread = Math.max(...tail) - Math.min(...tail);
  console.log(`   spread after the first sample: ${spread.toFixed(1)} MiB`);
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (ratio > 2.5) {
    console.error(`bulk add ratio ${ratio.toFixed(2)} exceeds 2.5`);
    process.exitCode = 1;
  }
}

void main();
