import { proxyAddressKey } from '@voltha/adapters';
import type { FlowTables } from '@voltha/adapters';
import { Device, DeviceType, FlowGroups, Flows } from '@voltha/proto';
import type { LogicalDevice, LogicalPort, ofpFlowStats, ProxyAddress, UnknownMessage } from '@voltha/proto';

/** What a path of the config tree is, for the parts the agent follows. */
export type TreePath =
  | { readonly kind: 'device'; readonly deviceId: string }
  | { readonly kind: 'flow'; readonly deviceId: string; readonly flowId: string }
  | { readonly kind: 'flow-groups'; readonly deviceId: string }
  | { readonly kind: 'pm-configs'; readonly deviceId: string }
  | { readonly kind: 'logical-device'; readonly logicalDeviceId: string }
  | { readonly kind: 'logical-port'; readonly logicalDeviceId: string; readonly portId: string }
  | { readonly kind: 'device-type'; readonly typeId: string }
  | { readonly kind: 'other' };

export function classifyPath(path: string): TreePath {
  const p = path.split('/').filter(Boolean);
  if (p[0] === 'devices' && p.length >= 2) {
    const deviceId = p[1];
    if (p.length === 2) return { kind: 'device', deviceId };
    if (p[2] === 'flows' && p[3] === 'items' && p.length === 5)
      return { kind: 'flow', deviceId, flowId: p[4] };
    if (p[2] === 'flow_groups' && p.length === 3) return { kind: 'flow-groups', deviceId };
    if (p[2] === 'pm_configs' && p.length === 3) return { kind: 'pm-configs', deviceId };
  } else if (p[0] === 'logical_devices' && p.length >= 2) {
    if (p.length === 2) return { kind: 'logical-device', logicalDeviceId: p[1] };
    if (p[2] === 'ports' && p.length === 4)
      return { kind: 'logical-port', logicalDeviceId: p[1], portId: p[3] };
  } else if (p[0] === 'device_types' && p.length === 2) {
    return { kind: 'device-type', typeId: p[1] };
  }
  return { kind: 'other' };
}

/** A device as the index keeps it: node-local data only (no ports, flows, groups, PM configs). */
export function depth0(device: Device): Device {
  return Device.fromPartial({
    ...device,
    ports: [],
    flows: undefined,
    flowGroups: undefined,
    pmConfigs: undefined,
    imageDownloads: []
  });
}

/** The proxy-address key of a device, when it has a proxy address. */
export function proxyKeyOf(device: Pick<Device, 'proxyAddress'>): string | undefined {
  return device.proxyAddress?.deviceId ? proxyAddressKey(device.proxyAddress) : undefined;
}

const lportKey = (logicalDeviceId: string, portId: string): string => `${logicalDeviceId}\u0000${portId}`;

interface LogicalPortEntry {
  readonly portNo: number | undefined;
  readonly deviceId: string;
}

/** The state the agent loads at start (or after lost events): the tree at one root revision. */
export interface TreeSnapshot {
  /** Devices with their children (depth -1). */
  readonly devices: readonly Device[];
  /** Logical devices with their ports. */
  readonly logicalDevices: readonly LogicalDevice[];
  readonly deviceTypes: readonly DeviceType[];
  /** Commit sequence number of the revision read. */
  readonly seq: number;
}

/**
 * What adapter-agent knows of the tree, kept from the initial load and the change events: devices
 * (depth 0) with indexes of children by parent and of devices by proxy address, the device flow and
 * group tables, the logical ports by logical device and by device, and the device types. Lookups are
 * map reads, never scans of /devices (an OLT with 2,048 ONUs asks for its children often).
 */
export class TreeIndex {
  private readonly devices = new Map<string, Device>();
  private readonly children = new Map<string, Set<string>>();
  private readonly byProxy = new Map<string, string>();
  private readonly flows = new Map<string, Map<string, ofpFlowStats>>();
  private readonly groups = new Map<string, FlowGroups>();
  private readonly logicalPorts = new Map<string, Map<string, LogicalPortEntry>>();
  private readonly logicalPortNos = new Map<string, Map<number, string>>();
  private readonly logicalPortsByDevice = new Map<string, Set<string>>();
  private readonly types = new Map<string, DeviceType>();
  /** Highest commit sequence number applied (snapshot or events). */
  public seq = 0;

  // ---- reads ----

  public device(deviceId: string): Device | undefined {
    const d = this.devices.get(deviceId);
    return d && Device.fromPartial(d);
  }

  public hasDevice(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  public get deviceCount(): number {
    return this.devices.size;
  }

  public allDevices(): Device[] {
    return [...this.devices.values()].map((d) => Device.fromPartial(d));
  }

  public childIds(parentId: string): string[] {
    return [...(this.children.get(parentId) ?? [])];
  }

  public childDevices(parentId: string): Device[] {
    return this.childIds(parentId).flatMap((id) => {
      const d = this.devices.get(id);
      return d ? [Device.fromPartial(d)] : [];
    });
  }

  public deviceIdByProxy(proxyAddress: ProxyAddress): string | undefined {
    return this.byProxy.get(proxyAddressKey(proxyAddress));
  }

  public deviceIdByProxyKey(key: string): string | undefined {
    return this.byProxy.get(key);
  }

  public flowTables(deviceId: string): FlowTables {
    return {
      flows: Flows.fromPartial({ items: [...(this.flows.get(deviceId)?.values() ?? [])] }),
      groups: FlowGroups.fromPartial(this.groups.get(deviceId) ?? {})
    };
  }

  /** The logical port of a logical device that has this OpenFlow port number. */
  public logicalPortIdByNo(logicalDeviceId: string, portNo: number): string | undefined {
    return this.logicalPortNos.get(logicalDeviceId)?.get(portNo);
  }

  public hasLogicalPort(logicalDeviceId: string, portId: string): boolean {
    return this.logicalPorts.get(logicalDeviceId)?.has(portId) ?? false;
  }

  /** (logical device id, port id) of every logical port that belongs to the device. */
  public logicalPortsOf(deviceId: string): { logicalDeviceId: string; portId: string }[] {
    return [...(this.logicalPortsByDevice.get(deviceId) ?? [])].map((k) => {
      const [logicalDeviceId, portId] = k.split('\u0000');
      return { logicalDeviceId, portId };
    });
  }

  public deviceType(typeId: string): DeviceType | undefined {
    return this.types.get(typeId);
  }

  public allDeviceTypes(): DeviceType[] {
    return [...this.types.values()];
  }

  // ---- writes ----

  /** Replaces everything with a snapshot. */
  public load(snapshot: TreeSnapshot): void {
    this.devices.clear();
    this.children.clear();
    this.byProxy.clear();
    this.flows.clear();
    this.groups.clear();
    this.logicalPorts.clear();
    this.logicalPortNos.clear();
    this.logicalPortsByDevice.clear();
    for (const type of snapshot.deviceTypes) this.types.set(type.id, type);
    for (const device of snapshot.devices) {
      this.putDevice(device);
      this.setFlowTables(device.id, device.flows ?? Flows.fromPartial({}), device.flowGroups);
    }
    for (const ld of snapshot.logicalDevices) {
      for (const port of ld.ports) this.putLogicalPort(ld.id, port);
    }
    this.seq = snapshot.seq;
  }

  public putDeviceType(type: DeviceType): void {
    this.types.set(type.id, DeviceType.fromPartial(type));
  }

  public removeDeviceType(typeId: string): void {
    this.types.delete(typeId);
  }

  /** Adds or replaces a device (its node-local data); returns the previous data. */
  public putDevice(device: Device): Device | undefined {
    const stored = depth0(device);
    const before = this.devices.get(stored.id);
    if (before) this.unindex(before);
    this.devices.set(stored.id, stored);
    this.index(stored);
    return before;
  }

  /** Removes a device with its flow tables; its logical ports stay until their own events. */
  public removeDevice(deviceId: string): Device | undefined {
    const before = this.devices.get(deviceId);
    if (!before) return undefined;
    this.unindex(before);
    this.devices.delete(deviceId);
    this.flows.delete(deviceId);
    this.groups.delete(deviceId);
    return before;
  }

  public setFlowTables(deviceId: string, flows: Flows, groups: FlowGroups | undefined): void {
    this.flows.set(deviceId, new Map(flows.items.map((f) => [f.id, f])));
    this.groups.set(deviceId, FlowGroups.fromPartial(groups ?? {}));
  }

  public putFlow(deviceId: string, flow: ofpFlowStats): void {
    let table = this.flows.get(deviceId);
    if (!table) {
      table = new Map();
      this.flows.set(deviceId, table);
    }
    table.set(flow.id, flow);
  }

  public removeFlow(deviceId: string, flowId: string): void {
    this.flows.get(deviceId)?.delete(flowId);
  }

  public setGroups(deviceId: string, groups: FlowGroups): void {
    this.groups.set(deviceId, FlowGroups.fromPartial(groups));
  }

  public putLogicalDevice(ld: LogicalDevice): void {
    if (!this.logicalPorts.has(ld.id)) this.logicalPorts.set(ld.id, new Map());
    for (const port of ld.ports) this.putLogicalPort(ld.id, port);
  }

  public removeLogicalDevice(logicalDeviceId: string): void {
    for (const portId of [...(this.logicalPorts.get(logicalDeviceId)?.keys() ?? [])]) {
      this.removeLogicalPort(logicalDeviceId, portId);
    }
    this.logicalPorts.delete(logicalDeviceId);
    this.logicalPortNos.delete(logicalDeviceId);
  }

  public putLogicalPort(logicalDeviceId: string, port: LogicalPort): void {
    let ports = this.logicalPorts.get(logicalDeviceId);
    if (!ports) {
      ports = new Map();
      this.logicalPorts.set(logicalDeviceId, ports);
    }
    if (ports.has(port.id)) this.removeLogicalPort(logicalDeviceId, port.id);
    const portNo = port.ofpPort?.portNo;
    ports.set(port.id, { portNo, deviceId: port.deviceId });
    if (portNo !== undefined) {
      let byNo = this.logicalPortNos.get(logicalDeviceId);
      if (!byNo) {
        byNo = new Map();
        this.logicalPortNos.set(logicalDeviceId, byNo);
      }
      byNo.set(portNo, port.id);
    }
    let set = this.logicalPortsByDevice.get(port.deviceId);
    if (!set) {
      set = new Set();
      this.logicalPortsByDevice.set(port.deviceId, set);
    }
    set.add(lportKey(logicalDeviceId, port.id));
  }

  public removeLogicalPort(logicalDeviceId: string, portId: string): void {
    const ports = this.logicalPorts.get(logicalDeviceId);
    const old = ports?.get(portId);
    if (!ports || !old) return;
    ports.delete(portId);
    const byNo = this.logicalPortNos.get(logicalDeviceId);
    if (old.portNo !== undefined && byNo?.get(old.portNo) === portId) byNo.delete(old.portNo);
    const set = this.logicalPortsByDevice.get(old.deviceId);
    set?.delete(lportKey(logicalDeviceId, portId));
    if (set?.size === 0) this.logicalPortsByDevice.delete(old.deviceId);
  }

  /**
   * Applies one change event to the index. Returns the device's previous data for device events
   * (undefined when it was unknown), so the caller can tell what changed.
   */
  public apply(
    type: 'add' | 'remove' | 'update',
    path: TreePath,
    message: UnknownMessage
  ): { before: Device | undefined } | undefined {
    switch (path.kind) {
      case 'device':
        if (type === 'remove') return { before: this.removeDevice(path.deviceId) };
        {
          const device = message as Device;
          const before = this.putDevice(device);
          if (type === 'add')
            this.setFlowTables(device.id, device.flows ?? Flows.fromPartial({}), device.flowGroups);
          return { before };
        }
      case 'flow':
        if (type === 'remove') this.removeFlow(path.deviceId, path.flowId);
        else this.putFlow(path.deviceId, message as ofpFlowStats);
        return undefined;
      case 'flow-groups':
        this.setGroups(path.deviceId, message as FlowGroups);
        return undefined;
      case 'logical-device':
        if (type === 'remove') this.removeLogicalDevice(path.logicalDeviceId);
        else this.putLogicalDevice(message as LogicalDevice);
        return undefined;
      case 'logical-port':
        if (type === 'remove') this.removeLogicalPort(path.logicalDeviceId, path.portId);
        else this.putLogicalPort(path.logicalDeviceId, message as LogicalPort);
        return undefined;
      case 'device-type':
        if (type === 'remove') this.removeDeviceType(path.typeId);
        else this.putDeviceType(message as DeviceType);
        return undefined;
      default:
        return undefined;
    }
  }

  private index(device: Device): void {
    // A root device's parent_id is its logical device, not a parent device (1.x overloads the field).
    if (!device.root && device.parentId) {
      let set = this.children.get(device.parentId);
      if (!set) {
        set = new Set();
        this.children.set(device.parentId, set);
      }
      set.add(device.id);
    }
    const key = proxyKeyOf(device);
    if (key !== undefined) this.byProxy.set(key, device.id);
  }

  private unindex(device: Device): void {
    if (!device.root && device.parentId) {
      const set = this.children.get(device.parentId);
      set?.delete(device.id);
      if (set?.size === 0) this.children.delete(device.parentId);
    }
    const key = proxyKeyOf(device);
    if (key !== undefined && this.byProxy.get(key) === device.id) this.byProxy.delete(key);
  }
}
