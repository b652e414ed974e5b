import {
  alreadyExists,
  failedPrecondition,
  invalidArgument,
  isAdapterError,
  notFound,
  proxyAddressKey
} from '@voltha/adapters';
import type {
  AgentOperation,
  ChildDeviceRequest,
  ChildFilter,
  ChildStatePatch,
  DeviceStatePatch,
  LogicalDeviceIdentity,
  PortStatePatch
} from '@voltha/adapters';
import {
  Device,
  DeviceType,
  LogicalDevice,
  LogicalPort,
  OperStatus_OperStatus as OperStatus,
  PeerPort,
  PmConfigs,
  Port
} from '@voltha/proto';
import type { Port_PortType as PortType } from '@voltha/proto';

import { depth0, proxyKeyOf } from './tree-index';
import type { TreeIndex } from './tree-index';
import { mapLimit } from './tx-context';
import type { TxContext } from './tx-context';

/** Reads of one transaction run this many at once (bulk child operations of a whole PON). */
const PARALLEL = 32;

export const devicePath = (id: string): string => `/devices/${id}`;
export const portsPath = (id: string): string => `/devices/${id}/ports`;
export const portPath = (id: string, portNo: number): string => `/devices/${id}/ports/${portNo}`;
export const logicalDevicePath = (id: string): string => `/logical_devices/${id}`;
export const logicalPortsPath = (id: string): string => `/logical_devices/${id}/ports`;
export const logicalPortPath = (ld: string, portId: string): string =>
  `/logical_devices/${ld}/ports/${portId}`;

const defined = <T extends object>(patch: T): Partial<T> =>
  Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;

const peerKey = (p: Pick<PeerPort, 'deviceId' | 'portNo'>): string => `${p.deviceId}\u0000${p.portNo}`;

/**
 * The AdapterAgent operations (`AgentOperation`) over ConfigService, inside one transaction. They keep
 * the semantics of the port (see @voltha/adapters README §2 and its in-memory core): peer referential
 * integrity, ids assigned by the core, unique proxy addresses and logical port numbers, removal of a
 * device's peers and logical ports with it, idempotent deletes.
 */
export class AgentOperations {
  private created = 0;

  public constructor(private readonly index: TreeIndex) {}

  public async apply(ctx: TxContext, op: AgentOperation): Promise<unknown> {
    switch (op.op) {
      case 'addDevice':
        return this.addDevice(ctx, op.device);
      case 'updateDevice':
        await this.updateDevice(ctx, op.device);
        return undefined;
      case 'updateDeviceState':
        await this.patchDevice(ctx, op.deviceId, op.state);
        return undefined;
      case 'addPort':
        await this.addPort(ctx, op.deviceId, op.port);
        return undefined;
      case 'deletePort':
        await this.deletePort(ctx, op.deviceId, op.portNo);
        return undefined;
      case 'deleteAllPeerReferences':
        await this.deleteAllPeerReferences(ctx, op.deviceId);
        return undefined;
      case 'updatePortsState':
        await this.updatePortsState(ctx, op.deviceId, op.state, op.portType);
        return undefined;
      case 'updatePmConfigs':
        await this.existingDevice(ctx, op.deviceId);
        await ctx.update(`/devices/${op.deviceId}/pm_configs`, PmConfigs.fromPartial(op.pmConfigs));
        return undefined;
      case 'createLogicalDevice':
        return this.createLogicalDevice(ctx, op.logicalDevice);
      case 'addLogicalPort':
        await this.addLogicalPort(ctx, op.logicalDeviceId, op.port);
        return undefined;
      case 'deleteLogicalPort':
        await this.deleteLogicalPort(ctx, op.logicalDeviceId, op.portId);
        return undefined;
      case 'deleteLogicalDevice':
        if (await ctx.find(logicalDevicePath(op.logicalDeviceId))) {
          await ctx.remove(logicalDevicePath(op.logicalDeviceId));
          ctx.changesIndex = true;
        }
        return undefined;
      case 'childDeviceDetected':
        return this.childDeviceDetected(ctx, op.child);
      case 'updateChildDevice': {
        const current = await this.existingDevice(ctx, op.device.id);
        if (current.parentId !== op.parentId || current.root) {
          throw failedPrecondition(`device ${op.device.id} is not a child of ${op.parentId}`);
        }
        await this.writeDevice(ctx, current, op.device);
        return undefined;
      }
      case 'removeChildDevices':
        return this.removeChildDevices(ctx, op.parentId, op.filter);
      case 'updateChildDevicesState':
        return this.updateChildDevicesState(ctx, op.parentId, op.state, op.filter);
    }
  }

  /**
   * Reads what a run of operations applied together will need, in as few calls as possible: the ports
   * of the parents of a discovery batch (one list read instead of one read per PON port).
   */
  public async prefetch(ctx: TxContext, run: readonly AgentOperation[]): Promise<void> {
    const parents = new Set<string>();
    for (const op of run) if (op.op === 'childDeviceDetected') parents.add(op.child.parentDeviceId);
    await Promise.all(
      [...parents].map((id) => ctx.list<Port>(portsPath(id), (p) => String(p.portNo)).catch(() => undefined))
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Devices
  // ---------------------------------------------------------------------------------------------

  private async existingDevice(ctx: TxContext, deviceId: string): Promise<Device> {
    if (!deviceId || deviceId.includes('/')) throw invalidArgument(`device id '${deviceId}' is invalid`);
    const device = await ctx.find<Device>(devicePath(deviceId));
    if (!device) throw notFound(`device ${deviceId} not found`);
    return device;
  }

  private async deviceType(ctx: TxContext, typeId: string): Promise<DeviceType | undefined> {
    if (!typeId) return undefined;
    return this.index.deviceType(typeId) ?? (await ctx.find<DeviceType>(`/device_types/${typeId}`));
  }

  /** A written device is depth 0 and keeps the adapter / vendor id of its type when they are empty. */
  private async merged(ctx: TxContext, device: Device): Promise<Device> {
    const type = device.adapter && device.vendorId ? undefined : await this.deviceType(ctx, device.type);
    return depth0(
      Device.fromPartial({
        ...device,
        adapter: device.adapter || type?.adapter || '',
        vendorId: device.vendorId || type?.vendorId || ''
      })
    );
  }

  /**
   * Checks that no other device uses the proxy address of `device` and records it as taken by `owner`
   * (the device id, or a placeholder for a device whose id the core has not assigned yet).
   */
  private claimProxy(ctx: TxContext, device: Device, before: Device | undefined, owner = device.id): void {
    const key = proxyKeyOf(device);
    const old = before && proxyKeyOf(before);
    if (key === old) return;
    if (old !== undefined) {
      ctx.proxyFreed.add(old);
      if (ctx.proxyTaken.get(old) === owner) ctx.proxyTaken.delete(old);
    }
    if (key === undefined) return;
    const inTx = ctx.proxyTaken.get(key);
    const indexed = ctx.proxyFreed.has(key) ? undefined : this.index.deviceIdByProxyKey(key);
    const holder = inTx ?? indexed;
    if (holder !== undefined && holder !== owner) {
      throw alreadyExists(`proxy address ${key} is already used by device ${holder || 'being created'}`);
    }
    ctx.proxyTaken.set(key, owner);
    ctx.proxyFreed.delete(key);
  }

  private newOwner(): string {
    return `(new device ${++this.created})`;
  }

  private async writeDevice(ctx: TxContext, before: Device, device: Device): Promise<Device> {
    const stored = await this.merged(ctx, Device.fromPartial({ ...device, id: before.id }));
    this.claimProxy(ctx, stored, before);
    if (
      stored.parentId !== before.parentId ||
      stored.root !== before.root ||
      proxyKeyOf(stored) !== proxyKeyOf(before)
    ) {
      ctx.changesIndex = true;
    }
    await ctx.update(devicePath(stored.id), stored);
    return stored;
  }

  private async addDevice(ctx: TxContext, device: Device): Promise<Device> {
    if (device.id.includes('/')) throw invalidArgument(`device id '${device.id}' must not contain '/'`);
    const existing = device.id ? await ctx.find<Device>(devicePath(device.id)) : undefined;
    let stored: Device;
    if (existing) {
      stored = await this.writeDevice(ctx, existing, device);
    } else {
      stored = await this.merged(ctx, device);
      this.claimProxy(ctx, stored, undefined, stored.id || this.newOwner());
      const r = await ctx.add('/devices', stored, stored.id || undefined);
      if (!stored.id) {
        stored = Device.fromPartial({ ...stored, id: r.assignedId });
        ctx.remember(devicePath(stored.id), stored);
        const key = proxyKeyOf(stored);
        if (key !== undefined) ctx.proxyTaken.set(key, stored.id);
      }
      ctx.changesIndex = true;
    }
    for (const port of device.ports) await this.addPort(ctx, stored.id, port);
    return Device.fromPartial(stored);
  }

  private async updateDevice(ctx: TxContext, device: Device): Promise<void> {
    const current = await this.existingDevice(ctx, device.id);
    await this.writeDevice(ctx, current, device);
  }

  /** Returns true when something changed. */
  private async patchDevice(
    ctx: TxContext,
    deviceId: string,
    patch: DeviceStatePatch | ChildStatePatch,
    current?: Device
  ): Promise<boolean> {
    const device = current ?? (await this.existingDevice(ctx, deviceId));
    const values = defined(patch);
    const fields = device as unknown as Record<string, unknown>;
    if (Object.entries(values).every(([k, v]) => fields[k] === v)) return false;
    await ctx.update(devicePath(deviceId), Device.fromPartial({ ...device, ...values }));
    return true;
  }

  private async childDeviceDetected(ctx: TxContext, child: ChildDeviceRequest): Promise<Device> {
    if (!(await ctx.find<Port>(portPath(child.parentDeviceId, child.parentPortNo)))) {
      await this.existingDevice(ctx, child.parentDeviceId);
      throw invalidArgument(
        `child of ${child.parentDeviceId}: parent port ${child.parentPortNo} does not exist`
      );
    }
    const type = await this.deviceType(ctx, child.childDeviceType);
    if (!type) {
      throw invalidArgument(
        `child of ${child.parentDeviceId}: unknown device type '${child.childDeviceType}'`
      );
    }
    const device = Device.fromPartial({
      type: type.id,
      adapter: type.adapter,
      vendorId: type.vendorId,
      root: false,
      parentId: child.parentDeviceId,
      parentPortNo: child.parentPortNo,
      proxyAddress: child.proxyAddress,
      adminState: child.adminState,
      operStatus: OperStatus.UNKNOWN,
      vlan: child.vlan ?? 0,
      serialNumber: child.serialNumber ?? ''
    });
    this.claimProxy(ctx, device, undefined, this.newOwner());
    const r = await ctx.add('/devices', device);
    const created = Device.fromPartial({ ...device, id: r.assignedId });
    ctx.proxyTaken.set(proxyAddressKey(child.proxyAddress), created.id);
    ctx.remember(devicePath(created.id), created);
    ctx.changesIndex = true;
    return created;
  }

  /** The children of `parentId` selected by the filter (admin state read in the transaction). */
  private async selectChildren(
    ctx: TxContext,
    parentId: string,
    filter: ChildFilter | undefined
  ): Promise<Device[]> {
    const known = new Set(this.index.childIds(parentId));
    const ids = filter?.childIds ? filter.childIds.filter((id) => known.has(id)) : [...known];
    const devices = await mapLimit(ids, PARALLEL, (id) => ctx.find<Device>(devicePath(id)));
    return devices.filter(
      (d): d is Device =>
        d !== undefined &&
        d.parentId === parentId &&
        !d.root &&
        (filter?.adminState === undefined || d.adminState === filter.adminState)
    );
  }

  private async updateChildDevicesState(
    ctx: TxContext,
    parentId: string,
    state: ChildStatePatch,
    filter: ChildFilter | undefined
  ): Promise<number> {
    const children = await this.selectChildren(ctx, parentId, filter);
    const changed = await mapLimit(children, PARALLEL, (child) =>
      this.patchDevice(ctx, child.id, state, child)
    );
    return changed.filter(Boolean).length;
  }

  /**
   * Removes children with their ports, the reverse peers on the ports they were connected to and their
   * logical ports; one pass over the peer ports however many children share them (a whole PON).
   */
  private async removeChildDevices(
    ctx: TxContext,
    parentId: string,
    filter: ChildFilter | undefined
  ): Promise<string[]> {
    const children = await this.selectChildren(ctx, parentId, filter);
    const ids = children.map((c) => c.id);
    const removed = new Set(ids);
    const ports = await mapLimit(ids, PARALLEL, (id) =>
      ctx.list<Port>(portsPath(id), (p) => String(p.portNo))
    );
    // Reverse peers to drop, grouped by the peer port that holds them.
    const reverse = new Map<string, { deviceId: string; portNo: number; drop: Set<string> }>();
    ids.forEach((id, i) => {
      for (const port of ports[i]) {
        for (const peer of port.peers) {
          if (removed.has(peer.deviceId)) continue;
          const key = peerKey(peer);
          const entry = reverse.get(key) ?? { deviceId: peer.deviceId, portNo: peer.portNo, drop: new Set() };
          entry.drop.add(peerKey({ deviceId: id, portNo: port.portNo }));
          reverse.set(key, entry);
        }
      }
    });
    await mapLimit([...reverse.values()], PARALLEL, async (entry) => {
      const path = portPath(entry.deviceId, entry.portNo);
      const peerPort = await ctx.find<Port>(path);
      if (!peerPort) return;
      const peers = peerPort.peers.filter((p) => !entry.drop.has(peerKey(p)));
      if (peers.length !== peerPort.peers.length)
        await ctx.update(path, Port.fromPartial({ ...peerPort, peers }));
    });
    await mapLimit(ids, PARALLEL, async (id) => {
      for (const { logicalDeviceId, portId } of this.index.logicalPortsOf(id)) {
        await this.deleteLogicalPort(ctx, logicalDeviceId, portId);
      }
    });
    await mapLimit(children, PARALLEL, async (child) => {
      const key = proxyKeyOf(child);
      if (key !== undefined) {
        ctx.proxyFreed.add(key);
        ctx.proxyTaken.delete(key);
      }
      await ctx.remove(devicePath(child.id));
    });
    if (ids.length > 0) ctx.changesIndex = true;
    return ids;
  }

  /**
   * After a device was removed by someone else (NBI DeleteDevice): the reverse PeerPort on its parent's
   * port and its logical ports, which the removal left behind, go too (1.x left them dangling).
   */
  public async dropReferencesTo(ctx: TxContext, device: Device): Promise<void> {
    if (!device.root && device.parentId) {
      const path = portPath(device.parentId, device.parentPortNo);
      const parentPort = await ctx.find<Port>(path);
      const kept = parentPort?.peers.filter((p) => p.deviceId !== device.id);
      if (parentPort && kept && kept.length !== parentPort.peers.length) {
        await ctx.update(path, Port.fromPartial({ ...parentPort, peers: kept }));
      }
    }
    for (const { logicalDeviceId, portId } of this.index.logicalPortsOf(device.id)) {
      await this.deleteLogicalPort(ctx, logicalDeviceId, portId);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ports and peers
  // ---------------------------------------------------------------------------------------------

  /**
   * Add-or-update of a port with its reverse peers. The device itself is not read: writing the port of a
   * missing device fails with NOT_FOUND, and then the whole transaction with it.
   */
  private async addPort(ctx: TxContext, deviceId: string, port: Port): Promise<void> {
    if (!deviceId || deviceId.includes('/')) throw invalidArgument(`device id '${deviceId}' is invalid`);
    if (!Number.isInteger(port.portNo) || port.portNo < 0) {
      throw invalidArgument(`port number ${port.portNo} is invalid`);
    }
    const path = portPath(deviceId, port.portNo);
    // One list read (NOT_FOUND for a missing device) answers for every port of the device.
    await ctx.listOnce<Port>(portsPath(deviceId), (p) => String(p.portNo));
    const existing = await ctx.find<Port>(path);
    const peers = new Map<string, PeerPort>();
    for (const p of [...(existing?.peers ?? []), ...port.peers]) {
      peers.set(peerKey(p), PeerPort.fromPartial({ deviceId: p.deviceId, portNo: p.portNo }));
    }
    for (const peer of port.peers) {
      const peerPath = portPath(peer.deviceId, peer.portNo);
      const peerPort = await ctx.find<Port>(peerPath);
      if (!peerPort) {
        const what = (await ctx.find<Device>(devicePath(peer.deviceId)))
          ? `peer port ${peer.deviceId}/${peer.portNo}`
          : `peer device ${peer.deviceId}`;
        throw notFound(`port ${deviceId}/${port.portNo}: ${what} not found`);
      }
      const back = peerKey({ deviceId, portNo: port.portNo });
      if (!peerPort.peers.some((p) => peerKey(p) === back)) {
        await ctx.update(
          peerPath,
          Port.fromPartial({ ...peerPort, peers: [...peerPort.peers, { deviceId, portNo: port.portNo }] })
        );
      }
    }
    const stored = Port.fromPartial({ ...port, deviceId, peers: [...peers.values()] });
    if (existing) await ctx.update(path, stored);
    else await ctx.add(portsPath(deviceId), stored, String(port.portNo));
  }

  /** Removes the PeerPorts that point at `deviceId/portNo` from the peer ports listed in `peers`. */
  private async dropReversePeers(
    ctx: TxContext,
    deviceId: string,
    portNo: number,
    peers: readonly PeerPort[]
  ): Promise<void> {
    const back = peerKey({ deviceId, portNo });
    for (const peer of peers) {
      const path = portPath(peer.deviceId, peer.portNo);
      const peerPort = await ctx.find<Port>(path);
      if (!peerPort) continue;
      const kept = peerPort.peers.filter((p) => peerKey(p) !== back);
      if (kept.length !== peerPort.peers.length)
        await ctx.update(path, Port.fromPartial({ ...peerPort, peers: kept }));
    }
  }

  private async deletePort(ctx: TxContext, deviceId: string, portNo: number): Promise<void> {
    await this.existingDevice(ctx, deviceId);
    const path = portPath(deviceId, portNo);
    const port = await ctx.find<Port>(path);
    if (!port) return;
    await this.dropReversePeers(ctx, deviceId, portNo, port.peers);
    await ctx.remove(path);
  }

  private async deleteAllPeerReferences(ctx: TxContext, deviceId: string): Promise<void> {
    await this.existingDevice(ctx, deviceId);
    const ports = await ctx.list<Port>(portsPath(deviceId), (p) => String(p.portNo));
    for (const port of ports) {
      if (port.peers.length === 0) continue;
      await this.dropReversePeers(ctx, deviceId, port.portNo, port.peers);
      await ctx.update(portPath(deviceId, port.portNo), Port.fromPartial({ ...port, peers: [] }));
    }
  }

  private async updatePortsState(
    ctx: TxContext,
    deviceId: string,
    state: PortStatePatch,
    portType: PortType | undefined
  ): Promise<void> {
    await this.existingDevice(ctx, deviceId);
    const values = defined(state);
    const ports = await ctx.list<Port>(portsPath(deviceId), (p) => String(p.portNo));
    for (const port of ports) {
      if (portType !== undefined && port.type !== portType) continue;
      const fields = port as unknown as Record<string, unknown>;
      if (Object.entries(values).every(([k, v]) => fields[k] === v)) continue;
      await ctx.update(portPath(deviceId, port.portNo), Port.fromPartial({ ...port, ...values }));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Logical devices
  // ---------------------------------------------------------------------------------------------

  private async createLogicalDevice(
    ctx: TxContext,
    logicalDevice: LogicalDevice
  ): Promise<LogicalDeviceIdentity> {
    if (logicalDevice.id && (await ctx.find(logicalDevicePath(logicalDevice.id)))) {
      throw alreadyExists(`logical device ${logicalDevice.id} already exists`);
    }
    if (!(await ctx.find<Device>(devicePath(logicalDevice.rootDeviceId)))) {
      throw notFound(`logical device: root device ${logicalDevice.rootDeviceId} not found`);
    }
    const stored = LogicalDevice.fromPartial({
      ...logicalDevice,
      ports: [],
      flows: undefined,
      flowGroups: undefined,
      meters: undefined
    });
    const r = await ctx.add('/logical_devices', stored);
    ctx.changesIndex = true;
    const id = logicalDevice.id || r.assignedId;
    const created = await ctx.find<LogicalDevice>(logicalDevicePath(id));
    if (!created) throw notFound(`logical device ${id} not found after its creation`);
    for (const port of logicalDevice.ports) await this.addLogicalPort(ctx, id, port);
    return { id, datapathId: created.datapathId };
  }

  /**
   * Add-or-update of a logical port. The logical device is not read: adding to a missing one fails with
   * NOT_FOUND. The port's device is checked in the index first (one read less per ONU).
   */
  private async addLogicalPort(ctx: TxContext, logicalDeviceId: string, port: LogicalPort): Promise<void> {
    if (!logicalDeviceId || logicalDeviceId.includes('/')) {
      throw invalidArgument(`logical device id '${logicalDeviceId}' is invalid`);
    }
    if (!port.id) throw invalidArgument(`logical port of ${logicalDeviceId}: id is required`);
    const portNo = port.ofpPort?.portNo;
    if (portNo === undefined) throw invalidArgument(`logical port ${port.id}: ofp_port is required`);
    if (!this.index.hasDevice(port.deviceId) && !(await ctx.find<Device>(devicePath(port.deviceId)))) {
      throw notFound(`logical port ${port.id}: device ${port.deviceId} not found`);
    }
    const noKey = `${logicalDeviceId}\u0000${portNo}`;
    const inTx = ctx.logicalPortNos.get(noKey);
    const holder =
      inTx !== undefined ? inTx || undefined : this.index.logicalPortIdByNo(logicalDeviceId, portNo);
    if (holder !== undefined && holder !== port.id) {
      throw alreadyExists(
        `logical device ${logicalDeviceId}: port number ${portNo} is already used by port ${holder}`
      );
    }
    const path = logicalPortPath(logicalDeviceId, port.id);
    const stored = LogicalPort.fromPartial(port);
    ctx.changesIndex = true;
    if (!ctx.knows(path) && !this.index.hasLogicalPort(logicalDeviceId, port.id)) {
      // Most likely a new port: add it at once, and fall back to an update if it was there after all.
      try {
        await ctx.add(logicalPortsPath(logicalDeviceId), stored, port.id);
        ctx.logicalPortNos.set(noKey, port.id);
        return;
      } catch (error) {
        if (!isAdapterError(error, 'INVALID_ARGUMENT')) throw error;
      }
    }
    const existing = await ctx.find<LogicalPort>(path);
    if (existing) {
      const oldNo = existing.ofpPort?.portNo;
      if (oldNo !== undefined && oldNo !== portNo)
        ctx.logicalPortNos.set(`${logicalDeviceId}\u0000${oldNo}`, '');
      await ctx.update(path, stored);
    } else {
      await ctx.add(logicalPortsPath(logicalDeviceId), stored, port.id);
    }
    ctx.logicalPortNos.set(noKey, port.id);
  }

  private async deleteLogicalPort(ctx: TxContext, logicalDeviceId: string, portId: string): Promise<void> {
    const path = logicalPortPath(logicalDeviceId, portId);
    const existing = await ctx.find<LogicalPort>(path);
    if (!existing) return;
    const portNo = existing.ofpPort?.portNo;
    if (portNo !== undefined) ctx.logicalPortNos.set(`${logicalDeviceId}\u0000${portNo}`, '');
    await ctx.remove(path);
    ctx.changesIndex = true;
  }
}
