import { status } from '@grpc/grpc-js';

import { applyActions, ethType, flowStats, inPort, output } from '@voltha/openflow';
import { fromAny, toWireAny } from '@voltha/proto';
import type { Adapter, AnyLike, DeviceType } from '@voltha/proto';

import { AdapterAgentProcess, CoreConfigProcess, eventually } from './support/processes';
import { ADMIN, CONNECT, OFPPS_LIVE, OPER, Pon, PORT } from './support/pon';

jest.setTimeout(120_000);

/** Cold activation of the 1.x simulated PON through real core-config and adapter-agent processes. */
describe('adapter-agent: registration, cold activation, flows, ONU arrival and departure', () => {
  const core = new CoreConfigProcess(['--backend', 'none']);
  let agent: AdapterAgentProcess;
  let pon: Pon;
  let oltId = '';

  beforeAll(async () => {
    await core.start();
    agent = new AdapterAgentProcess(core.address);
    await agent.start();
    pon = new Pon(core.voltha);
  });

  afterAll(async () => {
    await agent?.stop();
    await core.dispose();
  });

  it('registers its adapters (with its endpoint) and device types in the tree', async () => {
    const adapters = await core.config.call<{ items: AnyLike[] }>('Get', { path: '/adapters' });
    const byId = new Map(adapters.items.map((a) => fromAny<Adapter>(a)).map((a) => [a.id, a]));
    for (const id of ['simulated_olt', 'simulated_onu']) {
      expect(byId.get(id)).toMatchObject({
        id,
        vendor: 'Voltha project',
        version: '0.1',
        endpoint: agent.address
      });
    }
    const types = await core.config.call<{ items: AnyLike[] }>('Get', { path: '/device_types' });
    const typeById = new Map(types.items.map((a) => fromAny<DeviceType>(a)).map((t) => [t.id, t]));
    expect(typeById.get('simulated_olt')).toMatchObject({
      adapter: 'simulated_olt',
      acceptsBulkFlowUpdate: true
    });
    expect(typeById.get('simulated_onu')).toMatchObject({
      adapter: 'simulated_onu',
      acceptsBulkFlowUpdate: true
    });
  });

  it('lists its adapters, device types and their health over its own API', async () => {
    const adapters = await agent.api.call<{ items: { id: string; endpoint: string }[] }>('ListAdapters');
    expect(adapters.items.map((a) => a.id).sort()).toEqual(['simulated_olt', 'simulated_onu']);
    expect(adapters.items.every((a) => a.endpoint === agent.address)).toBe(true);
    const types = await agent.api.call<{ items: { id: string }[] }>('ListDeviceTypes');
    expect(types.items.map((t) => t.id).sort()).toEqual(['simulated_olt', 'simulated_onu']);
    expect(await agent.api.call('GetAdapterHealth', { id: 'simulated_olt' })).toEqual({ state: 0 });
    await expect(agent.api.call('GetAdapterHealth', { id: 'nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
  });

  it('brings a 1 x 4 OLT and its ONUs to ACTIVE with the 1.x ports and logical ports', async () => {
    oltId = await pon.createOlt();
    const created = await pon.device(oltId);
    expect(created).toMatchObject({
      adapter: 'simulated_olt',
      adminState: ADMIN.PREPROVISIONED,
      operStatus: OPER.UNKNOWN
    });
    await pon.call('EnableDevice', oltId);
    const s = await pon.waitActive(oltId, 4, 30_000);

    expect(s.olt).toMatchObject({ root: true, adminState: ADMIN.ENABLED, connectStatus: CONNECT.REACHABLE });
    const oltPorts = s.ports.get(oltId) ?? [];
    expect(oltPorts.map((p) => [p.portNo, p.type])).toEqual([
      [1, PORT.PON_OLT],
      [2, PORT.ETHERNET_NNI]
    ]);
    expect(oltPorts.every((p) => p.adminState === ADMIN.ENABLED && p.operStatus === OPER.ACTIVE)).toBe(true);

    // ONUs: discovered ENABLED, vlan 101..104, proxy address on the OLT, PON + UNI ports
    expect(s.onus.map((o) => o.vlan)).toEqual([101, 102, 103, 104]);
    for (const onu of s.onus) {
      expect(onu).toMatchObject({
        type: 'simulated_onu',
        adapter: 'simulated_onu',
        parentPortNo: 1,
        adminState: ADMIN.ENABLED,
        operStatus: OPER.ACTIVE,
        connectStatus: CONNECT.REACHABLE
      });
      expect(onu.proxyAddress).toMatchObject({ deviceId: oltId, channelId: onu.vlan });
      const ports = s.ports.get(onu.id) ?? [];
      expect(ports.map((p) => [p.portNo, p.type])).toEqual([
        [1, PORT.PON_ONU],
        [2, PORT.ETHERNET_UNI]
      ]);
      // Peers both ways: ONU PON port <-> OLT PON port
      expect(ports[0].peers).toEqual([{ deviceId: oltId, portNo: 1 }]);
    }
    const oltPon = oltPorts.find((p) => p.portNo === 1);
    expect(oltPon?.peers.map((p) => p.deviceId).sort()).toEqual(s.onus.map((o) => o.id).sort());
    expect(oltPon?.peers.every((p) => p.portNo === 1)).toBe(true);

    // One logical device rooted at the OLT; NNI 129 + UNIs 101..104, all LIVE
    expect(s.logicalDevices).toHaveLength(1);
    expect(s.logicalDevices[0]).toMatchObject({ id: s.olt.parentId, rootDeviceId: oltId });
    expect(s.logicalPorts.map((p) => [p.id, p.ofpPort.portNo, p.ofpPort.name, p.devicePortNo])).toEqual([
      ['101', 101, 'uni-101', 2],
      ['102', 102, 'uni-102', 2],
      ['103', 103, 'uni-103', 2],
      ['104', 104, 'uni-104', 2],
      ['nni', 129, 'nni', 2]
    ]);
    expect(s.logicalPorts.every((p) => p.ofpPort.state === OFPPS_LIVE)).toBe(true);
    expect(s.logicalPorts.find((p) => p.id === 'nni')).toMatchObject({ rootPort: true, deviceId: oltId });
  });

  it('pushes device flows written to /devices/<id>/flows/items to the adapter, in bulk', async () => {
    const trap = flowStats({
      priority: 1000,
      match: [inPort(1), ethType(0x888e)],
      instructions: [applyActions([output(2)])]
    });
    const downstream = flowStats({
      priority: 2000,
      match: [inPort(2)],
      instructions: [applyActions([output(1)])]
    });
    const add = (f: typeof trap): Promise<unknown> =>
      core.config.call('Add', { path: `/devices/${oltId}/flows/items`, data: toWireAny(f), origin: 'test' });
    await add(trap);
    await add(downstream);
    const received = await eventually('2 flows on the OLT', async () => {
      const r = await agent.api.call<{ items: { id: string }[] }>('ListReceivedFlows', { id: oltId });
      return r.items.length === 2 ? r.items : undefined;
    });
    expect(received.map((f) => f.id).sort()).toEqual([trap.id, downstream.id].sort());

    await core.config.call('Remove', { path: `/devices/${oltId}/flows/items/${trap.id}`, origin: 'test' });
    await eventually('1 flow left on the OLT', async () => {
      const r = await agent.api.call<{ items: { id: string }[] }>('ListReceivedFlows', { id: oltId });
      return r.items.length === 1 && r.items[0].id === downstream.id;
    });

    const onu = (await pon.children(oltId))[0];
    const uniFlow = flowStats({
      priority: 500,
      match: [inPort(2)],
      instructions: [applyActions([output(1)])]
    });
    await core.config.call('Add', {
      path: `/devices/${onu.id}/flows/items`,
      data: toWireAny(uniFlow),
      origin: 'test'
    });
    await eventually('the ONU flow', async () => {
      const r = await agent.api.call<{ items: { id: string }[] }>('ListReceivedFlows', { id: onu.id });
      return r.items.length === 1 && r.items[0].id === uniFlow.id;
    });
  });

  it('adds and removes ONUs through SimulateOnuArrival / SimulateOnuDeparture', async () => {
    const arrived = await agent.api.call<{ deviceIds: string[] }>('SimulateOnuArrival', {
      oltId,
      ponPort: 1,
      count: 2
    });
    expect(arrived.deviceIds).toHaveLength(2);
    const s = await pon.waitActive(oltId, 6, 30_000);
    expect(s.onus.map((o) => o.vlan)).toEqual([101, 102, 103, 104, 105, 106]);
    expect(s.logicalPorts).toHaveLength(7);

    const departed = await agent.api.call<{ deviceIds: string[] }>('SimulateOnuDeparture', {
      oltId,
      onuIds: arrived.deviceIds
    });
    expect(departed.deviceIds.sort()).toEqual([...arrived.deviceIds].sort());
    const after = await pon.waitActive(oltId, 4, 30_000);
    expect(after.logicalPorts.map((p) => p.id)).toEqual(['101', '102', '103', '104', 'nni']);
    const oltPon = (after.ports.get(oltId) ?? []).find((p) => p.portNo === 1);
    expect(oltPon?.peers).toHaveLength(4);

    await expect(
      agent.api.call('SimulateOnuArrival', { oltId: 'nope', ponPort: 1, count: 1 })
    ).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(agent.api.call('SimulateOnuArrival', { oltId, ponPort: 7, count: 1 })).rejects.toMatchObject(
      { code: status.INVALID_ARGUMENT }
    );
  });
});
