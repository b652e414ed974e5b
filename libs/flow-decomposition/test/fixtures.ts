import { Device, Port_PortType } from '@voltha/proto';
import type { LogicalPort, Port } from '@voltha/proto';

/** A generated PON: `nnis` NNIs, `pons` OLT PON ports, `onusPerPon` ONUs per PON, `unisPerOnu` UNIs per ONU. */
export interface PonSpec {
  nnis: number;
  pons: number;
  onusPerPon: number;
  unisPerOnu: number;
}

export interface PonFixture {
  rootDeviceId: string;
  olt: Device;
  onus: Device[];
  devices: Device[];
  logicalPorts: LogicalPort[];
}

export const OLT_ID = 'olt';
/** Device port numbers (deliberately different from the logical numbers). */
export const oltNniDevicePort = (i: number): number => 1048576 + i;
export const oltPonDevicePort = (p: number): number => 536870912 + p;
export const ONU_PON_DEVICE_PORT = 1;
export const onuUniDevicePort = (k: number): number => 16 + k;
/** Logical port numbers. */
export const nniPort = (i: number): number => 65536 + i;
export const onuId = (p: number, o: number): string => `onu-${p}-${o}`;
export const uniPort = (spec: Pick<PonSpec, 'onusPerPon'>, p: number, o: number, k: number): number =>
  1 + (p * spec.onusPerPon + o) * 16 + k;

export function port(
  portNo: number,
  type: Port_PortType,
  peers: { deviceId: string; portNo: number }[] = []
): Port {
  return {
    $type: 'voltha.Port',
    portNo,
    label: '',
    type,
    adminState: 0,
    operStatus: 0,
    deviceId: '',
    peers: peers.map((x) => ({ $type: 'voltha.PeerPort', deviceId: x.deviceId, portNo: x.portNo }))
  };
}

export function device(id: string, root: boolean, ports: Port[]): Device {
  return { ...Device.fromPartial({ id, root }), ports };
}

export function logicalPort(
  portNo: number,
  deviceId: string,
  devicePortNo: number,
  rootPort: boolean
): LogicalPort {
  return {
    $type: 'voltha.LogicalPort',
    id: rootPort ? `nni-${portNo}` : `uni-${portNo}`,
    ofpPort: {
      $type: 'openflow_13.ofp_port',
      portNo,
      hwAddr: [],
      name: '',
      config: 0,
      state: 4,
      curr: 0,
      advertised: 0,
      supported: 0,
      peer: 0,
      currSpeed: 0,
      maxSpeed: 0
    },
    deviceId,
    devicePortNo,
    rootPort
  };
}

export function onuDevice(p: number, o: number, unisPerOnu: number): Device {
  const ports = [
    port(ONU_PON_DEVICE_PORT, Port_PortType.PON_ONU, [{ deviceId: OLT_ID, portNo: oltPonDevicePort(p) }])
  ];
  for (let k = 0; k < unisPerOnu; k++) ports.push(port(onuUniDevicePort(k), Port_PortType.ETHERNET_UNI));
  return device(onuId(p, o), false, ports);
}

export function uniLogicalPorts(spec: PonSpec, p: number, o: number): LogicalPort[] {
  const out: LogicalPort[] = [];
  for (let k = 0; k < spec.unisPerOnu; k++)
    out.push(logicalPort(uniPort(spec, p, o, k), onuId(p, o), onuUniDevicePort(k), false));
  return out;
}

export function buildPon(spec: PonSpec): PonFixture {
  const oltPorts: Port[] = [];
  for (let i = 0; i < spec.nnis; i++) oltPorts.push(port(oltNniDevicePort(i), Port_PortType.ETHERNET_NNI));
  const onus: Device[] = [];
  const logicalPorts: LogicalPort[] = [];
  for (let i = 0; i < spec.nnis; i++)
    logicalPorts.push(logicalPort(nniPort(i), OLT_ID, oltNniDevicePort(i), true));
  for (let p = 0; p < spec.pons; p++) {
    const peers: { deviceId: string; portNo: number }[] = [];
    for (let o = 0; o < spec.onusPerPon; o++) {
      onus.push(onuDevice(p, o, spec.unisPerOnu));
      peers.push({ deviceId: onuId(p, o), portNo: ONU_PON_DEVICE_PORT });
      logicalPorts.push(...uniLogicalPorts(spec, p, o));
    }
    oltPorts.push(port(oltPonDevicePort(p), Port_PortType.PON_OLT, peers));
  }
  const olt = device(OLT_ID, true, oltPorts);
  return { rootDeviceId: OLT_ID, olt, onus, devices: [olt, ...onus], logicalPorts };
}
