import { ofbFieldSpec, ofbRawMask, ofbRawValue, RESERVED_MASK } from '@voltha/openflow';
import type { OfbRawValue } from '@voltha/openflow';
import {
  ofpActionType,
  ofpActionTypeToJSON,
  ofpInstructionType,
  ofpPortNo,
  ofpPortNoToJSON,
  oxmOfbFieldTypes
} from '@voltha/proto';
import type { ofpAction, ofpFlowStats, ofpOxmOfbField } from '@voltha/proto';

import type { Column, View } from '../format/output';

/**
 * The flow table view: ID TABLE PRIORITY COOKIE, then one column per match field, action and
 * instruction that occurs in any of the flows (as voltctl does), in a fixed order. 64-bit values
 * (ids, cookies, metadata, tunnel ids) are printed as the exact decimal strings they are.
 */

const U64_ALL_ONES = ((1n << 64n) - 1n).toString();

/** A port number, or the name of a reserved port (CONTROLLER, ANY...; with or without the top bit). */
export function portName(port: number): string {
  const masked = (port & RESERVED_MASK) >>> 0;
  if (masked >= ofpPortNo.OFPP_IN_PORT) return ofpPortNoToJSON(masked).replace(/^OFPP_/, '');
  return String(port >>> 0);
}

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

function bytesText(b: Uint8Array, bits: number): string {
  const h = Buffer.from(b).toString('hex');
  if (bits === 48) return h.match(/../g)?.join(':') ?? '';
  return h.match(/.{1,4}/g)?.join(':') ?? '';
}

function rawText(field: ofpOxmOfbField, raw: OfbRawValue, isMask: boolean): string {
  const spec = ofbFieldSpec(field.type);
  if (spec === undefined) return String(raw);
  if (typeof raw === 'string') return raw;
  if (typeof raw !== 'number') return bytesText(raw, spec.bits);
  switch (field.type) {
    case oxmOfbFieldTypes.OFPXMT_OFB_IN_PORT:
    case oxmOfbFieldTypes.OFPXMT_OFB_IN_PHY_PORT:
      return portName(raw);
    case oxmOfbFieldTypes.OFPXMT_OFB_ETH_TYPE:
      return hex(raw, 4);
    case oxmOfbFieldTypes.OFPXMT_OFB_VLAN_VID:
      if (isMask) return hex(raw, 4);
      if (raw === 0) return 'untagged';
      return raw & 0x1000 ? String(raw & 0xfff) : String(raw);
    case oxmOfbFieldTypes.OFPXMT_OFB_IPV4_SRC:
    case oxmOfbFieldTypes.OFPXMT_OFB_IPV4_DST:
    case oxmOfbFieldTypes.OFPXMT_OFB_ARP_SPA:
    case oxmOfbFieldTypes.OFPXMT_OFB_ARP_TPA:
      return ipv4(raw);
    default:
      return String(raw >>> 0);
  }
}

/** The value of a match or set-field field, with `/mask` when masked (VLAN_VID 0x1000/0x1000 is "any"). */
export function ofbFieldText(field: ofpOxmOfbField): string {
  const raw = ofbRawValue(field);
  if (raw === undefined) return '';
  const mask = ofbRawMask(field);
  if (field.type === oxmOfbFieldTypes.OFPXMT_OFB_VLAN_VID && raw === 0x1000 && mask === 0x1000) return 'any';
  const value = rawText(field, raw, false);
  return mask === undefined ? value : `${value}/${rawText(field, mask, true)}`;
}

const T = oxmOfbFieldTypes;
/** Match columns come in this order (port, VLAN, Ethernet first; METADATA and TUNNEL_ID last), others by type. */
const FIRST_FIELDS: readonly number[] = [
  T.OFPXMT_OFB_IN_PORT,
  T.OFPXMT_OFB_IN_PHY_PORT,
  T.OFPXMT_OFB_VLAN_VID,
  T.OFPXMT_OFB_VLAN_PCP,
  T.OFPXMT_OFB_ETH_TYPE
];
const LAST_FIELDS: readonly number[] = [T.OFPXMT_OFB_METADATA, T.OFPXMT_OFB_TUNNEL_ID];

function fieldOrder(type: number): number {
  if (FIRST_FIELDS.includes(type)) return FIRST_FIELDS.indexOf(type);
  if (LAST_FIELDS.includes(type)) return 90 + LAST_FIELDS.indexOf(type);
  return 10 + type;
}

function fieldHeader(type: number): string {
  if (type === oxmOfbFieldTypes.OFPXMT_OFB_VLAN_VID) return 'VLAN';
  return (ofbFieldSpec(type)?.name ?? `FIELD_${type}`).toUpperCase();
}

interface Cell {
  header: string;
  /** Column position: fixed columns, then match fields, actions, instructions. */
  order: number;
  value: string;
}

function actionCell(action: ofpAction): Cell {
  switch (action.type) {
    case ofpActionType.OFPAT_OUTPUT:
      return { header: 'OUTPUT', order: 500, value: portName(action.output?.port ?? 0) };
    case ofpActionType.OFPAT_PUSH_VLAN:
      return { header: 'PUSH_VLAN', order: 200, value: hex(action.push?.ethertype ?? 0, 4) };
    case ofpActionType.OFPAT_POP_VLAN:
      return { header: 'POP_VLAN', order: 400, value: 'yes' };
    case ofpActionType.OFPAT_GROUP:
      return { header: 'GROUP', order: 510, value: String(action.group?.groupId ?? 0) };
    case ofpActionType.OFPAT_SET_FIELD: {
      const f = action.setField?.field?.ofbField;
      if (f === undefined) return { header: 'SET_FIELD', order: 399, value: 'experimenter' };
      return {
        header: `SET_${fieldHeader(f.type)}`,
        order: 300 + fieldOrder(f.type),
        value: ofbFieldText(f)
      };
    }
    case ofpActionType.OFPAT_PUSH_MPLS:
    case ofpActionType.OFPAT_POP_MPLS: {
      const name = ofpActionTypeToJSON(action.type).replace(/^OFPAT_/, '');
      const ethertype =
        action.type === ofpActionType.OFPAT_PUSH_MPLS ? action.push?.ethertype : action.popMpls?.ethertype;
      return { header: name, order: 410 + action.type, value: hex(ethertype ?? 0, 4) };
    }
    default: {
      const name = ofpActionTypeToJSON(action.type);
      return {
        header: name === 'UNRECOGNIZED' ? `ACTION_${action.type}` : name.replace(/^OFPAT_/, ''),
        order: 450,
        value: 'yes'
      };
    }
  }
}

/** Every cell of a flow: match fields, then actions (APPLY and WRITE), then the other instructions. */
export function flowCells(flow: ofpFlowStats): Cell[] {
  const cells: Cell[] = [
    { header: 'ID', order: 0, value: flow.id },
    { header: 'TABLE', order: 1, value: String(flow.tableId) },
    { header: 'PRIORITY', order: 2, value: String(flow.priority) },
    { header: 'COOKIE', order: 3, value: flow.cookie }
  ];
  for (const oxm of flow.match?.oxmFields ?? []) {
    const f = oxm.ofbField;
    if (f !== undefined)
      cells.push({ header: fieldHeader(f.type), order: 100 + fieldOrder(f.type), value: ofbFieldText(f) });
  }
  for (const ins of flow.instructions) {
    switch (ins.type) {
      case ofpInstructionType.OFPIT_APPLY_ACTIONS:
      case ofpInstructionType.OFPIT_WRITE_ACTIONS:
        for (const a of ins.actions?.actions ?? []) cells.push(actionCell(a));
        break;
      case ofpInstructionType.OFPIT_GOTO_TABLE:
        cells.push({ header: 'GOTO_TABLE', order: 600, value: String(ins.gotoTable?.tableId ?? 0) });
        break;
      case ofpInstructionType.OFPIT_WRITE_METADATA: {
        const wm = ins.writeMetadata;
        const mask = wm?.metadataMask ?? U64_ALL_ONES;
        const value = wm?.metadata ?? '0';
        cells.push({
          header: 'WRITE_METADATA',
          order: 610,
          value: mask === U64_ALL_ONES || mask === '0' ? value : `${value}/${mask}`
        });
        break;
      }
      case ofpInstructionType.OFPIT_METER:
        cells.push({ header: 'METER', order: 620, value: String(ins.meter?.meterId ?? 0) });
        break;
      case ofpInstructionType.OFPIT_CLEAR_ACTIONS:
        cells.push({ header: 'CLEAR_ACTIONS', order: 630, value: 'yes' });
        break;
      default:
        cells.push({ header: `INSTRUCTION_${ins.type}`, order: 700 + ins.type, value: 'yes' });
    }
  }
  return cells;
}

/** The table view of a set of flows (its columns depend on what the flows use). */
export function flowView(flows: readonly ofpFlowStats[]): View<ofpFlowStats> {
  const byFlow = new Map<ofpFlowStats, Map<string, string>>();
  const headers = new Map<string, number>();
  for (const flow of flows) {
    const values = new Map<string, string>();
    for (const c of flowCells(flow)) {
      const prev = values.get(c.header);
      values.set(c.header, prev === undefined ? c.value : `${prev},${c.value}`);
      if (!headers.has(c.header)) headers.set(c.header, c.order);
    }
    byFlow.set(flow, values);
  }
  for (const [h, order] of [
    ['ID', 0],
    ['TABLE', 1],
    ['PRIORITY', 2],
    ['COOKIE', 3]
  ] as const)
    headers.set(h, order);
  const columns: Column<ofpFlowStats>[] = [...headers.entries()]
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .map(([header]) => ({ header, value: (f: ofpFlowStats) => byFlow.get(f)?.get(header) ?? '' }));
  return { columns, id: (f) => f.id };
}
