import {
  ofpActionType,
  ofpBadActionCode,
  ofpBadInstructionCode,
  ofpBadMatchCode,
  ofpFlowModCommand,
  ofpFlowModFailedCode,
  ofpFlowModFlags,
  ofpGroupModCommand,
  ofpGroupModFailedCode,
  ofpGroupType,
  ofpInstructionType,
  ofpMatchType,
  ofpMeterBandType,
  ofpMeterModCommand,
  ofpMeterModFailedCode,
  ofpOxmClass,
  oxmOfbFieldTypes
} from '@voltha/proto';
import type {
  ofpAction,
  ofpFlowMod,
  ofpGroupMod,
  ofpInstruction,
  ofpMatch,
  ofpMeterMod
} from '@voltha/proto';

import {
  ETH_TYPE_IPV4,
  ETH_TYPE_IPV6,
  ETH_TYPE_MPLS,
  ETH_TYPE_MPLS_MC,
  ETH_TYPE_QINQ,
  ETH_TYPE_VLAN,
  IP_PROTO_ICMP,
  IP_PROTO_ICMPV6,
  IP_PROTO_SCTP,
  IP_PROTO_TCP,
  IP_PROTO_UDP,
  OFPG_MAX,
  OFPM_CONTROLLER,
  OFPM_MAX,
  OFPM_SLOWPATH,
  OFPP_ANY,
  OFPP_MAX,
  OFPP_TABLE,
  OFPTT_ALL,
  OFPTT_MAX,
  OFPVID_NONE,
  isAllGroups,
  isAllMeters,
  maskPort
} from './constants';
import { badAction, badInstruction, badMatch, flowModFailed, groupModFailed, meterModFailed } from './errors';
import { ofbFieldName, ofbFieldSpec, ofbRawMask, ofbRawValue, rawToBigInt } from './match';
import { isU64String } from './uint64';

export interface FlowModValidationOptions {
  /**
   * Check OXM prerequisites of IP and transport fields (ip_proto needs eth_type IPv4/IPv6, udp_*
   * needs ip_proto 17, ...). VLAN_PCP is only rejected next to an explicit untagged VLAN_VID match:
   * controllers do send a bare PCP match (flow-decomposer.md V27). Default true.
   */
  checkPrerequisites?: boolean;
}

const KNOWN_FLOW_FLAGS =
  ofpFlowModFlags.OFPFF_SEND_FLOW_REM |
  ofpFlowModFlags.OFPFF_CHECK_OVERLAP |
  ofpFlowModFlags.OFPFF_RESET_COUNTS |
  ofpFlowModFlags.OFPFF_NO_PKT_COUNTS |
  ofpFlowModFlags.OFPFF_NO_BYT_COUNTS;

const isU16 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffff;
const isU32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

/** Validates a match: OXM type, basic fields well formed, no duplicates, masks legal, prerequisites. */
export function validateMatch(m: ofpMatch | undefined, options: FlowModValidationOptions = {}): void {
  if (m === undefined) return;
  if (
    m.type !== ofpMatchType.OFPMT_OXM &&
    !(m.type === ofpMatchType.OFPMT_STANDARD && m.oxmFields.length === 0)
  ) {
    throw badMatch(ofpBadMatchCode.OFPBMC_BAD_TYPE, `match type ${m.type} is not OFPMT_OXM`);
  }
  const seen = new Map<number, bigint>();
  for (const oxm of m.oxmFields) {
    if (oxm.ofbField === undefined) {
      if (oxm.experimenterField !== undefined && oxm.oxmClass === ofpOxmClass.OFPXMC_EXPERIMENTER) continue;
      throw badMatch(
        ofpBadMatchCode.OFPBMC_BAD_FIELD,
        `OXM field of class ${oxm.oxmClass} carries no basic field`
      );
    }
    if (oxm.oxmClass !== ofpOxmClass.OFPXMC_OPENFLOW_BASIC) {
      throw badMatch(
        ofpBadMatchCode.OFPBMC_BAD_FIELD,
        `basic field in OXM class ${oxm.oxmClass} (expected 0x8000)`
      );
    }
    const f = oxm.ofbField;
    const s = ofbFieldSpec(f.type);
    if (s === undefined) throw badMatch(ofpBadMatchCode.OFPBMC_BAD_FIELD, `unknown field type ${f.type}`);
    const raw = ofbRawValue(f);
    if (raw === undefined) throw badMatch(ofpBadMatchCode.OFPBMC_BAD_VALUE, `${s.name} has no value`);
    if (seen.has(f.type)) throw badMatch(ofpBadMatchCode.OFPBMC_DUP_FIELD, `${s.name} appears twice`);
    if (s.kind === 'u64' && !isU64String(raw)) {
      throw badMatch(
        ofpBadMatchCode.OFPBMC_BAD_VALUE,
        `${s.name} value '${String(raw)}' is not a u64 decimal string`
      );
    }
    if (s.kind === 'bytes' && (raw as Buffer).length * 8 !== s.bits) {
      throw badMatch(ofpBadMatchCode.OFPBMC_BAD_LEN, `${s.name} must be ${s.bits / 8} bytes`);
    }
    const value = rawToBigInt(raw);
    if (value >> BigInt(s.bits) !== 0n) {
      throw badMatch(ofpBadMatchCode.OFPBMC_BAD_VALUE, `${s.name} value ${value} exceeds ${s.bits} bits`);
    }
    if (f.hasMask) {
      if (s.maskKey === undefined)
        throw badMatch(ofpBadMatchCode.OFPBMC_BAD_MASK, `${s.name} is not maskable`);
      const rawMask = ofbRawMask(f);
      if (rawMask === undefined)
        throw badMatch(ofpBadMatchCode.OFPBMC_BAD_MASK, `${s.name} has_mask set but no mask`);
      if (s.kind === 'u64' && !isU64String(rawMask)) {
        throw badMatch(ofpBadMatchCode.OFPBMC_BAD_MASK, `${s.name} mask is not a u64 decimal string`);
      }
      const mask = rawToBigInt(rawMask);
      if ((value & ~mask) !== 0n) {
        throw badMatch(ofpBadMatchCode.OFPBMC_BAD_WILDCARDS, `${s.name} value has bits set outside its mask`);
      }
    }
    seen.set(f.type, value);
  }
  if (options.checkPrerequisites ?? true) checkPrerequisites(seen);
}

function checkPrerequisites(fields: ReadonlyMap<number, bigint>): void {
  const T = oxmOfbFieldTypes;
  const ethType = fields.get(T.OFPXMT_OFB_ETH_TYPE);
  const ipProto = fields.get(T.OFPXMT_OFB_IP_PROTO);
  const isIp = ethType === BigInt(ETH_TYPE_IPV4) || ethType === BigInt(ETH_TYPE_IPV6);
  const require = (types: number[], ok: boolean, what: string): void => {
    for (const t of types) {
      if (fields.has(t) && !ok)
        throw badMatch(ofpBadMatchCode.OFPBMC_BAD_PREREQ, `${ofbFieldName(t)} requires ${what}`);
    }
  };
  require([
    T.OFPXMT_OFB_IP_DSCP,
    T.OFPXMT_OFB_IP_ECN,
    T.OFPXMT_OFB_IP_PROTO
  ], isIp, 'eth_type 0x0800 or 0x86dd');
  require([T.OFPXMT_OFB_IPV4_SRC, T.OFPXMT_OFB_IPV4_DST], ethType ===
    BigInt(ETH_TYPE_IPV4), 'eth_type 0x0800');
  require([T.OFPXMT_OFB_TCP_SRC, T.OFPXMT_OFB_TCP_DST], isIp &&
    ipProto === BigInt(IP_PROTO_TCP), 'ip_proto 6');
  require([T.OFPXMT_OFB_UDP_SRC, T.OFPXMT_OFB_UDP_DST], isIp &&
    ipProto === BigInt(IP_PROTO_UDP), 'ip_proto 17');
  require([T.OFPXMT_OFB_SCTP_SRC, T.OFPXMT_OFB_SCTP_DST], isIp &&
    ipProto === BigInt(IP_PROTO_SCTP), 'ip_proto 132');
  require([T.OFPXMT_OFB_ICMPV4_TYPE, T.OFPXMT_OFB_ICMPV4_CODE], ethType === BigInt(ETH_TYPE_IPV4) &&
    ipProto === BigInt(IP_PROTO_ICMP), 'eth_type 0x0800 and ip_proto 1');
  require([T.OFPXMT_OFB_ICMPV6_TYPE, T.OFPXMT_OFB_ICMPV6_CODE], ethType === BigInt(ETH_TYPE_IPV6) &&
    ipProto === BigInt(IP_PROTO_ICMPV6), 'eth_type 0x86dd and ip_proto 58');
  const vid = fields.get(T.OFPXMT_OFB_VLAN_VID);
  require([T.OFPXMT_OFB_VLAN_PCP], vid === undefined ||
    vid !== BigInt(OFPVID_NONE), 'a tagged vlan_vid match');
}

/** Validates an action list (payloads present, ports and groups in range, set-field arguments). */
export function validateActions(actions: readonly ofpAction[], where = 'actions'): void {
  for (const a of actions) {
    switch (a.type) {
      case ofpActionType.OFPAT_OUTPUT: {
        if (a.output === undefined)
          throw badAction(ofpBadActionCode.OFPBAC_BAD_LEN, `${where}: OUTPUT without a port`);
        const p = maskPort(a.output.port);
        if (p === 0 || p === OFPP_ANY || p === OFPP_TABLE || (p > OFPP_MAX && p < 0x7ffffff8)) {
          throw badAction(
            ofpBadActionCode.OFPBAC_BAD_OUT_PORT,
            `${where}: OUTPUT to invalid port ${a.output.port}`
          );
        }
        break;
      }
      case ofpActionType.OFPAT_PUSH_VLAN:
        if (
          a.push === undefined ||
          (a.push.ethertype !== ETH_TYPE_VLAN && a.push.ethertype !== ETH_TYPE_QINQ)
        ) {
          throw badAction(
            ofpBadActionCode.OFPBAC_BAD_ARGUMENT,
            `${where}: PUSH_VLAN needs ethertype 0x8100 or 0x88a8`
          );
        }
        break;
      case ofpActionType.OFPAT_PUSH_MPLS:
        if (
          a.push === undefined ||
          (a.push.ethertype !== ETH_TYPE_MPLS && a.push.ethertype !== ETH_TYPE_MPLS_MC)
        ) {
          throw badAction(
            ofpBadActionCode.OFPBAC_BAD_ARGUMENT,
            `${where}: PUSH_MPLS needs ethertype 0x8847 or 0x8848`
          );
        }
        break;
      case ofpActionType.OFPAT_POP_MPLS:
        if (a.popMpls === undefined)
          throw badAction(ofpBadActionCode.OFPBAC_BAD_LEN, `${where}: POP_MPLS without ethertype`);
        break;
      case ofpActionType.OFPAT_GROUP:
        if (a.group === undefined)
          throw badAction(ofpBadActionCode.OFPBAC_BAD_LEN, `${where}: GROUP without a group id`);
        if (maskPort(a.group.groupId) > OFPG_MAX) {
          throw badAction(
            ofpBadActionCode.OFPBAC_BAD_OUT_GROUP,
            `${where}: GROUP to reserved group ${a.group.groupId}`
          );
        }
        break;
      case ofpActionType.OFPAT_SET_FIELD: {
        const f = a.setField?.field?.ofbField;
        if (f === undefined)
          throw badAction(ofpBadActionCode.OFPBAC_BAD_SET_TYPE, `${where}: SET_FIELD without a basic field`);
        const s = ofbFieldSpec(f.type);
        if (
          s === undefined ||
          f.type === oxmOfbFieldTypes.OFPXMT_OFB_IN_PORT ||
          f.type === oxmOfbFieldTypes.OFPXMT_OFB_IN_PHY_PORT ||
          f.type === oxmOfbFieldTypes.OFPXMT_OFB_METADATA
        ) {
          throw badAction(
            ofpBadActionCode.OFPBAC_BAD_SET_TYPE,
            `${where}: SET_FIELD cannot set ${ofbFieldName(f.type)}`
          );
        }
        const raw = ofbRawValue(f);
        if (raw === undefined || f.hasMask) {
          throw badAction(
            ofpBadActionCode.OFPBAC_BAD_SET_ARGUMENT,
            `${where}: SET_FIELD ${s.name} needs one unmasked value`
          );
        }
        if (s.kind === 'u64' ? !isU64String(raw) : rawToBigInt(raw) >> BigInt(s.bits) !== 0n) {
          throw badAction(
            ofpBadActionCode.OFPBAC_BAD_SET_ARGUMENT,
            `${where}: SET_FIELD ${s.name} value out of range`
          );
        }
        break;
      }
      case ofpActionType.OFPAT_POP_VLAN:
      case ofpActionType.OFPAT_COPY_TTL_OUT:
      case ofpActionType.OFPAT_COPY_TTL_IN:
      case ofpActionType.OFPAT_DEC_MPLS_TTL:
      case ofpActionType.OFPAT_DEC_NW_TTL:
      case ofpActionType.OFPAT_POP_PBB:
      case ofpActionType.OFPAT_SET_MPLS_TTL:
      case ofpActionType.OFPAT_SET_NW_TTL:
      case ofpActionType.OFPAT_SET_QUEUE:
      case ofpActionType.OFPAT_PUSH_PBB:
      case ofpActionType.OFPAT_EXPERIMENTER:
        break;
      default:
        throw badAction(ofpBadActionCode.OFPBAC_BAD_TYPE, `${where}: unknown action type ${a.type}`);
    }
  }
}

/** Validates instructions: known types, at most one of each, payloads, goto forward, meter range. */
export function validateInstructions(instructions: readonly ofpInstruction[], tableId: number): void {
  const seen = new Set<number>();
  for (const i of instructions) {
    if (seen.has(i.type))
      throw badInstruction(
        ofpBadInstructionCode.OFPBIC_UNSUP_INST,
        `instruction type ${i.type} appears twice`
      );
    seen.add(i.type);
    switch (i.type) {
      case ofpInstructionType.OFPIT_GOTO_TABLE: {
        const t = i.gotoTable?.tableId;
        if (t === undefined)
          throw badInstruction(ofpBadInstructionCode.OFPBIC_BAD_LEN, 'GOTO_TABLE without a table');
        if (t <= tableId || t > OFPTT_MAX) {
          throw badInstruction(
            ofpBadInstructionCode.OFPBIC_BAD_TABLE_ID,
            `GOTO_TABLE ${t} from table ${tableId} (must go forward, <= 254)`
          );
        }
        break;
      }
      case ofpInstructionType.OFPIT_WRITE_METADATA: {
        const w = i.writeMetadata;
        if (w === undefined)
          throw badInstruction(ofpBadInstructionCode.OFPBIC_BAD_LEN, 'WRITE_METADATA without a value');
        if (!isU64String(w.metadata) || !(w.metadataMask === '' || isU64String(w.metadataMask))) {
          throw badInstruction(
            ofpBadInstructionCode.OFPBIC_UNSUP_METADATA,
            'WRITE_METADATA value/mask are not u64 decimal strings'
          );
        }
        break;
      }
      case ofpInstructionType.OFPIT_APPLY_ACTIONS:
      case ofpInstructionType.OFPIT_WRITE_ACTIONS:
        if (i.actions === undefined)
          throw badInstruction(ofpBadInstructionCode.OFPBIC_BAD_LEN, `instruction ${i.type} without actions`);
        validateActions(
          i.actions.actions,
          i.type === ofpInstructionType.OFPIT_APPLY_ACTIONS ? 'apply-actions' : 'write-actions'
        );
        break;
      case ofpInstructionType.OFPIT_CLEAR_ACTIONS:
        break;
      case ofpInstructionType.OFPIT_METER: {
        const id = i.meter?.meterId;
        if (id === undefined)
          throw badInstruction(ofpBadInstructionCode.OFPBIC_BAD_LEN, 'METER without a meter id');
        const m = maskPort(id);
        if (m === 0 || (m > OFPM_MAX && m !== OFPM_SLOWPATH && m !== OFPM_CONTROLLER)) {
          throw meterModFailed(
            ofpMeterModFailedCode.OFPMMFC_INVALID_METER,
            `METER ${id} is not a valid meter id`
          );
        }
        break;
      }
      case ofpInstructionType.OFPIT_EXPERIMENTER:
        throw badInstruction(
          ofpBadInstructionCode.OFPBIC_UNSUP_INST,
          'experimenter instructions are not supported'
        );
      default:
        throw badInstruction(ofpBadInstructionCode.OFPBIC_UNKNOWN_INST, `unknown instruction type ${i.type}`);
    }
  }
}

/**
 * Validates an incoming flow-mod and throws an {@link InvalidModError} (code INVALID_ARGUMENT, with
 * the OpenFlow error type/code) describing the first problem found.
 */
export function validateFlowMod(mod: ofpFlowMod, options: FlowModValidationOptions = {}): void {
  const cmd = mod.command;
  if (
    cmd !== ofpFlowModCommand.OFPFC_ADD &&
    cmd !== ofpFlowModCommand.OFPFC_MODIFY &&
    cmd !== ofpFlowModCommand.OFPFC_MODIFY_STRICT &&
    cmd !== ofpFlowModCommand.OFPFC_DELETE &&
    cmd !== ofpFlowModCommand.OFPFC_DELETE_STRICT
  ) {
    throw flowModFailed(ofpFlowModFailedCode.OFPFMFC_BAD_COMMAND, `unknown command ${cmd}`);
  }
  const isDelete = cmd === ofpFlowModCommand.OFPFC_DELETE || cmd === ofpFlowModCommand.OFPFC_DELETE_STRICT;
  if (
    !Number.isInteger(mod.tableId) ||
    mod.tableId < 0 ||
    mod.tableId > OFPTT_ALL ||
    (!isDelete && mod.tableId === OFPTT_ALL)
  ) {
    throw flowModFailed(
      ofpFlowModFailedCode.OFPFMFC_BAD_TABLE_ID,
      `table ${mod.tableId} (0..254${isDelete ? ', or 255 = OFPTT_ALL' : ''})`
    );
  }
  if (!isU16(mod.priority))
    throw flowModFailed(ofpFlowModFailedCode.OFPFMFC_UNKNOWN, `priority ${mod.priority} is not 0..65535`);
  if (!isU16(mod.idleTimeout) || !isU16(mod.hardTimeout)) {
    throw flowModFailed(ofpFlowModFailedCode.OFPFMFC_BAD_TIMEOUT, 'idle/hard timeouts must be 0..65535');
  }
  if (!isU32(mod.flags) || (mod.flags & ~KNOWN_FLOW_FLAGS) !== 0) {
    throw flowModFailed(
      ofpFlowModFailedCode.OFPFMFC_BAD_FLAGS,
      `unknown flag bits in 0x${mod.flags.toString(16)}`
    );
  }
  if (
    !(mod.cookie === '' || isU64String(mod.cookie)) ||
    !(mod.cookieMask === '' || isU64String(mod.cookieMask))
  ) {
    throw flowModFailed(
      ofpFlowModFailedCode.OFPFMFC_UNKNOWN,
      'cookie/cookie_mask must be u64 decimal strings'
    );
  }
  if (!isU32(mod.outPort) || !isU32(mod.outGroup)) {
    throw flowModFailed(ofpFlowModFailedCode.OFPFMFC_UNKNOWN, 'out_port/out_group must be 32-bit unsigned');
  }
  validateMatch(mod.match, options);
  if (!isDelete) validateInstructions(mod.instructions, mod.tableId);
}

/** Validates a group-mod (command, type, id range, buckets' actions). */
export function validateGroupMod(mod: ofpGroupMod): void {
  if (
    mod.command !== ofpGroupModCommand.OFPGC_ADD &&
    mod.command !== ofpGroupModCommand.OFPGC_MODIFY &&
    mod.command !== ofpGroupModCommand.OFPGC_DELETE
  ) {
    throw groupModFailed(ofpGroupModFailedCode.OFPGMFC_BAD_COMMAND, `unknown group command ${mod.command}`);
  }
  const id = maskPort(mod.groupId);
  if (mod.command === ofpGroupModCommand.OFPGC_DELETE) {
    if (id > OFPG_MAX && !isAllGroups(mod.groupId)) {
      throw groupModFailed(
        ofpGroupModFailedCode.OFPGMFC_INVALID_GROUP,
        `group id ${mod.groupId} is reserved`
      );
    }
    return;
  }
  if (id > OFPG_MAX)
    throw groupModFailed(ofpGroupModFailedCode.OFPGMFC_INVALID_GROUP, `group id ${mod.groupId} is reserved`);
  if (
    mod.type !== ofpGroupType.OFPGT_ALL &&
    mod.type !== ofpGroupType.OFPGT_SELECT &&
    mod.type !== ofpGroupType.OFPGT_INDIRECT &&
    mod.type !== ofpGroupType.OFPGT_FF
  ) {
    throw groupModFailed(ofpGroupModFailedCode.OFPGMFC_BAD_TYPE, `unknown group type ${mod.type}`);
  }
  if (mod.type === ofpGroupType.OFPGT_INDIRECT && mod.buckets.length !== 1) {
    throw groupModFailed(
      ofpGroupModFailedCode.OFPGMFC_BAD_BUCKET,
      'an INDIRECT group has exactly one bucket'
    );
  }
  mod.buckets.forEach((b, n) => {
    if (mod.type !== ofpGroupType.OFPGT_SELECT && b.weight !== 0) {
      throw groupModFailed(
        ofpGroupModFailedCode.OFPGMFC_WEIGHT_UNSUPPORTED,
        `bucket ${n}: weight only applies to SELECT groups`
      );
    }
    for (const a of b.actions) {
      if (a.type === ofpActionType.OFPAT_GROUP) {
        throw groupModFailed(
          ofpGroupModFailedCode.OFPGMFC_CHAINING_UNSUPPORTED,
          `bucket ${n}: group chaining is not supported`
        );
      }
    }
    validateActions(b.actions, `bucket ${n}`);
  });
}

/** Validates a meter-mod (command, id range, bands). */
export function validateMeterMod(mod: ofpMeterMod): void {
  if (
    mod.command !== ofpMeterModCommand.OFPMC_ADD &&
    mod.command !== ofpMeterModCommand.OFPMC_MODIFY &&
    mod.command !== ofpMeterModCommand.OFPMC_DELETE
  ) {
    throw meterModFailed(ofpMeterModFailedCode.OFPMMFC_BAD_COMMAND, `unknown meter command ${mod.command}`);
  }
  const id = maskPort(mod.meterId);
  if (mod.command === ofpMeterModCommand.OFPMC_DELETE) {
    if (
      id === 0 ||
      (id > OFPM_MAX && !isAllMeters(mod.meterId) && id !== OFPM_SLOWPATH && id !== OFPM_CONTROLLER)
    ) {
      throw meterModFailed(
        ofpMeterModFailedCode.OFPMMFC_INVALID_METER,
        `meter id ${mod.meterId} is not valid`
      );
    }
    return;
  }
  if (id === 0 || (id > OFPM_MAX && id !== OFPM_SLOWPATH && id !== OFPM_CONTROLLER)) {
    throw meterModFailed(ofpMeterModFailedCode.OFPMMFC_INVALID_METER, `meter id ${mod.meterId} is not valid`);
  }
  if ((mod.flags & ~0xf) !== 0)
    throw meterModFailed(
      ofpMeterModFailedCode.OFPMMFC_BAD_FLAGS,
      `unknown meter flags 0x${mod.flags.toString(16)}`
    );
  mod.bands.forEach((b, n) => {
    if (
      b.type !== ofpMeterBandType.OFPMBT_DROP &&
      b.type !== ofpMeterBandType.OFPMBT_DSCP_REMARK &&
      b.type !== ofpMeterBandType.OFPMBT_EXPERIMENTER
    ) {
      throw meterModFailed(ofpMeterModFailedCode.OFPMMFC_BAD_BAND, `band ${n}: unknown band type ${b.type}`);
    }
    if (b.rate === 0)
      throw meterModFailed(ofpMeterModFailedCode.OFPMMFC_BAD_RATE, `band ${n}: rate must be > 0`);
  });
}
