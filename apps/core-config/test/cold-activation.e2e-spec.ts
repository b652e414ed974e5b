import { status } from '@grpc/grpc-js';

import { startEtcd } from '@voltha/testing';
import type { EtcdHarness } from '@voltha/testing';

import { CoreConfigFixture, waitFor } from './support/core-config-fixture';
import { TestAdapter } from './support/test-adapter';

jest.setTimeout(120_000);

interface DeviceJson {
  id: string;
  type: string;
  adapter: string;
  adminState: number;
  operStatus: number;
  connectStatus: number;
  parentId: string;
  root: boolean;
}

const ENABLED = 3;
const PREPROVISIONED = 1;
const ACTIVE = 4;
const ACTIVATING = 2;

/** 1.x cold activation steps 1-5 (adapters-api.md §2.5) through VolthaService, with a test adapter. */
async function coldActivation(
  core: CoreConfigFixture,
  adapter: TestAdapter
): Promise<{ oltId: string; ldId: string }> {
  // 1. GetVoltha
  const voltha = await core.voltha.call<{ version: string; instances: unknown[] }>('GetVoltha');
  expect(voltha.version).toBe('0.1.0');
  expect(voltha.instances).toHaveLength(1);
  await adapter.register();

  // 2. CreateDevice
  const created = await core.voltha.call<DeviceJson>('CreateDevice', {
    type: 'test_olt',
    macAddress: '00:00:00:00:00:01'
  });
  expect(created.id).toMatch(/^0001[0-9a-f]{12}$/);

  // 3. GetDevice: adapter, PREPROVISIONED, UNKNOWN
  const got = await core.voltha.call<DeviceJson>('GetDevice', { id: created.id });
  expect(got).toMatchObject({ adapter: 'test_adapter', adminState: PREPROVISIONED, operStatus: 0 });

  // 4. EnableDevice: ENABLED, ACTIVATING then ACTIVE, REACHABLE, 2 ports
  await core.voltha.call('EnableDevice', { id: created.id });
  const enabled = await core.voltha.call<DeviceJson>('GetDevice', { id: created.id });
  expect(enabled.adminState).toBe(ENABLED);
  expect([ACTIVATING, ACTIVE]).toContain(enabled.operStatus);
  const active = await waitFor('OLT ACTIVE', async () => {
    const d = await core.voltha.call<DeviceJson>('GetDevice', { id: created.id });
    return d.operStatus === ACTIVE ? d : undefined;
  });
  expect(active).toMatchObject({ connectStatus: 2, root: true });
  const ports = await core.voltha.call<{ items: Array<{ portNo: number }> }>('ListDevicePorts', {
    id: created.id
  });
  expect(ports.items.map((p) => p.portNo).sort()).toEqual([1, 2]);

  // 5. The logical device is the device's parent; its root is the OLT; its first port is the NNI
  const ld = await core.voltha.call<{ id: string; rootDeviceId: string; datapathId: string }>(
    'GetLogicalDevice',
    { id: active.parentId }
  );
  expect(ld.rootDeviceId).toBe(created.id);
  expect(ld.id).toBe('0001000000000001');
  expect(ld.datapathId).toBe('281474976710657');
  const lports = await core.voltha.call<{
    items: Array<{ id: string; ofpPort: { portNo: number; name: string }; devicePortNo: number }>;
  }>('ListLogicalDevicePorts', { id: ld.id });
  expect(lports.items[0]).toMatchObject({
    id: 'nni',
    ofpPort: { portNo: 129, name: 'nni' },
    devicePortNo: 2
  });
  return { oltId: created.id, ldId: ld.id };
}

describe('core-config end to end (embedded backend)', () => {
  const core = new CoreConfigFixture();
  let adapter: TestAdapter;

  beforeAll(async () => {
    await core.start();
    adapter = new TestAdapter(core.config);
  });
  afterAll(async () => {
    adapter?.stop();
    await core.dispose();
  });

  let olt = { oltId: '', ldId: '' };

  it('should run cold activation steps 1-5 through VolthaService', async () => {
    olt = await coldActivation(core, adapter);
  });

  it('should answer NOT_FOUND, FAILED_PRECONDITION and INVALID_ARGUMENT for bad requests', async () => {
    await expect(core.voltha.call('GetDevice', { id: 'nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'device nope not found'
    });
    await expect(core.voltha.call('GetLogicalDevice', { id: 'nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
    await expect(core.voltha.call('EnableDevice', { id: olt.oltId })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION
    });
    await expect(core.voltha.call('DeleteDevice', { id: olt.oltId })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION
    });
    await expect(core.voltha.call('CreateDevice', { type: 'no_such_type' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT
    });
    await expect(
      core.voltha.call('CreateDevice', { type: 'test_olt', macAddress: 'zz' })
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(
      core.voltha.call('CreateDevice', { type: 'test_olt', macAddress: '00:00:00:00:00:01' })
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('already exists')
    });
    await expect(core.voltha.call('GetDevice', { id: 'a/b' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT
    });
    await expect(core.voltha.call('ListDevices', {}, { 'get-depth': 'x' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT
    });
  });

  it('should store a trap flow on the NNI and reject a flow the topology cannot decompose', async () => {
    const lldpTrap = {
      id: olt.ldId,
      flowMod: {
        command: 0,
        tableId: 0,
        priority: 1000,
        cookie: '18446744073709551615',
        match: {
          type: 1,
          oxmFields: [
            { oxmClass: 0x8000, ofbField: { type: 0, port: 129 } },
            { oxmClass: 0x8000, ofbField: { type: 5, ethType: 0x88cc } }
          ]
        },
        instructions: [
          { type: 4, actions: { actions: [{ type: 0, output: { port: 0x7ffffffd, maxLen: 0xffe5 } }] } }
        ]
      }
    };
    await core.voltha.call('UpdateLogicalDeviceFlowTable', lldpTrap);
    const flows = await core.voltha.call<{ items: Array<{ id: string; cookie: string; priority: number }> }>(
      'ListLogicalDeviceFlows',
      { id: olt.ldId }
    );
    expect(flows.items).toHaveLength(1);
    expect(flows.items[0].cookie).toBe('18446744073709551615');
    expect(flows.items[0].id).toMatch(/^\d+$/);
    // identical flow-mod again: no duplicate
    await core.voltha.call('UpdateLogicalDeviceFlowTable', lldpTrap);
    expect(
      (await core.voltha.call<{ items: unknown[] }>('ListLogicalDeviceFlows', { id: olt.ldId })).items
    ).toHaveLength(1);

    const unroutable = JSON.parse(JSON.stringify(lldpTrap)) as typeof lldpTrap;
    unroutable.flowMod.match.oxmFields[0].ofbField.port = 999;
    await expect(core.voltha.call('UpdateLogicalDeviceFlowTable', unroutable)).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION
    });
    await expect(
      core.voltha.call('UpdateLogicalDeviceFlowTable', { id: 'nope', flowMod: lldpTrap.flowMod })
    ).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
    expect(
      (await core.voltha.call<{ items: unknown[] }>('ListLogicalDeviceFlows', { id: olt.ldId })).items
    ).toHaveLength(1);

    // DELETE_STRICT removes it
    await core.voltha.call('UpdateLogicalDeviceFlowTable', {
      ...lldpTrap,
      flowMod: { ...lldpTrap.flowMod, command: 4, outPort: 0x7fffffff, outGroup: 0x7fffffff }
    });
    expect(
      (await core.voltha.call<{ items: unknown[] }>('ListLogicalDeviceFlows', { id: olt.ldId })).items
    ).toHaveLength(0);
  });

  it('should keep a meter table and refuse flows that use an unknown meter', async () => {
    const trapWithMeter = (meterId: number) => ({
      id: olt.ldId,
      flowMod: {
        command: 0,
        priority: 1001,
        match: {
          type: 1,
          oxmFields: [
            { oxmClass: 0x8000, ofbField: { type: 0, port: 129 } },
            { oxmClass: 0x8000, ofbField: { type: 5, ethType: 0x88cc } }
          ]
        },
        instructions: [
          { type: 4, actions: { actions: [{ type: 0, output: { port: 0x7ffffffd, maxLen: 0xffe5 } }] } },
          { type: 6, meter: { meterId } }
        ]
      }
    });
    await expect(core.voltha.call('UpdateLogicalDeviceFlowTable', trapWithMeter(7))).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION
    });
    await core.voltha.call('UpdateLogicalDeviceMeterTable', {
      id: olt.ldId,
      meterMod: { command: 0, flags: 1, meterId: 7, bands: [{ type: 1, rate: 1000, burstSize: 100 }] }
    });
    const meters = await core.voltha.call<{ items: Array<{ config: { meterId: number } }> }>(
      'ListLogicalDeviceMeters',
      {
        id: olt.ldId
      }
    );
    expect(meters.items.map((m) => m.config.meterId)).toEqual([7]);
    await core.voltha.call('UpdateLogicalDeviceFlowTable', trapWithMeter(7));
    expect(
      (await core.voltha.call<{ items: unknown[] }>('ListLogicalDeviceFlows', { id: olt.ldId })).items
    ).toHaveLength(1);
  });

  it('should disable, then delete the device', async () => {
    await core.voltha.call('DisableDevice', { id: olt.oltId });
    expect((await core.voltha.call<DeviceJson>('GetDevice', { id: olt.oltId })).adminState).toBe(2);
    await expect(core.voltha.call('DisableDevice', { id: olt.oltId })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION
    });
    const keep = await core.voltha.call<DeviceJson>('CreateDevice', {
      type: 'test_olt',
      hostAndPort: 'olt2:50060'
    });
    await core.voltha.call('DeleteDevice', { id: olt.oltId });
    await expect(core.voltha.call('GetDevice', { id: olt.oltId })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
    olt.oltId = keep.id;
  });

  it('should bring the same devices back after a restart', async () => {
    const before = await core.voltha.call<{ items: DeviceJson[] }>('ListDevices');
    const revs = await core.config.call<{ items: Array<{ hash: string }> }>('ListRevisions');
    await core.stop();
    await core.start();
    const after = await core.voltha.call<{ items: DeviceJson[] }>('ListDevices');
    expect(after.items.map((d) => d.id)).toEqual(before.items.map((d) => d.id));
    expect(after.items.map((d) => d.id)).toContain(olt.oltId);
    const revsAfter = await core.config.call<{ items: Array<{ hash: string }> }>('ListRevisions');
    expect(revsAfter.items.at(-1)?.hash).toBe(revs.items.at(-1)?.hash);
  });
});

describe('core-config end to end (etcd backend)', () => {
  let etcd: EtcdHarness;
  let core: CoreConfigFixture;
  let adapter: TestAdapter;

  beforeAll(async () => {
    etcd = await startEtcd();
    core = new CoreConfigFixture(['--backend', 'etcd', '--etcd', etcd.address, '--lock-ttl', '3']);
    await core.start();
    adapter = new TestAdapter(core.config);
  });
  afterAll(async () => {
    adapter?.stop();
    await core?.dispose();
    await etcd?.stop();
  });

  it('should run cold activation steps 1-5 and keep the devices across a restart', async () => {
    const { oltId } = await coldActivation(core, adapter);
    await core.stop();
    await core.start();
    const d = await core.voltha.call<DeviceJson>('GetDevice', { id: oltId });
    expect(d).toMatchObject({ adminState: ENABLED, operStatus: ACTIVE });
  });
});
