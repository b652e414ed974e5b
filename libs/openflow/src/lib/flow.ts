import { ofpFlowModCommand, ofpFlowStats, ofpInstruction, ofpMatch, oxmOfbFieldTypes } from '@voltha/proto';
import type { ofpAction, ofpFlowMod, ofpOxmOfbField } from '@voltha/proto';

import { firstGroupId, firstOutputPort } from './actions';
import { OFPG_ANY, OFPP_ANY } from './constants';
import { computeFlowId } from './flow-id';
import { applyActionsOf, gotoTableOf, meterIdOf, writeMetadataOf } from './instructions';
import { fieldNumber, fieldU64, match as buildMatch } from './match';
import { u64 } from './uint64';

/** The parts of a flow entry or flow-mod that the getters read. */
export interface FlowLike {
  readonly tableId: number;
  readonly priority: number;
  readonly match: ofpMatch | undefined;
  readonly instructions: readonly ofpInstruction[];
}

// ------------------------------------------------------------------------------------------------
// Getters (VOLTHA semantics: actions are those of the first APPLY_ACTIONS instruction)
// ------------------------------------------------------------------------------------------------

export const getInPort = (f: FlowLike): number | undefined =>
  fieldNumber(f.match, oxmOfbFieldTypes.OFPXMT_OFB_IN_PORT);
export const getVlanVid = (f: FlowLike): number | undefined =>
  fieldNumber(f.match, oxmOfbFieldTypes.OFPXMT_OFB_VLAN_VID);
export const getVlanPcp = (f: FlowLike): number | undefined =>
  fieldNumber(f.match, oxmOfbFieldTypes.OFPXMT_OFB_VLAN_PCP);
export const getEthType = (f: FlowLike): number | undefined =>
  fieldNumber(f.match, oxmOfbFieldTypes.OFPXMT_OFB_ETH_TYPE);
export const getIpProto = (f: FlowLike): number | undefined =>
  fieldNumber(f.match, oxmOfbFieldTypes.OFPXMT_OFB_IP_PROTO);
export const getUdpSrc = (f: FlowLike): number | undefined =>
  fieldNumber(f.match, oxmOfbFieldTypes.OFPXMT_OFB_UDP_SRC);
export const getUdpDst = (f: FlowLike): number | undefined =>
  fieldNumber(f.match, oxmOfbFieldTypes.OFPXMT_OFB_UDP_DST);
/** METADATA match value (u64 decimal string). */
export const getMetadata = (f: FlowLike): string | undefined =>
  fieldU64(f.match, oxmOfbFieldTypes.OFPXMT_OFB_METADATA);
/** TUNNEL_ID match value (u64 decimal string). */
export const getTunnelId = (f: FlowLike): string | undefined =>
  fieldU64(f.match, oxmOfbFieldTypes.OFPXMT_OFB_TUNNEL_ID);

/** Actions of the first APPLY_ACTIONS instruction ([] when none). */
export const getActions = (f: FlowLike): ofpAction[] => applyActionsOf(f.instructions);
/** Port of the first OUTPUT action, or undefined. */
export const getOutPort = (f: FlowLike): number | undefined =>
  firstOutputPort(applyActionsOf(f.instructions));
/** Group of the first GROUP action, or undefined. */
export const getGroupId = (f: FlowLike): number | undefined => firstGroupId(applyActionsOf(f.instructions));
export const getGotoTable = (f: FlowLike): number | undefined => gotoTableOf(f.instructions);
export const hasGotoTable = (f: FlowLike): boolean => gotoTableOf(f.instructions) !== undefined;
export const getMeterId = (f: FlowLike): number | undefined => meterIdOf(f.instructions);
/** WRITE_METADATA value (u64 decimal string), or undefined. */
export const getWriteMetadata = (f: FlowLike): string | undefined => writeMetadataOf(f.instructions);

// ------------------------------------------------------------------------------------------------
// Builders
// ------------------------------------------------------------------------------------------------

export interface FlowSpec {
  tableId?: number;
  priority?: number;
  cookie?: string | bigint;
  flags?: number;
  idleTimeout?: number;
  hardTimeout?: number;
  /** Match fields, in order (use the builders of match.ts). */
  match?: readonly ofpOxmOfbField[];
  instructions?: readonly ofpInstruction[];
}

/** A flow entry with its id computed (counters zero). */
export function flowStats(spec: FlowSpec): ofpFlowStats {
  const m = buildMatch(spec.match ?? []);
  const tableId = spec.tableId ?? 0;
  const priority = spec.priority ?? 0;
  return {
    $type: 'openflow_13.ofp_flow_stats',
    id: computeFlowId({ tableId, priority, match: m }),
    tableId,
    durationSec: 0,
    durationNsec: 0,
    priority,
    idleTimeout: spec.idleTimeout ?? 0,
    hardTimeout: spec.hardTimeout ?? 0,
    flags: spec.flags ?? 0,
    cookie: u64(spec.cookie ?? 0n),
    packetCount: '0',
    byteCount: '0',
    match: m,
    instructions: (spec.instructions ?? []).slice()
  };
}

export interface FlowModSpec extends FlowSpec {
  command?: ofpFlowModCommand;
  cookieMask?: string | bigint;
  outPort?: number;
  outGroup?: number;
  bufferId?: number;
}

/** A flow-mod (defaults: ADD, table 0, out_port ANY, out_group ANY, no buffer). */
export function flowMod(spec: FlowModSpec): ofpFlowMod {
  return {
    $type: 'openflow_13.ofp_flow_mod',
    cookie: u64(spec.cookie ?? 0n),
    cookieMask: u64(spec.cookieMask ?? 0n),
    tableId: spec.tableId ?? 0,
    command: spec.command ?? ofpFlowModCommand.OFPFC_ADD,
    idleTimeout: spec.idleTimeout ?? 0,
    hardTimeout: spec.hardTimeout ?? 0,
    priority: spec.priority ?? 0,
    bufferId: spec.bufferId ?? 0xffffffff,
    outPort: spec.outPort ?? OFPP_ANY,
    outGroup: spec.outGroup ?? OFPG_ANY,
    flags: spec.flags ?? 0,
    match: buildMatch(spec.match ?? []),
    instructions: (spec.instructions ?? []).slice()
  };
}

/** The flow entry a flow-mod installs: its fields copied, counters zero, id from the 2.x recipe. */
export function flowStatsFromFlowMod(mod: ofpFlowMod): ofpFlowStats {
  const m: ofpMatch = mod.match ?? { $type: 'openflow_13.ofp_match', type: 1, oxmFields: [] };
  return {
    $type: 'openflow_13.ofp_flow_stats',
    id: computeFlowId({ tableId: mod.tableId, priority: mod.priority, match: m }),
    tableId: mod.tableId,
    durationSec: 0,
    durationNsec: 0,
    priority: mod.priority,
    idleTimeout: mod.idleTimeout,
    hardTimeout: mod.hardTimeout,
    flags: mod.flags,
    cookie: mod.cookie === '' ? '0' : mod.cookie,
    packetCount: '0',
    byteCount: '0',
    match: m,
    instructions: mod.instructions.slice()
  };
}

/** Recomputes the id of a flow entry from its table, priority and match (returns a copy). */
export function withFlowId(flow: ofpFlowStats): ofpFlowStats {
  return { ...flow, id: computeFlowId(flow) };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** Same match (field by field, in order) and same instructions, by canonical encoding. */
export function sameMatchAndInstructions(a: FlowLike, b: FlowLike): boolean {
  if (a.instructions.length !== b.instructions.length) return false;
  const ma = a.match === undefined ? undefined : ofpMatch.encode(a.match).finish();
  const mb = b.match === undefined ? undefined : ofpMatch.encode(b.match).finish();
  if (ma === undefined || mb === undefined ? ma !== mb : !bytesEqual(ma, mb)) return false;
  for (let i = 0; i < a.instructions.length; i++) {
    if (
      !bytesEqual(
        ofpInstruction.encode(a.instructions[i]).finish(),
        ofpInstruction.encode(b.instructions[i]).finish()
      )
    )
      return false;
  }
  return true;
}

/** Equal as flow entries, ignoring counters and durations (what "no change" means for an ADD). */
export function sameFlowContent(a: ofpFlowStats, b: ofpFlowStats): boolean {
  return (
    a.id === b.id &&
    a.tableId === b.tableId &&
    a.priority === b.priority &&
    a.idleTimeout === b.idleTimeout &&
    a.hardTimeout === b.hardTimeout &&
    a.flags === b.flags &&
    (a.cookie || '0') === (b.cookie || '0') &&
    sameMatchAndInstructions(a, b)
  );
}

/** Byte-for-byte equal (canonical protobuf encoding), counters included. */
export function flowsEqual(a: ofpFlowStats, b: ofpFlowStats): boolean {
  return bytesEqual(ofpFlowStats.encode(a).finish(), ofpFlowStats.encode(b).finish());
}
