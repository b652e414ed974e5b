import { Adapter, HealthStatus, VolthaInstance } from '@voltha/proto';

import { ConfigRoot } from '../src';
import {
  adapter,
  adapterIds,
  DYING,
  expectKind,
  fixtureD,
  fixtureS,
  health,
  HEALTHY,
  makeRoot,
  rootD
} from './support/fixtures';

describe('ConfigRoot: shallow node (fixture S)', () => {
  let root: ConfigRoot;
  beforeEach(async () => {
    root = await makeRoot(fixtureS(), { historySize: 5000 });
  });

  it('case 1: [test_immutability] mutating the initial message does not change the tree', async () => {
    const m = VolthaInstance.fromPartial({ instanceId: '1', adapters: [adapter('a')] });
    const copy = VolthaInstance.fromPartial(m);
    const r = await makeRoot(m);
    m.instanceId = 'changed';
    m.adapters[0].id = 'zzz';
    (m.adapters[0].config as { logLevel: number }).logLevel = 9;
    m.adapters.push(adapter('b'));
    expect(await r.get('/', { deep: true })).toEqual(
      VolthaInstance.fromPartial({ ...copy, health: health(HEALTHY) })
    );
  });

  it('case 2: [test_retrieve_latest] a new root has exactly one revision', () => {
    expect(root.revisions).toEqual([root.latestHash]);
  });

  it('case 3: [test_update] an update creates a second revision with the new data', async () => {
    const h0 = root.latestHash;
    const data = VolthaInstance.fromPartial({ instanceId: 'other' });
    await root.update('/', data);
    expect(root.revisions).toHaveLength(2);
    expect(root.latestHash).not.toBe(h0);
    expect(await root.get()).toEqual(data);
  });

  it('case 4: [test_update_with_bad_data] updating the root with an Adapter is a ValueError', async () => {
    const e = await expectKind(root.update('/', Adapter.fromPartial({})), 'ValueError');
    expect(e.code).toBe('INVALID_ARGUMENT');
  });

  it('case 5: [test_many_simple_updates] 1000 distinct updates then one more give 1002 revisions', async () => {
    for (let i = 0; i < 1000; i++)
      await root.update('/', VolthaInstance.fromPartial({ instanceId: `id${i}` }));
    const last = VolthaInstance.fromPartial({ instanceId: 'last' });
    await root.update('/', last);
    expect(root.revisions).toHaveLength(1002);
    expect(await root.get()).toEqual(last);
  });

  it('case 6: [test_retrieve_by_rev_hash] historic revisions are readable by hash', async () => {
    for (let i = 0; i < 1000; i++)
      await root.update('/', VolthaInstance.fromPartial({ instanceId: `id${i}` }));
    await root.update('/', VolthaInstance.fromPartial({ instanceId: 'last' }));
    const revs = root.revisions;
    expect(await root.get('/', { hash: revs[0] })).toEqual(VolthaInstance.fromPartial({}));
    expect(((await root.get('/', { hash: revs[10] })) as VolthaInstance).instanceId).toBe('id9');
    expect(((await root.get('/', { hash: revs[revs.length - 1] })) as VolthaInstance).instanceId).toBe(
      'last'
    );
  });

  it('case 7: [test_diffs] RFC 6902 diffs of node-local data', async () => {
    await root.update('/', VolthaInstance.fromPartial({ instanceId: 'other' }));
    const [r0, r1] = root.revisions;
    expect(await root.diff(root.latestHash)).toEqual([]);
    expect(await root.diff(r0)).toEqual([{ op: 'replace', path: '/instance_id', value: 'other' }]);
    expect(await root.diff(r0, r1)).toEqual([{ op: 'replace', path: '/instance_id', value: 'other' }]);
    expect(await root.diff(r1, r0)).toEqual([{ op: 'replace', path: '/instance_id', value: '' }]);
    expect(await root.diff(r1, r1)).toEqual([]);
  });

  it('case 8: [test_tagging] tags, moves, deletes, prune and diff by tag', async () => {
    await root.tag('original');
    for (let i = 0; i < 10; i++)
      await root.update('/', VolthaInstance.fromPartial({ instanceId: String(i) }));
    const revs = root.revisions;
    await root.tag('latest');
    await root.tag('other');
    await root.tag('yetmore', revs[5]);
    await expectKind(root.tag('yetmore', 'deadbeefdeadbeefdeadbeef'), 'KeyError');
    expect(root.byTag('original')).toBe(revs[0]);
    expect(root.byTag('latest')).toBe(revs[10]);
    expect(root.byTag('other')).toBe(revs[10]);
    expect(root.byTag('yetmore')).toBe(revs[5]);
    expect(await root.diffByTag('original', 'latest')).toEqual([
      { op: 'replace', path: '/instance_id', value: '9' }
    ]);
    await root.tag('original', revs[2]);
    await root.tag('latest', revs[9]);
    await root.tag('another', revs[7]);
    expect(root.tags).toEqual(['another', 'latest', 'original', 'other', 'yetmore']);
    await root.deleteTag('another');
    await root.deleteTags('yetmore', 'other');
    expect(root.tags).toEqual(['latest', 'original']);
    await root.prune();
    expect(root.revisions).toEqual([revs[2], revs[9], revs[10]]);
    expect(await root.diffByTag('original', 'latest')).toEqual([
      { op: 'replace', path: '/instance_id', value: '8' }
    ]);
    expect(() => root.byTag('another')).toThrow(
      expect.objectContaining({ kind: 'KeyError', code: 'NOT_FOUND' })
    );
  });
});

describe('ConfigRoot: deep tree (fixture D)', () => {
  let root: ConfigRoot;
  let h0: string;
  beforeEach(async () => {
    root = await rootD();
    h0 = root.latestHash;
  });

  it('case 9: [test_reject_duplicate_keys] duplicate keys in the initial data are a ValueError', async () => {
    const m = VolthaInstance.fromPartial({ adapters: [adapter('same'), adapter('same'), adapter('same')] });
    await expectKind(ConfigRoot.create(m, {}), 'ValueError');
  });

  it('case 10: [test_shallow_get] depth 0 returns node-local data only', async () => {
    const shallow = VolthaInstance.fromPartial({ instanceId: '1' });
    expect(await root.get()).toEqual(shallow);
    expect(await root.get('/', { hash: h0 })).toEqual(shallow);
  });

  it('case 11: [test_deep_get] deep get returns the whole fixture', async () => {
    expect(await root.get('/', { deep: true })).toEqual(fixtureD());
    expect(await root.get('/', { depth: -1 })).toEqual(fixtureD());
    const one = (await root.get('/', { depth: 1 })) as VolthaInstance;
    expect(one.adapters).toHaveLength(5);
    expect(one.health).toEqual(health(DYING));
  });

  it('case 12: [test_top_level_update] a root update keeps the children', async () => {
    await root.update('/', VolthaInstance.fromPartial({ version: '1.2.3' }));
    expect(root.latestHash).not.toBe(h0);
    expect(await root.get('/', { hash: h0, deep: true })).toEqual(fixtureD());
    const latest = (await root.get('/', { deep: true })) as VolthaInstance;
    expect(latest.adapters).toHaveLength(5);
    expect(latest.logicalDevices).toHaveLength(0);
    expect(latest.version).toBe('1.2.3');
  });

  it('case 13: [test_path_based_get_access] get by path', async () => {
    expect(await root.get('/')).toEqual(await root.get());
    expect(await root.get('/health')).toEqual(HealthStatus.fromPartial({ state: DYING }));
  });

  it('case 14: [test_path_list_retrieval] a container path returns the list', async () => {
    const list = (await root.get('/adapters')) as Adapter[];
    expect(list).toHaveLength(5);
    expect(list[2].id).toBe('2');
  });

  it('case 15: [test_indexing_into_containers] a keyed path returns the child', async () => {
    expect(((await root.get('/adapters/3')) as Adapter).id).toBe('3');
  });

  it('case 16: [test_deep_update_non_container] updating /health', async () => {
    await root.update('/health', health(HEALTHY));
    expect(root.latestHash).not.toBe(h0);
    expect(((await root.get('/', { hash: h0, deep: true })) as VolthaInstance).health?.state).toBe(DYING);
    expect(((await root.get('/', { deep: true })) as VolthaInstance).health?.state).toBe(HEALTHY);
  });

  it('case 17: [test_deep_update_container] updating an adapter', async () => {
    await root.update('/adapters/0', Adapter.fromPartial({ id: '0', version: 'new' }));
    expect(await root.get('/', { hash: h0, deep: true })).toEqual(fixtureD());
    expect(((await root.get('/', { deep: true })) as VolthaInstance).adapters[0].version).toBe('new');
  });

  it('case 18: [test_update_handle_invalid_paths] invalid update paths', async () => {
    const a = Adapter.fromPartial({ id: '1' });
    for (const p of ['foo', '/foo', '/health/foo', '/adapters/foo', '/adapters/1/foo']) {
      const e = await expectKind(root.update(p, a), 'KeyError');
      expect(e.code).toBe('NOT_FOUND');
    }
    await expectKind(root.update('/adapters', a), 'ValueError');
  });

  it('case 19: [test_update_handle_invalid_type] wrong message types are a ValueError', async () => {
    await expectKind(root.update('/', Adapter.fromPartial({})), 'ValueError');
    await expectKind(root.update('/health', Adapter.fromPartial({})), 'ValueError');
    await expectKind(root.update('/adapters/1', VolthaInstance.fromPartial({})), 'ValueError');
  });

  it('case 20: [test_update_handle_key_change_attempt] changing the key is a ValueError', async () => {
    const e = await expectKind(
      root.update('/adapters/1', Adapter.fromPartial({ id: 'changed' })),
      'ValueError'
    );
    expect(e.code).toBe('INVALID_ARGUMENT');
  });

  it('case 21: [test_add_node] adding an adapter', async () => {
    const a = Adapter.fromPartial({ id: 'new' });
    await root.add('/adapters', a);
    expect(root.latestHash).not.toBe(h0);
    expect(await root.get('/adapters')).toHaveLength(6);
    expect(await root.get('/adapters', { hash: h0 })).toHaveLength(5);
    expect(await root.get('/adapters/new')).toEqual(a);
  });

  it('case 22: [test_add_handle_invalid_cases] invalid adds', async () => {
    const a = Adapter.fromPartial({ id: 'x' });
    for (const p of ['foo', '/foo', '/adapters/foo']) await expectKind(root.add(p, a), 'KeyError');
    await expectKind(root.add('/health', a), 'ValueError');
    await expectKind(root.add('/adapters/1', a), 'ValueError');
    const dup = await expectKind(root.add('/adapters', Adapter.fromPartial({ id: '1' })), 'ValueError');
    expect(dup.message).toMatch(/Duplicate key/);
  });

  it('case 23: [test_remove_node] removing an adapter', async () => {
    await root.remove('/adapters/3');
    expect(await root.get('/adapters')).toHaveLength(4);
    expect(await root.get('/adapters', { hash: h0 })).toHaveLength(5);
    await expectKind(root.get('/adapters/3'), 'KeyError');
  });

  it('case 24: [test_remove_handle_invalid_cases] invalid removes', async () => {
    for (const p of ['foo', '/foo', '/adapters/foo', '/adapters/1/id'])
      await expectKind(root.remove(p), 'KeyError');
    await expectKind(root.remove('/health'), 'ValueError');
  });

  it('case 25: [test_pruning_after_shallow_change] prune after a root update', async () => {
    await root.update('/', VolthaInstance.fromPartial({ version: '10.1' }));
    expect(root.revisions).toHaveLength(2);
    await root.prune();
    expect(root.revisions).toHaveLength(1);
    const deep = (await root.get('/', { deep: true })) as VolthaInstance;
    expect(deep.adapters).toHaveLength(5);
    expect(deep.version).toBe('10.1');
  });

  it('case 26: [test_pruning_after_deep_change] prune after an adapter update', async () => {
    await root.update('/adapters/3', Adapter.fromPartial({ id: '3', version: 'changed' }));
    expect(root.revisions).toHaveLength(2);
    await root.prune();
    expect(root.revisions).toHaveLength(1);
    const deep = (await root.get('/', { deep: true })) as VolthaInstance;
    expect(deep.adapters).toHaveLength(5);
    expect(deep.adapters[2]).toEqual(adapter('2'));
    expect(deep.adapters[3].version).toBe('changed');
  });

  it('case 27: [test_repeated_prunning_keeps_memory_stable] pruning releases revisions', async () => {
    let seed = 42;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1000; i++) {
      await root.update(
        '/adapters/3',
        Adapter.fromPartial({ id: '3', version: `v${Math.floor(rnd() * 1e9)}` })
      );
    }
    const before = root.liveObjectCount();
    expect(before.revisions + before.configs).toBeGreaterThan(2000);
    await root.prune();
    const after = root.liveObjectCount();
    expect(after.revisions + after.configs).toBeLessThan(15);
    for (let i = 0; i < 1000; i++) {
      await root.update(
        '/adapters/3',
        Adapter.fromPartial({ id: '3', version: `w${Math.floor(rnd() * 1e9)}` })
      );
      await root.prune();
      const c = root.liveObjectCount();
      expect(c.revisions + c.configs).toBeLessThan(15);
    }
  });

  it('case 28: [test_churn_efficiency] flip-flopping shares identical content', async () => {
    const start = root.liveObjectCount();
    expect(start.revisions + start.configs).toBe(14);
    for (let i = 0; i < 1000; i++) {
      await root.update('/adapters/3', Adapter.fromPartial({ id: '3', version: `v${i % 2}` }));
    }
    const end = root.liveObjectCount();
    expect(end.revisions + end.configs).toBe(20);
    expect(root.revisions).toHaveLength(3);
  });

  it('case 29: [test_strict_read_only] strict updates reject READ_ONLY changes', async () => {
    await expectKind(
      root.update('/', VolthaInstance.fromPartial({ version: 'foo' }), { strict: true }),
      'ValueError'
    );
    await expectKind(
      root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: 'foo' }), { strict: true }),
      'ValueError'
    );
    expect(root.latestHash).toBe(h0);
    // A strict update that only touches CONFIG fields is accepted.
    await root.update('/adapters/1', adapter('1', 5), { strict: true });
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4']);
    expect(((await root.get('/adapters/1')) as Adapter).config?.logLevel).toBe(5);
  });
});
