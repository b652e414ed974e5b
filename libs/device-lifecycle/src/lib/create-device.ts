import { isIPv4, isIPv6 } from 'node:net';

import {
  AdminState_AdminState as AdminState,
  ConnectStatus_ConnectStatus as ConnectStatus,
  Device,
  OperStatus_OperStatus as OperStatus
} from '@voltha/proto';
import type { DeviceType } from '@voltha/proto';

import { invalid } from './errors';

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * The address a device is reached at, as a comparable key ('mac:00:00:00:00:00:01',
 * 'ipv4:10.0.0.1', 'ipv6:::1', 'host:olt1:50060'), or undefined when it has none. Two devices may not
 * share one: CreateDevice rejects a second device at the same address.
 */
export function addressKeyOf(
  device: Pick<Device, 'macAddress' | 'ipv4Address' | 'ipv6Address' | 'hostAndPort'>
): string | undefined {
  if (device.macAddress) return `mac:${device.macAddress.toLowerCase()}`;
  if (device.ipv4Address) return `ipv4:${device.ipv4Address}`;
  if (device.ipv6Address) return `ipv6:${device.ipv6Address.toLowerCase()}`;
  if (device.hostAndPort) return `host:${device.hostAndPort.toLowerCase()}`;
  return undefined;
}

function checkAddress(device: Device): void {
  if (device.macAddress !== undefined && device.macAddress !== '' && !MAC.test(device.macAddress)) {
    throw invalid(`mac_address '${device.macAddress}' is not a MAC address (xx:xx:xx:xx:xx:xx)`);
  }
  if (device.ipv4Address && !isIPv4(device.ipv4Address)) {
    throw invalid(`ipv4_address '${device.ipv4Address}' is not an IPv4 address`);
  }
  if (device.ipv6Address && !isIPv6(device.ipv6Address)) {
    throw invalid(`ipv6_address '${device.ipv6Address}' is not an IPv6 address`);
  }
  if (device.hostAndPort) {
    const m = HOST_PORT.exec(device.hostAndPort);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw invalid(`host_and_port '${device.hostAndPort}' is not host:port`);
    }
  }
}

/**
 * Validates a CreateDevice request and returns the device to store (spec §1.7): the request must not
 * carry an id (the core assigns `id`), its type must be a registered device type, its admin state
 * UNKNOWN or PREPROVISIONED, its address well-formed; it may not carry ports, flows or other child
 * data. The stored device gets the type's adapter and vendor id, admin PREPROVISIONED, and oper and
 * connect status UNKNOWN (state the adapter owns is never taken from the client).
 */
export function prepareNewDevice(request: Device, deviceType: DeviceType | undefined, id: string): Device {
  if (request.id) throw invalid(`CreateDevice: id must be empty (got '${request.id}'); the core assigns it`);
  if (!request.type) throw invalid('CreateDevice: type is required');
  if (!deviceType) throw invalid(`CreateDevice: unknown device type '${request.type}'`);
  if (request.adminState !== AdminState.UNKNOWN && request.adminState !== AdminState.PREPROVISIONED) {
    throw invalid(
      `CreateDevice: admin_state must be UNKNOWN or PREPROVISIONED (got ${AdminState[request.adminState] ?? request.adminState})`
    );
  }
  if (
    request.ports.length ||
    request.flows ||
    request.flowGroups ||
    request.pmConfigs ||
    request.imageDownloads.length
  ) {
    throw invalid('CreateDevice: ports, flows, flow_groups, pm_configs and image_downloads are not accepted');
  }
  checkAddress(request);
  return Device.fromPartial({
    ...request,
    id,
    adapter: deviceType.adapter,
    vendorId: deviceType.vendorId,
    root: false,
    parentId: '',
    parentPortNo: 0,
    adminState: AdminState.PREPROVISIONED,
    operStatus: OperStatus.UNKNOWN,
    connectStatus: ConnectStatus.UNKNOWN,
    reason: '',
    ports: [],
    imageDownloads: [],
    flows: undefined,
    flowGroups: undefined,
    pmConfigs: undefined
  });
}

/** Checks a device id taken from a request: non-empty and no '/' (it is a path segment). */
export function checkDeviceId(id: string, what = 'device'): string {
  if (!id) throw invalid(`${what} id is required`);
  if (id.includes('/')) throw invalid(`${what} id '${id}' must not contain '/'`);
  return id;
}
