import { Adapter, HealthStatus, VolthaInstance } from '@voltha/proto';

import {
  CallbackType,
  ConfigChangeEvent,
  ConfigRoot,
  ConfigStoreError,
  InMemoryTreeStore,
  Transaction
} from '../src';
import {
  adapter,
  adapterIds,
  expectKind,
  expectStoreClosed,
  fixtureD,
  health,
  HEALTHY,
  logLevels,
  OVERLOADED
} from './support/fixtures';
import { GatedStore, GroupingStore, settle, until } from './support/test-stores';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** Seq of the newest root pointer the store holds. */
function storedSeq(store: InMemoryTreeStore): number {
  return store.rootHistory.length > 0 ? store.rootHistory[store.rootHistory.length - 1].seq : -1;
}

/** Everything a reader or the bookkeeping can observe of a tree (taken with nothing in flight). */
async function snapshot(root: ConfigRoot) {
  return {
    latestHash: root.latestHash,
    seq: root.seq,
    revisions: root.revisions,
    tags: Object.fromEntries(root.tags.map((t) => [t, root.byTag(t)])),
    refs: root.blobRefCounts(),
    blobCount: root.persistedBlobCount,
    live: root.liveObjectCount(),
    transactions: root.transactionBookkeeping(),
    deep: await root.get('/', { deep: true }),
    nodes: Object.fromEntries(
      ['/', '/health', ...(await adapterIds(root)).map((id) => `/adapters/${id}`)].map((p) => [
        p,
        root.nodeHash(p)
      ])
    )
  };
}

/** A reload of a copy of the store: the same tree, and the same blob reference counts as the live index. */
async function expectReloadEquals(root: ConfigRoot, store: InMemoryTreeStore): Promise<void> {
  const reloaded = await ConfigRoot.load({ store: store.clone() });
  expect(reloaded.latestHash).toBe(root.latestHash);
  expect(reloaded.seq).toBe(root.seq);
  expect(reloaded.revisions).toEqual(root.revisions);
  expect(reloaded.tags).toEqual(root.tags);
  expect(await reloaded.get('/', { deep: true })).toEqual(await root.get('/', { deep: true }));
  expect(reloaded.blobRefCounts()).toEqual(root.blobRefCounts());
  await expectStoreClosed(store);
}

function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'ok',
    (e: unknown) => e
  );
}

describe('pipelined store commits', () => {
  it('pipelining: 64 concurrent updates put more than one batch in flight and resolve in order', async () => {
    const store = new GatedStore();
    const ids = range(64).map((i) => `a${i}`);
    const root = await ConfigRoot.create(
      VolthaInstance.fromPartial({ adapters: ids.map((id) => adapter(id)) }),
      { store }
    );
    const h0 = root.latestHash;
    const events: ConfigChangeEvent[] = [];
    const storedSeqAtEvent: number[] = [];
    root.subscribe((e) => {
      events.push(e);
      storedSeqAtEvent.push(storedSeq(store));
    });
    store.gated = true;
    const order: number[] = [];
    const pending = ids.map((id, i) =>
      root.update(`/adapters/${id}`, adapter(id, 1)).then((r) => {
        order.push(i);
        return r;
      })
    );
    // every in-memory phase ran without waiting for the store: 64 batches in flight, in commit order
    await until(() => store.held.length === 64);
    expect(root.commitsInFlight).toBe(64);
    expect(store.held.map((h) => h.batch.root.seq)).toEqual(range(64, 1));
    // nothing is durable: readers see the initial tree, nobody was told anything
    expect(root.seq).toBe(0);
    expect(root.latestHash).toBe(h0);
    expect(root.revisions).toEqual([h0]);
    expect(Object.values(await logLevels(root))).toEqual(ids.map(() => 3));
    expect(order).toEqual([]);
    expect(events).toEqual([]);

    await store.release(10);
    await settle();
    expect(order).toEqual(range(10));
    expect(root.seq).toBe(10);
    expect(root.latestHash).toBe(store.rootHistory[store.rootHistory.length - 1].latest);
    const levels = await logLevels(root);
    expect(ids.map((id) => levels[id])).toEqual(ids.map((_, i) => (i < 10 ? 1 : 3)));
    expect(events.map((e) => e.seq)).toEqual(range(10, 1));

    await store.release();
    const results = await Promise.all(pending);
    expect(order).toEqual(range(64));
    expect(results.map((r) => r.seq)).toEqual(range(64, 1));
    expect(store.maxHeld).toBe(64);
    expect(root.seq).toBe(64);
    expect(root.commitsInFlight).toBe(0);
    // events in commit order, each delivered only once the store held its root pointer
    expect(events.map((e) => e.seq)).toEqual(range(64, 1));
    expect(events.map((e) => e.rootHash)).toEqual(results.map((r) => r.rootHash));
    storedSeqAtEvent.forEach((s, i) => expect(s).toBeGreaterThanOrEqual(events[i].seq));
    await expectReloadEquals(root, store);
  });

  it('pipelining: 64 concurrent writers share group commits (at least 20 mutations per store round trip)', async () => {
    const store = new GroupingStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    const before = store.roundTrips;
    const writes = range(64).map((i) =>
      i % 4 === 0
        ? root.update(`/adapters/${i % 5}`, adapter(`${i % 5}`, i))
        : root.add('/adapters', adapter(`n${i}`))
    );
    const results = await Promise.all(writes);
    const trips = store.roundTrips - before;
    expect(64 / trips).toBeGreaterThanOrEqual(20);
    expect(store.largestGroup).toBeGreaterThan(32);
    expect(store.maxPending).toBeGreaterThan(32);
    expect(results.map((r) => r.seq)).toEqual(range(64, 1));
    await expectReloadEquals(root, store);
  });

  it('pipelining: reads never see data that is not durable', async () => {
    const store = new GatedStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    await root.tag('t0');
    const d0 = await snapshot(root);
    const proxy = root.getProxy('/adapters/1');
    store.gated = true;
    const first = root.update('/adapters/1', adapter('1', 9));
    const writes: Promise<unknown>[] = [
      first,
      root.add('/adapters', adapter('new')),
      root.remove('/adapters/4'),
      root.tag('t1'),
      root.deleteTag('t0')
    ];
    await until(() => store.held.length === 5);
    // the head has moved; readers still see the durable tree
    expect(await snapshot(root)).toEqual({
      ...d0,
      refs: root.blobRefCounts(), // the index already counts the blobs of the batches in flight
      blobCount: root.persistedBlobCount,
      live: root.liveObjectCount()
    });
    expect((await proxy.get()) as Adapter).toEqual(adapter('1'));
    await expectKind(root.get('/adapters/new'), 'KeyError');
    await expectKind(() => root.getProxy('/adapters/new'), 'KeyError');
    expect(root.tags).toEqual(['t0']);
    expect(await root.diff(root.byTag('t0'))).toEqual([]);
    // a transaction forks from the durable root
    const tx = root.openTransaction();
    expect(await adapterIds(root, { txid: tx.txid })).toEqual(['0', '1', '2', '3', '4']);
    tx.cancel();
    // a revision in flight cannot be read by hash until it is durable
    const inFlightHash = store.held[0].batch.root.latest;
    await expectKind(root.get('/', { hash: inFlightHash }), 'KeyError');

    await store.release(1);
    const r1 = await first;
    expect(r1.rootHash).toBe(inFlightHash);
    expect(((await root.get('/adapters/1', { hash: inFlightHash })) as Adapter).config?.logLevel).toBe(9);
    expect(((await proxy.get()) as Adapter).config?.logLevel).toBe(9);
    await expectKind(root.get('/adapters/new'), 'KeyError');
    await store.open();
    await Promise.all(writes);
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', 'new']);
    expect(root.tags).toEqual(['t1']);
    await expectReloadEquals(root, store);
  });

  it('pipelining: a failure of batch k rolls back k..m exactly (state, history, tags, nodes, blob index, transactions)', async () => {
    const store = new GatedStore();
    const root = await ConfigRoot.create(fixtureD(), { store, historySize: 3 });
    for (let i = 0; i < 4; i++)
      await root.update('/adapters/0', Adapter.fromPartial({ id: '0', version: `v${i}` }));
    await root.tag('before', root.revisions[0]);
    const tx = root.openTransaction();
    await tx.update('/adapters/3', adapter('3', 7));
    const proxy1 = root.getProxy('/adapters/1');
    const events: ConfigChangeEvent[] = [];
    root.subscribe((e) => events.push(e));

    // k-1: durable before the failure
    store.gated = true;
    const kMinus1 = root.update('/adapters/2', adapter('2', 5));
    await until(() => store.held.length === 1);
    await store.release();
    await kMinus1;
    const s1 = await snapshot(root);
    const eventsBefore = events.length;
    const blobsBefore = new Map(store.blobs);

    // k..m: every kind of commit, plus outcomes evaluated on the in-flight head
    const failing = [
      root.update('/adapters/1', adapter('1', 9)),
      root.add('/adapters', adapter('new')),
      root.remove('/adapters/4'),
      root.tag('during'),
      root.update('/health', health(HEALTHY)),
      tx.commit(),
      root.update('/adapters/0', Adapter.fromPartial({ id: '0', version: 'evicting' })),
      root.prune(),
      root.deleteTag('before'),
      root.update('/adapters/1', adapter('1', 9)), // a no-op on the head
      root.add('/adapters', adapter('new')) // a duplicate on the head
    ].map(outcome);
    await until(() => store.held.length === 9);
    expect(root.commitsInFlight).toBe(9);
    expect(tx.isOpen).toBe(false);
    store.fail(new Error('disk on fire'));
    const outcomes = await Promise.all(failing);
    for (const o of outcomes) {
      expect(o).toBeInstanceOf(ConfigStoreError);
      expect(o).toMatchObject({ code: 'UNAVAILABLE' });
      expect((o as Error).message).toMatch(/disk on fire/);
    }

    // exactly the state after k-1
    expect(await snapshot(root)).toEqual(s1);
    expect(root.commitsInFlight).toBe(0);
    expect(((await proxy1.get()) as Adapter).config?.logLevel).toBe(3);
    expect(events.length).toBe(eventsBefore);
    expect(store.blobs).toEqual(blobsBefore);
    expect(storedSeq(store)).toBe(s1.seq);
    // the transaction is open again with its branches
    expect(tx.isOpen).toBe(true);
    expect(((await tx.get('/adapters/3')) as Adapter).config?.logLevel).toBe(7);
    expect(root.transactionBranches('/adapters/3')).toEqual([tx.txid]);
    await expectReloadEquals(root, store);

    // later writes build on the restored head
    store.gated = false;
    const again = await root.update('/adapters/1', adapter('1', 9));
    expect(again.seq).toBe(s1.seq + 1);
    await root.add('/adapters', adapter('new'));
    await tx.commit();
    await root.prune();
    expect(await logLevels(root)).toEqual({ '0': 0, '1': 9, '2': 5, '3': 7, '4': 3, new: 3 });
    expect(events.map((e) => e.seq)).toEqual([5, 6, 7, 8]);
    expect(root.transactionBookkeeping()).toEqual({ open: 0, touchedNodes: 0, timers: 0 });
    await expectReloadEquals(root, store);
  });

  it('pipelining: k-1 and k in flight together, k fails: k-1 commits, k..m roll back to it', async () => {
    const store = new GatedStore();
    const root = await ConfigRoot.create(fixtureD(), { store, historySize: 2 });
    const events: number[] = [];
    root.subscribe((e) => events.push(e.seq));
    store.gated = true;
    const a = root.update('/adapters/0', adapter('0', 1));
    const rest = [
      root.update('/adapters/1', adapter('1', 1)),
      root.remove('/adapters/2'),
      root.update('/adapters/0', adapter('0', 3)) // back to a hash the history evicted
    ].map(outcome);
    await until(() => store.held.length === 4);
    await store.release(1);
    const ra = await a;
    store.fail(new Error('lost'));
    for (const o of await Promise.all(rest))
      expect(o).toMatchObject({ kind: 'StoreError', code: 'UNAVAILABLE' });
    expect(root.latestHash).toBe(ra.rootHash);
    expect(root.seq).toBe(1);
    expect(events).toEqual([1]);
    expect(await logLevels(root)).toEqual({ '0': 1, '1': 3, '2': 3, '3': 3, '4': 3 });
    await expectReloadEquals(root, store);
    store.gated = false;
    await root.update('/adapters/0', adapter('0', 3));
    await root.remove('/adapters/2');
    expect(root.seq).toBe(3);
    expect(events).toEqual([1, 2, 3]);
    await expectReloadEquals(root, store);
  });

  it('pipelining: a batch rejected at once (queue full) while earlier ones are in flight; nothing new reaches the store until they settled', async () => {
    const store = new GatedStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    store.gated = true;
    const first = root.update('/adapters/0', adapter('0', 1));
    await until(() => store.held.length === 1);
    store.rejectNextImmediately = new Error('write queue full');
    const second = outcome(root.update('/adapters/1', adapter('1', 1)));
    const third = root.update('/adapters/2', adapter('2', 1));
    await settle();
    await settle();
    // the third was not built on the rejected second: it waits until the failure is processed
    expect(store.held.length).toBe(1);
    await store.release();
    await first;
    expect(await second).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/queue full/) });
    await until(() => store.held.length === 1);
    await store.release();
    const r3 = await third;
    expect(r3.seq).toBe(2);
    expect(await logLevels(root)).toEqual({ '0': 1, '1': 3, '2': 1, '3': 3, '4': 3 });
    await expectReloadEquals(root, store);
  });

  it('pipelining: after a rejection new batches wait until the store settled every batch of the failed ones', async () => {
    const store = new GatedStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    store.gated = true;
    const failing = [
      root.update('/adapters/0', adapter('0', 1)),
      root.update('/adapters/1', adapter('1', 1))
    ].map(outcome);
    await until(() => store.held.length === 2);
    store.fail(new Error('down'), 1); // the second is still running in the store
    const [o1, o2] = await Promise.all(failing);
    expect(o1).toMatchObject({ code: 'UNAVAILABLE' });
    expect(o2).toMatchObject({ code: 'UNAVAILABLE' });
    const later = root.update('/adapters/2', adapter('2', 1));
    await settle();
    await settle();
    expect(store.held.length).toBe(1);
    store.fail(new Error('down'));
    await until(() => store.held.length === 1);
    expect(store.held[0].batch.root.seq).toBe(1);
    await store.release();
    expect((await later).seq).toBe(1);
    await expectReloadEquals(root, store);
  });

  it('pipelining: event listeners may start writes; the mutation resolves after they are durable', async () => {
    const store = new GroupingStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    const seen: number[] = [];
    let n = 0;
    root.subscribe((e) => {
      seen.push(e.seq);
      if (e.type === 'add') void root.update('/health', health(n++ % 2 ? HEALTHY : OVERLOADED));
    });
    const results = await Promise.all(range(8).map((i) => root.add('/adapters', adapter(`x${i}`))));
    // each add resolved only after the health update its listener started was durable
    const durable = root.seq;
    expect(durable).toBe(16);
    expect(results.map((r) => r.seq)).toEqual(range(8, 1));
    expect(seen).toEqual(range(16, 1));
    expect(store.maxPending).toBeGreaterThan(1);
    await expectReloadEquals(root, store);
  });

  it('pipelining: mutations with POST callbacks, or nested in callbacks, fall back to one batch in flight', async () => {
    const store = new GroupingStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    const order: string[] = [];
    let n = 0;
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, async (a: Adapter) => {
      order.push(`post ${a.id}`);
      // nested: applied before the add resolves
      await root.update('/health', health(n++ % 2 ? HEALTHY : OVERLOADED));
      order.push(`nested done ${a.id}`);
    });
    root.subscribe((e) => order.push(`event ${e.seq}`));
    const adds = range(5).map((i) =>
      root.add('/adapters', adapter(`p${i}`)).then(() => order.push(`add ${i}`))
    );
    await Promise.all(adds);
    expect(store.maxPending).toBe(1);
    expect(order.slice(0, 5)).toEqual(['event 1', 'post p0', 'event 2', 'nested done p0', 'add 0']);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(OVERLOADED);
    expect(root.seq).toBe(10);

    // writes that do not announce to the proxy pipeline around it, in commit order
    store.maxPending = 0;
    const mixed = await Promise.all([
      root.update('/adapters/0', adapter('0', 1)),
      root.update('/adapters/1', adapter('1', 1)),
      root.add('/adapters', adapter('q')),
      root.update('/adapters/2', adapter('2', 1)),
      root.update('/adapters/3', adapter('3', 1))
    ]);
    // the add of q ran its POST_ADD (and the nested health update, seq 14) before the later updates
    expect(mixed.map((r) => r.seq)).toEqual([11, 12, 13, 15, 16]);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(HEALTHY);
    expect(store.maxPending).toBeGreaterThan(1);
    await expectReloadEquals(root, store);
  });

  it('pipelining: transaction commits pipeline; a conflict found on commits in flight waits for them and fails with them', async () => {
    const store = new GatedStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    const txs: Transaction[] = [];
    for (let i = 0; i < 4; i++) {
      const tx = root.openTransaction();
      await tx.add('/adapters', adapter(`t${i}`));
      txs.push(tx);
    }
    const clash = root.openTransaction();
    await clash.add('/adapters', adapter('t0', 9)); // conflicts with txs[0]
    store.gated = true;
    const commits = txs.map((tx) => tx.commit());
    const conflict = outcome(clash.commit());
    await until(() => store.held.length === 4);
    await settle();
    let reported = false;
    void conflict.then(() => (reported = true));
    await settle();
    expect(reported).toBe(false); // evaluated on commits in flight: reported once they are durable
    await store.release();
    expect((await Promise.all(commits)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(await conflict).toMatchObject({ kind: 'MergeConflictError' });
    expect(clash.isOpen).toBe(false);
    expect(root.transactionBookkeeping()).toEqual({ open: 0, touchedNodes: 0, timers: 0 });

    // the same with the commits in flight failing: every transaction is open again
    const a = root.openTransaction();
    await a.update('/adapters/t1', adapter('t1', 1));
    const b = root.openTransaction();
    await b.update('/adapters/t1', adapter('t1', 2));
    const c = root.openTransaction(); // empty
    store.gated = true;
    const failing = [a.commit(), b.commit(), c.commit()].map(outcome);
    await until(() => store.held.length === 1);
    store.fail(new Error('gone'));
    for (const o of await Promise.all(failing)) expect(o).toMatchObject({ code: 'UNAVAILABLE' });
    expect([a.isOpen, b.isOpen, c.isOpen]).toEqual([true, true, true]);
    expect(root.transactionBranches('/adapters/t1').sort()).toEqual([a.txid, b.txid].sort());
    store.gated = false;
    await a.commit();
    await expectKind(b.commit(), 'MergeConflictError');
    await c.commit();
    expect(root.transactionBookkeeping()).toEqual({ open: 0, touchedNodes: 0, timers: 0 });
    await expectReloadEquals(root, store);
  });

  it('pipelining: a no-op or an error evaluated on commits in flight is reported after them', async () => {
    const store = new GatedStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    store.gated = true;
    const add = root.add('/adapters', adapter('x'));
    let noopDone = false;
    const noop = root.add('/adapters', adapter('x')).catch((e: unknown) => {
      noopDone = true;
      return e;
    });
    await until(() => store.held.length === 1);
    await settle();
    expect(noopDone).toBe(false);
    await store.release();
    await add;
    expect(await noop).toMatchObject({ kind: 'ValueError' });
    // writes inside a transaction never wait for main's commits
    const tx = root.openTransaction();
    const inFlight = root.update('/adapters/x', adapter('x', 1));
    await until(() => store.held.length === 1);
    await tx.update('/adapters/0', adapter('0', 0));
    await expectKind(tx.update('/adapters/nope', adapter('nope')), 'KeyError');
    await store.open();
    await inFlight;
    await tx.commit();
    await expectReloadEquals(root, store);
  });

  it('pipelining: close() waits for the commits in flight', async () => {
    const store = new GatedStore();
    const root = await ConfigRoot.create(fixtureD(), { store });
    store.gated = true;
    const writes = range(5).map((i) => root.update(`/adapters/${i}`, adapter(`${i}`, 0)));
    await until(() => store.held.length === 5);
    let closed = false;
    const closing = root.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    await store.release();
    await closing;
    expect((await Promise.all(writes)).map((r) => r.seq)).toEqual(range(5, 1));
    await expectKind(root.update('/adapters/0', adapter('0', 1)), 'AssertionError');
    await expectReloadEquals(root, store);
  });
});

describe('re-entrancy guarantees with a store (pipelining active)', () => {
  let store: GroupingStore;
  let root: ConfigRoot;
  beforeEach(async () => {
    store = new GroupingStore();
    root = await ConfigRoot.create(fixtureD(), { store });
  });
  afterEach(async () => {
    await expectReloadEquals(root, store);
  });

  it('case 76 with a store: a POST_ADD callback that updates /health succeeds before the add returns', async () => {
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, async () => {
      await root.update('/health', health(HEALTHY));
    });
    const r = await root.add('/adapters', adapter('x'));
    expect(r.seq).toBe(1);
    expect(root.seq).toBe(2);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(HEALTHY);
  });

  it('case 90 with a store: writes from POST callbacks of a transaction commit, awaited or not', async () => {
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, (a: Adapter) => {
      if (a.id.startsWith('n'))
        return root.update(`/adapters/${a.id}`, Adapter.fromPartial({ ...a, version: 'seen' }));
      void root.update(`/adapters/${a.id}`, Adapter.fromPartial({ ...a, version: 'fire-and-forget' }));
    });
    const tx = root.openTransaction();
    await tx.add('/adapters', adapter('n1'));
    await tx.add('/adapters', adapter('m2'));
    // pipelined writes queued meanwhile do not overtake the commit or its nested writes
    const others = [root.update('/adapters/0', adapter('0', 0)), tx.commit()];
    await Promise.all(others);
    expect(((await root.get('/adapters/n1')) as Adapter).version).toBe('seen');
    expect(((await root.get('/adapters/m2')) as Adapter).version).toBe('fire-and-forget');
    expect(root.seq).toBe(4);
  });

  it('a PRE callback may await a write; the outer mutation (pipelined) applies on top of it', async () => {
    root.getProxy('/').registerCallback(CallbackType.PRE_ADD, async () => {
      await root.update('/health', health(OVERLOADED));
    });
    const results = await Promise.all([
      root.add('/adapters', adapter('y')),
      root.update('/adapters/0', adapter('0', 1))
    ]);
    expect(results.map((r) => r.seq)).toEqual([2, 3]);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(OVERLOADED);
    expect(await adapterIds(root)).toContain('y');
  });

  it('a top-level caller arriving during a POST callback waits for the whole outer mutation', async () => {
    const order: string[] = [];
    let inCallback!: () => void;
    const entered = new Promise<void>((r) => (inCallback = r));
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, async () => {
      inCallback();
      await new Promise((r) => setTimeout(r, 5));
      await root.update('/health', health(OVERLOADED));
      order.push('outer-callback-done');
    });
    const outer = root.add('/adapters', adapter('o')).then(() => order.push('outer-resolved'));
    await entered;
    const later = root.update('/health', health(HEALTHY)).then(() => order.push('top-level-resolved'));
    await Promise.all([outer, later]);
    expect(order).toEqual(['outer-callback-done', 'outer-resolved', 'top-level-resolved']);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(HEALTHY);
  });
});
