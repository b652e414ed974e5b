import {
  createSimulatedPon,
  DEFAULT_SIMULATED_TIMINGS,
  PORT_COUNTER_NAMES,
  SIMULATED_OLT_ADAPTER,
  SIMULATED_ONU_ADAPTER
} from '../src';
import {
  AdminState_AdminState as AdminState,
  HealthStatus_HealthState as HealthState,
  ofpCapabilities,
  ofpPortState,
  OperStatus_OperStatus as OperStatus,
  Port_PortType as PortType
} from '@voltha/proto';

import { ACTIVE, peerReport, state, stateCounts } from './helpers';

// 1.x tests/itests/voltha/test_cold_activation_sequence.py, through the in-memory core.
describe('cold activation of a simulated 1 x 4 PON', () => {
  it('activates the OLT and its 4 ONUs with the 1.x numbers', async () => {
    const pon = await createSimulatedPon();
    const created = pon.createOlt();
    expect(created).toMatchObject({
      adapter: SIMULATED_OLT_ADAPTER,
      adminState: AdminState.PREPROVISIONED,
      operStatus: OperStatus.UNKNOWN
    });
    pon.core.enableDevice(created.id);
    await pon.settle();

    const olt = pon.core.device(created.id);
    expect(state(olt)).toBe(ACTIVE);
    expect(olt?.root).toBe(true);
    expect(olt?.images?.image[0].version).toBe('1.0');
    expect(olt?.ports.map((p) => [p.portNo, PortType[p.type], p.label])).toEqual([
      [2, 'ETHERNET_NNI', 'NNI facing Ethernet port'],
      [1, 'PON_OLT', 'PON port']
    ]);

    const lds = pon.core.listLogicalDevices();
    expect(lds).toHaveLength(1);
    const ld = lds[0];
    expect(olt?.parentId).toBe(ld.id);
    expect(ld.rootDeviceId).toBe(created.id);
    expect(ld.datapathId).toBe(BigInt('0x' + ld.id).toString());
    expect(ld.switchFeatures).toMatchObject({
      nBuffers: 256,
      nTables: 2,
      capabilities:
        ofpCapabilities.OFPC_FLOW_STATS |
        ofpCapabilities.OFPC_TABLE_STATS |
        ofpCapabilities.OFPC_PORT_STATS |
        ofpCapabilities.OFPC_GROUP_STATS
    });
    expect(ld.ports[0]).toMatchObject({ id: 'nni', devicePortNo: 2, rootPort: true, deviceId: created.id });
    expect(ld.ports[0].ofpPort).toMatchObject({ portNo: 129, name: 'nni', hwAddr: [0, 0, 0, 0, 0, 0x81] });

    const onus = pon.core.childrenOf(created.id);
    expect(onus).toHaveLength(4);
    expect(stateCounts(onus)).toEqual({ [ACTIVE]: 4 });
    expect(onus.map((o) => o.vlan)).toEqual([101, 102, 103, 104]);
    for (const onu of onus) {
      expect(onu).toMatchObject({
        type: 'simulated_onu',
        adapter: SIMULATED_ONU_ADAPTER,
        parentId: created.id,
        parentPortNo: 1
      });
      expect(onu.proxyAddress).toMatchObject({ deviceId: created.id, channelId: onu.vlan });
      expect(onu.ports.map((p) => [p.portNo, PortType[p.type]]).sort()).toEqual([
        [1, 'PON_ONU'],
        [2, 'ETHERNET_UNI']
      ]);
    }

    expect(ld.ports).toHaveLength(5);
    expect(ld.ports.every((p) => p.ofpPort?.state === ofpPortState.OFPPS_LIVE)).toBe(true);
    expect(
      ld.ports.slice(1).map((p) => [p.id, p.ofpPort?.portNo, p.ofpPort?.name, p.devicePortNo, p.rootPort])
    ).toEqual([
      ['101', 101, 'uni-101', 2, false],
      ['102', 102, 'uni-102', 2, false],
      ['103', 103, 'uni-103', 2, false],
      ['104', 104, 'uni-104', 2, false]
    ]);
    expect(ld.ports[1].ofpPort?.hwAddr).toEqual([0, 0, 0, 0, 0, 0x65]);

    const peers = peerReport(pon.core, created.id);
    expect(peers.oltSide).toHaveLength(4);
    expect(peers.oltSide).toEqual(peers.onuSide);
    expect(peers.oltSide[0]).toBe(`${created.id}:1<->${onus[0].id}:1`);

    // Every ONU did its proxied round trip through the OLT adapter.
    expect(pon.core.proxied).toEqual({ toParent: 4, toChild: 4 });
    expect(onus.map((o) => pon.onu.status(o.id)?.messagesReceived)).toEqual([1, 1, 1, 1]);
    expect(pon.core.errors).toEqual([]);
    expect(pon.backgroundErrors).toEqual([]);
    expect(pon.core.pendingCalls).toBe(0);
  });

  it('follows the 1.x timeline with the default timings (virtual time): OLT ACTIVE at 0.3 s, 4 ONUs ACTIVE by 1.05 s', async () => {
    const pon = await createSimulatedPon({
      timings: { ...DEFAULT_SIMULATED_TIMINGS, kpiIntervalMs: 0, alarmIntervalMs: 0 }
    });
    const { id } = pon.createOlt();
    pon.core.enableDevice(id);
    await pon.settle();
    expect(state(pon.core.device(id))).toBe('ENABLED/ACTIVATING/UNKNOWN');
    await pon.scheduler.advance(299);
    expect(pon.core.device(id)?.operStatus).toBe(OperStatus.ACTIVATING);
    await pon.scheduler.advance(1);
    expect(state(pon.core.device(id))).toBe(ACTIVE);
    expect(pon.core.childrenOf(id)).toHaveLength(0);
    await pon.scheduler.advance(100); // t = 400: first discovery batch
    expect(pon.core.childrenOf(id)).toHaveLength(1);
    await pon.scheduler.advance(150); // t = 550: one ONU every 50 ms
    expect(pon.core.childrenOf(id)).toHaveLength(4);
    await pon.scheduler.advance(499); // t = 1049: the last ONU (created at 550) still waits for its echo
    expect(stateCounts(pon.core.childrenOf(id))).toEqual({ [ACTIVE]: 3, 'ENABLED/ACTIVATING/REACHABLE': 1 });
    await pon.scheduler.advance(1);
    expect(stateCounts(pon.core.childrenOf(id))).toEqual({ [ACTIVE]: 4 });
    expect(pon.core.errors).toEqual([]);
  });

  it('registers the 1.x descriptors and device types', async () => {
    const pon = await createSimulatedPon();
    expect(pon.olt.adapterDescriptor()).toMatchObject({
      id: 'simulated_olt',
      vendor: 'Voltha project',
      version: '0.1'
    });
    expect(pon.onu.adapterDescriptor()).toMatchObject({
      id: 'simulated_onu',
      vendor: 'Voltha project',
      version: '0.1'
    });
    expect(pon.core.deviceType('simulated_olt')).toMatchObject({
      adapter: 'simulated_olt',
      acceptsBulkFlowUpdate: true,
      acceptsAddRemoveFlowUpdates: false
    });
    expect(pon.core.deviceType('simulated_onu')).toMatchObject({
      adapter: 'simulated_onu',
      acceptsBulkFlowUpdate: true
    });
    expect((await pon.olt.health()).state).toBe(HealthState.HEALTHY);
    expect((await pon.onu.health()).state).toBe(HealthState.HEALTHY);
  });

  it('writes the initial PM configuration (18 counters, default_freq from the KPI interval) without calling the adapter back', async () => {
    const pon = await createSimulatedPon({ timings: { kpiIntervalMs: 15_000 } });
    const olt = await pon.activateOlt();
    expect(olt.pmConfigs).toMatchObject({
      id: olt.id,
      defaultFreq: 150,
      grouped: false,
      freqOverride: false
    });
    expect(olt.pmConfigs?.metrics.map((m) => m.name)).toEqual(PORT_COUNTER_NAMES);
    expect(PORT_COUNTER_NAMES).toHaveLength(18);
    expect(pon.core.calls.filter((c) => c.call === 'updatePmConfig')).toEqual([]);
  });
});
