import {
  adminState_AdminStateToJSON,
  configEventTypeToJSON,
  connectStatus_ConnectStatusToJSON,
  logLevel_LogLevelToJSON,
  ofpPortConfig,
  ofpPortConfigToJSON,
  ofpPortState,
  ofpPortStateToJSON,
  operStatus_OperStatusToJSON,
  port_PortTypeToJSON
} from '@voltha/proto';
import type {
  Adapter,
  ConfigEvent,
  Device,
  JsonPatchOperation,
  LogicalDevice,
  LogicalPort,
  Port,
  Revision,
  Tag,
  Timestamp,
  UnknownMessage
} from '@voltha/proto';

import type { Column, View } from '../format/output';
import { flowView } from './flows';

/** The name of an enum value (the number itself when the value is unknown to this build). */
export function enumName(toJson: (value: number) => string, value: number): string {
  const name = toJson(value);
  return name === 'UNRECOGNIZED' ? String(value) : name;
}

/** The names of the bits set in a flag word (`LINK_DOWN|LIVE`), unknown bits in hex; '' for 0. */
export function flagNames(
  value: number,
  bits: readonly number[],
  toJson: (value: number) => string,
  prefix: string
): string {
  const names: string[] = [];
  let rest = value >>> 0;
  for (const bit of bits) {
    if (bit !== 0 && (rest & bit) === bit) {
      names.push(toJson(bit).replace(prefix, ''));
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.join('|');
}

const col = <T>(header: string, value: (item: T) => string): Column<T> => ({ header, value });

/** The address a device was created with (MAC, IPv4, IPv6 or host:port), '' when none. */
export function deviceAddress(d: Device): string {
  return d.macAddress ?? d.ipv4Address ?? d.ipv6Address ?? d.hostAndPort ?? '';
}

export const deviceView: View<Device> = {
  columns: [
    col('ID', (d) => d.id),
    col('TYPE', (d) => d.type),
    col('ROOT', (d) => String(d.root)),
    col('PARENTID', (d) => d.parentId),
    col('SERIAL', (d) => d.serialNumber),
    col('ADDRESS', deviceAddress),
    col('ADMIN', (d) => enumName(adminState_AdminStateToJSON, d.adminState)),
    col('OPER', (d) => enumName(operStatus_OperStatusToJSON, d.operStatus)),
    col('CONNECT', (d) => enumName(connectStatus_ConnectStatusToJSON, d.connectStatus)),
    col('REASON', (d) => d.reason)
  ],
  id: (d) => d.id
};

export const portView: View<Port> = {
  columns: [
    col('PORTNO', (p) => String(p.portNo)),
    col('LABEL', (p) => p.label),
    col('TYPE', (p) => enumName(port_PortTypeToJSON, p.type)),
    col('ADMIN', (p) => enumName(adminState_AdminStateToJSON, p.adminState)),
    col('OPER', (p) => enumName(operStatus_OperStatusToJSON, p.operStatus)),
    col('DEVICEID', (p) => p.deviceId),
    col('PEERS', (p) => p.peers.map((x) => `${x.deviceId}/${x.portNo}`).join(','))
  ],
  id: (p) => String(p.portNo)
};

export const logicalDeviceView: View<LogicalDevice> = {
  columns: [
    col('ID', (l) => l.id),
    col('DATAPATHID', (l) => l.datapathId),
    col('ROOTDEVICEID', (l) => l.rootDeviceId),
    col('SERIAL', (l) => l.desc?.serialNum ?? ''),
    col('MANUFACTURER', (l) => l.desc?.mfrDesc ?? ''),
    col('HARDWARE', (l) => l.desc?.hwDesc ?? ''),
    col('SOFTWARE', (l) => l.desc?.swDesc ?? '')
  ],
  id: (l) => l.id
};

const PORT_STATE_BITS = [ofpPortState.OFPPS_LINK_DOWN, ofpPortState.OFPPS_BLOCKED, ofpPortState.OFPPS_LIVE];
const PORT_CONFIG_BITS = [
  ofpPortConfig.OFPPC_PORT_DOWN,
  ofpPortConfig.OFPPC_NO_RECV,
  ofpPortConfig.OFPPC_NO_FWD,
  ofpPortConfig.OFPPC_NO_PACKET_IN
];

/** Six octets as aa:bb:cc:dd:ee:ff. */
export function hwAddr(octets: readonly number[]): string {
  return octets.map((o) => (o & 0xff).toString(16).padStart(2, '0')).join(':');
}

export const logicalPortView: View<LogicalPort> = {
  columns: [
    col('ID', (p) => p.id),
    col('OFPORTNO', (p) => String(p.ofpPort?.portNo ?? '')),
    col('NAME', (p) => p.ofpPort?.name ?? ''),
    col('DEVICEID', (p) => p.deviceId),
    col('DEVICEPORTNO', (p) => String(p.devicePortNo)),
    col('ROOT', (p) => String(p.rootPort)),
    col('HWADDR', (p) => hwAddr(p.ofpPort?.hwAddr ?? [])),
    col('CONFIG', (p) => flagNames(p.ofpPort?.config ?? 0, PORT_CONFIG_BITS, ofpPortConfigToJSON, 'OFPPC_')),
    col('STATE', (p) => flagNames(p.ofpPort?.state ?? 0, PORT_STATE_BITS, ofpPortStateToJSON, 'OFPPS_'))
  ],
  id: (p) => p.id
};

export const adapterView: View<Adapter> = {
  columns: [
    col('ID', (a) => a.id),
    col('VENDOR', (a) => a.vendor),
    col('VERSION', (a) => a.version),
    col('LOGLEVEL', (a) => (a.config ? enumName(logLevel_LogLevelToJSON, a.config.logLevel) : '')),
    col('LOGICALDEVICES', (a) => a.logicalDeviceIds.join(','))
  ],
  id: (a) => a.id
};

/** Revisions are listed oldest first; the index counts from 0 and the last one is the latest. */
export function revisionView(all: readonly Revision[]): View<Revision> {
  return {
    columns: [
      col('INDEX', (r) => String(all.indexOf(r))),
      col('HASH', (r) => r.hash),
      col('LATEST', (r) => (all.indexOf(r) === all.length - 1 ? 'yes' : ''))
    ],
    id: (r) => r.hash
  };
}

export const tagView: View<Tag> = {
  columns: [col('NAME', (t) => t.name), col('HASH', (t) => t.hash)],
  id: (t) => t.name
};

export const patchView: View<JsonPatchOperation> = {
  columns: [col('OP', (o) => o.op), col('PATH', (o) => o.path), col('VALUE', (o) => o.value)],
  id: (o) => o.path
};

/** RFC 3339 text of a Timestamp (millisecond precision), '-' when absent. */
export function timestampText(ts: Timestamp | undefined): string {
  if (ts === undefined) return '-';
  const ms = Number(BigInt(ts.seconds) * 1000n) + Math.floor(ts.nanos / 1e6);
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '-' : date.toISOString();
}

/** One line per change event: `TIMESTAMP seq=N TYPE PATH key=K hash=H root=R`. */
export function eventLine(e: ConfigEvent): string {
  const type = enumName(configEventTypeToJSON, e.type).padEnd(6);
  return `${timestampText(e.timestamp)} seq=${e.seq} ${type} ${e.path} key=${e.key} hash=${e.hash} root=${e.rootHash}`;
}

/** Views of the message types `config get` knows as tables (others print as YAML). */
export function viewForType(
  typeName: string,
  items: readonly UnknownMessage[]
): View<UnknownMessage> | undefined {
  const views: Record<string, () => View<never>> = {
    'voltha.Device': () => deviceView,
    'voltha.Port': () => portView,
    'voltha.LogicalDevice': () => logicalDeviceView,
    'voltha.LogicalPort': () => logicalPortView,
    'voltha.Adapter': () => adapterView,
    'openflow_13.ofp_flow_stats': () => flowView(items as never[])
  };
  return views[typeName]?.() as View<UnknownMessage> | undefined;
}
