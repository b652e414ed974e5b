import { ofpInstructionType, oxmOfbFieldTypes } from '@voltha/proto';
import type {
  ofpAction,
  ofpFlowStats,
  ofpGroupEntry,
  ofpInstruction,
  ofpMeterEntry,
  ofpOxmOfbField
} from '@voltha/proto';

import {
  ETH_TYPE_VLAN,
  OFPP_CONTROLLER,
  applyActions,
  applyActionsOf,
  compareOxmFields,
  computeFlowId,
  findInstruction,
  firstGroupId,
  firstOutputPort,
  gotoTableOf,
  inPort,
  isControllerPort,
  isReservedPort,
  match,
  meter,
  meterIdOf,
  metadata,
  ofbFields,
  output,
  pushVlan,
  setField,
  setFieldNumber,
  tunnelId,
  u64Bits,
  u64Low32,
  vlanPcp,
  vlanVid,
  withoutOutputs,
  writeMetadataOf
} from '@voltha/openflow';

import {
  DecompositionError,
  MissingGroupError,
  MissingMeterError,
  UnroutableFlowError,
  UnsupportedFlowError
} from './errors';
import type { Hop, Topology } from './topology';

/** Group lookup (a `Map<number, ofpGroupEntry>` or the openflow GroupTable both fit). */
export interface GroupLookup {
  get(groupId: number): ofpGroupEntry | undefined;
}

/** Meter lookup (a `Map<number, ofpMeterEntry>` or the openflow MeterTable both fit). */
export interface MeterLookup {
  get(meterId: number): ofpMeterEntry | undefined;
}

/** Which rule of the 2.x case table (flow-decomposer.md §3.5, plus the documented extensions) applied. */
export type DecompositionCase =
  | 'trap-nni'
  | 'trap-uni'
  | 'trap-wildcard'
  | 'upstream-onu'
  | 'upstream-olt'
  | 'upstream-single-table'
  | 'upstream-drop'
  | 'downstream-olt'
  | 'downstream-onu'
  | 'downstream-single-table'
  | 'multicast';

/** Device flows per device id, in production order (first occurrence of a device flow id wins). */
export type DeviceFlows = Map<string, ofpFlowStats[]>;

/** What a decomposition read, so that an engine knows when to redo it. */
export interface FlowDependencies {
  /** Logical ports the result depends on (in_port, output, write-metadata egress). */
  readonly ports: readonly number[];
  /** Depends on the choice of default NNI. */
  readonly nnis: boolean;
  /** Depends on the set of attached UNIs (wildcard traps, default downstream route). */
  readonly unis: boolean;
  readonly groups: readonly number[];
  readonly meters: readonly number[];
}

export type DecompositionOutcome =
  | {
      readonly ok: true;
      readonly kind: DecompositionCase;
      readonly devices: DeviceFlows;
      readonly deps: FlowDependencies;
    }
  | { readonly ok: false; readonly error: DecompositionError; readonly deps: FlowDependencies };

const T = oxmOfbFieldTypes;
const EXCEPT_IN_PORT = new Set<number>([T.OFPXMT_OFB_IN_PORT]);
const EXCEPT_IN_PORT_VLAN = new Set<number>([
  T.OFPXMT_OFB_IN_PORT,
  T.OFPXMT_OFB_VLAN_VID,
  T.OFPXMT_OFB_VLAN_PCP
]);
const EXCEPT_IN_PORT_METADATA = new Set<number>([T.OFPXMT_OFB_IN_PORT, T.OFPXMT_OFB_METADATA]);

class DepsBuilder {
  public readonly ports: number[] = [];
  public nnis = false;
  public unis = false;
  public readonly groups: number[] = [];
  public readonly meters: number[] = [];
  public port(p: number | undefined): void {
    if (p !== undefined && !this.ports.includes(p)) this.ports.push(p);
  }
}

interface LogicalView {
  readonly flow: ofpFlowStats;
  readonly fields: ofpOxmOfbField[];
  readonly actions: ofpAction[];
  readonly meterId: number | undefined;
  readonly writeMetadata: ofpInstruction | undefined;
}

function fieldsExcept(v: LogicalView, except: ReadonlySet<number>): ofpOxmOfbField[] {
  return v.fields.filter((f) => !except.has(f.type));
}

/**
 * A device flow (flow-decomposer.md §3.0): the logical priority and cookie, table 0, no flags or
 * timeouts, match fields in canonical order, instructions APPLY_ACTIONS, METER, WRITE_METADATA
 * (the 2.x order), id from the 2.x recipe.
 */
function deviceFlow(
  v: LogicalView,
  fields: ofpOxmOfbField[],
  actions: ofpAction[],
  meterId: number | undefined,
  withWriteMetadata: boolean
): ofpFlowStats {
  const m = match(fields);
  m.oxmFields.sort(compareOxmFields);
  const instructions: ofpInstruction[] = [applyActions(actions)];
  if (meterId !== undefined && meterId !== 0) instructions.push(meter(meterId));
  if (withWriteMetadata && v.writeMetadata !== undefined) instructions.push(v.writeMetadata);
  return {
    $type: 'openflow_13.ofp_flow_stats',
    id: computeFlowId({ tableId: 0, priority: v.flow.priority, match: m }),
    tableId: 0,
    durationSec: 0,
    durationNsec: 0,
    priority: v.flow.priority,
    idleTimeout: 0,
    hardTimeout: 0,
    flags: 0,
    cookie: v.flow.cookie,
    packetCount: '0',
    byteCount: '0',
    match: m,
    instructions
  };
}

class Result {
  public readonly devices: DeviceFlows = new Map();
  private readonly seen = new Map<string, Set<string>>();
  public add(deviceId: string, flow: ofpFlowStats): void {
    let ids = this.seen.get(deviceId);
    if (ids === undefined) {
      this.seen.set(deviceId, (ids = new Set()));
      this.devices.set(deviceId, []);
    }
    if (ids.has(flow.id)) return; // first wins
    ids.add(flow.id);
    (this.devices.get(deviceId) as ofpFlowStats[]).push(flow);
  }
}

/**
 * Decomposes one logical flow into device flows, reporting what it depended on; never throws for
 * flows it cannot decompose (the outcome carries the error).
 */
export function decomposeFlowDetailed(
  flow: ofpFlowStats,
  topology: Topology,
  groups: GroupLookup,
  meters?: MeterLookup
): DecompositionOutcome {
  const deps = new DepsBuilder();
  const v: LogicalView = {
    flow,
    fields: ofbFields(flow.match),
    actions: applyActionsOf(flow.instructions),
    meterId: meterIdOf(flow.instructions),
    writeMetadata: findInstruction(flow.instructions, ofpInstructionType.OFPIT_WRITE_METADATA)
  };
  const result = new Result();
  try {
    const kind = classifyAndBuild(v, topology, groups, deps, result);
    for (const [, flows] of result.devices) {
      for (const f of flows) {
        const m = meterIdOf(f.instructions);
        if (m === undefined) continue;
        if (!deps.meters.includes(m)) deps.meters.push(m);
        if (meters !== undefined && meters.get(m) === undefined) throw new MissingMeterError(flow.id, m);
      }
    }
    return { ok: true, kind, devices: result.devices, deps };
  } catch (e) {
    if (e instanceof DecompositionError) return { ok: false, error: e, deps };
    throw e;
  }
}

/**
 * Decomposes one logical flow into per-device flows (pure; O(1) in the size of the flow table).
 * Throws a {@link DecompositionError} (UnroutableFlowError, UnsupportedFlowError,
 * MissingGroupError, MissingMeterError) when the flow cannot be carried.
 */
export function decomposeFlow(
  flow: ofpFlowStats,
  topology: Topology,
  groups: GroupLookup,
  meters?: MeterLookup
): DeviceFlows {
  const out = decomposeFlowDetailed(flow, topology, groups, meters);
  if (!out.ok) throw out.error;
  return out.devices;
}

function classifyAndBuild(
  v: LogicalView,
  topo: Topology,
  groups: GroupLookup,
  deps: DepsBuilder,
  r: Result
): DecompositionCase {
  const id = v.flow.id;
  const inP = v.fields.find((f) => f.type === T.OFPXMT_OFB_IN_PORT)?.port;
  const out = firstOutputPort(v.actions);
  const groupId = firstGroupId(v.actions);
  const gotoT = gotoTableOf(v.flow.instructions);
  const table = v.flow.tableId;
  deps.port(inP);

  // ---- traps (output CONTROLLER, masked compare) -------------------------------------------------
  if (isControllerPort(out)) {
    if (inP === undefined) {
      deps.unis = true;
      deps.nnis = true;
      for (const p of topo.uniPorts()) trapFromUni(v, topo, p, r);
      return 'trap-wildcard';
    }
    const nni = topo.nni(inP);
    if (nni !== undefined) {
      // G.1: the OLT traps on the NNI; actions kept, meter and write-metadata carried over.
      r.add(
        nni.deviceId,
        deviceFlow(
          v,
          [inPort(nni.devicePort), ...fieldsExcept(v, EXCEPT_IN_PORT)],
          v.actions,
          v.meterId,
          true
        )
      );
      return 'trap-nni';
    }
    if (!topo.isUni(inP)) throw new UnroutableFlowError(id, `in_port ${inP} is not a logical port`);
    deps.nnis = true;
    trapFromUni(v, topo, inP, r);
    return 'trap-uni';
  }

  if (out !== undefined && isReservedPort(out))
    throw new UnsupportedFlowError(id, `output to reserved port ${out}`);
  deps.port(out);

  // ---- multicast / group flows: passed through to the OLT with the group (G.8) ------------------
  if (groupId !== undefined && gotoT === undefined) {
    deps.groups.push(groupId);
    const nniPort = inP ?? topo.defaultNni();
    if (inP === undefined) deps.nnis = true;
    const nni = nniPort === undefined ? undefined : topo.nni(nniPort);
    if (nni === undefined) {
      if (inP !== undefined && topo.isUni(inP))
        throw new UnsupportedFlowError(id, 'group actions are only supported on downstream flows');
      throw new UnroutableFlowError(
        id,
        inP === undefined ? 'no NNI port for a group flow without in_port' : `in_port ${inP} is not an NNI`
      );
    }
    if (table !== 0) throw new UnsupportedFlowError(id, `group flow in table ${table} (only table 0)`);
    if (groups.get(groupId) === undefined) throw new MissingGroupError(id, groupId);
    const fields =
      inP === undefined
        ? v.fields
        : v.fields.map((f) => (f.type === T.OFPXMT_OFB_IN_PORT ? inPort(nni.devicePort) : f));
    const m = match(fields);
    m.oxmFields.sort(compareOxmFields);
    r.add(nni.deviceId, {
      ...v.flow,
      id: computeFlowId({ tableId: v.flow.tableId, priority: v.flow.priority, match: m }),
      durationSec: 0,
      durationNsec: 0,
      idleTimeout: 0,
      hardTimeout: 0,
      flags: 0,
      packetCount: '0',
      byteCount: '0',
      match: m,
      instructions: v.flow.instructions.slice()
    });
    return 'multicast';
  }

  if (inP === undefined)
    throw new UnsupportedFlowError(id, 'in_port is required (only traps and group flows may omit it)');

  // ---- upstream (in_port is a UNI) ----------------------------------------------------------------
  if (topo.isUni(inP)) {
    const att = topo.uniAttachment(inP);
    if (att === undefined)
      throw new UnroutableFlowError(
        id,
        `UNI ${inP} is not attached to the OLT (ONU, PON port or peer missing)`
      );
    const tunnel = tunnelId(BigInt(inP));
    const onuFields = (): ofpOxmOfbField[] => [
      inPort(att.uniDevicePort),
      tunnel,
      ...fieldsExcept(v, EXCEPT_IN_PORT)
    ];
    if (out === undefined) {
      if (gotoT !== undefined && table === 0) {
        // G.3: ONU applies the actions and forwards on its PON port.
        r.add(att.onuId, deviceFlow(v, onuFields(), [...v.actions, output(att.onuPonPort)], v.meterId, true));
        return 'upstream-onu';
      }
      if (gotoT === undefined && table === 0 && groupId === undefined) {
        // Extension (cf. 1.x E3.5): a table-0 flow without output or goto drops at the ONU.
        r.add(att.onuId, deviceFlow(v, onuFields(), [], undefined, false));
        return 'upstream-drop';
      }
      throw new UnsupportedFlowError(id, `upstream flow in table ${table} without an output`);
    }
    const route = topo.route(inP, out);
    if (route === undefined) {
      throw new UnroutableFlowError(
        id,
        topo.isUni(out) ? `UNI ${inP} to UNI ${out} is not switched` : `no route from ${inP} to ${out}`
      );
    }
    const [onuHop, oltHop] = route;
    if (table >= 1) {
      // G.4: OLT applies the actions and forwards to the NNI.
      r.add(
        oltHop.deviceId,
        deviceFlow(
          v,
          [inPort(oltHop.ingress), tunnel, ...fieldsExcept(v, EXCEPT_IN_PORT)],
          [...withoutOutputs(v.actions), output(oltHop.egress)],
          v.meterId,
          true
        )
      );
      return 'upstream-olt';
    }
    if (gotoT !== undefined)
      throw new UnsupportedFlowError(id, 'table-0 upstream flow with both goto and output');
    // Extension: single-table upstream flow: the ONU forwards unchanged, the OLT applies the actions.
    r.add(onuHop.deviceId, deviceFlow(v, onuFields(), [output(onuHop.egress)], v.meterId, true));
    r.add(
      oltHop.deviceId,
      deviceFlow(
        v,
        [inPort(oltHop.ingress), tunnel, ...fieldsExcept(v, EXCEPT_IN_PORT)],
        [...withoutOutputs(v.actions), output(oltHop.egress)],
        v.meterId,
        true
      )
    );
    return 'upstream-single-table';
  }

  // ---- downstream (in_port is an NNI) -------------------------------------------------------------
  const nni = topo.nni(inP);
  if (nni === undefined) throw new UnroutableFlowError(id, `in_port ${inP} is not a logical port`);

  if (gotoT !== undefined && table <= 1) {
    // G.6: the OLT hop of the route to the write-metadata egress port (bits 31-0).
    const wmd = writeMetadataOf(v.flow.instructions);
    const egress = wmd === undefined ? 0 : u64Low32(wmd);
    const innerTag = wmd === undefined ? 0 : u64Bits(wmd, 48, 16);
    let oltHop: Hop;
    let tunnel: number;
    if (egress !== 0) {
      deps.port(egress);
      const route = topo.route(inP, egress);
      if (route === undefined)
        throw new UnroutableFlowError(id, `no route from NNI ${inP} to write-metadata port ${egress}`);
      oltHop = route[0];
      tunnel = egress;
    } else {
      deps.unis = true;
      const uni = topo.defaultDownstreamUni();
      const route = uni === undefined ? undefined : topo.route(inP, uni);
      if (route === undefined) throw new UnroutableFlowError(id, `no UNI reachable from NNI ${inP}`);
      oltHop = route[0];
      tunnel = inP;
    }
    const fields = [inPort(oltHop.ingress), tunnelId(BigInt(tunnel))];
    if (innerTag !== 0) fields.push(metadata(BigInt(innerTag)));
    fields.push(...fieldsExcept(v, innerTag !== 0 ? EXCEPT_IN_PORT_METADATA : EXCEPT_IN_PORT));
    r.add(
      oltHop.deviceId,
      deviceFlow(v, fields, [...withoutOutputs(v.actions), output(oltHop.egress)], v.meterId, true)
    );
    return 'downstream-olt';
  }
  if (out === undefined)
    throw new UnsupportedFlowError(
      id,
      `unknown downstream flow (table ${table}, no output, no goto, no group)`
    );
  const route = topo.route(inP, out);
  if (route === undefined) {
    throw new UnroutableFlowError(
      id,
      topo.isNni(out) ? `NNI ${inP} to NNI ${out} is not switched` : `no route from ${inP} to ${out}`
    );
  }
  const [oltHop, onuHop] = route;
  const onuFlow = (): ofpFlowStats =>
    deviceFlow(
      v,
      [inPort(onuHop.ingress), ...fieldsExcept(v, EXCEPT_IN_PORT)],
      [...withoutOutputs(v.actions), output(onuHop.egress)],
      v.meterId,
      true
    );
  if (table >= 1) {
    // G.7: the ONU applies the actions and outputs on the UNI.
    r.add(onuHop.deviceId, onuFlow());
    return 'downstream-onu';
  }
  if (gotoT !== undefined) throw new UnsupportedFlowError(id, 'downstream flow with both goto and output');
  // Extension: single-table downstream flow: the OLT forwards unchanged, the ONU applies the actions.
  r.add(
    oltHop.deviceId,
    deviceFlow(
      v,
      [inPort(oltHop.ingress), tunnelId(BigInt(out)), ...fieldsExcept(v, EXCEPT_IN_PORT)],
      [output(oltHop.egress)],
      v.meterId,
      true
    )
  );
  r.add(onuHop.deviceId, onuFlow());
  return 'downstream-single-table';
}

/**
 * G.2: a trap from UNI p becomes an ONU flow (tag as the controller asked, forward on the PON) and
 * an OLT flow (match the PON port, tunnel_id = p and the tag the ONU set; output CONTROLLER).
 */
function trapFromUni(v: LogicalView, topo: Topology, p: number, r: Result): void {
  const id = v.flow.id;
  const nniPort = topo.defaultNni();
  if (nniPort === undefined) throw new UnroutableFlowError(id, 'no NNI port to trap through');
  const route = topo.route(p, nniPort);
  if (route === undefined) throw new UnroutableFlowError(id, `UNI ${p} is not attached to the OLT`);
  const [onuHop, oltHop] = route;
  const setVid = setFieldNumber(v.actions, T.OFPXMT_OFB_VLAN_VID);
  const setPcp = setFieldNumber(v.actions, T.OFPXMT_OFB_VLAN_PCP);
  const tunnel = tunnelId(BigInt(p));

  const oltFields = [inPort(oltHop.ingress), tunnel, ...fieldsExcept(v, EXCEPT_IN_PORT_VLAN)];
  if (setVid !== undefined) {
    oltFields.push(vlanVid(setVid));
    if (setPcp !== undefined) oltFields.push(vlanPcp(setPcp));
  }
  const wmd = writeMetadataOf(v.flow.instructions);
  const wmdMeter = wmd === undefined ? 0 : u64Low32(wmd);
  const oltMeter = wmdMeter !== 0 ? wmdMeter : v.meterId;
  r.add(oltHop.deviceId, deviceFlow(v, oltFields, [output(OFPP_CONTROLLER)], oltMeter, true));

  const onuActions: ofpAction[] =
    setVid === undefined
      ? [output(onuHop.egress)]
      : [
          pushVlan(ETH_TYPE_VLAN),
          setField(vlanVid(setVid)),
          ...(setPcp === undefined ? [] : [setField(vlanPcp(setPcp))]),
          output(onuHop.egress)
        ];
  r.add(
    onuHop.deviceId,
    deviceFlow(
      v,
      [inPort(onuHop.ingress), tunnel, ...fieldsExcept(v, EXCEPT_IN_PORT)],
      onuActions,
      v.meterId,
      true
    )
  );
}
