import {
  ofpControllerMaxLen,
  ofpGroup,
  ofpMeter,
  ofpOxmClass,
  ofpPortNo,
  ofpTable,
  ofpVlanId
} from '@voltha/proto';

/**
 * OpenFlow 1.3 reserved numbers as stored in VOLTHA's proto3 enums (which cannot exceed int32, so
 * the most significant bit is dropped: CONTROLLER is 0x7FFFFFFD here, 0xFFFFFFFD on the wire).
 * Controllers such as ONOS send the wire value, so every reserved-number test masks with
 * {@link RESERVED_MASK} first (flow-decomposer.md §1.1).
 */
export const RESERVED_MASK = 0x7fffffff;

export const OFPP_MAX: number = ofpPortNo.OFPP_MAX; // 0x7FFFFF00
export const OFPP_IN_PORT: number = ofpPortNo.OFPP_IN_PORT;
export const OFPP_TABLE: number = ofpPortNo.OFPP_TABLE;
export const OFPP_NORMAL: number = ofpPortNo.OFPP_NORMAL;
export const OFPP_FLOOD: number = ofpPortNo.OFPP_FLOOD;
export const OFPP_ALL: number = ofpPortNo.OFPP_ALL;
export const OFPP_CONTROLLER: number = ofpPortNo.OFPP_CONTROLLER; // 0x7FFFFFFD
export const OFPP_LOCAL: number = ofpPortNo.OFPP_LOCAL;
export const OFPP_ANY: number = ofpPortNo.OFPP_ANY; // 0x7FFFFFFF

export const OFPG_MAX: number = ofpGroup.OFPG_MAX;
export const OFPG_ALL: number = ofpGroup.OFPG_ALL; // 0x7FFFFFFC
export const OFPG_ANY: number = ofpGroup.OFPG_ANY; // 0x7FFFFFFF

export const OFPM_MAX: number = ofpMeter.OFPM_MAX;
export const OFPM_SLOWPATH: number = ofpMeter.OFPM_SLOWPATH;
export const OFPM_CONTROLLER: number = ofpMeter.OFPM_CONTROLLER;
export const OFPM_ALL: number = ofpMeter.OFPM_ALL;

export const OFPTT_MAX: number = ofpTable.OFPTT_MAX; // 0xFE
export const OFPTT_ALL: number = ofpTable.OFPTT_ALL; // 0xFF

export const OFPVID_NONE: number = ofpVlanId.OFPVID_NONE;
export const OFPVID_PRESENT: number = ofpVlanId.OFPVID_PRESENT; // 0x1000
export const OFPCML_MAX: number = ofpControllerMaxLen.OFPCML_MAX; // 0xFFE5
export const OFPCML_NO_BUFFER: number = ofpControllerMaxLen.OFPCML_NO_BUFFER;

export const OFPXMC_OPENFLOW_BASIC: number = ofpOxmClass.OFPXMC_OPENFLOW_BASIC; // 0x8000
export const OFPXMC_EXPERIMENTER: number = ofpOxmClass.OFPXMC_EXPERIMENTER;

/** Well-known EtherTypes and IP protocols used by traps and VLAN actions. */
export const ETH_TYPE_IPV4 = 0x0800;
export const ETH_TYPE_ARP = 0x0806;
export const ETH_TYPE_VLAN = 0x8100;
export const ETH_TYPE_QINQ = 0x88a8;
export const ETH_TYPE_IPV6 = 0x86dd;
export const ETH_TYPE_MPLS = 0x8847;
export const ETH_TYPE_MPLS_MC = 0x8848;
export const ETH_TYPE_EAPOL = 0x888e;
export const ETH_TYPE_LLDP = 0x88cc;
export const ETH_TYPE_PPPOED = 0x8863;
export const IP_PROTO_ICMP = 1;
export const IP_PROTO_IGMP = 2;
export const IP_PROTO_TCP = 6;
export const IP_PROTO_UDP = 17;
export const IP_PROTO_SCTP = 132;
export const IP_PROTO_ICMPV6 = 58;

/** A port number with the reserved-range bit folded (0xFFFFFFFD and 0x7FFFFFFD compare equal). */
export function maskPort(port: number): number {
  return (port & RESERVED_MASK) >>> 0;
}

/** `(a & 0x7FFFFFFF) === (b & 0x7FFFFFFF)`. */
export function portEquals(a: number, b: number): boolean {
  return maskPort(a) === maskPort(b);
}

export function isControllerPort(port: number | undefined): boolean {
  return port !== undefined && maskPort(port) === OFPP_CONTROLLER;
}

/** OFPP_ANY (masked), the wildcard of out_port filters. */
export function isAnyPort(port: number | undefined): boolean {
  return port !== undefined && maskPort(port) === OFPP_ANY;
}

/** A reserved (fake) port: anything above OFPP_MAX after masking. */
export function isReservedPort(port: number): boolean {
  return maskPort(port) > OFPP_MAX;
}

/** OFPG_ANY (masked), the wildcard of out_group filters. */
export function isAnyGroup(group: number | undefined): boolean {
  return group !== undefined && maskPort(group) === OFPG_ANY;
}

/** OFPG_ALL (masked), "every group" in group deletes. */
export function isAllGroups(group: number): boolean {
  return maskPort(group) === OFPG_ALL;
}

/** OFPM_ALL (masked), "every meter" in meter deletes. */
export function isAllMeters(meter: number): boolean {
  return maskPort(meter) === OFPM_ALL;
}

/** VID(n): a tagged VLAN id as matched or set (OFPVID_PRESENT | n). */
export function vid(n: number): number {
  return (OFPVID_PRESENT | n) >>> 0;
}
