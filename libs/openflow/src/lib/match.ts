import { ofpMatchType, ofpOxmClass, oxmOfbFieldTypes } from '@voltha/proto';
import type { ofpMatch, ofpOxmField, ofpOxmOfbField } from '@voltha/proto';

import { parseU64, u64 } from './uint64';

type Keys<T, V> = { [K in keyof T]-?: NonNullable<T[K]> extends V ? K : never }[keyof T];
type FieldKey = Exclude<Keys<ofpOxmOfbField, number | string | Buffer>, '$type' | 'type' | 'hasMask'>;

/** How a field value is stored: a 32-bit number, a 64-bit decimal string, or raw bytes. */
export type OfbValueKind = 'u32' | 'u64' | 'bytes';

/** Static description of one OpenFlow-basic match field (value member, mask member, width). */
export interface OfbFieldSpec {
  readonly type: oxmOfbFieldTypes;
  readonly name: string;
  readonly key: FieldKey;
  readonly kind: OfbValueKind;
  /** Significant bits of the value (e.g. 13 for VLAN_VID with its PRESENT bit, 48 for a MAC). */
  readonly bits: number;
  /** The mask member, for maskable fields. */
  readonly maskKey?: FieldKey;
}

const T = oxmOfbFieldTypes;
const spec = (
  type: oxmOfbFieldTypes,
  name: string,
  key: FieldKey,
  kind: OfbValueKind,
  bits: number,
  maskKey?: FieldKey
): OfbFieldSpec => ({ type, name, key, kind, bits, maskKey });

/** Every OpenFlow-basic field, indexed by its `oxm_ofb_field_types` value. */
export const OFB_FIELD_SPECS: readonly OfbFieldSpec[] = [
  spec(T.OFPXMT_OFB_IN_PORT, 'in_port', 'port', 'u32', 32),
  spec(T.OFPXMT_OFB_IN_PHY_PORT, 'in_phy_port', 'physicalPort', 'u32', 32),
  spec(T.OFPXMT_OFB_METADATA, 'metadata', 'tableMetadata', 'u64', 64, 'tableMetadataMask'),
  spec(T.OFPXMT_OFB_ETH_DST, 'eth_dst', 'ethDst', 'bytes', 48, 'ethDstMask'),
  spec(T.OFPXMT_OFB_ETH_SRC, 'eth_src', 'ethSrc', 'bytes', 48, 'ethSrcMask'),
  spec(T.OFPXMT_OFB_ETH_TYPE, 'eth_type', 'ethType', 'u32', 16),
  spec(T.OFPXMT_OFB_VLAN_VID, 'vlan_vid', 'vlanVid', 'u32', 13, 'vlanVidMask'),
  spec(T.OFPXMT_OFB_VLAN_PCP, 'vlan_pcp', 'vlanPcp', 'u32', 3),
  spec(T.OFPXMT_OFB_IP_DSCP, 'ip_dscp', 'ipDscp', 'u32', 6),
  spec(T.OFPXMT_OFB_IP_ECN, 'ip_ecn', 'ipEcn', 'u32', 2),
  spec(T.OFPXMT_OFB_IP_PROTO, 'ip_proto', 'ipProto', 'u32', 8),
  spec(T.OFPXMT_OFB_IPV4_SRC, 'ipv4_src', 'ipv4Src', 'u32', 32, 'ipv4SrcMask'),
  spec(T.OFPXMT_OFB_IPV4_DST, 'ipv4_dst', 'ipv4Dst', 'u32', 32, 'ipv4DstMask'),
  spec(T.OFPXMT_OFB_TCP_SRC, 'tcp_src', 'tcpSrc', 'u32', 16),
  spec(T.OFPXMT_OFB_TCP_DST, 'tcp_dst', 'tcpDst', 'u32', 16),
  spec(T.OFPXMT_OFB_UDP_SRC, 'udp_src', 'udpSrc', 'u32', 16),
  spec(T.OFPXMT_OFB_UDP_DST, 'udp_dst', 'udpDst', 'u32', 16),
  spec(T.OFPXMT_OFB_SCTP_SRC, 'sctp_src', 'sctpSrc', 'u32', 16),
  spec(T.OFPXMT_OFB_SCTP_DST, 'sctp_dst', 'sctpDst', 'u32', 16),
  spec(T.OFPXMT_OFB_ICMPV4_TYPE, 'icmpv4_type', 'icmpv4Type', 'u32', 8),
  spec(T.OFPXMT_OFB_ICMPV4_CODE, 'icmpv4_code', 'icmpv4Code', 'u32', 8),
  spec(T.OFPXMT_OFB_ARP_OP, 'arp_op', 'arpOp', 'u32', 16),
  spec(T.OFPXMT_OFB_ARP_SPA, 'arp_spa', 'arpSpa', 'u32', 32, 'arpSpaMask'),
  spec(T.OFPXMT_OFB_ARP_TPA, 'arp_tpa', 'arpTpa', 'u32', 32, 'arpTpaMask'),
  spec(T.OFPXMT_OFB_ARP_SHA, 'arp_sha', 'arpSha', 'bytes', 48),
  spec(T.OFPXMT_OFB_ARP_THA, 'arp_tha', 'arpTha', 'bytes', 48),
  spec(T.OFPXMT_OFB_IPV6_SRC, 'ipv6_src', 'ipv6Src', 'bytes', 128, 'ipv6SrcMask'),
  spec(T.OFPXMT_OFB_IPV6_DST, 'ipv6_dst', 'ipv6Dst', 'bytes', 128, 'ipv6DstMask'),
  spec(T.OFPXMT_OFB_IPV6_FLABEL, 'ipv6_flabel', 'ipv6Flabel', 'u32', 20, 'ipv6FlabelMask'),
  spec(T.OFPXMT_OFB_ICMPV6_TYPE, 'icmpv6_type', 'icmpv6Type', 'u32', 8),
  spec(T.OFPXMT_OFB_ICMPV6_CODE, 'icmpv6_code', 'icmpv6Code', 'u32', 8),
  spec(T.OFPXMT_OFB_IPV6_ND_TARGET, 'ipv6_nd_target', 'ipv6NdTarget', 'bytes', 128),
  spec(T.OFPXMT_OFB_IPV6_ND_SLL, 'ipv6_nd_sll', 'ipv6NdSsl', 'bytes', 48),
  spec(T.OFPXMT_OFB_IPV6_ND_TLL, 'ipv6_nd_tll', 'ipv6NdTll', 'bytes', 48),
  spec(T.OFPXMT_OFB_MPLS_LABEL, 'mpls_label', 'mplsLabel', 'u32', 20),
  spec(T.OFPXMT_OFB_MPLS_TC, 'mpls_tc', 'mplsTc', 'u32', 3),
  spec(T.OFPXMT_OFB_MPLS_BOS, 'mpls_bos', 'mplsBos', 'u32', 1),
  spec(T.OFPXMT_OFB_PBB_ISID, 'pbb_isid', 'pbbIsid', 'u32', 24, 'pbbIsidMask'),
  spec(T.OFPXMT_OFB_TUNNEL_ID, 'tunnel_id', 'tunnelId', 'u64', 64, 'tunnelIdMask'),
  spec(T.OFPXMT_OFB_IPV6_EXTHDR, 'ipv6_exthdr', 'ipv6Exthdr', 'u32', 9, 'ipv6ExthdrMask')
];

/** The spec of a field type, or undefined for an unknown type. */
export function ofbFieldSpec(type: number): OfbFieldSpec | undefined {
  const s = OFB_FIELD_SPECS[type];
  return s !== undefined && s.type === type ? s : undefined;
}

/** A printable field name ('vlan_vid'), for messages. */
export function ofbFieldName(type: number): string {
  return ofbFieldSpec(type)?.name ?? `field#${type}`;
}

/** A raw field value as stored in the message. */
export type OfbRawValue = number | string | Buffer;

/** The value member of a field (by its declared type), or undefined when that member is unset. */
export function ofbRawValue(field: ofpOxmOfbField): OfbRawValue | undefined {
  const s = ofbFieldSpec(field.type);
  return s === undefined ? undefined : (field[s.key] as OfbRawValue | undefined);
}

/** The mask member of a field, or undefined when unmasked or not maskable. */
export function ofbRawMask(field: ofpOxmOfbField): OfbRawValue | undefined {
  const s = ofbFieldSpec(field.type);
  return s?.maskKey === undefined || !field.hasMask
    ? undefined
    : (field[s.maskKey] as OfbRawValue | undefined);
}

function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0
    ? 0n
    : BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}

/** Any raw value as a BigInt (u64 strings parsed, bytes read big-endian). */
export function rawToBigInt(raw: OfbRawValue): bigint {
  if (typeof raw === 'number') return BigInt(raw >>> 0);
  if (typeof raw === 'string') return parseU64(raw);
  return bytesToBigInt(raw);
}

// ------------------------------------------------------------------------------------------------
// Builders
// ------------------------------------------------------------------------------------------------

function toRaw(s: OfbFieldSpec, v: number | string | bigint | Uint8Array): OfbRawValue {
  switch (s.kind) {
    case 'u32':
      if (typeof v !== 'number') throw new TypeError(`${s.name} takes a number`);
      return v >>> 0;
    case 'u64':
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return u64(v);
      throw new TypeError(`${s.name} takes a u64 (decimal string or bigint)`);
    case 'bytes':
      if (v instanceof Uint8Array) return Buffer.from(v);
      if (typeof v === 'string') return Buffer.from(v.replace(/[:.-]/g, ''), 'hex');
      throw new TypeError(`${s.name} takes bytes or a hex string`);
  }
}

/**
 * A basic match field of any type. `value`/`mask`: number for ≤32-bit fields, decimal string or
 * bigint for METADATA/TUNNEL_ID, bytes or a hex string ('00:11:22:33:44:55') for MAC/IPv6 fields.
 */
export function ofbField(
  type: oxmOfbFieldTypes,
  value: number | string | bigint | Uint8Array,
  mask?: number | string | bigint | Uint8Array
): ofpOxmOfbField {
  const s = ofbFieldSpec(type);
  if (s === undefined) throw new RangeError(`unknown OXM basic field type ${type}`);
  const field: ofpOxmOfbField = { $type: 'openflow_13.ofp_oxm_ofb_field', type, hasMask: false };
  (field as unknown as Record<string, unknown>)[s.key] = toRaw(s, value);
  if (mask !== undefined) {
    if (s.maskKey === undefined) throw new RangeError(`${s.name} is not maskable`);
    field.hasMask = true;
    (field as unknown as Record<string, unknown>)[s.maskKey] = toRaw(s, mask);
  }
  return field;
}

export const inPort = (port: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_IN_PORT, port);
export const inPhyPort = (port: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_IN_PHY_PORT, port);
/** METADATA match (u64; the proto member is `table_metadata`). */
export const metadata = (value: string | bigint, mask?: string | bigint): ofpOxmOfbField =>
  ofbField(T.OFPXMT_OFB_METADATA, value, mask);
export const ethDst = (mac: string | Uint8Array, mask?: string | Uint8Array): ofpOxmOfbField =>
  ofbField(T.OFPXMT_OFB_ETH_DST, mac, mask);
export const ethSrc = (mac: string | Uint8Array, mask?: string | Uint8Array): ofpOxmOfbField =>
  ofbField(T.OFPXMT_OFB_ETH_SRC, mac, mask);
export const ethType = (type: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_ETH_TYPE, type);
/** VLAN_VID match: pass the full field value (e.g. `vid(100)` = 0x1000|100, or 0 for untagged). */
export const vlanVid = (value: number, mask?: number): ofpOxmOfbField =>
  ofbField(T.OFPXMT_OFB_VLAN_VID, value, mask);
export const vlanPcp = (pcp: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_VLAN_PCP, pcp);
export const ipDscp = (dscp: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_IP_DSCP, dscp);
export const ipProto = (proto: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_IP_PROTO, proto);
export const ipv4Src = (addr: number, mask?: number): ofpOxmOfbField =>
  ofbField(T.OFPXMT_OFB_IPV4_SRC, addr, mask);
export const ipv4Dst = (addr: number, mask?: number): ofpOxmOfbField =>
  ofbField(T.OFPXMT_OFB_IPV4_DST, addr, mask);
export const tcpSrc = (port: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_TCP_SRC, port);
export const tcpDst = (port: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_TCP_DST, port);
export const udpSrc = (port: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_UDP_SRC, port);
export const udpDst = (port: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_UDP_DST, port);
export const mplsLabel = (label: number): ofpOxmOfbField => ofbField(T.OFPXMT_OFB_MPLS_LABEL, label);
/** TUNNEL_ID match (u64): VOLTHA 2.x carries the UNI logical port in it. */
export const tunnelId = (value: string | bigint | number, mask?: string | bigint): ofpOxmOfbField =>
  ofbField(T.OFPXMT_OFB_TUNNEL_ID, typeof value === 'number' ? BigInt(value) : value, mask);

/** Wraps a basic field into an OXM TLV of class OPENFLOW_BASIC. */
export function oxm(field: ofpOxmOfbField): ofpOxmField {
  return { $type: 'openflow_13.ofp_oxm_field', oxmClass: ofpOxmClass.OFPXMC_OPENFLOW_BASIC, ofbField: field };
}

/** An OXM match from basic fields, in the given order. */
export function match(fields: readonly ofpOxmOfbField[]): ofpMatch {
  return { $type: 'openflow_13.ofp_match', type: ofpMatchType.OFPMT_OXM, oxmFields: fields.map(oxm) };
}

// ------------------------------------------------------------------------------------------------
// Getters
// ------------------------------------------------------------------------------------------------

/** The basic fields of a match, in match order (experimenter fields skipped). */
export function ofbFields(m: ofpMatch | undefined): ofpOxmOfbField[] {
  const out: ofpOxmOfbField[] = [];
  if (m === undefined) return out;
  for (const f of m.oxmFields) if (f.ofbField !== undefined) out.push(f.ofbField);
  return out;
}

/** The first basic field of a type, or undefined. */
export function findField(m: ofpMatch | undefined, type: oxmOfbFieldTypes): ofpOxmOfbField | undefined {
  if (m === undefined) return undefined;
  for (const f of m.oxmFields) if (f.ofbField !== undefined && f.ofbField.type === type) return f.ofbField;
  return undefined;
}

/** The u32 value of the first field of a type (undefined when absent or not a u32 field). */
export function fieldNumber(m: ofpMatch | undefined, type: oxmOfbFieldTypes): number | undefined {
  const f = findField(m, type);
  if (f === undefined) return undefined;
  const v = ofbRawValue(f);
  return typeof v === 'number' ? v : undefined;
}

/** The u64 value (decimal string) of the first field of a type (METADATA, TUNNEL_ID). */
export function fieldU64(m: ofpMatch | undefined, type: oxmOfbFieldTypes): string | undefined {
  const f = findField(m, type);
  if (f === undefined) return undefined;
  const v = ofbRawValue(f);
  return typeof v === 'string' ? v : undefined;
}

export const matchInPort = (m: ofpMatch | undefined): number | undefined =>
  fieldNumber(m, T.OFPXMT_OFB_IN_PORT);
export const matchVlanVid = (m: ofpMatch | undefined): number | undefined =>
  fieldNumber(m, T.OFPXMT_OFB_VLAN_VID);
export const matchVlanPcp = (m: ofpMatch | undefined): number | undefined =>
  fieldNumber(m, T.OFPXMT_OFB_VLAN_PCP);
export const matchEthType = (m: ofpMatch | undefined): number | undefined =>
  fieldNumber(m, T.OFPXMT_OFB_ETH_TYPE);
export const matchIpProto = (m: ofpMatch | undefined): number | undefined =>
  fieldNumber(m, T.OFPXMT_OFB_IP_PROTO);
export const matchUdpSrc = (m: ofpMatch | undefined): number | undefined =>
  fieldNumber(m, T.OFPXMT_OFB_UDP_SRC);
export const matchUdpDst = (m: ofpMatch | undefined): number | undefined =>
  fieldNumber(m, T.OFPXMT_OFB_UDP_DST);
export const matchMetadata = (m: ofpMatch | undefined): string | undefined =>
  fieldU64(m, T.OFPXMT_OFB_METADATA);
export const matchTunnelId = (m: ofpMatch | undefined): string | undefined =>
  fieldU64(m, T.OFPXMT_OFB_TUNNEL_ID);

// ------------------------------------------------------------------------------------------------
// Deterministic ordering
// ------------------------------------------------------------------------------------------------

/** Orders OXM fields by (class, basic before experimenter, field type / experimenter, header). */
export function compareOxmFields(a: ofpOxmField, b: ofpOxmField): number {
  if (a.oxmClass !== b.oxmClass) return a.oxmClass - b.oxmClass;
  const ao = a.ofbField;
  const bo = b.ofbField;
  if (ao !== undefined && bo !== undefined) return ao.type - bo.type;
  if (ao !== undefined) return -1;
  if (bo !== undefined) return 1;
  const ae = a.experimenterField;
  const be = b.experimenterField;
  if (ae === undefined || be === undefined) return ae === undefined ? (be === undefined ? 0 : 1) : -1;
  return ae.experimenter - be.experimenter || ae.oxmHeader - be.oxmHeader;
}

function isSorted(fields: readonly ofpOxmField[]): boolean {
  for (let i = 1; i < fields.length; i++) if (compareOxmFields(fields[i - 1], fields[i]) > 0) return false;
  return true;
}

/** A sorted copy of the fields (stable); the input is not modified. */
export function sortedOxmFields(fields: readonly ofpOxmField[]): ofpOxmField[] {
  return isSorted(fields) ? fields.slice() : fields.slice().sort(compareOxmFields);
}

/** The match with its fields in canonical order (the same object when already sorted). */
export function canonicalMatch(m: ofpMatch): ofpMatch {
  return isSorted(m.oxmFields) ? m : { ...m, oxmFields: sortedOxmFields(m.oxmFields) };
}

// ------------------------------------------------------------------------------------------------
// Match analysis: overlap (CHECK_OVERLAP) and coverage (non-strict DELETE / MODIFY)
// ------------------------------------------------------------------------------------------------

interface Constraint {
  readonly value: bigint;
  readonly mask: bigint;
}

/** Field constraints of a match keyed by field type (experimenter fields keyed by a string). */
export type NormalizedMatch = ReadonlyMap<number | string, Constraint>;

function widthMask(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

/** Normalises a match into value/mask constraints (an unmasked field gets an all-ones mask). */
export function normalizeMatch(m: ofpMatch | undefined): NormalizedMatch {
  const out = new Map<number | string, Constraint>();
  if (m === undefined) return out;
  for (const f of m.oxmFields) {
    if (f.ofbField !== undefined) {
      const s = ofbFieldSpec(f.ofbField.type);
      const raw = ofbRawValue(f.ofbField);
      if (s === undefined || raw === undefined) continue;
      const full = widthMask(s.bits);
      const rawMask = ofbRawMask(f.ofbField);
      const mask = rawMask === undefined ? full : rawToBigInt(rawMask) & full;
      out.set(s.type, { value: rawToBigInt(raw) & mask, mask });
    } else if (f.experimenterField !== undefined) {
      const e = f.experimenterField;
      out.set(`exp:${e.experimenter}:${e.oxmHeader}`, { value: 0n, mask: 0n });
    }
  }
  return out;
}

/**
 * Whether one packet can match both matches: every field constrained by both must agree on the bits
 * that both masks care about (a field present in only one side is a wildcard on the other).
 * Experimenter fields, whose semantics are opaque, never rule out an overlap.
 */
export function matchesOverlap(a: ofpMatch | undefined, b: ofpMatch | undefined): boolean {
  const na = normalizeMatch(a);
  const nb = normalizeMatch(b);
  for (const [key, ca] of na) {
    const cb = nb.get(key);
    if (cb === undefined) continue;
    if (((ca.value ^ cb.value) & ca.mask & cb.mask) !== 0n) return false;
  }
  return true;
}

/**
 * Whether `general` covers `specific`: every packet matching `specific` also matches `general`, i.e.
 * `specific` is at least as specific on every field that `general` constrains (OpenFlow 1.3 §6.4
 * non-strict DELETE/MODIFY). An empty `general` covers everything.
 */
export function matchCovers(general: ofpMatch | undefined, specific: ofpMatch | undefined): boolean {
  const ng = normalizeMatch(general);
  if (ng.size === 0) return true;
  const ns = normalizeMatch(specific);
  for (const [key, cg] of ng) {
    const cs = ns.get(key);
    if (cs === undefined) return false;
    if ((cg.mask & ~cs.mask) !== 0n) return false;
    if (((cg.value ^ cs.value) & cg.mask) !== 0n) return false;
  }
  return true;
}

/** True when both matches hold the same constraints (field order and unset masks ignored). */
export function matchesEqual(a: ofpMatch | undefined, b: ofpMatch | undefined): boolean {
  const na = normalizeMatch(a);
  const nb = normalizeMatch(b);
  if (na.size !== nb.size) return false;
  for (const [key, ca] of na) {
    const cb = nb.get(key);
    if (cb === undefined || cb.value !== ca.value || cb.mask !== ca.mask) return false;
  }
  return true;
}
