import { Adapter, Device, LogicalDevice, Port, VolthaInstance } from '@voltha/proto';

import {
  ConfigRoot,
  ConfigSchema,
  InMemoryTreeStore,
  keyLevel,
  RevisionBlob,
  TypeInfo,
  volthaSchema
} from '../src';
import {
  adapter,
  decoder,
  expectKind,
  expectStoreClosed,
  fixtureD,
  fixtureS,
  health,
  HEALTHY,
  mstNodeCount,
  OVERLOADED,
  reachableKeys
} from './support/fixtures';

function revBlob(store: InMemoryTreeStore, hash: string): RevisionBlob {
  return JSON.parse(decoder.decode(store.blobs.get(hash) as Uint8Array)) as RevisionBlob;
}

/** Classifies the puts of a batch by blob kind. */
function kinds(puts: ReadonlyMap<string, Uint8Array>): {
  revs: RevisionBlob[];
  chunks: number;
  configs: Uint8Array[];
} {
  const out = { revs: [] as RevisionBlob[], chunks: 0, configs: [] as Uint8Array[] };
  for (const v of puts.values()) {
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(v));
    } catch {
      json = undefined;
    }
    if (json && typeof json === 'object' && 'config' in json) out.revs.push(json as RevisionBlob);
    else if (json && typeof json === 'object' && 'level' in json) out.chunks++;
    else out.configs.push(v);
  }
  return out;
}

/** A schema that hides some child fields of one type (an older schema). */
function olderSchema(typeName: string, hidden: string[]): ConfigSchema {
  const base = volthaSchema();
  let cached: TypeInfo | undefined;
  return {
    typeInfo(t: string): TypeInfo {
      const info = base.typeInfo(t);
      if (t !== typeName) return info;
      cached ??= { ...info, children: info.children.filter((f) => !hidden.includes(f.name)) };
      return cached;
    }
  };
}

describe('persistence (in-memory store)', () => {
  it('case 66: [P] [test_inmemory_kv_store] pump, tag, prune, reload', async () => {
    const Na = 1000;
    const Nld = 1000;
    const store = new InMemoryTreeStore();
    store.recordBatches = false;
    const root = await ConfigRoot.create(fixtureS(), { store });
    await root.tag('original');
    await root.update('/', VolthaInstance.fromPartial({ instanceId: '1', version: '42', logLevel: 1 }));
    await root.update('/health', health(OVERLOADED));
    for (let i = 0; i < Na; i++) await root.add('/adapters', adapter(`a${i}`));
    for (let i = 0; i < Nld; i++) {
      await root.add(
        '/logical_devices',
        LogicalDevice.fromPartial({ id: `ld${i}`, desc: { mfrDesc: `mfr${i}` } })
      );
    }
    await root.tag('pumped');
    await expectStoreClosed(store);
    expect((await store.loadRoot())?.latest).toBe(root.latestHash);
    expect(store.keyCount).toBe(1 + (await reachableKeys(store)).size);

    await root.prune();
    await expectStoreClosed(store);
    // Layout formula (README): root pointer + latest (root rev/config, health rev/config, one rev + config per
    // adapter and logical device, the shared empty flows/flow_groups/meters rev + config, the Merkle chunks of
    // both containers) + the tagged original (root rev/config, health rev/config; empty containers have no chunk).
    const chunks =
      mstNodeCount(Array.from({ length: Na }, (_, i) => keyLevel(`a${i}`))) +
      mstNodeCount(Array.from({ length: Nld }, (_, i) => keyLevel(`ld${i}`)));
    expect(store.keyCount).toBe(1 + 4 + 2 * Na + 2 * Nld + 6 + chunks + 4);
    expect(root.revisions).toHaveLength(2);

    const copy = store.clone();
    const reloaded = await ConfigRoot.load({ store: copy });
    expect(reloaded.latestHash).toBe(root.latestHash);
    expect(reloaded.tags).toEqual(['original', 'pumped']);
    expect(await reloaded.get('/', { deep: true })).toEqual(await root.get('/', { deep: true }));
    expect(await reloaded.get('/', { hash: reloaded.byTag('original'), deep: true })).toEqual(
      await root.get('/', { hash: root.byTag('original'), deep: true })
    );
  });

  it('case 67: [P] a new persisted root writes the root pointer, root rev/config and singular children', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureS(), { store });
    expect(store.keyCount).toBe(5);
    expect(store.batches).toHaveLength(1);
    const pointer = await store.loadRoot();
    expect(pointer).toEqual({
      layout: 1,
      latest: root.latestHash,
      tags: {},
      seq: 0,
      history: [root.latestHash]
    });
    const blob = revBlob(store, root.latestHash);
    const fields = volthaSchema()
      .typeInfo('voltha.VolthaInstance')
      .children.map((f) => f.name);
    expect(Object.keys(blob.children).sort()).toEqual([...fields].sort());
    for (const f of fields) {
      if (f === 'health') expect(blob.children[f]).toEqual([root.nodeHash('/health')]);
      else expect(blob.children[f]).toEqual({ chunk: null, size: 0 });
    }
    expect(blob.type).toBe('voltha.VolthaInstance');
    expect(VolthaInstance.decode(store.blobs.get(blob.config) as Uint8Array)).toEqual(
      VolthaInstance.fromPartial({})
    );
  });

  it('case 68: [P] tag changes rewrite the root pointer; tags and history survive a reload', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    const h0 = root.latestHash;
    await root.update('/health', health(HEALTHY));
    const before = store.stats.rootWrites;
    const blobs = store.blobs.size;
    await root.tag('first', h0);
    await root.tag('now');
    expect(store.stats.rootWrites).toBe(before + 2);
    expect(store.blobs.size).toBe(blobs);
    const pointer = await store.loadRoot();
    expect(pointer?.latest).toBe(root.latestHash);
    expect(pointer?.tags).toEqual({ first: h0, now: root.latestHash });
    const reloaded = await ConfigRoot.load({ store: store.clone() });
    // Departure from 1.x (one revision after reload): the retained history is persisted and reloaded.
    expect(reloaded.revisions).toEqual(root.revisions);
    expect(reloaded.byTag('first')).toBe(h0);
    expect(await reloaded.get('/', { hash: reloaded.byTag('first'), deep: true })).toEqual(fixtureD());
    await reloaded.deleteTag('first');
    expect(reloaded.tags).toEqual(['now']);
  });

  it('case 69: [P] a committed adapter update writes its blobs and the root pointer; a tx writes at commit only', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    await root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: 'new' }));
    const batch = store.batches[store.batches.length - 1];
    const k = kinds(batch.puts);
    // adapter config, adapter rev, the (single) chunk of /adapters on the path, root rev
    expect(batch.puts.size).toBe(4);
    expect(k.revs.map((r) => r.type).sort()).toEqual(['voltha.Adapter', 'voltha.VolthaInstance']);
    expect(k.chunks).toBe(1);
    expect(Adapter.decode(k.configs[0]).version).toBe('new');
    expect(batch.puts.has(root.latestHash)).toBe(true);
    expect(batch.puts.has(root.nodeHash('/adapters/1'))).toBe(true);
    expect(batch.root.latest).toBe(root.latestHash);
    expect(batch.deletes).toEqual([]);

    const commits = store.stats.commits;
    const tx = root.openTransaction();
    await tx.update('/adapters/2', adapter('2', 0));
    await tx.add('/adapters', adapter('x'));
    expect(store.stats.commits).toBe(commits);
    await tx.commit();
    expect(store.stats.commits).toBe(commits + 1);
    expect((await store.loadRoot())?.latest).toBe(root.latestHash);
    await expectStoreClosed(store);
  });

  it('case 81: [P] a no-op update through a singular child writes nothing and the store stays loadable', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    const commits = store.stats.commits;
    const snapshot = new Map(store.blobs);
    await root.update('/health', await root.getNode('/health'));
    await root.update('/adapters/1', adapter('1'));
    expect(store.stats.commits).toBe(commits);
    expect(store.blobs).toEqual(snapshot);
    const reloaded = await ConfigRoot.load({ store: store.clone() });
    expect(await reloaded.get('/', { deep: true })).toEqual(fixtureD());
  });

  it('case 84: [P] flip-flop histories stay loadable: every listed revision can be read from the store', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store, historySize: 4 });
    const versions = ['v0', 'v1', 'v0', 'v1', 'v2', 'v0', 'v3', 'v1', 'v0', 'v4', 'v1'];
    for (const v of versions) {
      await root.update('/adapters/3', Adapter.fromPartial({ id: '3', version: v }));
      await expectStoreClosed(store);
    }
    expect(root.revisions).toHaveLength(4);
    const reloaded = await ConfigRoot.load({ store: store.clone() });
    expect(reloaded.revisions).toEqual(root.revisions);
    for (const h of root.revisions) {
      expect(await reloaded.get('/', { hash: h, deep: true })).toEqual(
        await root.get('/', { hash: h, deep: true })
      );
    }
  });

  it('case 85: [P] pruning deletes every blob no longer referenced, config blobs included', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureS(), { store });
    for (let i = 0; i < 10; i++) await root.update('/', VolthaInstance.fromPartial({ instanceId: `i${i}` }));
    expect(store.keyCount).toBe(1 + 2 + 2 * 11);
    await root.prune();
    await expectStoreClosed(store);
    expect(store.keyCount).toBe(5);
    const batch = store.batches[store.batches.length - 1];
    expect(batch.deletes).toHaveLength(20);
    expect(batch.puts.size).toBe(0);
  });

  it('case 86: [P] loading writes nothing (never an intermediate root pointer)', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    await root.tag('a');
    await root.update('/health', health(HEALTHY));
    await root.tag('b');
    await root.update('/adapters/1', adapter('1', 0));
    const copy = store.clone();
    const reloaded = await ConfigRoot.load({ store: copy });
    expect(copy.stats).toMatchObject({ commits: 0, rootWrites: 0, puts: 0, deletes: 0 });
    expect(reloaded.tags).toEqual(['a', 'b']);
    expect(reloaded.latestHash).toBe(root.latestHash);
  });

  it('case 87: [P] closing or dropping the in-memory tree never deletes persisted data', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    await root.update('/health', health(HEALTHY));
    const keys = [...store.blobs.keys()].sort();
    await root.close();
    await expectKind(root.update('/health', health(OVERLOADED)), 'AssertionError');
    expect([...store.blobs.keys()].sort()).toEqual(keys);
    const reloaded = await ConfigRoot.load({ store });
    expect(reloaded.latestHash).toBe(root.latestHash);
  });

  it('case 88: [P] loading tolerates a schema that gained child fields', async () => {
    // A keyed container added to the schema: loads empty, hashes unchanged, nothing written.
    const store = new InMemoryTreeStore();
    const old = await ConfigRoot.create(fixtureD(), {
      store,
      schema: olderSchema('voltha.VolthaInstance', ['alarm_filters'])
    });
    expect(Object.keys(revBlob(store, old.latestHash).children)).not.toContain('alarm_filters');
    const copy = store.clone();
    const loaded = await ConfigRoot.load({ store: copy });
    expect(await loaded.get('/alarm_filters')).toEqual([]);
    expect(loaded.latestHash).toBe(old.latestHash);
    expect(copy.stats.commits).toBe(0);

    // A singular child added: loads with a default child; one batch persists the re-hashed tree.
    const store2 = new InMemoryTreeStore();
    const initial = VolthaInstance.fromPartial({ instanceId: '1', adapters: [adapter('0')] });
    const old2 = await ConfigRoot.create(initial, {
      store: store2,
      schema: olderSchema('voltha.VolthaInstance', ['health'])
    });
    const loaded2 = await ConfigRoot.load({ store: store2 });
    expect(await loaded2.get('/health')).toEqual(health(HEALTHY));
    expect(loaded2.latestHash).not.toBe(old2.latestHash);
    expect(store2.stats.rootWrites).toBe(2);
    expect(store2.rootHistory[1]).toMatchObject({
      latest: loaded2.latestHash,
      history: [old2.latestHash, loaded2.latestHash]
    });
    await expectStoreClosed(store2);
    const again = store2.clone();
    const loaded3 = await ConfigRoot.load({ store: again });
    expect(loaded3.latestHash).toBe(loaded2.latestHash);
    expect(again.stats.commits).toBe(0);
  });

  it('case 92: [P] store failures surface as typed errors, leave the tree unchanged and do not block later work', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    const h = root.latestHash;
    const revs = root.revisions;
    store.failNextCommit = new Error('413 value too large');
    const e = await expectKind(root.update('/adapters/1', adapter('1', 0)), 'StoreError');
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toMatch(/413/);
    expect(root.latestHash).toBe(h);
    expect(root.revisions).toEqual(revs);
    expect(root.seq).toBe(0);
    // the next mutation works and re-writes everything the failed batch would have written
    await root.update('/adapters/1', adapter('1', 0));
    await expectStoreClosed(store);
    expect(root.seq).toBe(1);
    // an empty value is present, a missing one is absent (the 1.x Consul null/"" confusion cannot happen)
    store.blobs.set('empty', new Uint8Array(0));
    const got = await store.readBlobs(['empty', 'missing']);
    expect(got.get('empty')).toEqual(new Uint8Array(0));
    expect(got.has('missing')).toBe(false);
  });

  it('a failed batch that would evict history and delete blobs is rolled back completely', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store, historySize: 2 });
    for (let i = 0; i < 3; i++)
      await root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: `v${i}` }));
    const revs = root.revisions;
    const blobs = new Map(store.blobs);
    for (const op of [
      () => root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: 'x' })),
      () => root.remove('/adapters/2'),
      () => root.prune(),
      () => root.tag('t', revs[0])
    ]) {
      store.failNextCommit = new Error('unavailable');
      await expectKind(op(), 'StoreError');
      expect(root.revisions).toEqual(revs);
      expect(store.blobs).toEqual(blobs);
    }
    expect(root.tags).toEqual([]);
    await root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: 'x' }));
    await root.remove('/adapters/2');
    await root.tag('t');
    await root.prune();
    await expectStoreClosed(store);
    const reloaded = await ConfigRoot.load({ store: store.clone() });
    expect(await reloaded.get('/', { deep: true })).toEqual(await root.get('/', { deep: true }));
  });

  it('loading fails loudly on a missing blob', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    const adapterHash = root.nodeHash('/adapters/2');
    store.blobs.delete(adapterHash);
    const e = await expectKind(ConfigRoot.load({ store }), 'StoreError');
    expect(e.code).toBe('DATA_LOSS');
    expect(e.message).toContain(adapterHash);
    await expectKind(ConfigRoot.load({ store: new InMemoryTreeStore() }), 'StoreError');
  });

  it('open() creates when the store is empty and loads otherwise; seq continues across restarts', async () => {
    const store = new InMemoryTreeStore();
    const a = await ConfigRoot.open(fixtureD(), { store });
    await a.update('/health', health(HEALTHY));
    await a.update('/health', health(OVERLOADED));
    expect(a.seq).toBe(2);
    const b = await ConfigRoot.open(fixtureS(), { store });
    expect(b.latestHash).toBe(a.latestHash);
    expect(b.seq).toBe(2);
    const seqs: number[] = [];
    b.subscribe((e) => seqs.push(e.seq));
    await b.update('/health', health(HEALTHY));
    expect(b.seq).toBe(3);
    expect(seqs).toEqual([3]);
    expect((await store.loadRoot())?.seq).toBe(3);
  });

  it('bounded history keeps the store flat under endless updates', async () => {
    const store = new InMemoryTreeStore();
    store.recordBatches = false;
    const root = await ConfigRoot.create(fixtureD(), { store, historySize: 10 });
    await root.tag('keep');
    const sizes: number[] = [];
    for (let i = 0; i < 300; i++) {
      await root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: `v${i}` }));
      if (i % 50 === 49) sizes.push(store.keyCount);
    }
    expect(new Set(sizes).size).toBe(1);
    expect(root.revisions).toHaveLength(11);
    expect(root.revisions[0]).toBe(root.byTag('keep'));
    await expectStoreClosed(store);
  });

  it('blobs written per update do not grow with the container size (O(log n) structure)', async () => {
    async function putsForUpdate(n: number): Promise<{ puts: number; bytes: number }> {
      const store = new InMemoryTreeStore();
      const devices = Array.from({ length: n }, (_, i) =>
        Device.fromPartial({
          id: `dev${i}`,
          ports: [Port.fromPartial({ portNo: 1 }), Port.fromPartial({ portNo: 2 })]
        })
      );
      const root = await ConfigRoot.create(VolthaInstance.fromPartial({ devices }), { store });
      await root.update(`/devices/dev${n >> 1}/ports/2`, Port.fromPartial({ portNo: 2, label: 'changed' }));
      const batch = store.batches[store.batches.length - 1];
      let bytes = 0;
      for (const v of batch.puts.values()) bytes += v.length;
      return { puts: batch.puts.size, bytes };
    }
    const small = await putsForUpdate(500);
    const large = await putsForUpdate(10_000);
    // port config + port rev + ports chunk + device rev + devices chunks on the path + root rev
    expect(small.puts).toBeLessThanOrEqual(8);
    expect(large.puts).toBeLessThanOrEqual(small.puts + 2);
    expect(large.bytes).toBeLessThan(12_000);
  });

  it('history evicted before a reload is not needed; older history loads lazily from the store', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    for (let i = 0; i < 5; i++)
      await root.update('/adapters/0', Adapter.fromPartial({ ...adapter('0'), version: `v${i}` }));
    const reloaded = await ConfigRoot.load({ store: store.clone() });
    const h2 = root.revisions[2];
    expect(await reloaded.get('/adapters/0', { hash: h2 })).toEqual(
      await root.get('/adapters/0', { hash: h2 })
    );
    expect(await reloaded.diff(root.revisions[0], root.revisions[1], '/adapters/0')).toEqual([
      { op: 'replace', path: '/version', value: 'v0' }
    ]);
    await expectKind(reloaded.get('/', { hash: '000000000000000000000000' }), 'KeyError');
  });

  it('sweepOrphans deletes blobs left unreferenced (e.g. by a crash)', async () => {
    const store = new InMemoryTreeStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    store.blobs.set('deadbeefdeadbeefdeadbeef', new Uint8Array([1]));
    const reloaded = await ConfigRoot.load({ store });
    expect(await reloaded.sweepOrphans()).toBe(1);
    expect(store.blobs.has('deadbeefdeadbeefdeadbeef')).toBe(false);
    await expectStoreClosed(store);
    expect(await root.sweepOrphans()).toBe(0);
  });
});
