import type { SourcedEvent } from '@voltha/kafka-events';
import {
  applyActions,
  bucket,
  ETH_TYPE_EAPOL,
  ethType,
  flowStats,
  group,
  groupEntry,
  inPort,
  OFPP_CONTROLLER,
  output,
  vlanVid
} from '@voltha/openflow';
import { Device, FlowGroups, LogicalDevice, LogicalPort, ofpGroupType, Port } from '@voltha/proto';
import type { ofpFlowStats, UnknownMessage } from '@voltha/proto';

import { DecomposerState, PendingWrites } from './decomposer-state';
import type { WriteOp } from './decomposer-state';

const OLT = 'olt1';
const LD = 'ld1';
const NNI = 129;

let seq = 0;
function ev(
  type: SourcedEvent['type'],
  path: string,
  message: UnknownMessage,
  origin = 'core'
): SourcedEvent {
  seq++;
  return {
    type,
    path,
    message,
    seq,
    typeName: message.$type,
    key: '',
    origin,
    hash: '',
    rootHash: '',
    timestamp: 0
  };
}

const onuId = (i: number): string => `onu${i}`;
const uni = (i: number): number => 101 + i;

/** The events core-config emits while an adapter brings up an OLT with `n` ONUs. */
function bringUp(n: number): SourcedEvent[] {
  const out = [
    ev('add', `/devices/${OLT}`, Device.fromPartial({ id: OLT, root: true, type: 'olt' })),
    ev('add', `/devices/${OLT}/ports/1`, Port.fromPartial({ portNo: 1, type: 3 })),
    ev('add', `/devices/${OLT}/ports/2`, Port.fromPartial({ portNo: 2, type: 1 })),
    ev('add', `/logical_devices/${LD}`, LogicalDevice.fromPartial({ id: LD, rootDeviceId: OLT })),
    ev(
      'add',
      `/logical_devices/${LD}/ports/nni`,
      LogicalPort.fromPartial({
        id: 'nni',
        ofpPort: { portNo: NNI },
        deviceId: OLT,
        devicePortNo: 2,
        rootPort: true
      })
    )
  ];
  for (let i = 0; i < n; i++) out.push(...onuEvents(i));
  return out;
}

function onuEvents(i: number, withPort = true): SourcedEvent[] {
  const id = onuId(i);
  const out = [
    ev('add', `/devices/${id}`, Device.fromPartial({ id, parentId: OLT, type: 'onu' })),
    ev(
      'add',
      `/devices/${id}/ports/1`,
      Port.fromPartial({ portNo: 1, type: 4, peers: [{ deviceId: OLT, portNo: 1 }] })
    ),
    ev('add', `/devices/${id}/ports/2`, Port.fromPartial({ portNo: 2, type: 2 }))
  ];
  if (withPort) {
    out.push(
      ev(
        'add',
        `/logical_devices/${LD}/ports/uni-${uni(i)}`,
        LogicalPort.fromPartial({
          id: `uni-${uni(i)}`,
          ofpPort: { portNo: uni(i) },
          deviceId: id,
          devicePortNo: 2
        })
      )
    );
  }
  return out;
}

const eapol = (i: number): ofpFlowStats =>
  flowStats({
    priority: 1000,
    match: [inPort(uni(i)), vlanVid(0x1000), ethType(ETH_TYPE_EAPOL)],
    instructions: [applyActions([output(OFPP_CONTROLLER)])]
  });

const addFlow = (f: ofpFlowStats): SourcedEvent => ev('add', `/logical_devices/${LD}/flows/items/${f.id}`, f);
const removeFlow = (f: ofpFlowStats): SourcedEvent =>
  ev('remove', `/logical_devices/${LD}/flows/items/${f.id}`, f);

/** Device tables as core-config would hold them after the writes. */
class FakeTables {
  public readonly flows = new Map<string, Map<string, ofpFlowStats>>();
  public apply(ops: readonly WriteOp[]): void {
    for (const op of ops) {
      let t = this.flows.get(op.deviceId);
      if (t === undefined) this.flows.set(op.deviceId, (t = new Map()));
      if (op.kind === 'remove') t.delete(op.flowId);
      else if (op.kind !== 'groups') t.set(op.flow.id, op.flow);
    }
  }
  public count(deviceId: string): number {
    return this.flows.get(deviceId)?.size ?? 0;
  }
}

/** Applies events as the service does (one batch), writes, commits; returns the writes. */
function run(
  state: DecomposerState,
  tables: FakeTables,
  events: readonly SourcedEvent[]
): { ops: WriteOp[]; out: PendingWrites } {
  const out = new PendingWrites();
  for (const e of events) state.apply(e, out);
  const ops = state.plan(out);
  tables.apply(ops);
  state.commit(ops, ++seq);
  return { ops, out };
}

describe('DecomposerState', () => {
  it('should decompose the cold-activation EAPOL traps into one OLT flow per UNI and one ONU flow per ONU', () => {
    const state = new DecomposerState();
    const tables = new FakeTables();
    run(state, tables, bringUp(4));
    const { ops } = run(
      state,
      tables,
      [0, 1, 2, 3].map((i) => addFlow(eapol(i)))
    );
    expect(ops.every((o) => o.kind === 'add')).toBe(true);
    expect(tables.count(OLT)).toBe(4);
    for (let i = 0; i < 4; i++) expect(tables.count(onuId(i))).toBe(1);
    expect(state.logicalFlowCount).toBe(4);
    expect(state.deviceFlowCount).toBe(8);
  });

  it('should write nothing when every event is delivered again, whole or from any point', () => {
    const state = new DecomposerState();
    const tables = new FakeTables();
    const history = [
      ...bringUp(3),
      ...[0, 1, 2].map((i) => addFlow(eapol(i))),
      removeFlow(eapol(1)),
      addFlow(eapol(1))
    ];
    run(state, tables, history);
    expect(tables.count(OLT)).toBe(3);
    for (let from = 0; from < history.length; from++) {
      expect(run(state, tables, history.slice(from)).ops).toEqual([]);
    }
    expect(tables.count(OLT)).toBe(3);
  });

  it('should ask for exactly what a full reconcile from the same state holds', () => {
    const state = new DecomposerState();
    const tables = new FakeTables();
    run(state, tables, [...bringUp(3), ...[0, 1, 2].map((i) => addFlow(eapol(i)))]);
    // The read a reconcile would make: devices with their tables, the logical device with children.
    const devices = [OLT, onuId(0), onuId(1), onuId(2)].map((id) =>
      Device.fromPartial({
        id,
        root: id === OLT,
        parentId: id === OLT ? LD : OLT,
        ports:
          id === OLT
            ? [
                { portNo: 1, type: 3 },
                { portNo: 2, type: 1 }
              ]
            : [
                { portNo: 1, type: 4, peers: [{ deviceId: OLT, portNo: 1 }] },
                { portNo: 2, type: 2 }
              ],
        flows: { items: [...(tables.flows.get(id)?.values() ?? [])] }
      })
    );
    const ld = LogicalDevice.fromPartial({
      id: LD,
      rootDeviceId: OLT,
      ports: [
        { id: 'nni', ofpPort: { portNo: NNI }, deviceId: OLT, devicePortNo: 2, rootPort: true },
        ...[0, 1, 2].map((i) => ({
          id: `uni-${uni(i)}`,
          ofpPort: { portNo: uni(i) },
          deviceId: onuId(i),
          devicePortNo: 2
        }))
      ],
      flows: { items: [0, 1, 2].map(eapol) }
    });
    const fresh = new DecomposerState();
    expect(fresh.plan(fresh.load([ld], devices, seq))).toEqual([]);
    // ...and a reconcile of a device table someone emptied writes back exactly what is missing
    const emptied = devices.map((d) =>
      d.id === onuId(1) ? { ...d, flows: { $type: 'openflow_13.Flows' as const, items: [] } } : d
    );
    const again = new DecomposerState();
    const ops = again.plan(again.load([ld], emptied, seq));
    expect(ops.map((o) => [o.kind, o.deviceId])).toEqual([['add', onuId(1)]]);
  });

  it('should report flows that a departed ONU makes undecomposable, withdraw their device flows, and redo them when it returns', () => {
    const state = new DecomposerState();
    const tables = new FakeTables();
    run(state, tables, [...bringUp(2), addFlow(eapol(0)), addFlow(eapol(1))]);
    const gone = run(state, tables, [
      ev('remove', `/devices/${onuId(1)}`, Device.fromPartial({ id: onuId(1) }))
    ]);
    expect(gone.out.failed.map((f) => [f.flowId, f.error.reason])).toEqual([[eapol(1).id, 'NO_ROUTE']]);
    expect(state.failedFlows(LD).map((f) => f.flowId)).toEqual([eapol(1).id]);
    expect(state.failedFlowCount).toBe(1);
    // the OLT copy is removed; the ONU's device (and table) are gone with it: nothing to write there
    expect(gone.ops.map((o) => [o.kind, o.deviceId])).toEqual([['remove', OLT]]);
    expect(tables.count(OLT)).toBe(1);

    const back = run(state, tables, onuEvents(1, false));
    expect(back.out.recovered.map((r) => r.flowId)).toEqual([eapol(1).id]);
    expect(state.failedFlowCount).toBe(0);
    expect(tables.count(OLT)).toBe(2);
    expect(tables.count(onuId(1))).toBe(1);
  });

  it('should ignore nothing it needs: removing an absent flow and adding a present one write nothing', () => {
    const state = new DecomposerState();
    const tables = new FakeTables();
    run(state, tables, [...bringUp(1), addFlow(eapol(0))]);
    expect(run(state, tables, [removeFlow(eapol(0)), removeFlow(eapol(0))]).ops.map((o) => o.kind)).toEqual([
      'remove',
      'remove'
    ]);
    expect(run(state, tables, [removeFlow(eapol(0))]).ops).toEqual([]);
    expect(tables.count(OLT)).toBe(0);
  });

  it('should mirror logical groups to the OLT and follow external changes of device tables', () => {
    const state = new DecomposerState();
    const tables = new FakeTables();
    run(state, tables, bringUp(1));
    const g = groupEntry(7, ofpGroupType.OFPGT_ALL, [bucket([output(uni(0))])]);
    const groups = run(state, tables, [
      ev('update', `/logical_devices/${LD}/flow_groups`, FlowGroups.fromPartial({ items: [g] }))
    ]);
    expect(groups.ops).toEqual([{ kind: 'groups', deviceId: OLT, groups: [g] }]);
    const mcast = flowStats({
      priority: 500,
      match: [inPort(NNI)],
      instructions: [applyActions([group(7)])]
    });
    expect(run(state, tables, [addFlow(mcast)]).ops.map((o) => [o.kind, o.deviceId])).toEqual([['add', OLT]]);
    // someone else removes the OLT flow: remembered, and a reconcile-like want writes it back
    const [held] = tables.flows.get(OLT)?.values() ?? [];
    run(state, tables, [ev('remove', `/devices/${OLT}/flows/items/${held.id}`, held, 'someone')]);
    const out = new PendingWrites();
    out.want(OLT, held.id, held);
    expect(state.plan(out).map((o) => o.kind)).toEqual(['add']);
  });
});
