import {
  Adapter,
  Device,
  HealthStatus,
  LogicalDevice,
  LogicalPort,
  Port,
  VolthaInstance
} from '@voltha/proto';

import { CallbackType, ConfigChangeEvent, ConfigRoot, MODEL_CHANGE_EVENTS_TOPIC } from '../src';
import {
  adapter,
  DYING,
  expectKind,
  health,
  HEALTHY,
  logicalDevice,
  makeRoot,
  OVERLOADED,
  rootD
} from './support/fixtures';

describe('ConfigProxy and callbacks (fixture D)', () => {
  let root: ConfigRoot;
  beforeEach(async () => {
    root = await rootD();
  });

  it('case 30: [test_passive_ownership] a proxy reads and writes its node', async () => {
    const proxy = root.getProxy('/health');
    expect(await proxy.get()).toEqual(health(DYING));
    const h = root.latestHash;
    await proxy.update('/', health(HEALTHY));
    expect(await proxy.get()).toEqual(health(HEALTHY));
    expect(root.latestHash).not.toBe(h);
    await expectKind(proxy.update('/', health(OVERLOADED), { strict: true }), 'ValueError');
    expect(await proxy.get()).toEqual(health(HEALTHY));
  });

  it('case 31: [test_exclusivity] an exclusive proxy cannot be shared', () => {
    root.getProxy('/adapters/1', true);
    expect(() => root.getProxy('/adapters/1')).toThrow(expect.objectContaining({ kind: 'ValueError' }));
    // Asking for exclusivity when a shared proxy exists returns the shared one.
    const shared = root.getProxy('/adapters/2');
    expect(root.getProxy('/adapters/2', true)).toBe(shared);
  });

  it('case 32: [test_get_hook] a GET callback transforms the result, not the stored data', async () => {
    const proxy = root.getProxy('/health');
    proxy.registerCallback(CallbackType.GET, (msg: HealthStatus) => {
      msg.state = OVERLOADED;
      return msg;
    });
    expect(((await proxy.get()) as HealthStatus).state).toBe(OVERLOADED);
    expect(((await root.get('/', { deep: true })) as VolthaInstance).health?.state).toBe(DYING);
  });

  it('case 33: [test_pre_update_hook] a throwing PRE_UPDATE aborts proxy and root updates', async () => {
    const proxy = root.getProxy('/adapters/1');
    const boom = new Error('pre-update refused');
    proxy.registerCallback(CallbackType.PRE_UPDATE, () => {
      throw boom;
    });
    const h = root.latestHash;
    const x = Adapter.fromPartial({ id: '1', version: 'x' });
    await expect(proxy.update('/', x)).rejects.toBe(boom);
    await expect(root.update('/adapters/1', x)).rejects.toBe(boom);
    expect(root.latestHash).toBe(h);
  });

  it('case 34: [test_post_update_hook] POST_UPDATE receives the data and the registration arguments', async () => {
    const proxy = root.getProxy('/adapters/1');
    const cb = jest.fn();
    proxy.registerCallback(CallbackType.POST_UPDATE, cb, 'zizi', 42, { x: 1, y: 'baz' });
    const data = Adapter.fromPartial({ id: '1', version: 'zoo' });
    await proxy.update('/', data);
    expect(cb).toHaveBeenCalledTimes(1);
    expect(cb).toHaveBeenCalledWith(data, 'zizi', 42, { x: 1, y: 'baz' });
  });

  it('case 35: [test_pre_and_post_add_hooks] PRE_ADD and POST_ADD on the root proxy', async () => {
    const proxy = root.getProxy('/');
    const pre = jest.fn();
    const post = jest.fn();
    proxy.registerCallback(CallbackType.PRE_ADD, pre);
    proxy.registerCallback(CallbackType.POST_ADD, post);
    const a = Adapter.fromPartial({ id: '99', version: '1.2.3' });
    await proxy.add('/adapters', a);
    expect(pre).toHaveBeenCalledTimes(1);
    expect(pre).toHaveBeenCalledWith(a);
    expect(post).toHaveBeenCalledTimes(1);
    expect(post).toHaveBeenCalledWith(a);
  });

  it('case 36: [test_pre_and_post_remove_hooks] PRE_REMOVE and POST_REMOVE get the removed data', async () => {
    const proxy = root.getProxy('/');
    const pre = jest.fn();
    const post = jest.fn();
    proxy.registerCallback(CallbackType.PRE_REMOVE, pre);
    proxy.registerCallback(CallbackType.POST_REMOVE, post);
    const before = await root.get('/adapters/1');
    await proxy.remove('/adapters/1');
    expect(pre).toHaveBeenCalledWith(before);
    expect(post).toHaveBeenCalledWith(before);
    expect(pre).toHaveBeenCalledTimes(1);
    expect(post).toHaveBeenCalledTimes(1);
  });

  it('unregisterCallback removes a registration and ignores unknown ones', async () => {
    const proxy = root.getProxy('/adapters/1');
    const cb = jest.fn();
    proxy.registerCallback(CallbackType.POST_UPDATE, cb, 'a');
    proxy.unregisterCallback(CallbackType.POST_UPDATE, cb, 'b');
    proxy.unregisterCallback(CallbackType.PRE_ADD, cb);
    await proxy.update('/', adapter('1', 1));
    expect(cb).toHaveBeenCalledTimes(1);
    proxy.unregisterCallback(CallbackType.POST_UPDATE, cb, 'a');
    await proxy.update('/', adapter('1', 2));
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it('case 70: a trailing slash is ignored', async () => {
    expect(await root.get('/adapters/1/')).toEqual(await root.get('/adapters/1'));
    expect(await root.get('/adapters/')).toEqual(await root.get('/adapters'));
    expect(await root.get('/adapters/')).toHaveLength(5);
  });

  it('case 71: integer keys are parsed from path segments', async () => {
    const r = await makeRoot(
      VolthaInstance.fromPartial({
        devices: [Device.fromPartial({ id: 'd1', ports: [Port.fromPartial({ portNo: 1 })] })]
      })
    );
    expect(((await r.get('/devices/d1/ports/1')) as Port).portNo).toBe(1);
    expect(((await r.get('/devices/d1/ports/+01')) as Port).portNo).toBe(1);
    const bad = await expectKind(r.get('/devices/d1/ports/x'), 'ValueError');
    expect(bad.code).toBe('INVALID_ARGUMENT');
    await expectKind(r.get('/devices/d1/ports/2'), 'KeyError');
  });

  it('case 72: a no-op update runs PRE_UPDATE only and changes nothing', async () => {
    const proxy = root.getProxy('/adapters/1');
    const pre = jest.fn();
    const post = jest.fn();
    const events: ConfigChangeEvent[] = [];
    root.subscribe((e) => events.push(e));
    proxy.registerCallback(CallbackType.PRE_UPDATE, pre);
    proxy.registerCallback(CallbackType.POST_UPDATE, post);
    const revs = root.revisions;
    const seq = root.seq;
    await root.update('/adapters/1', adapter('1'));
    expect(pre).toHaveBeenCalledTimes(1);
    expect(post).not.toHaveBeenCalled();
    expect(root.revisions).toEqual(revs);
    expect(root.seq).toBe(seq);
    expect(events).toHaveLength(0);
  });

  it('case 73: a nested add notifies only the container owner; the event hash is the owner hash', async () => {
    await root.add('/logical_devices', logicalDevice('ld1'));
    const rootPost = jest.fn();
    const ldPost = jest.fn();
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, rootPost);
    root.getProxy('/logical_devices/ld1').registerCallback(CallbackType.POST_ADD, ldPost);
    const events: ConfigChangeEvent[] = [];
    root.subscribe((e) => events.push(e));
    const port = LogicalPort.fromPartial({ id: 'p1', deviceId: 'd1' });
    await root.add('/logical_devices/ld1/ports', port);
    expect(rootPost).not.toHaveBeenCalled();
    expect(ldPost).toHaveBeenCalledWith(port);
    expect(events).toHaveLength(1);
    expect(events[0].hash).toBe(root.nodeHash('/logical_devices/ld1'));
    expect(events[0].hash).not.toBe(root.latestHash);
    expect(events[0].path).toBe('/logical_devices/ld1');
    expect(events[0].rootHash).toBe(root.latestHash);
  });

  it('case 74: GET hooks apply only to the node at the end of the path', async () => {
    root.getProxy('/health').registerCallback(CallbackType.GET, () => health(OVERLOADED));
    expect(((await root.get('/health')) as HealthStatus).state).toBe(OVERLOADED);
    expect(((await root.get('/', { deep: true })) as VolthaInstance).health?.state).toBe(DYING);
    // For a container, each element's own proxy applies.
    root
      .getProxy('/adapters/2')
      .registerCallback(CallbackType.GET, (a: Adapter) => ({ ...a, vendor: 'hooked' }));
    const list = (await root.get('/adapters')) as Adapter[];
    expect(list.map((a) => a.vendor)).toEqual(['', '', 'hooked', '', '']);
  });

  it('case 75: POST callbacks do not chain: each receives the committed data (deliberate change)', async () => {
    const proxy = root.getProxy('/adapters/1');
    const seen: unknown[] = [];
    proxy.registerCallback(CallbackType.POST_UPDATE, (d: Adapter) => {
      seen.push(d);
      return 'first-result';
    });
    proxy.registerCallback(CallbackType.POST_UPDATE, (d: Adapter) => {
      seen.push(d);
    });
    const data = adapter('1', 7);
    await proxy.update('/', data);
    expect(seen).toEqual([data, data]);
    // GET callbacks do chain: each one transforms the previous result.
    proxy.registerCallback(CallbackType.GET, (a: Adapter) => ({ ...a, vendor: 'one' }));
    proxy.registerCallback(
      CallbackType.GET,
      (a: Adapter) => ({ ...a, model: a.vendor }) as unknown as Adapter
    );
    expect(await proxy.get()).toMatchObject({ vendor: 'one', model: 'one' });
  });

  it('case 76: a POST_ADD callback that updates /health succeeds before the add returns', async () => {
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, async () => {
      await root.update('/health', health(OVERLOADED));
    });
    await root.add('/adapters', adapter('new'));
    expect(((await root.get('/health')) as HealthStatus).state).toBe(OVERLOADED);
    expect(await root.get('/adapters/new')).toEqual(adapter('new'));
  });

  it('case 77: proxy lookup errors and proxy identity', async () => {
    expect(() => root.getProxy('/adapters')).toThrow(expect.objectContaining({ kind: 'ValueError' }));
    expect(() => root.getProxy('/adapters/9')).toThrow(expect.objectContaining({ kind: 'KeyError' }));
    const p1 = root.getProxy('/');
    const cb = jest.fn();
    p1.registerCallback(CallbackType.POST_UPDATE, cb);
    const p2 = root.getProxy('/');
    expect(p2).toBe(p1);
    await p2.update('/', VolthaInstance.fromPartial({ instanceId: '2' }));
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it('case 78: embedded children of an added message become nodes', async () => {
    const ld = LogicalDevice.fromPartial({
      id: 'X',
      ports: [LogicalPort.fromPartial({ id: 'a' }), LogicalPort.fromPartial({ id: 'b' })]
    });
    await root.add('/logical_devices', ld);
    expect(((await root.get('/logical_devices/X/ports/a')) as LogicalPort).id).toBe('a');
    expect(await root.get('/logical_devices/X/ports')).toHaveLength(2);
    const flows = await root.get('/logical_devices/X/flows');
    expect(flows).toMatchObject({ $type: 'openflow_13.Flows' });
    const dup = LogicalDevice.fromPartial({
      id: 'Y',
      ports: [LogicalPort.fromPartial({ id: 'a' }), LogicalPort.fromPartial({ id: 'a' })]
    });
    await expectKind(root.add('/logical_devices', dup), 'ValueError');
    await expectKind(root.get('/logical_devices/Y'), 'KeyError');
    const e = await expectKind(
      root.update(
        '/logical_devices/X',
        LogicalDevice.fromPartial({ id: 'X', ports: [LogicalPort.fromPartial({ id: 'c' })] })
      ),
      'NotImplementedError'
    );
    expect(e.message).toMatch(/Cannot update external children/);
  });

  it('a removed node detaches its proxy; get_proxy after re-add returns a new proxy', async () => {
    const p = root.getProxy('/adapters/1');
    const cb = jest.fn();
    p.registerCallback(CallbackType.POST_UPDATE, cb);
    await root.remove('/adapters/1');
    await root.add('/adapters', adapter('1', 9));
    const p2 = root.getProxy('/adapters/1');
    expect(p2).not.toBe(p);
    expect(((await p.get()) as Adapter).config?.logLevel).toBe(3);
    expect(((await p2.get()) as Adapter).config?.logLevel).toBe(9);
    await p2.update('/', adapter('1', 8));
    expect(cb).not.toHaveBeenCalled();
  });

  it('proxy write paths must start with "/" (AssertionError)', async () => {
    const p = root.getProxy('/adapters/1');
    await expectKind(p.update('x', adapter('1')), 'AssertionError');
    // A relative path below the proxy node.
    const ldRoot = await makeRoot(
      VolthaInstance.fromPartial({ logicalDevices: [logicalDevice('ld', ['p'])] })
    );
    const ldp = ldRoot.getProxy('/logical_devices/ld');
    await ldp.add('/ports', LogicalPort.fromPartial({ id: 'q' }));
    expect(await ldp.get('/ports')).toHaveLength(2);
    await ldp.remove('/ports/p');
    expect(((await ldRoot.get('/logical_devices/ld/ports')) as LogicalPort[]).map((x) => x.id)).toEqual([
      'q'
    ]);
  });
});

describe('change events (fixture D)', () => {
  let root: ConfigRoot;
  let events: ConfigChangeEvent[];
  beforeEach(async () => {
    root = await rootD({ clock: () => 1234 });
    events = [];
    root.subscribe((e) => events.push(e));
  });

  it('case 37: [test_add_event] one add event with the added message', async () => {
    const a = Adapter.fromPartial({ id: '10', version: 'zoo' });
    await root.add('/adapters', a);
    expect(MODEL_CHANGE_EVENTS_TOPIC).toBe('model-change-events');
    expect(events).toHaveLength(1);
    const e = events[0];
    expect(e.type).toBe('add');
    expect(e.hash).toBe(root.latestHash);
    expect(JSON.parse(e.data)).toMatchObject({ id: '10', version: 'zoo', vendor: '' });
    expect(e.message).toEqual(a);
    expect(e.typeName).toBe('voltha.Adapter');
    expect(e.path).toBe('/');
    expect(e.rootHash).toBe(root.latestHash);
    expect(e.seq).toBe(root.seq);
    expect(e.timestamp).toBe(1234);
  });

  it('case 38: [test_remove_event] one remove event with the removed data', async () => {
    await root.remove('/adapters/1');
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('remove');
    expect(events[0].hash).toBe(root.latestHash);
    expect(JSON.parse(events[0].data)).toMatchObject({ id: '1', config: { log_level: 'ERROR' } });
  });

  it('update events carry the new node-local data with defaults and proto names', async () => {
    await root.update('/health', health(HEALTHY));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'update', path: '/health', typeName: 'voltha.HealthStatus' });
    expect(JSON.parse(events[0].data)).toEqual({ state: 'HEALTHY' });
    expect(events[0].hash).toBe(root.nodeHash('/health'));
  });

  it('subscriber errors are logged and swallowed; unsubscribe stops delivery', async () => {
    const warn = jest.fn();
    const r = await rootD({ logger: { warn } });
    const unsub = r.subscribe(() => {
      throw new Error('bad subscriber');
    });
    await r.update('/health', health(HEALTHY));
    expect(warn).toHaveBeenCalledWith(
      'subscriber-error',
      expect.objectContaining({ error: 'bad subscriber' })
    );
    unsub();
    await r.update('/health', health(OVERLOADED));
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('POST callback errors are logged and swallowed; later callbacks still run', async () => {
    const warn = jest.fn();
    const r = await rootD({ logger: { warn } });
    const p = r.getProxy('/health');
    const second = jest.fn();
    p.registerCallback(CallbackType.POST_UPDATE, () => {
      throw new Error('post failed');
    });
    p.registerCallback(CallbackType.POST_UPDATE, second);
    await r.update('/health', health(HEALTHY));
    expect(second).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('callback-error', expect.objectContaining({ type: 'POST_UPDATE' }));
  });
});
