import { applyActions, flowStats, inPort, output } from '@voltha/openflow';
import {
  Adapter,
  AdminState_AdminState as AdminState,
  ConnectStatus_ConnectStatus as ConnectStatus,
  Device,
  DeviceTypes,
  HealthStatus,
  LogicalDevice,
  LogicalPort,
  OperStatus_OperStatus as OperStatus,
  PmConfigs,
  Port,
  Port_PortType as PortType,
  ProxyAddress
} from '@voltha/proto';
import type { DeviceType } from '@voltha/proto';

import type { DeviceAdapter } from '../lib/adapter';
import { agentOp, type ChildDeviceRequest } from '../lib/adapter-agent';
import { AdapterError } from '../lib/errors';
import { InMemoryCore } from './in-memory-core';
import { flushMicrotasks } from './virtual-scheduler';

/** Records every call; does nothing else. */
class RecordingAdapter implements DeviceAdapter {
  public readonly calls: string[] = [];
  public readonly messages: { to: 'parent' | 'child'; pa: ProxyAddress; msg: string }[] = [];

  public constructor(
    private readonly id: string,
    private readonly type: Partial<DeviceType> = {}
  ) {}

  public async start(): Promise<void> {}
  public async stop(): Promise<void> {}
  public adapterDescriptor(): Adapter {
    return Adapter.fromPartial({ id: this.id, vendor: 'test', version: '1' });
  }
  public deviceTypes(): DeviceTypes {
    return DeviceTypes.fromPartial({
      items: [{ id: this.id, adapter: this.id, acceptsBulkFlowUpdate: true, ...this.type }]
    });
  }
  public async health(): Promise<HealthStatus> {
    return HealthStatus.fromPartial({});
  }
  private rec(name: string, d: Device): void {
    this.calls.push(`${name} ${d.id} ${OperStatus[d.operStatus]}`);
  }
  public async adoptDevice(d: Device): Promise<void> {
    this.rec('adopt', d);
  }
  public async reconcileDevice(d: Device): Promise<void> {
    this.rec('reconcile', d);
  }
  public async abandonDevice(d: Device): Promise<void> {
    this.rec('abandon', d);
  }
  public async disableDevice(d: Device): Promise<void> {
    this.rec('disable', d);
  }
  public async reenableDevice(d: Device): Promise<void> {
    this.rec('reenable', d);
  }
  public async rebootDevice(d: Device): Promise<void> {
    this.rec('reboot', d);
  }
  public async deleteDevice(d: Device): Promise<void> {
    this.rec('delete', d);
  }
  public async updateFlowsBulk(d: Device, flows: { items: unknown[] }): Promise<void> {
    this.calls.push(`flows-bulk ${d.id} ${flows.items.length}`);
  }
  public async updateFlowsIncrementally(d: Device): Promise<void> {
    this.calls.push(`flows-incremental ${d.id}`);
  }
  public async updatePmConfig(d: Device): Promise<void> {
    this.rec('pm', d);
  }
  public async sendProxiedMessage(pa: ProxyAddress, msg: Uint8Array): Promise<void> {
    this.messages.push({ to: 'parent', pa, msg: Buffer.from(msg).toString() });
  }
  public async receiveProxiedMessage(pa: ProxyAddress, msg: Uint8Array): Promise<void> {
    this.messages.push({ to: 'child', pa, msg: Buffer.from(msg).toString() });
  }
  public async receivePacketOut(ld: string, port: number): Promise<void> {
    this.calls.push(`packet-out ${ld} ${port}`);
  }
}

async function setup() {
  const core = new InMemoryCore();
  const olt = new RecordingAdapter('test_olt');
  const onu = new RecordingAdapter('test_onu');
  await core.registerAdapter(olt);
  await core.registerAdapter(onu);
  const oltAgent = core.agent('test_olt');
  const onuAgent = core.agent('test_onu');
  const parent = core.createDevice({ type: 'test_olt', hostAndPort: 'olt:50060' });
  await oltAgent.transaction([
    agentOp.addPort(parent.id, Port.fromPartial({ portNo: 1, type: PortType.PON_OLT })),
    agentOp.addPort(parent.id, Port.fromPartial({ portNo: 2, type: PortType.ETHERNET_NNI }))
  ]);
  const child = (channelId: number): ChildDeviceRequest => ({
    parentDeviceId: parent.id,
    parentPortNo: 1,
    childDeviceType: 'test_onu',
    proxyAddress: ProxyAddress.fromPartial({ deviceId: parent.id, channelId }),
    adminState: AdminState.ENABLED,
    vlan: channelId
  });
  const settle = async (): Promise<void> => {
    await flushMicrotasks();
    await core.idle();
  };
  return { core, olt, onu, oltAgent, onuAgent, parent, child, settle };
}

describe('InMemoryCore', () => {
  describe('addPort', () => {
    it('sets port.deviceId and adds the reverse PeerPort on the peer, in one step', async () => {
      const { core, oltAgent, onuAgent, parent, child } = await setup();
      const [a] = await oltAgent.childDevicesDetected([child(101)]);
      await onuAgent.addPort(
        a.id,
        Port.fromPartial({ portNo: 1, type: PortType.PON_ONU, peers: [{ deviceId: parent.id, portNo: 1 }] })
      );
      const onuPort = core.device(a.id)?.ports[0];
      expect(onuPort).toMatchObject({ deviceId: a.id, peers: [{ deviceId: parent.id, portNo: 1 }] });
      const pon = (await oltAgent.getPorts(parent.id, PortType.PON_OLT))[0];
      expect(pon.peers).toEqual([expect.objectContaining({ deviceId: a.id, portNo: 1 })]);
      // Re-adding is add-or-update: no duplicate peers, stored peers are kept.
      await onuAgent.addPort(a.id, Port.fromPartial({ portNo: 1, type: PortType.PON_ONU, label: 'again' }));
      expect(core.device(a.id)?.ports).toHaveLength(1);
      expect(core.device(a.id)?.ports[0]).toMatchObject({
        label: 'again',
        peers: [{ deviceId: parent.id, portNo: 1 }]
      });
      expect((await oltAgent.getPorts(parent.id, PortType.PON_OLT))[0].peers).toHaveLength(1);
    });

    it('rejects a peer that does not exist and leaves nothing of the transaction behind', async () => {
      const { core, oltAgent, onuAgent, parent, child } = await setup();
      const before = core.deviceCount;
      const attempt = oltAgent.transaction([
        agentOp.childDeviceDetected(child(101)),
        agentOp.addPort(parent.id, Port.fromPartial({ portNo: 3, peers: [{ deviceId: 'nope', portNo: 1 }] }))
      ]);
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(core.deviceCount).toBe(before);
      expect(await oltAgent.getChildDevices(parent.id)).toEqual([]);
      expect(
        core
          .device(parent.id)
          ?.ports.map((p) => p.portNo)
          .sort()
      ).toEqual([1, 2]);
      // The proxy address index was rolled back too: the same child can be detected now.
      const detected = await onuAgent.childDeviceDetected(child(101));
      expect(detected.proxyAddress?.channelId).toBe(101);
    });
  });

  describe('logical devices', () => {
    it('assigns id and datapath id (core store id + switch number), never reusing one', async () => {
      const { core, oltAgent, parent } = await setup();
      const ld = (): LogicalDevice => LogicalDevice.fromPartial({ rootDeviceId: parent.id });
      const first = await oltAgent.createLogicalDevice(ld());
      expect(first).toEqual({ id: '0001000000000001', datapathId: String(0x0001000000000001n) });
      await oltAgent.deleteLogicalDevice(first.id);
      const second = await oltAgent.createLogicalDevice(ld());
      expect(second.id).toBe('0001000000000002');
      expect(core.listLogicalDevices().map((l) => l.id)).toEqual([second.id]);
      await expect(
        oltAgent.createLogicalDevice(LogicalDevice.fromPartial({ id: second.id, rootDeviceId: parent.id }))
      ).rejects.toMatchObject({
        code: 'ALREADY_EXISTS'
      });
    });

    it('adds the ports given with the logical device, and refuses a port number used by another port', async () => {
      const { core, oltAgent, parent } = await setup();
      const { id } = await oltAgent.createLogicalDevice(
        LogicalDevice.fromPartial({
          rootDeviceId: parent.id,
          ports: [
            {
              id: 'nni',
              ofpPort: { portNo: 129, name: 'nni' },
              deviceId: parent.id,
              devicePortNo: 2,
              rootPort: true
            }
          ]
        })
      );
      expect(core.logicalDevice(id)?.ports.map((p) => p.id)).toEqual(['nni']);
      await expect(
        oltAgent.addLogicalPort(
          id,
          LogicalPort.fromPartial({ id: 'x', deviceId: parent.id, devicePortNo: 1 })
        )
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(
        oltAgent.addLogicalPort(id, { ...(core.logicalDevice(id)?.ports[0] as LogicalPort), id: 'other' })
      ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
      await oltAgent.deleteLogicalPort(id, 'missing'); // idempotent
      await oltAgent.deleteLogicalPort('missing', 'nni');
      expect(core.logicalDevice(id)?.ports).toHaveLength(1);
    });
  });

  describe('children', () => {
    it('creates children with the type adapter, indexes them by parent and by proxy address, refuses duplicates', async () => {
      const { oltAgent, parent, child } = await setup();
      const devices = await oltAgent.childDevicesDetected([child(101), child(102)]);
      expect(devices.map((d) => [d.type, d.adapter, d.parentId, d.parentPortNo, d.vlan])).toEqual([
        ['test_onu', 'test_onu', parent.id, 1, 101],
        ['test_onu', 'test_onu', parent.id, 1, 102]
      ]);
      expect((await oltAgent.getChildDevices(parent.id)).map((d) => d.id)).toEqual(devices.map((d) => d.id));
      const byProxy = await oltAgent.getChildDeviceByProxyAddress(
        ProxyAddress.fromPartial({ deviceId: parent.id, channelId: 102 })
      );
      expect(byProxy?.id).toBe(devices[1].id);
      // A batch with one duplicate creates nothing.
      await expect(oltAgent.childDevicesDetected([child(103), child(101)])).rejects.toMatchObject({
        code: 'ALREADY_EXISTS'
      });
      expect(await oltAgent.getChildDevices(parent.id)).toHaveLength(2);
      await expect(oltAgent.childDeviceDetected({ ...child(104), parentPortNo: 9 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT'
      });
      await expect(
        oltAgent.childDeviceDetected({ ...child(104), childDeviceType: 'nope' })
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('adopts children detected ENABLED after marking them ACTIVATING (no NBI call)', async () => {
      const { onu, oltAgent, child, settle } = await setup();
      const [a] = await oltAgent.childDevicesDetected([child(101)]);
      await settle();
      expect(onu.calls).toEqual([`adopt ${a.id} ACTIVATING`]);
    });

    it("updates children's state in bulk with a filter and calls their adapter (a parent is not the child's adapter)", async () => {
      const { core, onu, oltAgent, parent, child, settle } = await setup();
      const [a, b, c] = await oltAgent.childDevicesDetected([child(101), child(102), child(103)]);
      await oltAgent.updateChildDevice(
        parent.id,
        Device.fromPartial({ ...(await oltAgent.getDevice(c.id)), adminState: AdminState.DISABLED })
      );
      await settle();
      onu.calls.length = 0;
      const changed = await oltAgent.updateChildDevicesState(
        parent.id,
        { adminState: AdminState.DISABLED },
        { adminState: AdminState.ENABLED }
      );
      expect(changed).toBe(2);
      await settle();
      expect(onu.calls.sort()).toEqual([`disable ${a.id} ACTIVATING`, `disable ${b.id} ACTIVATING`].sort());
      expect(
        await oltAgent.updateChildDevicesState(
          parent.id,
          { connectStatus: ConnectStatus.REACHABLE },
          { childIds: [a.id, 'stranger'] }
        )
      ).toBe(1);
      expect(core.device(a.id)?.connectStatus).toBe(ConnectStatus.REACHABLE);
      await expect(
        oltAgent.updateChildDevice('other-parent', Device.fromPartial({ ...a }))
      ).rejects.toMatchObject({
        code: 'FAILED_PRECONDITION'
      });
    });

    it('removes children with their ports, the peers pointing at them and their logical ports, and tells their adapter', async () => {
      const { core, onu, oltAgent, onuAgent, parent, child, settle } = await setup();
      const [a, b] = await oltAgent.childDevicesDetected([child(101), child(102)]);
      const { id: ld } = await oltAgent.createLogicalDevice(
        LogicalDevice.fromPartial({ rootDeviceId: parent.id })
      );
      for (const d of [a, b]) {
        await onuAgent.transaction([
          agentOp.addPort(d.id, Port.fromPartial({ portNo: 1, peers: [{ deviceId: parent.id, portNo: 1 }] })),
          agentOp.addLogicalPort(
            ld,
            LogicalPort.fromPartial({
              id: String(d.vlan),
              ofpPort: { portNo: d.vlan },
              deviceId: d.id,
              devicePortNo: 2
            })
          )
        ]);
      }
      await settle();
      onu.calls.length = 0;
      expect(await oltAgent.removeChildDevices(parent.id, { childIds: [a.id] })).toEqual([a.id]);
      await settle();
      expect(core.device(a.id)).toBeUndefined();
      expect(
        core
          .device(parent.id)
          ?.ports.find((p) => p.portNo === 1)
          ?.peers.map((p) => p.deviceId)
      ).toEqual([b.id]);
      expect(core.logicalDevice(ld)?.ports.map((p) => p.id)).toEqual(['102']);
      expect(onu.calls).toEqual([`delete ${a.id} ACTIVATING`]);
      expect(
        await oltAgent.getChildDeviceByProxyAddress(
          ProxyAddress.fromPartial({ deviceId: parent.id, channelId: 101 })
        )
      ).toBeUndefined();
      expect(await oltAgent.removeChildDevices(parent.id)).toEqual([b.id]);
      expect(await oltAgent.getChildDevices(parent.id)).toEqual([]);
    });
  });

  describe('named writes', () => {
    it('disableAllPorts / enableAllPorts, deletePort (with its peers), removeChildDevice, updateChildDevices, addDevice', async () => {
      const { core, oltAgent, onuAgent, parent, child } = await setup();
      const [a, b] = await oltAgent.childDevicesDetected([child(101), child(102)]);
      await onuAgent.addPort(
        a.id,
        Port.fromPartial({ portNo: 1, peers: [{ deviceId: parent.id, portNo: 1 }] })
      );
      await oltAgent.disableAllPorts(parent.id);
      expect(core.device(parent.id)?.ports.map((p) => [p.adminState, p.operStatus])).toEqual([
        [AdminState.DISABLED, OperStatus.UNKNOWN],
        [AdminState.DISABLED, OperStatus.UNKNOWN]
      ]);
      await oltAgent.enableAllPorts(parent.id);
      expect(core.device(parent.id)?.ports.every((p) => p.operStatus === OperStatus.ACTIVE)).toBe(true);
      expect(core.device(parent.id)?.ports.find((p) => p.portNo === 1)?.peers).toHaveLength(1);
      await onuAgent.deletePort(a.id, 1);
      expect(core.device(parent.id)?.ports.find((p) => p.portNo === 1)?.peers).toEqual([]);
      await oltAgent.updateChildDevices(parent.id, [
        Device.fromPartial({ ...a, vlan: 7 }),
        Device.fromPartial({ ...b, vlan: 8 })
      ]);
      expect((await oltAgent.getChildDevices(parent.id)).map((d) => d.vlan)).toEqual([7, 8]);
      await oltAgent.removeChildDevice(parent.id, a.id);
      expect((await oltAgent.getChildDevices(parent.id)).map((d) => d.id)).toEqual([b.id]);
      const added = await oltAgent.addDevice(Device.fromPartial({ type: 'test_onu' }));
      expect(added.id).toMatch(/^0001d[0-9a-f]{11}$/);
      expect(added.adapter).toBe('test_onu');
      const [identity, removed, changed] = await oltAgent.transaction([
        agentOp.createLogicalDevice(LogicalDevice.fromPartial({ rootDeviceId: parent.id })),
        agentOp.removeChildDevices(parent.id, { childIds: ['none'] }),
        agentOp.updateChildDevicesState(parent.id, { connectStatus: ConnectStatus.UNREACHABLE })
      ]);
      expect(identity.id).toBe('0001000000000001');
      expect(removed).toEqual([]);
      expect(changed).toBe(1);
      expect(core.transactions.get('test_olt')).toBe(8); // one per call: batches are single transactions
    });
  });

  describe('echo suppression', () => {
    it('never calls an adapter back for its own changes to its own devices', async () => {
      const { olt, oltAgent, parent, settle } = await setup();
      const current = await oltAgent.getDevice(parent.id);
      await oltAgent.updateDevice(Device.fromPartial({ ...current, adminState: AdminState.ENABLED }));
      await oltAgent.updatePmConfigs(parent.id, PmConfigs.fromPartial({ id: parent.id, defaultFreq: 10 }));
      await settle();
      expect(olt.calls).toEqual([]);
    });
  });

  describe('reads', () => {
    it('returns devices at depth 0 (no ports, flows or PM configs) and NOT_FOUND errors for unknown ids', async () => {
      const { oltAgent, parent } = await setup();
      const d = await oltAgent.getDevice(parent.id);
      expect(d.ports).toEqual([]);
      expect(d.flows).toBeUndefined();
      await expect(oltAgent.getDevice('nope')).rejects.toBeInstanceOf(AdapterError);
      await expect(oltAgent.getLogicalDevice('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('proxied messages', () => {
    it("routes a child's message to the parent adapter and the parent's reply to the child adapter by proxy address", async () => {
      const { core, olt, onu, oltAgent, onuAgent, child } = await setup();
      const [a] = await oltAgent.childDevicesDetected([child(101)]);
      const pa = a.proxyAddress as ProxyAddress;
      await onuAgent.sendProxiedMessage(pa, Buffer.from('hello'));
      await oltAgent.receiveProxiedMessage(pa, Buffer.from('hello back'));
      expect(olt.messages).toEqual([{ to: 'parent', pa, msg: 'hello' }]);
      expect(onu.messages).toEqual([{ to: 'child', pa, msg: 'hello back' }]);
      expect(core.proxied).toEqual({ toParent: 1, toChild: 1 });
      await expect(
        oltAgent.receiveProxiedMessage({ ...pa, channelId: 999 }, Buffer.from('x'))
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('NBI', () => {
    it('enable adopts (ACTIVATING), disable clears flows then disables, reenable, reboot, delete after disable', async () => {
      const { core, olt, parent, settle } = await setup();
      core.enableDevice(parent.id);
      const flow = flowStats({ priority: 1, match: [inPort(2)], instructions: [applyActions([output(1)])] });
      core.updateDeviceFlows(parent.id, { items: [flow] });
      await settle();
      expect(() => core.deleteDevice(parent.id)).toThrow(/DISABLED/);
      core.disableDevice(parent.id);
      core.rebootDevice(parent.id);
      core.enableDevice(parent.id);
      await settle();
      core.disableDevice(parent.id);
      core.deleteDevice(parent.id);
      await settle();
      expect(olt.calls).toEqual([
        `adopt ${parent.id} ACTIVATING`,
        `flows-bulk ${parent.id} 1`,
        `flows-bulk ${parent.id} 0`,
        `disable ${parent.id} ACTIVATING`,
        `reboot ${parent.id} ACTIVATING`,
        `reenable ${parent.id} ACTIVATING`,
        `disable ${parent.id} ACTIVATING`,
        `delete ${parent.id} ACTIVATING`
      ]);
      expect(core.device(parent.id)).toBeUndefined();
      expect(core.errors).toEqual([]);
    });

    it('sends flow deltas to a device type that accepts add/remove updates', async () => {
      const core = new InMemoryCore();
      const adapter = new RecordingAdapter('inc', { acceptsAddRemoveFlowUpdates: true });
      await core.registerAdapter(adapter);
      const d = core.createDevice({ type: 'inc', macAddress: '00:00:00:00:00:09' });
      core.updateDeviceFlows(d.id, { items: [flowStats({ priority: 1, match: [inPort(1)] })] });
      await core.idle();
      expect(adapter.calls).toEqual([`flows-incremental ${d.id}`]);
    });

    it('routes packet-out to the root device adapter of the logical device', async () => {
      const { core, olt, oltAgent, parent } = await setup();
      const { id } = await oltAgent.createLogicalDevice(
        LogicalDevice.fromPartial({ rootDeviceId: parent.id })
      );
      await core.sendPacketOut(id, 101, Buffer.from([1, 2, 3]));
      expect(olt.calls).toEqual([`packet-out ${id} 101`]);
      await oltAgent.sendPacketIn(id, 101, Buffer.from([4]));
      expect(core.packetIns).toEqual([{ logicalDeviceId: id, portNo: 101, packet: Uint8Array.from([4]) }]);
      await expect(oltAgent.sendPacketIn('nope', 1, Buffer.from([]))).rejects.toMatchObject({
        code: 'NOT_FOUND'
      });
    });
  });
});
