import {
  Adapter,
  HealthStatus,
  LogicalDevice,
  LogicalPort,
  ofpFlowStats,
  VolthaInstance
} from '@voltha/proto';

import { CallbackType, ConfigChangeEvent, ConfigRoot, Transaction } from '../src';
import {
  adapter,
  adapterIds,
  expectKind,
  health,
  HEALTHY,
  logicalDevice,
  logLevels,
  OVERLOADED,
  rootD,
  tick,
  withLogLevel
} from './support/fixtures';

async function setLogLevel(tx: Transaction, path: string, level: number): Promise<void> {
  const a = (await tx.get(path)) as Adapter;
  await tx.update(path, withLogLevel(a, level));
}

describe('transactions (fixture D)', () => {
  let root: ConfigRoot;
  beforeEach(async () => {
    root = await rootD();
  });
  afterEach(() => {
    // No transaction branch may remain on any reachable node once a test settled its transactions.
    const open = root.transactionIds;
    for (const txid of open) root.cancelTransaction(txid);
    expect(root.transactionBookkeeping()).toEqual({ open: 0, touchedNodes: 0, timers: 0 });
  });

  it('case 39: [test_transaction_isolation] tx branches appear where the tx writes; changes are isolated', async () => {
    const proxy = root.getProxy('/');
    const h = root.latestHash;
    const tx = proxy.openTransaction();
    expect(root.transactionBranches('/')).toEqual([tx.txid]);
    expect(root.transactionBranches('/adapters/2')).toEqual([]);
    await setLogLevel(tx, '/adapters/2', 0);
    expect(root.transactionBranches('/adapters/2')).toEqual([tx.txid]);
    expect(root.transactionBranches('/adapters/1')).toEqual([]);
    expect(((await tx.get('/adapters/2')) as Adapter).config?.logLevel).toBe(0);
    expect(root.latestHash).toBe(h);
    expect(((await proxy.get('/adapters/2')) as Adapter).config?.logLevel).toBe(3);
    expect(((await root.get('/adapters/2')) as Adapter).config?.logLevel).toBe(3);
    tx.cancel();
  });

  it('case 40: [test_cannot_reuse_tx] a cancelled transaction cannot be used', async () => {
    const tx = root.openTransaction();
    tx.cancel();
    await expectKind(tx.get('/'), 'ClosedTransactionError');
    await expectKind(tx.add('/adapters', adapter('x')), 'ClosedTransactionError');
    await expectKind(tx.remove('/adapters/1'), 'ClosedTransactionError');
    await expectKind(tx.update('/adapters/1', adapter('1')), 'ClosedTransactionError');
    const e = await expectKind(tx.commit(), 'ClosedTransactionError');
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(() => tx.cancel()).toThrow(expect.objectContaining({ kind: 'ClosedTransactionError' }));
  });

  it('case 41: [test_multiple_concurrent_transactions] each tx sees only its own change', async () => {
    const h = root.latestHash;
    const txs = [root.openTransaction(), root.openTransaction(), root.openTransaction()];
    for (let i = 0; i < 3; i++) await setLogLevel(txs[i], '/adapters/2', i);
    for (let i = 0; i < 3; i++)
      expect(((await txs[i].get('/adapters/2')) as Adapter).config?.logLevel).toBe(i);
    expect(((await root.get('/adapters/2')) as Adapter).config?.logLevel).toBe(3);
    expect(root.latestHash).toBe(h);
    for (const t of txs) t.cancel();
  });

  it('case 42: [test_transaction_canceling] an abandoned transaction is cancelled by the idle timeout', async () => {
    const warn = jest.fn();
    const r = await rootD({ transactionIdleTimeoutMs: 150, logger: { warn } });
    const tx = r.openTransaction();
    await setLogLevel(tx, '/adapters/2', 0);
    expect(r.transactionBranches('/adapters/2')).toEqual([tx.txid]);
    await tick(60);
    await tx.get('/'); // activity restarts the idle timer
    await tick(60);
    expect(tx.isOpen).toBe(true);
    await tick(250);
    expect(tx.isOpen).toBe(false);
    expect(r.transactionBranches('/')).toEqual([]);
    expect(r.transactionBranches('/adapters/2')).toEqual([]);
    expect(r.transactionBookkeeping()).toEqual({ open: 0, touchedNodes: 0, timers: 0 });
    expect(warn).toHaveBeenCalledWith('transaction-expired', expect.objectContaining({ txid: tx.txid }));
    await expectKind(tx.commit(), 'ClosedTransactionError');
    // dispose() is the deterministic way to drop a transaction (e.g. in a finally block).
    const tx2 = r.openTransaction({ idleTimeoutMs: 0 });
    expect(r.transactionBookkeeping().timers).toBe(0);
    tx2.dispose();
    tx2.dispose();
    expect(r.transactionIds).toEqual([]);
  });

  it('case 43: [test_transaction_explitic_canceling] cancel removes the root and adapter branches', async () => {
    const tx = root.openTransaction();
    await setLogLevel(tx, '/adapters/2', 0);
    expect(root.transactionBranches('/')).toEqual([tx.txid]);
    tx.cancel();
    expect(root.transactionBranches('/')).toEqual([]);
    expect(root.transactionBranches('/adapters/2')).toEqual([]);
  });

  it('case 44: [test_transaction_commit] committed changes are visible everywhere', async () => {
    const proxy = root.getProxy('/');
    const tx = proxy.openTransaction();
    await setLogLevel(tx, '/adapters/2', 0);
    await tx.commit();
    expect(((await proxy.get('/adapters/2')) as Adapter).config?.logLevel).toBe(0);
    expect(((await root.get('/adapters/2')) as Adapter).config?.logLevel).toBe(0);
    expect(root.transactionBranches('/')).toEqual([]);
    expect(root.transactionBranches('/adapters/2')).toEqual([]);
  });

  it('case 45: [test_collision_detection] the second of two conflicting commits fails', async () => {
    const tx1 = root.openTransaction();
    const tx2 = root.openTransaction();
    await setLogLevel(tx1, '/adapters/2', 0);
    await setLogLevel(tx2, '/adapters/2', 4);
    await tx1.commit();
    const e = await expectKind(tx2.commit(), 'MergeConflictError');
    expect(e.code).toBe('ABORTED');
    expect(tx2.isOpen).toBe(false);
    expect(root.transactionIds).toEqual([]);
    expect((await logLevels(root))['2']).toBe(0);
  });

  it('case 46: [test_nonconfliciting_changes] changes to different nodes both commit', async () => {
    const tx1 = root.openTransaction();
    const tx2 = root.openTransaction();
    await setLogLevel(tx1, '/adapters/1', 1);
    await setLogLevel(tx2, '/adapters/2', 2);
    await tx1.commit();
    await tx2.commit();
    expect(await logLevels(root)).toEqual({ 0: 3, 1: 1, 2: 2, 3: 3, 4: 3 });
  });

  it('case 47: [test_additive_changes] adds are invisible outside until commit, then appended in order', async () => {
    const tx = root.openTransaction();
    await tx.add('/adapters', adapter('new'));
    await tx.add('/adapters', adapter('new2'));
    expect(await root.get('/adapters')).toHaveLength(5);
    expect(await tx.get('/adapters')).toHaveLength(7);
    await tx.commit();
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4', 'new', 'new2']);
  });

  it('case 48: [test_remove_changes] removes inside a transaction', async () => {
    const tx = root.openTransaction();
    await tx.remove('/adapters/2');
    await tx.remove('/adapters/4');
    expect(await root.get('/adapters')).toHaveLength(5);
    expect(await tx.get('/adapters')).toHaveLength(3);
    await tx.commit();
    expect(await adapterIds(root)).toEqual(['0', '1', '3']);
  });

  it('case 49: [test_mixed_add_remove_update_changes] mixed changes in one transaction', async () => {
    const tx = root.openTransaction();
    await setLogLevel(tx, '/adapters/2', 2);
    await tx.remove('/adapters/0');
    await tx.add('/adapters', adapter('new', 0));
    await tx.remove('/adapters/4');
    await tx.add('/adapters', adapter('new2', 0));
    await tx.add('/adapters', adapter('new3', 0));
    expect(await tx.get('/adapters')).toHaveLength(6);
    await tx.commit();
    expect(await logLevels(root)).toEqual({ 1: 3, 2: 2, 3: 3, new: 0, new2: 0, new3: 0 });
  });

  it('case 50: [test_compatible_updates] identical changes merge, different ones conflict', async () => {
    const txs = [1, 2, 3, 4, 5].map(() => root.openTransaction());
    await txs[0].update('/health', health(OVERLOADED));
    await txs[1].update('/adapters/1', Adapter.fromPartial({ ...adapter('1'), version: '42' }));
    await setLogLevel(txs[2], '/adapters/2', 2);
    await txs[3].update('/adapters/1', Adapter.fromPartial({ ...adapter('1'), version: '42' }));
    await txs[4].update('/adapters/1', Adapter.fromPartial({ ...adapter('1'), version: '422' }));
    for (let i = 0; i < 4; i++) await txs[i].commit();
    await expectKind(txs[4].commit(), 'MergeConflictError');
    expect(((await root.get('/health')) as HealthStatus).state).toBe(OVERLOADED);
    expect(((await root.get('/adapters/1')) as Adapter).version).toBe('42');
    expect(await logLevels(root)).toEqual({ 0: 3, 1: 3, 2: 2, 3: 3, 4: 3 });
  });

  it('case 51: [test_conflciting_updates] different fields of the same node conflict', async () => {
    const tx2 = root.openTransaction();
    const tx3 = root.openTransaction();
    await tx2.update('/adapters/1', Adapter.fromPartial({ ...adapter('1'), version: '42' }));
    await setLogLevel(tx3, '/adapters/1', 0);
    await tx2.commit();
    await expectKind(tx3.commit(), 'MergeConflictError');
  });

  it('case 52: [test_compatible_adds] adds of different keys all commit in order', async () => {
    const txs = [1, 2, 3].map(() => root.openTransaction());
    for (let i = 0; i < 3; i++) await txs[i].add('/adapters', adapter(`new${i + 1}`));
    for (const t of txs) await t.commit();
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4', 'new1', 'new2', 'new3']);
  });

  it('case 53: [test_colliding_adds] the same key added with different content conflicts', async () => {
    const txs = [1, 2, 3, 4].map(() => root.openTransaction());
    await txs[0].add('/adapters', adapter('new1'));
    await txs[1].add('/adapters', adapter('new2'));
    await txs[2].add('/adapters', Adapter.fromPartial({ ...adapter('new1'), version: 'foobar' }));
    await txs[3].add('/adapters', adapter('new1'));
    await txs[0].commit();
    await txs[1].commit();
    await expectKind(txs[2].commit(), 'MergeConflictError');
    await txs[3].commit();
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4', 'new1', 'new2']);
  });

  it('case 54: [test_compatible_removes] removes of the same or different keys all commit', async () => {
    const txs = [1, 2, 3].map(() => root.openTransaction());
    await txs[0].remove('/adapters/0');
    await txs[1].remove('/adapters/3');
    await txs[2].remove('/adapters/0');
    for (const t of txs) await t.commit();
    expect(await adapterIds(root)).toEqual(['1', '2', '4']);
  });

  it('case 55: [test_update_remove_conflict] update vs remove conflicts', async () => {
    const [tx1, tx2, tx3] = [1, 2, 3].map(() => root.openTransaction());
    await setLogLevel(tx1, '/adapters/0', 1);
    await tx1.remove('/adapters/1');
    await setLogLevel(tx2, '/adapters/1', 1);
    await tx3.remove('/adapters/0');
    await tx1.commit();
    await expectKind(tx2.commit(), 'MergeConflictError');
    await expectKind(tx3.commit(), 'MergeConflictError');
    expect(await adapterIds(root)).toEqual(['0', '2', '3', '4']);
  });

  it('case 56: [test_compatible_update_remove_mix] unrelated updates and removes commit', async () => {
    const [tx1, tx2, tx3] = [1, 2, 3].map(() => root.openTransaction());
    await setLogLevel(tx1, '/adapters/0', 1);
    await tx1.remove('/adapters/1');
    await setLogLevel(tx2, '/adapters/2', 1);
    await tx3.remove('/adapters/3');
    await tx1.commit();
    await tx2.commit();
    await tx3.commit();
    expect(await adapterIds(root)).toEqual(['0', '2', '4']);
  });

  it('case 57: [test_update_add_mix] updates and adds commit', async () => {
    const [tx1, tx2, tx3] = [1, 2, 3].map(() => root.openTransaction());
    await setLogLevel(tx1, '/adapters/0', 1);
    await setLogLevel(tx1, '/adapters/2', 1);
    await tx2.add('/adapters', adapter('new1'));
    await tx3.add('/adapters', adapter('new2'));
    await tx1.commit();
    await tx2.commit();
    await tx3.commit();
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4', 'new1', 'new2']);
  });

  it('case 58: [test_remove_add_mix] removes and adds commit', async () => {
    const [tx1, tx2, tx3] = [1, 2, 3].map(() => root.openTransaction());
    await tx1.remove('/adapters/0');
    await tx1.remove('/adapters/4');
    await tx2.add('/adapters', adapter('new1'));
    await tx3.add('/adapters', adapter('new2'));
    await tx1.commit();
    await tx2.commit();
    await tx3.commit();
    expect(await adapterIds(root)).toEqual(['1', '2', '3', 'new1', 'new2']);
  });

  /** The `make_complex_changes` scenario of 1.x. */
  async function makeComplexChanges(): Promise<Transaction[]> {
    const rootProxy = root.getProxy('/');
    const tx1 = rootProxy.openTransaction();
    const tx2 = rootProxy.openTransaction();
    const tx3 = root.getProxy('/').openTransaction();
    const p0 = root.getProxy('/adapters/0');
    const p1 = root.getProxy('/adapters/1');
    const tx4 = p0.openTransaction();
    const tx5 = p1.openTransaction();
    await setLogLevel(tx1, '/adapters/0', 1);
    await tx1.add('/adapters', adapter('new1', 0));
    await tx1.remove('/adapters/2');
    await setLogLevel(tx2, '/adapters/3', 0);
    await setLogLevel(tx3, '/adapters/1', 1);
    const a0 = (await tx4.get('/')) as Adapter;
    await tx4.update('/', withLogLevel(Adapter.fromPartial({ ...a0, version: 'zulu' }), 0));
    const a1 = (await tx5.get('/')) as Adapter;
    await tx5.update('/', withLogLevel(Adapter.fromPartial({ ...a1, version: 'brand new' }), 4));
    await tx2.add('/adapters', adapter('new2', 0));
    return [tx1, tx2, tx3, tx4, tx5];
  }

  it('case 59: [test_complex_changes_seq1] commit order 1,2,3 then 4,5 conflict', async () => {
    const [tx1, tx2, tx3, tx4, tx5] = await makeComplexChanges();
    await tx1.commit();
    await tx2.commit();
    await tx3.commit();
    await expectKind(tx4.commit(), 'MergeConflictError');
    await expectKind(tx5.commit(), 'MergeConflictError');
    expect(await logLevels(root)).toEqual({ 0: 1, 1: 1, 3: 0, 4: 3, new1: 0, new2: 0 });
  });

  it('case 60: [test_complex_changes_seq2] commit order 5,4 then 3 conflicts, 2 ok, 1 conflicts', async () => {
    const [tx1, tx2, tx3, tx4, tx5] = await makeComplexChanges();
    await tx5.commit();
    await tx4.commit();
    await expectKind(tx3.commit(), 'MergeConflictError');
    await tx2.commit();
    await expectKind(tx1.commit(), 'MergeConflictError');
    expect(await logLevels(root)).toEqual({ 0: 0, 1: 4, 2: 3, 3: 0, 4: 3, new2: 0 });
  });

  it('case 61: [test_complex_changes_seq3] commit order 4,3,2 then 1 and 5 conflict', async () => {
    const [tx1, tx2, tx3, tx4, tx5] = await makeComplexChanges();
    await tx4.commit();
    await tx3.commit();
    await tx2.commit();
    await expectKind(tx1.commit(), 'MergeConflictError');
    await expectKind(tx5.commit(), 'MergeConflictError');
    expect(await logLevels(root)).toEqual({ 0: 0, 1: 1, 2: 3, 3: 0, 4: 3, new2: 0 });
  });

  it('case 62: [test_canceling_adds] cancelled adds leave the tree unchanged', async () => {
    const tx = root.openTransaction();
    await tx.add('/adapters', adapter('new1'));
    await tx.add('/adapters', adapter('new2'));
    tx.cancel();
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4']);
  });

  it('case 63: [test_nested_adds] transactions on sub-node proxies add ports', async () => {
    await root.add('/logical_devices', logicalDevice('0'));
    await root.add('/logical_devices', logicalDevice('1'));
    const tx0 = root.getProxy('/logical_devices/0').openTransaction();
    const tx1 = root.getProxy('/logical_devices/1').openTransaction();
    await tx0.add('/ports', LogicalPort.fromPartial({ id: '0' }));
    await tx0.add('/ports', LogicalPort.fromPartial({ id: '1' }));
    await tx1.add('/ports', LogicalPort.fromPartial({ id: '0' }));
    expect(await tx0.get('/ports')).toHaveLength(2);
    expect(await root.get('/logical_devices/0/ports')).toHaveLength(0);
    expect(await root.get('/logical_devices/1/ports')).toHaveLength(0);
    await tx0.commit();
    expect(await root.get('/logical_devices/0/ports')).toHaveLength(2);
    expect(await root.get('/logical_devices/1/ports')).toHaveLength(0);
    await tx1.commit();
    expect(await root.get('/logical_devices/0/ports')).toHaveLength(2);
    expect(await root.get('/logical_devices/1/ports')).toHaveLength(1);
  });

  it('case 64: [test_nested_removes] two transactions remove different ports', async () => {
    await root.add('/logical_devices', logicalDevice('0'));
    const setup = root.getProxy('/logical_devices/0').openTransaction();
    for (let i = 0; i < 10; i++) {
      await setup.add('/ports', LogicalPort.fromPartial({ id: String(i), ofpPort: { portNo: i } }));
    }
    await setup.commit();
    const tx0 = root.getProxy('/logical_devices/0').openTransaction();
    const tx1 = root.getProxy('/logical_devices/0').openTransaction();
    await tx0.remove('/ports/0');
    await tx0.remove('/ports/5');
    await tx1.remove('/ports/2');
    await tx1.remove('/ports/7');
    await tx0.commit();
    await tx1.commit();
    const ports = (await root.get('/logical_devices/0/ports')) as LogicalPort[];
    expect(ports.map((p) => p.ofpPort?.portNo)).toEqual([1, 3, 4, 6, 8, 9]);
  });

  it('case 65: [test_transactions_defer_post_op_callbacks] PRE_* fire at once, POST_* at commit', async () => {
    const proxy = root.getProxy('/');
    const calls: Record<string, unknown[]> = {};
    for (const t of [
      'PRE_UPDATE',
      'POST_UPDATE',
      'PRE_ADD',
      'POST_ADD',
      'PRE_REMOVE',
      'POST_REMOVE'
    ] as const) {
      calls[t] = [];
      proxy.registerCallback(CallbackType[t], (d: unknown) => void calls[t].push(d));
    }
    const events: ConfigChangeEvent[] = [];
    root.subscribe((e) => events.push(e));
    const removed = await root.get('/adapters/1');
    const tx = proxy.openTransaction();
    const v = VolthaInstance.fromPartial({ instanceId: '1', version: '42' });
    await tx.update('/', v);
    await tx.remove('/adapters/1');
    const ld = LogicalDevice.fromPartial({ id: '1' });
    await tx.add('/logical_devices', ld);
    expect(calls.PRE_UPDATE).toEqual([v]);
    expect(calls.PRE_REMOVE).toEqual([removed]);
    expect(calls.PRE_ADD).toEqual([ld]);
    expect(calls.POST_UPDATE).toEqual([]);
    expect(calls.POST_ADD).toEqual([]);
    expect(calls.POST_REMOVE).toEqual([]);
    expect(events).toEqual([]);
    await tx.commit();
    expect(calls.POST_UPDATE).toEqual([v]);
    expect(calls.POST_REMOVE).toEqual([removed]);
    expect(calls.POST_ADD).toHaveLength(1);
    expect(calls.POST_ADD[0]).toMatchObject({ $type: 'voltha.LogicalDevice', id: '1' });
    expect(events.map((e) => e.type).sort()).toEqual(['add', 'remove', 'update']);
    expect(new Set(events.map((e) => e.seq))).toEqual(new Set([root.seq]));
  });

  it('case 79: committing an empty transaction changes nothing', async () => {
    const h = root.latestHash;
    const n = root.revisions.length;
    const seq = root.seq;
    const tx = root.openTransaction();
    const res = await tx.commit();
    expect(res.rootHash).toBe(h);
    expect(root.latestHash).toBe(h);
    expect(root.revisions).toHaveLength(n);
    expect(root.seq).toBe(seq);
    // A transaction whose writes were all no-ops is also empty.
    const tx2 = root.openTransaction();
    await tx2.update('/adapters/1', adapter('1'));
    await tx2.commit();
    expect(root.revisions).toHaveLength(n);
  });

  it('case 80: merge is per-node 3-way: main changing root-local fields no longer conflicts (deliberate relaxation)', async () => {
    const tx = root.openTransaction();
    await setLogLevel(tx, '/adapters/1', 0);
    await root.update('/', VolthaInstance.fromPartial({ instanceId: '1', version: 'main' }));
    await tx.commit();
    expect(((await root.get('/')) as VolthaInstance).version).toBe('main');
    expect((await logLevels(root))['1']).toBe(0);
    // The original's other half: main updating /health.
    const tx2 = root.openTransaction();
    await setLogLevel(tx2, '/adapters/2', 0);
    await root.update('/health', health(HEALTHY));
    await tx2.commit();
    expect((await logLevels(root))['2']).toBe(0);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(HEALTHY);
    // Both sides changing the same node-local data still conflicts.
    const tx3 = root.openTransaction();
    await tx3.update('/', VolthaInstance.fromPartial({ instanceId: '1', version: 'tx' }));
    await root.update('/', VolthaInstance.fromPartial({ instanceId: '1', version: 'main2' }));
    const e = await expectKind(tx3.commit(), 'MergeConflictError');
    expect(e.message).toMatch(/Config collision/);
  });

  it('case 89: committed transactions leave no bookkeeping, even for nodes updated then removed', async () => {
    for (let i = 0; i < 20; i++) {
      const tx = root.openTransaction();
      await tx.add('/adapters', adapter(`t${i}`));
      await setLogLevel(tx, '/adapters/1', i % 5);
      await tx.update(`/adapters/t${i}`, adapter(`t${i}`, 1));
      await tx.remove(`/adapters/t${i}`);
      await tx.update('/health', health(i % 2 ? HEALTHY : OVERLOADED));
      expect(root.transactionBookkeeping().open).toBe(1);
      await tx.commit();
      expect(root.transactionBookkeeping()).toEqual({ open: 0, touchedNodes: 0, timers: 0 });
    }
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4']);
  });

  it('case 93: a transaction may add a node and then update it and add/remove its children', async () => {
    const tx = root.openTransaction();
    await tx.add('/logical_devices', logicalDevice('ld', ['p1', 'p2']));
    await tx.update('/logical_devices/ld', LogicalDevice.fromPartial({ id: 'ld', rootDeviceId: 'olt' }));
    await tx.add('/logical_devices/ld/ports', LogicalPort.fromPartial({ id: 'p3' }));
    await tx.remove('/logical_devices/ld/ports/p1');
    await tx.update('/logical_devices/ld/ports/p2', LogicalPort.fromPartial({ id: 'p2', deviceId: 'dev' }));
    await tx.commit();
    const ld = (await root.get('/logical_devices/ld', { deep: true })) as LogicalDevice;
    expect(ld.rootDeviceId).toBe('olt');
    expect(ld.ports.map((p) => [p.id, p.deviceId])).toEqual([
      ['p2', 'dev'],
      ['p3', '']
    ]);
    expect(root.getProxy('/logical_devices/ld/ports/p2')).toBeDefined();
  });

  it('case 94: merge removes by key, never by stale position', async () => {
    const r = await rootD();
    await r.remove('/adapters/2');
    await r.remove('/adapters/3');
    await r.remove('/adapters/4');
    await r.remove('/adapters/0');
    // fork = [1, B]; call them A='1', B='b'
    await r.add('/adapters', adapter('b'));
    const tx = r.openTransaction();
    await tx.remove('/adapters/1');
    await tx.remove('/adapters/b');
    // main: remove A, re-add A (identical), add C
    await r.remove('/adapters/1');
    await r.add('/adapters', adapter('1'));
    await r.add('/adapters', adapter('c'));
    expect(await adapterIds(r)).toEqual(['b', '1', 'c']);
    await tx.commit();
    expect(await adapterIds(r)).toEqual(['c']);
    // With A re-added with different content the commit reports a conflict instead.
    const r2 = await rootD();
    const tx2 = r2.openTransaction();
    await tx2.remove('/adapters/1');
    await tx2.remove('/adapters/2');
    await r2.remove('/adapters/1');
    await r2.add('/adapters', adapter('1', 0));
    await expectKind(tx2.commit(), 'MergeConflictError');
    expect(await adapterIds(r2)).toEqual(['0', '2', '3', '4', '1']);
  });

  it('case 95: singular children merge by value', async () => {
    const tx1 = root.openTransaction();
    const tx2 = root.openTransaction();
    await tx1.update('/health', health(OVERLOADED));
    await tx2.update('/health', health(OVERLOADED));
    await tx1.commit();
    const h = root.latestHash;
    await tx2.commit();
    expect(root.latestHash).toBe(h);
    const tx3 = root.openTransaction();
    const tx4 = root.openTransaction();
    await tx3.update('/health', health(HEALTHY));
    await tx4.update('/health', health(OVERLOADED + 1));
    await tx3.commit();
    await expectKind(tx4.commit(), 'MergeConflictError');
  });

  it("case 96: a commit never reverts main's changes to nodes the transaction did not change", async () => {
    await root.add('/logical_devices', logicalDevice('ld', ['p1']));
    const tx = root.openTransaction();
    // main changes adapter 1 before the transaction first touches anything
    await root.update('/adapters/1', adapter('1', 0));
    // the transaction touches adapter 2 and the logical device (adds a port)
    await setLogLevel(tx, '/adapters/2', 1);
    await tx.add('/logical_devices/ld/ports', LogicalPort.fromPartial({ id: 'p2' }));
    // main changes nodes after the transaction touched their ancestors: root-local data, health, an existing
    // port of the touched logical device, the logical device's flows holder, and adds an adapter
    await root.update('/', VolthaInstance.fromPartial({ instanceId: '1', version: 'main' }));
    await root.update('/health', health(HEALTHY));
    await root.update(
      '/logical_devices/ld/ports/p1',
      LogicalPort.fromPartial({ id: 'p1', deviceId: 'main' })
    );
    await root.add('/logical_devices/ld/flows/items', ofpFlowStats.fromPartial({ id: '77' }));
    await root.add('/adapters', adapter('m'));
    await tx.commit();
    const deep = (await root.get('/', { deep: true })) as VolthaInstance;
    expect(deep.version).toBe('main');
    expect(deep.health?.state).toBe(HEALTHY);
    expect(deep.adapters.map((a) => [a.id, a.config?.logLevel])).toEqual([
      ['0', 3],
      ['1', 0],
      ['2', 1],
      ['3', 3],
      ['4', 3],
      ['m', 3]
    ]);
    const ld = deep.logicalDevices[0];
    expect(ld.ports.map((p) => [p.id, p.deviceId])).toEqual([
      ['p1', 'main'],
      ['p2', '']
    ]);
    expect(ld.flows?.items.map((f) => f.id)).toEqual(['77']);
  });

  it('the txid API: commit and cancel by id; unknown ids are NOT_FOUND', async () => {
    const tx = root.openTransaction();
    await root.update('/adapters/1', adapter('1', 1), { txid: tx.txid });
    expect(((await root.get('/adapters/1', { txid: tx.txid })) as Adapter).config?.logLevel).toBe(1);
    expect(root.nodeHash('/adapters/1', { txid: tx.txid })).not.toBe(root.nodeHash('/adapters/1'));
    const res = await root.commitTransaction(tx.txid);
    expect(res.rootHash).toBe(root.latestHash);
    expect((await logLevels(root))['1']).toBe(1);
    const e = await expectKind(root.commitTransaction(tx.txid), 'KeyError');
    expect(e.code).toBe('NOT_FOUND');
    expect(() => root.cancelTransaction('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    await expectKind(root.update('/adapters/1', adapter('1'), { txid: 'nope' }), 'KeyError');
    // reads with an unknown txid fall back to committed data (1.x)
    expect(((await root.get('/adapters/1', { txid: 'nope' })) as Adapter).config?.logLevel).toBe(1);
  });

  it('reads through a sub-node proxy see committed data until the transaction touches the node', async () => {
    const p2 = root.getProxy('/adapters/2');
    const tx = root.openTransaction();
    await root.update('/adapters/2', adapter('2', 4));
    expect(((await p2.get('/', { txid: tx.txid })) as Adapter).config?.logLevel).toBe(4);
    // the root head is the snapshot at open
    expect(((await tx.get('/adapters/2')) as Adapter).config?.logLevel).toBe(3);
    await setLogLevel(tx, '/adapters/2', 0);
    expect(((await p2.get('/', { txid: tx.txid })) as Adapter).config?.logLevel).toBe(0);
    await expectKind(tx.commit(), 'MergeConflictError');
  });
});
