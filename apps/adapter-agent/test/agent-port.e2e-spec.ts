import { agentOp, isAdapterError } from '@voltha/adapters';
import { WatchEventSource } from '@voltha/kafka-events';
import {
  AdminState_AdminState as AdminState,
  Device,
  DeviceType,
  LogicalDevice,
  LogicalPort,
  OperStatus_OperStatus as OperStatus,
  Port,
  Port_PortType as PortType,
  ProxyAddress
} from '@voltha/proto';

import { ConfigAdapterAgent } from '../src/core/config-adapter-agent';
import { ConfigClient } from '../src/core/config-client';
import { CoreGateway } from '../src/core/core-gateway';
import { TreeIndex } from '../src/core/tree-index';
import { AdapterHost } from '../src/host/adapter-host';
import { Telemetry } from '../src/host/telemetry';
import { CoreConfigProcess, eventually } from './support/processes';

jest.setTimeout(60_000);

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined
};

/** One agent side in this process (client, index fed by the Watch stream, gateway) over a real core-config. */
class AgentSide {
  public readonly client: ConfigClient;
  public readonly index = new TreeIndex();
  public readonly gateway: CoreGateway;
  public readonly host: AdapterHost;
  private readonly source: WatchEventSource;

  public constructor(address: string) {
    this.client = new ConfigClient(address, 10_000);
    this.gateway = new CoreGateway(this.client, this.index, { retries: 20, logger: quiet });
    this.host = new AdapterHost(this.gateway, {
      logger: quiet,
      telemetry: new Telemetry(quiet),
      checkGaps: true
    });
    this.source = new WatchEventSource({ address });
  }

  public async start(): Promise<void> {
    await this.source.start(this.host);
    await this.host.whenLoaded();
  }

  public agent(adapterId: string): ConfigAdapterAgent {
    return new ConfigAdapterAgent(adapterId, this.gateway, this.host);
  }

  public async stop(): Promise<void> {
    await this.source.stop();
    this.gateway.releaseWaiters();
    this.client.close();
  }
}

const enabledPort = (
  portNo: number,
  type: PortType,
  peers: { deviceId: string; portNo: number }[] = []
): Port =>
  Port.fromPartial({ portNo, type, adminState: AdminState.ENABLED, operStatus: OperStatus.ACTIVE, peers });

/** The AdapterAgent port over ConfigService keeps the semantics of the in-memory core (adapters README §2). */
describe('ConfigAdapterAgent against core-config', () => {
  const core = new CoreConfigProcess(['--backend', 'none']);
  let side: AgentSide;
  let agent: ConfigAdapterAgent;
  let oltId = '';

  beforeAll(async () => {
    await core.start();
    side = new AgentSide(core.address);
    await side.start();
    for (const type of [
      DeviceType.fromPartial({ id: 'test_olt', adapter: 'test_adapter', vendorId: 'TEST' }),
      DeviceType.fromPartial({ id: 'test_onu', adapter: 'test_adapter', vendorId: 'TEST' })
    ]) {
      await side.client.add('/device_types', type, { origin: 'test' });
    }
    agent = side.agent('test_adapter');
    await eventually('device types indexed', async () => side.index.deviceType('test_onu') !== undefined);
  });

  afterAll(async () => {
    await side?.stop();
    await core.dispose();
  });

  it('adds a device with an id from the core and the adapter / vendor id of its type', async () => {
    const olt = await agent.addDevice(
      Device.fromPartial({ type: 'test_olt', root: true, adminState: AdminState.ENABLED, ports: [] })
    );
    oltId = olt.id;
    expect(oltId).toMatch(/^0001[0-9a-f]{12}$/);
    expect(await agent.getDevice(oltId)).toMatchObject({
      adapter: 'test_adapter',
      vendorId: 'TEST',
      root: true
    });
    await agent.transaction([
      agentOp.addPort(oltId, enabledPort(1, PortType.PON_OLT)),
      agentOp.addPort(oltId, enabledPort(2, PortType.ETHERNET_NNI))
    ]);
    expect((await agent.getPorts(oltId)).map((p) => p.portNo).sort()).toEqual([1, 2]);
    expect((await agent.getPorts(oltId, PortType.PON_OLT)).map((p) => p.portNo)).toEqual([1]);
    await expect(agent.getDevice('0001ffffffffffff')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('detects children: indexed by parent and proxy address at once, proxy addresses unique, parent port and type checked', async () => {
    const request = (channelId: number) => ({
      parentDeviceId: oltId,
      parentPortNo: 1,
      childDeviceType: 'test_onu',
      proxyAddress: ProxyAddress.fromPartial({ deviceId: oltId, channelId, onuId: channelId - 100 }),
      adminState: AdminState.PREPROVISIONED,
      vlan: channelId
    });
    const children = await agent.childDevicesDetected([request(101), request(102), request(103)]);
    expect(children.map((c) => c.vlan)).toEqual([101, 102, 103]);
    expect(
      children.every((c) => c.adapter === 'test_adapter' && c.parentId === oltId && c.id.length === 16)
    ).toBe(true);
    // read-your-writes on the index
    expect((await agent.getChildDevices(oltId)).map((c) => c.vlan).sort()).toEqual([101, 102, 103]);
    const byProxy = await agent.getChildDeviceByProxyAddress(request(102).proxyAddress);
    expect(byProxy?.id).toBe(children[1].id);

    await expect(agent.childDeviceDetected(request(102))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(agent.childDevicesDetected([request(104), request(104)])).rejects.toMatchObject({
      code: 'ALREADY_EXISTS'
    });
    await expect(agent.childDeviceDetected({ ...request(105), parentPortNo: 9 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT'
    });
    await expect(
      agent.childDeviceDetected({ ...request(105), childDeviceType: 'nope' })
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT'
    });
    // all or nothing: 104 was not created by the failed batch
    expect((await agent.getChildDevices(oltId)).length).toBe(3);
  });

  it('keeps peers both ways: addPort adds the reverse PeerPort, deletePort removes both sides', async () => {
    const [onu] = await agent.getChildDevices(oltId);
    await agent.addPort(onu.id, enabledPort(1, PortType.PON_ONU, [{ deviceId: oltId, portNo: 1 }]));
    const oltPon = (await agent.getPorts(oltId, PortType.PON_OLT))[0];
    expect(oltPon.peers).toEqual([expect.objectContaining({ deviceId: onu.id, portNo: 1 })]);
    // peers are merged, not replaced
    await agent.addPort(onu.id, enabledPort(1, PortType.PON_ONU, [{ deviceId: oltId, portNo: 2 }]));
    expect((await agent.getPorts(onu.id))[0].peers.map((p) => p.portNo).sort()).toEqual([1, 2]);
    await expect(
      agent.addPort(onu.id, enabledPort(1, PortType.PON_ONU, [{ deviceId: oltId, portNo: 7 }]))
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await agent.deletePort(onu.id, 1);
    expect(await agent.getPorts(onu.id)).toEqual([]);
    expect((await agent.getPorts(oltId)).every((p) => p.peers.length === 0)).toBe(true);
    await agent.deletePort(onu.id, 1); // idempotent
  });

  it('creates logical devices with ids from the core and keeps logical port numbers unique', async () => {
    const identity = await agent.createLogicalDevice(
      LogicalDevice.fromPartial({
        rootDeviceId: oltId,
        ports: [
          LogicalPort.fromPartial({
            id: 'nni',
            deviceId: oltId,
            devicePortNo: 2,
            rootPort: true,
            ofpPort: { portNo: 129, name: 'nni' }
          })
        ]
      })
    );
    expect(identity.id).toMatch(/^0001[0-9a-f]{12}$/);
    expect(identity.datapathId).toBe(BigInt(`0x${identity.id}`).toString());
    expect((await agent.getLogicalPorts(identity.id)).map((p) => p.id)).toEqual(['nni']);
    const [onu] = await agent.getChildDevices(oltId);
    const uni = (id: string, portNo: number): LogicalPort =>
      LogicalPort.fromPartial({
        id,
        deviceId: onu.id,
        devicePortNo: 2,
        ofpPort: { portNo, name: `uni-${portNo}` }
      });
    await agent.addLogicalPort(identity.id, uni('101', 101));
    await expect(agent.addLogicalPort(identity.id, uni('x', 129))).rejects.toMatchObject({
      code: 'ALREADY_EXISTS'
    });
    await agent.addLogicalPort(identity.id, uni('101', 101)); // add-or-update
    await agent.deleteLogicalPort(identity.id, 'nope'); // idempotent
    expect((await agent.getLogicalPorts(identity.id)).map((p) => p.id).sort()).toEqual(['101', 'nni']);
    await expect(agent.getLogicalDevice('0001ffffffffffff')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('updates and removes children in bulk, with their peers and logical ports', async () => {
    const changed = await agent.updateChildDevicesState(
      oltId,
      { adminState: AdminState.ENABLED },
      { adminState: AdminState.PREPROVISIONED }
    );
    expect(changed).toBe(3);
    expect(
      await agent.updateChildDevicesState(
        oltId,
        { adminState: AdminState.ENABLED },
        { adminState: AdminState.PREPROVISIONED }
      )
    ).toBe(0);
    const children = await agent.getChildDevices(oltId);
    for (const c of children)
      await agent.addPort(c.id, enabledPort(1, PortType.PON_ONU, [{ deviceId: oltId, portNo: 1 }]));
    expect((await agent.getPorts(oltId, PortType.PON_OLT))[0].peers).toHaveLength(3);

    const removed = await agent.removeChildDevices(oltId, { childIds: [children[0].id, children[1].id] });
    expect(removed.sort()).toEqual([children[0].id, children[1].id].sort());
    expect((await agent.getChildDevices(oltId)).map((c) => c.id)).toEqual([children[2].id]);
    expect((await agent.getPorts(oltId, PortType.PON_OLT))[0].peers.map((p) => p.deviceId)).toEqual([
      children[2].id
    ]);
    const [ld] = (await side.client.getList<LogicalDevice>('/logical_devices')).filter(
      (l) => l.rootDeviceId === oltId
    );
    // the UNI logical port of the removed ONU went with it
    expect((await agent.getLogicalPorts(ld.id)).map((p) => p.id)).toEqual(['nni']);
  });

  it('retries a transaction whose commit conflicts (ABORTED) and applies every change once', async () => {
    const other = new AgentSide(core.address);
    await other.start();
    try {
      const onus = await agent.childDevicesDetected(
        [201, 202, 203, 204, 205, 206].map((channelId) => ({
          parentDeviceId: oltId,
          parentPortNo: 2,
          childDeviceType: 'test_onu',
          proxyAddress: ProxyAddress.fromPartial({ deviceId: oltId, channelId }),
          adminState: AdminState.PREPROVISIONED
        }))
      );
      const otherAgent = other.agent('test_adapter');
      await eventually('the other side knows the ONUs', async () => other.index.hasDevice(onus[5].id));
      // Two agents (two lock sets) add peers on the same OLT port at once: their commits collide.
      await Promise.all(
        onus.map((onu, i) =>
          (i % 2 ? otherAgent : agent).addPort(
            onu.id,
            enabledPort(1, PortType.PON_ONU, [{ deviceId: oltId, portNo: 2 }])
          )
        )
      );
      const nni = (await agent.getPorts(oltId, PortType.ETHERNET_NNI))[0];
      expect(nni.peers.map((p) => p.deviceId).sort()).toEqual(onus.map((o) => o.id).sort());
      expect(side.gateway.stats.aborted + other.gateway.stats.aborted).toBe(0);
      expect(side.gateway.stats.retries + other.gateway.stats.retries).toBeGreaterThan(0);
    } finally {
      await other.stop();
    }
  });

  it('maps core errors to adapter errors', async () => {
    const error = await agent
      .updateDevice(Device.fromPartial({ id: '0001ffffffffffff', type: 'test_onu' }))
      .catch((e) => e);
    expect(isAdapterError(error, 'NOT_FOUND')).toBe(true);
  });
});
