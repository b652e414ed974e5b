import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigRoot } from '@voltha/config-tree';
import type { RootPointer, TreeStoreBatch } from '@voltha/config-tree';
import { KvUnavailableError, MemoryKvBackend, MemoryKvStore } from '@voltha/kv';
import type { KvStore } from '@voltha/kv';
import { Adapter, AdapterConfig, HealthStatus, VolthaInstance } from '@voltha/proto';

import { Journal, KvTreeStore, StoreFencedError, WriteQueueFullError } from '../src';

const fastRetry = {
  maxAttempts: 2,
  initialDelayMs: 1,
  maxDelayMs: 2,
  requestTimeoutMs: 1000,
  maxElapsedMs: 2000
};

const cleanups: Array<() => Promise<unknown>> = [];

function memoryKv(backend = new MemoryKvBackend(), maxTxnOps = 64): MemoryKvStore {
  const kv = new MemoryKvStore({ shared: backend, maxTxnOps, retry: fastRetry });
  cleanups.push(() => kv.close());
  return kv;
}

async function openStore(options: Parameters<typeof KvTreeStore.open>[0]): Promise<KvTreeStore> {
  const store = await KvTreeStore.open(options);
  cleanups.unshift(() => store.abandon());
  return store;
}

async function openRoot(store: KvTreeStore, instanceId = ''): Promise<ConfigRoot> {
  const root = await ConfigRoot.open(VolthaInstance.fromPartial({ instanceId }), { store });
  cleanups.unshift(() => root.close());
  return root;
}

/** A KV store whose writes fail while `down` is set (an outage). */
function flaky(kv: KvStore): KvStore & { down: boolean; txns: number } {
  const wrapper = Object.create(kv) as KvStore & { down: boolean; txns: number };
  wrapper.down = false;
  wrapper.txns = 0;
  wrapper.txn = async (req) => {
    wrapper.txns++;
    if (wrapper.down) throw new KvUnavailableError('txn', 1, 0, new Error('connection refused'));
    return kv.txn(req);
  };
  return wrapper;
}

const adapter = (id: string, version = 'v1') =>
  Adapter.fromPartial({ id, vendor: 'x', version, config: AdapterConfig.fromPartial({ logLevel: 3 }) });

describe('KvTreeStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvts-'));
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('should persist a tree and load it back with the identical root hash', async () => {
    const backend = new MemoryKvBackend();
    const store = await openStore({ kv: memoryKv(backend) });
    const root = await openRoot(store, 'i1');
    for (let i = 0; i < 50; i++) await root.add('/adapters', adapter(`a${i}`));
    await root.update('/health', HealthStatus.fromPartial({ state: 1 }));
    await root.tag('t1');
    const hash = root.latestHash;
    await root.close();

    const store2 = await openStore({ kv: memoryKv(backend) });
    const again = await openRoot(store2);
    expect(again.latestHash).toBe(hash);
    expect(again.tags).toEqual(['t1']);
    expect((await again.getList('/adapters')).map((a) => (a as Adapter).id)).toHaveLength(50);
  });

  it('should fold concurrent batches into group commits (fewer transactions than batches)', async () => {
    const kv = flaky(memoryKv());
    const store = await openStore({ kv });
    const pointer = (seq: number): RootPointer => ({
      layout: 1,
      latest: `r${seq}`,
      tags: {},
      seq,
      history: [`r${seq}`]
    });
    const batch = (seq: number): TreeStoreBatch => ({
      puts: new Map([[`${String(seq).padStart(24, '0')}`, new Uint8Array([seq])]]),
      deletes: [],
      root: pointer(seq)
    });
    await Promise.all(Array.from({ length: 64 }, (_, i) => store.commit(batch(i + 1))));
    expect(store.getStats().batchesWritten).toBe(64);
    expect(kv.txns).toBeLessThan(10);
    expect((await store.loadRoot())?.seq).toBe(64);
  });

  it('should fail a sync-mode write during an outage, keep the tree as it was, and recover', async () => {
    const kv = flaky(memoryKv());
    const store = await openStore({ kv });
    const root = await openRoot(store);
    await root.add('/adapters', adapter('a1'));
    const before = root.latestHash;
    kv.down = true;
    await expect(root.add('/adapters', adapter('a2'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(root.latestHash).toBe(before);
    kv.down = false;
    await root.add('/adapters', adapter('a3'));
    const reloaded = await openRoot(await openStore({ kv }));
    expect((await reloaded.getList('/adapters')).map((a) => (a as Adapter).id)).toEqual(['a1', 'a3']);
  });

  it('should acknowledge in journal mode during an outage and have everything in the KV store after it', async () => {
    const backend = new MemoryKvBackend();
    const kv = flaky(memoryKv(backend));
    const journalPath = join(dir, 'journal');
    const store = await openStore({
      kv,
      mode: 'journal',
      journalPath,
      flushBackoff: { minMs: 2, maxMs: 10 }
    });
    const root = await openRoot(store);
    kv.down = true;
    for (let i = 0; i < 20; i++) await root.add('/adapters', adapter(`a${i}`));
    expect(store.getStats().queued).toBeGreaterThan(0);
    expect(statSync(journalPath).size).toBeGreaterThan(0);
    kv.down = false;
    await store.drain(5000);
    expect(statSync(journalPath).size).toBe(0);
    const reloaded = await openRoot(await openStore({ kv: memoryKv(backend) }));
    expect(reloaded.latestHash).toBe(root.latestHash);
  });

  it('should replay a journal left by a crash before anything is loaded', async () => {
    const backend = new MemoryKvBackend();
    const kv = flaky(memoryKv(backend));
    const journalPath = join(dir, 'journal');
    const store = await openStore({
      kv,
      mode: 'journal',
      journalPath,
      flushBackoff: { minMs: 1000, maxMs: 1000 }
    });
    const root = await openRoot(store);
    await store.drain(2000);
    kv.down = true;
    for (let i = 0; i < 5; i++) await root.add('/adapters', adapter(`a${i}`));
    const acknowledged = root.latestHash;
    // "crash": the process dies with the KV store behind the journal.
    const { journal, records } = await Journal.open(journalPath);
    await journal.close();
    expect(records.length).toBeGreaterThanOrEqual(5);

    const restarted = await openStore({ kv: memoryKv(backend), mode: 'journal', journalPath });
    const loaded = await openRoot(restarted);
    expect(loaded.latestHash).toBe(acknowledged);
    expect(statSync(journalPath).size).toBe(0);
  });

  it('should push back with UNAVAILABLE when the queue is full', async () => {
    const kv = flaky(memoryKv());
    const store = await openStore({
      kv,
      mode: 'journal',
      journalPath: join(dir, 'j'),
      maxQueued: 3,
      flushBackoff: { minMs: 1000, maxMs: 1000 }
    });
    kv.down = true;
    const pointer = (seq: number): RootPointer => ({
      layout: 1,
      latest: `r${seq}`,
      tags: {},
      seq,
      history: [`r${seq}`]
    });
    const commits = Array.from({ length: 3 }, (_, i) =>
      store.commit({ puts: new Map(), deletes: [], root: pointer(i + 1) })
    );
    await Promise.all(commits);
    await expect(store.commit({ puts: new Map(), deletes: [], root: pointer(9) })).rejects.toBeInstanceOf(
      WriteQueueFullError
    );
    await expect(store.commit({ puts: new Map(), deletes: [], root: pointer(9) })).rejects.toThrow(
      /write queue full/
    );
  });

  it('should fence a writer whose root was overwritten by another instance', async () => {
    const backend = new MemoryKvBackend();
    const a = await openStore({ kv: memoryKv(backend) });
    const b = await openStore({ kv: memoryKv(backend) });
    const pointer = (latest: string, seq: number): RootPointer => ({
      layout: 1,
      latest,
      tags: {},
      seq,
      history: [latest]
    });
    await a.commit({ puts: new Map(), deletes: [], root: pointer('x', 1) });
    await b.loadRoot();
    await b.commit({ puts: new Map(), deletes: [], root: pointer('y', 2) });
    await expect(a.commit({ puts: new Map(), deletes: [], root: pointer('z', 2) })).rejects.toBeInstanceOf(
      StoreFencedError
    );
    expect(a.getStats().fenced).toBe(true);
    expect((await b.loadRoot())?.latest).toBe('y');
  });

  it('should only let the lock holder write, and fence it when the lock is gone', async () => {
    const backend = new MemoryKvBackend();
    const kvA = memoryKv(backend);
    const lock = await kvA.lock('lock');
    const fenced: string[] = [];
    const a = await openStore({ kv: kvA, fence: lock, onFenced: (r) => fenced.push(r) });
    const pointer = (latest: string, seq: number): RootPointer => ({
      layout: 1,
      latest,
      tags: {},
      seq,
      history: [latest]
    });
    await a.commit({ puts: new Map(), deletes: [], root: pointer('x', 1) });
    await lock.release();
    const kvB = memoryKv(backend);
    const lockB = await kvB.lock('lock');
    const b = await openStore({ kv: kvB, fence: lockB });
    await b.commit({ puts: new Map(), deletes: [], root: pointer('y', 2) });
    await expect(a.commit({ puts: new Map(), deletes: [], root: pointer('z', 2) })).rejects.toBeInstanceOf(
      StoreFencedError
    );
    expect((await b.loadRoot())?.latest).toBe('y');
  });
});
