import { Adapter, Device, HealthStatus, VolthaInstance } from '@voltha/proto';

import { CallbackType, ConfigChangeEvent, ConfigRoot } from '../src';
import { adapter, adapterIds, expectKind, health, OVERLOADED, rootD } from './support/fixtures';

describe('bugs of the original, fixed behaviour (fixture D)', () => {
  let root: ConfigRoot;
  beforeEach(async () => {
    root = await rootD();
  });

  it('case 82: a rejected key change leaves every node unchanged and fires nothing', async () => {
    const proxy = root.getProxy('/adapters/1');
    const post = jest.fn();
    proxy.registerCallback(CallbackType.POST_UPDATE, post);
    const events: ConfigChangeEvent[] = [];
    root.subscribe((e) => events.push(e));
    const h = root.latestHash;
    const adapterHash = root.nodeHash('/adapters/1');
    await expectKind(root.update('/adapters/1', Adapter.fromPartial({ id: 'changed' })), 'ValueError');
    await expectKind(proxy.update('/', Adapter.fromPartial({ id: 'changed' })), 'ValueError');
    expect(((await proxy.get()) as Adapter).id).toBe('1');
    expect(root.nodeHash('/adapters/1')).toBe(adapterHash);
    expect(root.latestHash).toBe(h);
    expect(root.revisions).toEqual([h]);
    expect(post).not.toHaveBeenCalled();
    expect(events).toEqual([]);
  });

  it('case 83: update copies its input; later mutation of the object changes nothing', async () => {
    const data = Adapter.fromPartial({ ...adapter('1'), version: 'a' });
    await root.update('/adapters/1', data);
    data.version = 'b';
    (data.config as { logLevel: number }).logLevel = 0;
    expect(((await root.get('/adapters/1')) as Adapter).version).toBe('a');
    expect(((await root.get('/adapters/1')) as Adapter).config?.logLevel).toBe(3);
    const revs = root.revisions.length;
    await root.update('/adapters/1', data);
    expect(root.revisions).toHaveLength(revs + 1);
    expect(((await root.get('/adapters/1')) as Adapter).version).toBe('b');
    // Results are copies too.
    const got = (await root.get('/adapters/1')) as Adapter;
    got.version = 'mutated';
    expect(((await root.get('/adapters/1')) as Adapter).version).toBe('b');
    // Callback data are copies.
    root.getProxy('/adapters/1').registerCallback(CallbackType.POST_UPDATE, (d: Adapter) => {
      d.version = 'callback-mutated';
    });
    await root.update('/adapters/1', Adapter.fromPartial({ ...adapter('1'), version: 'c' }));
    expect(((await root.get('/adapters/1')) as Adapter).version).toBe('c');
  });

  it('case 90: writes from POST callbacks work however many callbacks are queued (tx commit with two adds)', async () => {
    const rootProxy = root.getProxy('/');
    const seen: string[] = [];
    rootProxy.registerCallback(CallbackType.POST_ADD, async (a: Adapter) => {
      seen.push(a.id);
      await root.update(`/adapters/${a.id}`, Adapter.fromPartial({ ...a, version: 'seen' }));
    });
    const tx = root.openTransaction();
    await tx.add('/adapters', adapter('n1'));
    await tx.add('/adapters', adapter('n2'));
    await tx.commit();
    expect(seen).toEqual(['n1', 'n2']);
    expect(((await root.get('/adapters/n1')) as Adapter).version).toBe('seen');
    expect(((await root.get('/adapters/n2')) as Adapter).version).toBe('seen');

    // The same without awaiting the nested writes: they are still applied before commit() returns.
    const r2 = await rootD();
    r2.getProxy('/').registerCallback(CallbackType.POST_ADD, (a: Adapter) => {
      void r2.update(`/adapters/${a.id}`, Adapter.fromPartial({ ...a, version: 'fire-and-forget' }));
    });
    const tx2 = r2.openTransaction();
    await tx2.add('/adapters', adapter('m1'));
    await tx2.add('/adapters', adapter('m2'));
    await tx2.commit();
    expect(((await r2.get('/adapters/m1')) as Adapter).version).toBe('fire-and-forget');
    expect(((await r2.get('/adapters/m2')) as Adapter).version).toBe('fire-and-forget');
  });

  it('case 91: add rejects data of the wrong message type', async () => {
    const e = await expectKind(root.add('/adapters', Device.fromPartial({ id: 'dev' })), 'ValueError');
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4']);
    await expectKind(root.add('/adapters', { id: 'plain-object' } as never), 'ValueError');
  });

  it('case 97: add and remove report path errors like get and update', async () => {
    const kinds = await Promise.all([
      expectKind(root.get('/health/state'), 'KeyError'),
      expectKind(root.update('/health/state', health(OVERLOADED)), 'KeyError'),
      expectKind(root.add('/health/state', health(OVERLOADED)), 'KeyError'),
      expectKind(root.remove('/health/state'), 'KeyError')
    ]);
    expect(new Set(kinds.map((e) => e.code))).toEqual(new Set(['NOT_FOUND']));
    // Shape errors stay INVALID_ARGUMENT for every operation.
    await expectKind(root.add('/health', health(OVERLOADED)), 'ValueError');
    await expectKind(root.remove('/health'), 'ValueError');
  });

  it('keys that no path can address are rejected', async () => {
    await expectKind(root.add('/adapters', Adapter.fromPartial({ id: '' })), 'ValueError');
    await expectKind(root.add('/adapters', Adapter.fromPartial({ id: 'a/b' })), 'ValueError');
    await expectKind(
      ConfigRoot.create(VolthaInstance.fromPartial({ adapters: [Adapter.fromPartial({})] }), {}),
      'ValueError'
    );
  });

  it('the initial data must be a message (NotImplementedError)', async () => {
    await expectKind(ConfigRoot.create({} as never, {}), 'NotImplementedError');
    await expectKind(
      ConfigRoot.create(HealthStatus.fromPartial({}) as never, { historySize: 0 }),
      'ValueError'
    );
  });
});
