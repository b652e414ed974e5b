import { ofpFlowModCommand, ofpGroupModCommand, ofpGroupType, ofpMeterModCommand } from '@voltha/proto';
import type { ofpFlowStats } from '@voltha/proto';
import {
  ETH_TYPE_EAPOL,
  ETH_TYPE_IPV4,
  IP_PROTO_IGMP,
  OFPP_CONTROLLER,
  OpenFlowTables,
  applyActions,
  bucket,
  dropBand,
  ethType,
  flowMod,
  gotoTable,
  group,
  groupMod,
  inPort,
  ipProto,
  ipv4Dst,
  meter,
  meterMod,
  output,
  packVolthaMetadata,
  popVlan,
  pushVlan,
  setVlanVid,
  vid,
  vlanVid,
  writeMetadata
} from '@voltha/openflow';

import { OLT_ID, buildPon, logicalPort, nniPort, onuDevice, onuId, uniPort } from '../../test/fixtures';
import { logicalFlow } from '../../test/flow-builders';
import { DecompositionEngine } from './engine';
import type { DeviceState, EngineResult } from './engine';
import { Topology } from './topology';

const P = { nnis: 2, pons: 2, onusPerPon: 2, unisPerOnu: 2 };

function canon(state: Map<string, DeviceState>): Record<string, { flows: string[]; groups: number[] }> {
  const out: Record<string, { flows: string[]; groups: number[] }> = {};
  for (const [d, s] of [...state].sort(([a], [b]) => a.localeCompare(b))) {
    if (s.flows.size === 0 && s.groups.size === 0) continue;
    out[d] = {
      flows: [...s.flows.values()].map((f) => `${f.id}:${f.cookie}:${JSON.stringify(f.instructions)}`).sort(),
      groups: [...s.groups.keys()].sort((a, b) => a - b)
    };
  }
  return out;
}

/** Applies engine results to a simulated set of device tables (what adapters would hold). */
function applyToDevices(devices: Map<string, DeviceState>, r: EngineResult): void {
  for (const [d, delta] of r.devices) {
    let s = devices.get(d);
    if (s === undefined) devices.set(d, (s = { flows: new Map(), groups: new Map() }));
    for (const f of delta.flows.remove) {
      expect(s.flows.has(f.id)).toBe(true);
      s.flows.delete(f.id);
    }
    for (const f of delta.flows.add) {
      expect(s.flows.has(f.id)).toBe(false);
      s.flows.set(f.id, f);
    }
    for (const g of delta.groups.remove) s.groups.delete(g.desc?.groupId ?? -1);
    for (const g of [...delta.groups.add, ...delta.groups.update]) s.groups.set(g.desc?.groupId ?? -1, g);
  }
}

function subscriberMods(uni: number, nni: number, cTag: number): ReturnType<typeof flowMod>[] {
  const tp = packVolthaMetadata(0, 64, 0);
  return [
    flowMod({
      priority: 10000,
      match: [inPort(uni), ethType(ETH_TYPE_EAPOL)],
      instructions: [
        applyActions([pushVlan(), setVlanVid(vid(4091)), output(OFPP_CONTROLLER)]),
        meter(1),
        writeMetadata(tp)
      ]
    }),
    flowMod({
      priority: 10000,
      match: [inPort(uni), ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_IGMP)],
      instructions: [applyActions([output(OFPP_CONTROLLER)]), meter(1), writeMetadata(tp)]
    }),
    flowMod({
      tableId: 0,
      priority: 1000,
      match: [inPort(uni), vlanVid(vid(0))],
      instructions: [
        applyActions([setVlanVid(vid(cTag))]),
        gotoTable(1),
        meter(1),
        writeMetadata(packVolthaMetadata(cTag, 64, nni))
      ]
    }),
    flowMod({
      tableId: 1,
      priority: 1000,
      match: [inPort(uni), vlanVid(vid(cTag))],
      instructions: [
        applyActions([pushVlan(), setVlanVid(vid(1000)), output(nni)]),
        meter(1),
        writeMetadata(packVolthaMetadata(1000, 64, nni))
      ]
    }),
    flowMod({
      tableId: 0,
      priority: 1000,
      match: [inPort(nni), vlanVid(vid(1000))],
      instructions: [
        applyActions([popVlan()]),
        gotoTable(1),
        meter(2),
        writeMetadata(packVolthaMetadata(cTag, 64, uni))
      ]
    }),
    flowMod({
      tableId: 1,
      priority: 1000,
      match: [inPort(nni), vlanVid(vid(cTag))],
      instructions: [
        applyActions([setVlanVid(vid(0)), output(uni)]),
        meter(2),
        writeMetadata(packVolthaMetadata(cTag, 64, uni))
      ]
    })
  ];
}

function setup(): {
  tables: OpenFlowTables;
  engine: DecompositionEngine;
  devices: Map<string, DeviceState>;
  fx: ReturnType<typeof buildPon>;
} {
  const fx = buildPon(P);
  const engine = new DecompositionEngine(Topology.build(fx));
  const tables = new OpenFlowTables();
  const devices = new Map<string, DeviceState>();
  for (const m of [
    meterMod(ofpMeterModCommand.OFPMC_ADD, 1, 1, [dropBand(1000)]),
    meterMod(ofpMeterModCommand.OFPMC_ADD, 2, 1, [dropBand(2000)])
  ]) {
    applyToDevices(devices, engine.applyTablesDelta(tables.applyMeterMod(m)));
  }
  return { tables, engine, devices, fx };
}

describe('DecompositionEngine', () => {
  it('INC-EQ-RECONCILE: incremental deltas, the snapshot and a full recompute agree through adds, deletes, groups and topology changes', () => {
    const { tables, engine, devices, fx } = setup();
    const unis = fx.logicalPorts.filter((lp) => !lp.rootPort).map((lp) => lp.ofpPort?.portNo ?? 0);
    const check = (): void => {
      expect(canon(engine.snapshot())).toEqual(canon(engine.reconcile()));
      expect(canon(devices)).toEqual(canon(engine.snapshot()));
    };
    unis.forEach((u, i) => {
      for (const m of subscriberMods(u, nniPort(i % 2), 100 + i))
        applyToDevices(devices, engine.applyTablesDelta(tables.applyFlowMod(m)));
    });
    check();
    // multicast group + flow
    applyToDevices(
      devices,
      engine.applyTablesDelta(
        tables.applyGroupMod(
          groupMod(ofpGroupModCommand.OFPGC_ADD, 7, ofpGroupType.OFPGT_ALL, [
            bucket([popVlan(), output(unis[0])])
          ])
        )
      )
    );
    applyToDevices(
      devices,
      engine.applyTablesDelta(
        tables.applyFlowMod(
          flowMod({
            priority: 500,
            match: [inPort(nniPort(0)), ethType(ETH_TYPE_IPV4), vlanVid(vid(140)), ipv4Dst(0xe00a0a0a)],
            instructions: [applyActions([group(7)])]
          })
        )
      )
    );
    check();
    expect(devices.get(OLT_ID)?.groups.has(7)).toBe(true);
    // delete every flow of one UNI (non-strict delete by out_port is not enough: use strict deletes)
    for (const m of subscriberMods(unis[3], nniPort(1), 103)) {
      applyToDevices(
        devices,
        engine.applyTablesDelta(tables.applyFlowMod({ ...m, command: ofpFlowModCommand.OFPFC_DELETE_STRICT }))
      );
    }
    check();
    // topology: an ONU disappears, then comes back
    applyToDevices(
      devices,
      engine.updateTopology((t) => t.removeDevice(onuId(1, 0)))
    );
    check();
    expect(engine.failedFlows().length).toBeGreaterThan(0);
    applyToDevices(
      devices,
      engine.updateTopology((t) => t.upsertDevice(onuDevice(1, 0, 2)))
    );
    check();
    expect(engine.failedFlows()).toEqual([]);
    // an NNI disappears: flows through it fail, traps move to the other NNI
    applyToDevices(
      devices,
      engine.updateTopology((t) => t.removeLogicalPort(nniPort(0)))
    );
    check();
    applyToDevices(
      devices,
      engine.updateTopology((t) => t.addLogicalPort(fx.logicalPorts[0]))
    );
    check();
    expect(engine.failedFlows()).toEqual([]);
    // group delete removes the multicast flow and the OLT group
    applyToDevices(
      devices,
      engine.applyTablesDelta(
        tables.applyGroupMod(groupMod(ofpGroupModCommand.OFPGC_DELETE, 7, ofpGroupType.OFPGT_ALL))
      )
    );
    check();
    expect(devices.get(OLT_ID)?.groups.size ?? 0).toBe(0);
    expect(engine.flowCount).toBe(tables.flows.size);
  });

  it('TOPO-FAIL-KEEP: a flow made unroutable by a topology change is kept, reported, and restored when the port returns', () => {
    const { tables, engine, fx } = setup();
    const uni = uniPort(P, 0, 1, 0);
    const mods = subscriberMods(uni, nniPort(0), 200);
    for (const m of mods) engine.applyTablesDelta(tables.applyFlowMod(m));
    const lp = fx.logicalPorts.find((x) => x.ofpPort?.portNo === uni) ?? logicalPort(0, '', 0, false);
    const r = engine.updateTopology((t) => t.removeLogicalPort(uni));
    expect(r.statusChanges).toHaveLength(6);
    expect(
      r.statusChanges.every((c) => c.status?.state === 'failed' && c.status.error.reason === 'NO_ROUTE')
    ).toBe(true);
    const removed = [...r.devices.values()].reduce((n, d) => n + d.flows.remove.length, 0);
    expect(removed).toBe(2 + 2 + 1 + 1 + 1 + 1); // 2 traps × (ONU + OLT) + 4 data flows
    expect(engine.flowCount).toBe(6);
    const back = engine.updateTopology((t) => t.addLogicalPort(lp));
    expect(back.statusChanges.every((c) => c.status?.state === 'decomposed')).toBe(true);
    expect([...back.devices.values()].reduce((n, d) => n + d.flows.add.length, 0)).toBe(removed);
  });

  it('SHARED-DEVICE-FLOW: two logical flows producing the same device flow id: the first wins, the second takes over when it goes', () => {
    const fx = buildPon({ nnis: 1, pons: 1, onusPerPon: 1, unisPerOnu: 1 });
    const engine = new DecompositionEngine(Topology.build(fx));
    const uni = 1;
    // differ only in vlan_vid, which the OLT half of a trap does not match: same OLT device flow id
    const a = logicalFlow({
      priority: 100,
      cookie: 1n,
      match: [inPort(uni), vlanVid(vid(0)), ethType(ETH_TYPE_EAPOL)],
      instructions: [applyActions([output(OFPP_CONTROLLER)])]
    });
    const b = logicalFlow({
      priority: 100,
      cookie: 2n,
      match: [inPort(uni), vlanVid(0), ethType(ETH_TYPE_EAPOL)],
      instructions: [applyActions([output(OFPP_CONTROLLER)])]
    });
    engine.addFlows([a]);
    const rb = engine.addFlows([b]);
    expect(rb.devices.get(OLT_ID)).toBeUndefined(); // the OLT flow already exists (a's)
    const oltFlows = (): ofpFlowStats[] => [...(engine.snapshot().get(OLT_ID)?.flows.values() ?? [])];
    expect(oltFlows().map((f) => f.cookie)).toEqual(['1']);
    const ra = engine.removeFlows([a.id]);
    const olt = ra.devices.get(OLT_ID);
    expect(olt?.flows.remove.map((f) => f.cookie)).toEqual(['1']);
    expect(olt?.flows.add.map((f) => f.cookie)).toEqual(['2']);
    expect(oltFlows().map((f) => f.cookie)).toEqual(['2']);
    expect(canon(engine.snapshot())).toEqual(canon(engine.reconcile()));
  });

  it('METER-DEP: a flow whose meter disappears fails with MISSING_METER and recovers when the meter is added back', () => {
    const fx = buildPon({ nnis: 1, pons: 1, onusPerPon: 1, unisPerOnu: 1 });
    const engine = new DecompositionEngine(Topology.build(fx));
    const tables = new OpenFlowTables({}, { requireKnownMeters: false });
    const mod = flowMod({
      tableId: 1,
      priority: 5,
      match: [inPort(1)],
      instructions: [applyActions([output(nniPort(0))]), meter(9)]
    });
    let r = engine.applyTablesDelta(tables.applyFlowMod(mod));
    expect(r.statusChanges[0].status).toMatchObject({ state: 'failed' });
    expect(engine.failedFlows()[0].error.reason).toBe('MISSING_METER');
    r = engine.applyTablesDelta(
      tables.applyMeterMod(meterMod(ofpMeterModCommand.OFPMC_ADD, 9, 1, [dropBand(10)]))
    );
    expect(r.statusChanges[0].status).toMatchObject({ state: 'decomposed', kind: 'upstream-olt' });
    expect(r.devices.get(OLT_ID)?.flows.add).toHaveLength(1);
    // deleting the meter deletes the flow in the logical table, and so on the devices
    r = engine.applyTablesDelta(tables.applyMeterMod(meterMod(ofpMeterModCommand.OFPMC_DELETE, 9)));
    expect(r.devices.get(OLT_ID)?.flows.remove).toHaveLength(1);
    expect(r.statusChanges.map((c) => c.status)).toEqual([undefined]);
    expect(engine.flowCount).toBe(0);
  });

  it('GROUP-MIRROR: logical groups are mirrored to the OLT as add / update / remove', () => {
    const { tables, engine } = setup();
    const add = engine.applyTablesDelta(
      tables.applyGroupMod(
        groupMod(ofpGroupModCommand.OFPGC_ADD, 3, ofpGroupType.OFPGT_ALL, [bucket([output(1)])])
      )
    );
    expect(add.devices.get(OLT_ID)?.groups.add.map((g) => g.desc?.groupId)).toEqual([3]);
    const mod = engine.applyTablesDelta(
      tables.applyGroupMod(
        groupMod(ofpGroupModCommand.OFPGC_MODIFY, 3, ofpGroupType.OFPGT_ALL, [
          bucket([output(1)]),
          bucket([output(17)])
        ])
      )
    );
    expect(mod.devices.get(OLT_ID)?.groups.update[0].desc?.buckets).toHaveLength(2);
    const del = engine.applyTablesDelta(
      tables.applyGroupMod(groupMod(ofpGroupModCommand.OFPGC_DELETE, 3, ofpGroupType.OFPGT_ALL))
    );
    expect(del.devices.get(OLT_ID)?.groups.remove.map((g) => g.desc?.groupId)).toEqual([3]);
  });

  it('REPLACE: re-adding a flow with new actions replaces its device flows (remove + add of the same id)', () => {
    const { tables, engine } = setup();
    const uni = uniPort(P, 0, 0, 0);
    const base = { tableId: 1, priority: 7, match: [inPort(uni), vlanVid(vid(5))] };
    engine.applyTablesDelta(
      tables.applyFlowMod(flowMod({ ...base, instructions: [applyActions([output(nniPort(0))])] }))
    );
    const r = engine.applyTablesDelta(
      tables.applyFlowMod(flowMod({ ...base, instructions: [applyActions([popVlan(), output(nniPort(0))])] }))
    );
    const olt = r.devices.get(OLT_ID);
    expect(olt?.flows.remove).toHaveLength(1);
    expect(olt?.flows.add).toHaveLength(1);
    expect(olt?.flows.add[0].id).toBe(olt?.flows.remove[0].id);
    const same = engine.applyTablesDelta(
      tables.applyFlowMod(flowMod({ ...base, instructions: [applyActions([popVlan(), output(nniPort(0))])] }))
    );
    expect(same.devices.size).toBe(0);
  });
});
