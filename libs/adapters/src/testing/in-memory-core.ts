import {
  checkDelete,
  checkReboot,
  logicalDeviceIdentity,
  planDisable,
  planEnable,
  prepareNewDevice
} from '@voltha/device-lifecycle';
import {
  Device,
  DeviceType,
  FlowGroups,
  Flows,
  LogicalDevice,
  LogicalPort,
  OperStatus_OperStatus as OperStatus,
  PeerPort,
  PmConfigs,
  Port
} from '@voltha/proto';
import type {
  AlarmEvent,
  DeepPartial,
  KpiEvent,
  Port_PortType as PortType,
  ProxyAddress
} from '@voltha/proto';

import type { DeviceAdapter } from '../lib/adapter';
import {
  type AgentOperation,
  type AgentOperationResultList,
  type ChildDeviceRequest,
  type ChildFilter,
  type ChildStatePatch,
  type DeviceStatePatch,
  type LogicalDeviceIdentity,
  type PortStatePatch,
  proxyAddressKey
} from '../lib/adapter-agent';
import { AdapterAgentBase } from '../lib/adapter-agent-base';
import {
  type AdapterCall,
  type DeviceChange,
  DeviceChangeDispatcher,
  emptyFlows,
  emptyGroups,
  type FlowTables,
  type ResolvedAdapter
} from '../lib/dispatcher';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../lib/errors';
import { Journal } from './journal';

/** Origin of changes made through the core's own NBI-like methods. */
export const NBI_ORIGIN = 'nbi';

interface PortRecord {
  readonly port: Port;
  readonly peers: Map<string, PeerPort>;
}

interface DeviceRecord {
  device: Device;
  readonly ports: Map<number, PortRecord>;
  flows: Flows;
  groups: FlowGroups;
  pmConfigs: PmConfigs | undefined;
}

interface LogicalDeviceRecord {
  readonly logicalDevice: LogicalDevice;
  readonly ports: Map<string, LogicalPort>;
  readonly idByPortNo: Map<number, string>;
}

class Tx {
  public readonly journal = new Journal();
  public readonly changes: DeviceChange[] = [];
  private readonly updateIndex = new Map<string, number>();

  public constructor(public readonly origin: string) {}

  public added(device: Device): void {
    this.updateIndex.set(device.id, this.changes.length);
    this.changes.push({ kind: 'added', device, origin: this.origin });
  }

  /** Coalesces several updates of one device in one transaction into one change. */
  public updated(before: Device, after: Device): void {
    const at = this.updateIndex.get(after.id);
    const previous = at === undefined ? undefined : this.changes[at];
    if (previous?.kind === 'added') {
      this.changes[at as number] = { kind: 'added', device: after, origin: this.origin };
      return;
    }
    if (previous?.kind === 'updated') {
      this.changes[at as number] = { kind: 'updated', before: previous.before, after, origin: this.origin };
      return;
    }
    this.updateIndex.set(after.id, this.changes.length);
    this.changes.push({ kind: 'updated', before, after, origin: this.origin });
  }

  public push(change: DeviceChange): void {
    if (change.kind === 'removed') this.updateIndex.delete(change.device.id);
    this.changes.push(change);
  }
}

/** A device as stored: depth 0 (its collections live in the record). */
function depth0(device: Device): Device {
  return Device.fromPartial({
    ...device,
    ports: [],
    flows: undefined,
    flowGroups: undefined,
    pmConfigs: undefined,
    imageDownloads: []
  });
}

const peerKey = (deviceId: string, portNo: number): string => `${deviceId}\u0000${portNo}`;
const logicalPortKey = (logicalDeviceId: string, portId: string): string =>
  `${logicalDeviceId}\u0000${portId}`;

const defined = <T extends object>(patch: T): Partial<T> =>
  Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;

export interface RecordedCall {
  readonly deviceId: string;
  readonly adapterId: string | undefined;
  readonly call: AdapterCall['call'];
  readonly reason?: string;
}

export interface InMemoryCoreOptions {
  /** 4 hex digits; device and logical device ids start with it (default `0001`). */
  readonly coreStoreId?: string;
}

/**
 * An in-memory VOLTHA core for tests: the device tree (devices, ports with peers, logical devices and
 * ports, flows, PM configs), the adapter registry, one `AdapterAgent` per adapter with the core's
 * semantics, the change dispatcher that calls adapters, and NBI-like methods (create, enable, disable,
 * reboot, delete, flows, PM configs, packet-out).
 *
 * Semantics kept from the 1.x core: `addPort` keeps peer referential integrity; the core assigns device
 * ids, logical device ids and datapath ids; children are indexed by parent and by proxy address;
 * admin-state changes call the adapter through `adapterActionFor`; a change an adapter makes to its own
 * device is not echoed back to it. Every write is a transaction (all or nothing) and adapters are
 * called only after the commit, without blocking the writer.
 */
export class InMemoryCore {
  /** Every adapter call the dispatcher planned, in order. */
  public readonly calls: RecordedCall[] = [];
  /** Errors of adapter calls made by the dispatcher (they never reach the writer). */
  public readonly errors: { readonly context: string; readonly error: unknown }[] = [];
  public readonly packetIns: {
    readonly logicalDeviceId: string;
    readonly portNo: number;
    readonly packet: Uint8Array;
  }[] = [];
  public readonly kpis: KpiEvent[] = [];
  public readonly alarms: { readonly deviceId: string; readonly alarm: AlarmEvent }[] = [];
  public readonly proxied = { toParent: 0, toChild: 0 };
  /** Committed transactions (every write is one) by origin: adapter id, `nbi` or `seed`. */
  public readonly transactions = new Map<string, number>();

  private readonly coreStoreId: string;
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly logical = new Map<string, LogicalDeviceRecord>();
  private readonly childrenByParent = new Map<string, Set<string>>();
  private readonly deviceByProxy = new Map<string, string>();
  private readonly logicalPortsByDevice = new Map<string, Set<string>>();
  private readonly adapters = new Map<string, DeviceAdapter>();
  private readonly types = new Map<string, DeviceType>();
  private readonly agents = new Map<string, InMemoryAdapterAgent>();
  private readonly dispatcher: DeviceChangeDispatcher;
  private deviceSeq = 0;
  private switchSeq = 0n;

  public constructor(options: InMemoryCoreOptions = {}) {
    this.coreStoreId = options.coreStoreId ?? '0001';
    logicalDeviceIdentity(this.coreStoreId, 1n); // validates the core store id
    this.dispatcher = new DeviceChangeDispatcher({
      resolve: (device) => this.resolve(device),
      markActivating: (device) => Promise.resolve(this.markActivating(device)),
      onCall: (deviceId, adapterId, call) =>
        this.calls.push({
          deviceId,
          adapterId,
          call: call.call,
          ...(call.call === 'none' ? { reason: call.reason } : {})
        })
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Adapters
  // ---------------------------------------------------------------------------------------------

  /** The AdapterAgent of an adapter (its writes carry `adapterId` as origin). */
  public agent(adapterId: string): InMemoryAdapterAgent {
    let agent = this.agents.get(adapterId);
    if (!agent) {
      agent = new InMemoryAdapterAgent(this, adapterId);
      this.agents.set(adapterId, agent);
    }
    return agent;
  }

  /** Starts the adapter and registers its descriptor and device types. */
  public async registerAdapter(adapter: DeviceAdapter): Promise<void> {
    const descriptor = adapter.adapterDescriptor();
    if (this.adapters.has(descriptor.id))
      throw alreadyExists(`adapter ${descriptor.id} is already registered`);
    await adapter.start();
    this.adapters.set(descriptor.id, adapter);
    for (const type of adapter.deviceTypes().items) {
      this.types.set(type.id, DeviceType.fromPartial({ ...type, adapter: type.adapter || descriptor.id }));
    }
  }

  /** Drops an adapter (a crash when `stop` is false: its timers are cancelled by the caller or left). */
  public async unregisterAdapter(adapterId: string, options: { stop?: boolean } = {}): Promise<void> {
    const adapter = this.adapters.get(adapterId);
    if (!adapter) throw notFound(`adapter ${adapterId} is not registered`);
    this.adapters.delete(adapterId);
    if (options.stop ?? true) await adapter.stop();
  }

  /**
   * After an adapter restart: `reconcileDevice` on every device the adapter serves, root devices first
   * (one after the other), then the others (concurrently), as the 1.x core did on start-up.
   */
  public async reconcile(adapterId: string): Promise<void> {
    const adapter = this.adapters.get(adapterId);
    if (!adapter) throw notFound(`adapter ${adapterId} is not registered`);
    const mine = [...this.devices.values()]
      .map((r) => r.device)
      .filter((d) => this.resolve(d)?.adapterId === adapterId);
    for (const device of mine.filter((d) => d.root))
      await adapter.reconcileDevice(Device.fromPartial(device));
    await Promise.all(mine.filter((d) => !d.root).map((d) => adapter.reconcileDevice(Device.fromPartial(d))));
  }

  public deviceType(typeId: string): DeviceType | undefined {
    const type = this.types.get(typeId);
    return type && DeviceType.fromPartial(type);
  }

  /** Adapter calls dispatched and not settled yet. */
  public get pendingCalls(): number {
    return this.dispatcher.pending;
  }

  /** Resolves when every adapter call dispatched so far (and those they caused) has settled. */
  public idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  // ---------------------------------------------------------------------------------------------
  // NBI-like operations (origin `nbi`)
  // ---------------------------------------------------------------------------------------------

  /** CreateDevice: validated by device-lifecycle, stored PREPROVISIONED with a new id. */
  public createDevice(request: DeepPartial<Device>): Device {
    const req = Device.fromPartial(request);
    const device = prepareNewDevice(req, this.types.get(req.type), this.newDeviceId());
    this.mutate(NBI_ORIGIN, (tx) => this.insertDevice(device, tx));
    return this.readFullDevice(device.id);
  }

  /**
   * Puts a device into the tree as is (test seeding, e.g. a pre-provisioned ONU that already names its
   * parent). An empty id gets a new one. An ENABLED device is adopted as a discovered one would be.
   */
  public seedDevice(device: DeepPartial<Device>): Device {
    const id = this.mutate('seed', (tx) => this.addDeviceOp(Device.fromPartial(device), tx).id);
    return this.readFullDevice(id);
  }

  public enableDevice(deviceId: string): void {
    const rec = this.record(deviceId);
    const change = planEnable(rec.device);
    this.mutate(NBI_ORIGIN, (tx) =>
      this.replaceDevice(
        rec,
        Device.fromPartial({
          ...rec.device,
          adminState: change.adminState,
          operStatus: change.operStatus ?? rec.device.operStatus
        }),
        tx
      )
    );
  }

  /** DisableDevice: the device flows and groups are cleared, then admin DISABLED. */
  public disableDevice(deviceId: string): void {
    const rec = this.record(deviceId);
    const change = planDisable(rec.device);
    this.mutate(NBI_ORIGIN, (tx) => {
      if (change.clearFlows) this.setFlows(rec, emptyFlows(), emptyGroups(), tx);
      this.replaceDevice(rec, Device.fromPartial({ ...rec.device, adminState: change.adminState }), tx);
    });
  }

  public rebootDevice(deviceId: string): void {
    const rec = this.record(deviceId);
    checkReboot(rec.device);
    this.publish([{ kind: 'reboot', device: Device.fromPartial(rec.device), origin: NBI_ORIGIN }]);
  }

  /** DeleteDevice: removes the device (ports, peers pointing at it, its logical ports); the adapter is told. */
  public deleteDevice(deviceId: string): void {
    const rec = this.record(deviceId);
    checkDelete(rec.device);
    this.mutate(NBI_ORIGIN, (tx) => this.removeDevice(deviceId, tx));
  }

  /** Writes the device flow and group tables (what the flow decomposer does). */
  public updateDeviceFlows(
    deviceId: string,
    flows: DeepPartial<Flows>,
    groups: DeepPartial<FlowGroups> = {}
  ): void {
    const rec = this.record(deviceId);
    this.mutate(NBI_ORIGIN, (tx) =>
      this.setFlows(rec, Flows.fromPartial(flows), FlowGroups.fromPartial(groups), tx)
    );
  }

  public updateDevicePmConfigs(deviceId: string, pmConfigs: DeepPartial<PmConfigs>): void {
    const rec = this.record(deviceId);
    this.mutate(NBI_ORIGIN, (tx) => this.setPmConfigs(rec, PmConfigs.fromPartial(pmConfigs), false, tx));
  }

  /** Packet-out from the controller: to the root device adapter of the logical device. */
  public async sendPacketOut(logicalDeviceId: string, egressPortNo: number, data: Uint8Array): Promise<void> {
    const ld = this.logical.get(logicalDeviceId);
    if (!ld) throw notFound(`logical device ${logicalDeviceId} not found`);
    const root = this.devices.get(ld.logicalDevice.rootDeviceId);
    const resolved = root && this.resolve(root.device);
    if (!resolved) throw failedPrecondition(`logical device ${logicalDeviceId} has no root device adapter`);
    await resolved.adapter.receivePacketOut(logicalDeviceId, egressPortNo, data);
  }

  // ---------------------------------------------------------------------------------------------
  // Full reads for tests (with ports, flows, PM configs)
  // ---------------------------------------------------------------------------------------------

  public device(deviceId: string): Device | undefined {
    return this.devices.has(deviceId) ? this.readFullDevice(deviceId) : undefined;
  }

  public listDevices(): Device[] {
    return [...this.devices.keys()].map((id) => this.readFullDevice(id));
  }

  public get deviceCount(): number {
    return this.devices.size;
  }

  public childrenOf(parentId: string): Device[] {
    return [...(this.childrenByParent.get(parentId) ?? [])].map((id) => this.readFullDevice(id));
  }

  public logicalDevice(logicalDeviceId: string): LogicalDevice | undefined {
    const rec = this.logical.get(logicalDeviceId);
    return rec && LogicalDevice.fromPartial({ ...rec.logicalDevice, ports: [...rec.ports.values()] });
  }

  public listLogicalDevices(): LogicalDevice[] {
    return [...this.logical.keys()].map((id) => this.logicalDevice(id) as LogicalDevice);
  }

  // ---------------------------------------------------------------------------------------------
  // The agent's side (used by InMemoryAdapterAgent)
  // ---------------------------------------------------------------------------------------------

  /** @internal */
  public readDevice(deviceId: string): Device {
    return Device.fromPartial(this.record(deviceId).device);
  }

  /** @internal */
  public readPorts(deviceId: string, portType?: PortType): Port[] {
    const out: Port[] = [];
    for (const pr of this.record(deviceId).ports.values()) {
      if (portType === undefined || pr.port.type === portType) out.push(this.materializePort(pr));
    }
    return out;
  }

  /** @internal */
  public readPmConfigs(deviceId: string): PmConfigs | undefined {
    const pm = this.record(deviceId).pmConfigs;
    return pm && PmConfigs.fromPartial(pm);
  }

  /** @internal */
  public readChildren(parentId: string): Device[] {
    return [...(this.childrenByParent.get(parentId) ?? [])].map((id) => this.readDevice(id));
  }

  /** @internal */
  public readChildByProxy(proxyAddress: ProxyAddress): Device | undefined {
    const id = this.deviceByProxy.get(proxyAddressKey(proxyAddress));
    return id === undefined ? undefined : this.readDevice(id);
  }

  /** @internal */
  public readLogicalDevice(logicalDeviceId: string): LogicalDevice {
    return LogicalDevice.fromPartial(this.logicalRecord(logicalDeviceId).logicalDevice);
  }

  /** @internal */
  public readLogicalPorts(logicalDeviceId: string): LogicalPort[] {
    return [...this.logicalRecord(logicalDeviceId).ports.values()].map((p) => LogicalPort.fromPartial(p));
  }

  /** @internal Applies operations atomically on behalf of `origin`. */
  public apply(operations: readonly AgentOperation[], origin: string): unknown[] {
    return this.mutate(origin, (tx) => operations.map((operation) => this.applyOne(operation, tx)));
  }

  /** @internal */
  public async routeToParent(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    const parent = this.devices.get(proxyAddress.deviceId);
    if (!parent) throw notFound(`proxied message: parent device ${proxyAddress.deviceId} not found`);
    const resolved = this.resolve(parent.device);
    if (!resolved)
      throw failedPrecondition(`proxied message: no adapter for device ${proxyAddress.deviceId}`);
    this.proxied.toParent++;
    await resolved.adapter.sendProxiedMessage(proxyAddress, Uint8Array.from(msg));
  }

  /** @internal */
  public async routeToChild(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    const childId = this.deviceByProxy.get(proxyAddressKey(proxyAddress));
    const child = childId === undefined ? undefined : this.devices.get(childId);
    if (!child)
      throw notFound(`proxied message: no device at proxy address ${proxyAddressKey(proxyAddress)}`);
    const resolved = this.resolve(child.device);
    if (!resolved) throw failedPrecondition(`proxied message: no adapter for device ${child.device.id}`);
    this.proxied.toChild++;
    await resolved.adapter.receiveProxiedMessage(proxyAddress, Uint8Array.from(msg));
  }

  /** @internal */
  public packetIn(logicalDeviceId: string, portNo: number, packet: Uint8Array): void {
    this.logicalRecord(logicalDeviceId);
    this.packetIns.push({ logicalDeviceId, portNo, packet: Uint8Array.from(packet) });
  }

  // ---------------------------------------------------------------------------------------------
  // Operations
  // ---------------------------------------------------------------------------------------------

  private applyOne(operation: AgentOperation, tx: Tx): unknown {
    switch (operation.op) {
      case 'addDevice':
        return Device.fromPartial(this.addDeviceOp(operation.device, tx));
      case 'updateDevice':
        this.replaceDevice(this.record(operation.device.id), this.merged(operation.device), tx);
        return undefined;
      case 'updateDeviceState':
        this.patchDevice(operation.deviceId, operation.state, tx);
        return undefined;
      case 'addPort':
        this.addPortOp(operation.deviceId, operation.port, tx);
        return undefined;
      case 'deletePort':
        this.deletePortOp(operation.deviceId, operation.portNo, tx);
        return undefined;
      case 'deleteAllPeerReferences':
        this.deleteAllPeerReferencesOp(operation.deviceId, tx);
        return undefined;
      case 'updatePortsState':
        this.updatePortsStateOp(operation.deviceId, operation.state, operation.portType, tx);
        return undefined;
      case 'updatePmConfigs':
        this.setPmConfigs(
          this.record(operation.deviceId),
          PmConfigs.fromPartial(operation.pmConfigs),
          operation.init ?? false,
          tx
        );
        return undefined;
      case 'createLogicalDevice':
        return this.createLogicalDeviceOp(operation.logicalDevice, tx);
      case 'addLogicalPort':
        this.addLogicalPortOp(operation.logicalDeviceId, operation.port, tx);
        return undefined;
      case 'deleteLogicalPort':
        this.deleteLogicalPortOp(operation.logicalDeviceId, operation.portId, tx);
        return undefined;
      case 'deleteLogicalDevice':
        this.deleteLogicalDeviceOp(operation.logicalDeviceId, tx);
        return undefined;
      case 'childDeviceDetected':
        return Device.fromPartial(this.childDetectedOp(operation.child, tx));
      case 'updateChildDevice': {
        const rec = this.record(operation.device.id);
        if (rec.device.parentId !== operation.parentId || rec.device.root) {
          throw failedPrecondition(`device ${operation.device.id} is not a child of ${operation.parentId}`);
        }
        this.replaceDevice(rec, this.merged(operation.device), tx);
        return undefined;
      }
      case 'removeChildDevices': {
        const ids = this.selectChildren(operation.parentId, operation.filter);
        for (const id of ids) this.removeDevice(id, tx);
        return ids;
      }
      case 'updateChildDevicesState': {
        let changed = 0;
        for (const id of this.selectChildren(operation.parentId, operation.filter)) {
          if (this.patchDevice(id, operation.state, tx)) changed++;
        }
        return changed;
      }
    }
  }

  private mutate<T>(origin: string, body: (tx: Tx) => T): T {
    const tx = new Tx(origin);
    let result: T;
    try {
      result = body(tx);
    } catch (error) {
      tx.journal.rollback();
      throw error;
    }
    this.transactions.set(origin, (this.transactions.get(origin) ?? 0) + 1);
    this.publish(tx.changes);
    return result;
  }

  private publish(changes: readonly DeviceChange[]): void {
    for (const change of changes) {
      const id = change.kind === 'updated' ? change.after.id : change.device.id;
      this.dispatcher
        .dispatch(change)
        .catch((error: unknown) => this.errors.push({ context: `${change.kind} ${id}`, error }));
    }
  }

  /**
   * Sequential device ids in the 1.0 format (core store id + 12 hex digits), from `d00000000001` so they
   * never look like a logical device id of the same core (`000000000001`, ...).
   */
  private newDeviceId(): string {
    this.deviceSeq++;
    return this.coreStoreId + (0xd00000000000 + this.deviceSeq).toString(16);
  }

  private record(deviceId: string): DeviceRecord {
    const rec = this.devices.get(deviceId);
    if (!rec) throw notFound(`device ${deviceId} not found`);
    return rec;
  }

  private logicalRecord(logicalDeviceId: string): LogicalDeviceRecord {
    const rec = this.logical.get(logicalDeviceId);
    if (!rec) throw notFound(`logical device ${logicalDeviceId} not found`);
    return rec;
  }

  private resolve(device: Device): ResolvedAdapter | undefined {
    const type = this.types.get(device.type);
    const adapterId = device.adapter || type?.adapter;
    const adapter = adapterId === undefined ? undefined : this.adapters.get(adapterId);
    if (!adapterId || !adapter) return undefined;
    return { adapterId, adapter, ...(type ? { deviceType: type } : {}) };
  }

  private markActivating(device: Device): Device {
    const rec = this.devices.get(device.id);
    if (!rec) return device;
    if (rec.device.operStatus !== OperStatus.ACTIVATING) {
      rec.device = Device.fromPartial({ ...rec.device, operStatus: OperStatus.ACTIVATING });
    }
    return Device.fromPartial(rec.device);
  }

  private readFullDevice(deviceId: string): Device {
    const rec = this.record(deviceId);
    return Device.fromPartial({
      ...rec.device,
      ports: [...rec.ports.values()].map((pr) => this.materializePort(pr)),
      flows: rec.flows,
      flowGroups: rec.groups,
      pmConfigs: rec.pmConfigs
    });
  }

  private materializePort(pr: PortRecord): Port {
    return Port.fromPartial({ ...pr.port, peers: [...pr.peers.values()] });
  }

  /** A written device keeps the adapter/vendor id from its type when they are empty. */
  private merged(device: Device): Device {
    const type = this.types.get(device.type);
    return depth0(
      Device.fromPartial({
        ...device,
        adapter: device.adapter || type?.adapter || '',
        vendorId: device.vendorId || type?.vendorId || ''
      })
    );
  }

  private addDeviceOp(device: Device, tx: Tx): Device {
    if (device.id.includes('/')) throw invalidArgument(`device id '${device.id}' must not contain '/'`);
    const stored = this.merged(Device.fromPartial({ ...device, id: device.id || this.newDeviceId() }));
    const existing = this.devices.get(stored.id);
    if (existing) this.replaceDevice(existing, stored, tx);
    else this.insertDevice(stored, tx);
    for (const port of device.ports) this.addPortOp(stored.id, port, tx);
    return stored;
  }

  private insertDevice(device: Device, tx: Tx): void {
    const stored = depth0(device);
    this.indexProxy(stored, tx);
    this.indexParent(stored, tx);
    tx.journal.mapSet(this.devices, stored.id, {
      device: stored,
      ports: new Map(),
      flows: emptyFlows(),
      groups: emptyGroups(),
      pmConfigs: undefined
    });
    tx.added(stored);
  }

  private replaceDevice(rec: DeviceRecord, after: Device, tx: Tx): void {
    const before = rec.device;
    const stored = depth0(after);
    if (proxyKeyOf(before) !== proxyKeyOf(stored)) {
      this.unindexProxy(before, tx);
      this.indexProxy(stored, tx);
    }
    if (before.parentId !== stored.parentId || before.root !== stored.root) {
      this.unindexParent(before, tx);
      this.indexParent(stored, tx);
    }
    tx.journal.assign(rec, 'device', stored);
    tx.updated(before, stored);
  }

  /** Returns true when something changed. */
  private patchDevice(deviceId: string, patch: DeviceStatePatch | ChildStatePatch, tx: Tx): boolean {
    const rec = this.record(deviceId);
    const values = defined(patch);
    const before = rec.device as unknown as Record<string, unknown>;
    if (Object.entries(values).every(([k, v]) => before[k] === v)) return false;
    this.replaceDevice(rec, Device.fromPartial({ ...rec.device, ...values }), tx);
    return true;
  }

  private indexParent(device: Device, tx: Tx): void {
    // A root device's parent_id is its logical device id, not a parent (1.x overloads the field).
    if (device.root || !device.parentId) return;
    let set = this.childrenByParent.get(device.parentId);
    if (!set) {
      set = new Set();
      tx.journal.mapSet(this.childrenByParent, device.parentId, set);
    }
    tx.journal.setAdd(set, device.id);
  }

  private unindexParent(device: Device, tx: Tx): void {
    if (device.root || !device.parentId) return;
    const set = this.childrenByParent.get(device.parentId);
    if (set) tx.journal.setDelete(set, device.id);
  }

  private indexProxy(device: Device, tx: Tx): void {
    const key = proxyKeyOf(device);
    if (key === undefined) return;
    const holder = this.deviceByProxy.get(key);
    if (holder !== undefined && holder !== device.id) {
      throw alreadyExists(`proxy address ${key} is already used by device ${holder}`);
    }
    tx.journal.mapSet(this.deviceByProxy, key, device.id);
  }

  private unindexProxy(device: Device, tx: Tx): void {
    const key = proxyKeyOf(device);
    if (key !== undefined && this.deviceByProxy.get(key) === device.id)
      tx.journal.mapDelete(this.deviceByProxy, key);
  }

  private addPortOp(deviceId: string, port: Port, tx: Tx): void {
    const rec = this.record(deviceId);
    if (!Number.isInteger(port.portNo) || port.portNo < 0)
      throw invalidArgument(`port number ${port.portNo} is invalid`);
    const stored = Port.fromPartial({ ...port, deviceId, peers: [] });
    const existing = rec.ports.get(port.portNo);
    const peers = existing?.peers ?? new Map<string, PeerPort>();
    tx.journal.mapSet(rec.ports, port.portNo, { port: stored, peers });
    for (const peer of port.peers) {
      const peerRec = this.devices.get(peer.deviceId);
      if (!peerRec) throw notFound(`port ${deviceId}/${port.portNo}: peer device ${peer.deviceId} not found`);
      const peerPort = peerRec.ports.get(peer.portNo);
      if (!peerPort)
        throw notFound(
          `port ${deviceId}/${port.portNo}: peer port ${peer.deviceId}/${peer.portNo} not found`
        );
      tx.journal.mapSet(
        peers,
        peerKey(peer.deviceId, peer.portNo),
        PeerPort.fromPartial({ deviceId: peer.deviceId, portNo: peer.portNo })
      );
      tx.journal.mapSet(
        peerPort.peers,
        peerKey(deviceId, port.portNo),
        PeerPort.fromPartial({ deviceId, portNo: port.portNo })
      );
    }
  }

  private dropReversePeers(deviceId: string, portNo: number, pr: PortRecord, tx: Tx): void {
    for (const peer of pr.peers.values()) {
      const peerPort = this.devices.get(peer.deviceId)?.ports.get(peer.portNo);
      if (peerPort) tx.journal.mapDelete(peerPort.peers, peerKey(deviceId, portNo));
    }
  }

  private deletePortOp(deviceId: string, portNo: number, tx: Tx): void {
    const rec = this.record(deviceId);
    const pr = rec.ports.get(portNo);
    if (!pr) return;
    this.dropReversePeers(deviceId, portNo, pr, tx);
    tx.journal.mapDelete(rec.ports, portNo);
  }

  private deleteAllPeerReferencesOp(deviceId: string, tx: Tx): void {
    const rec = this.record(deviceId);
    for (const [portNo, pr] of rec.ports) {
      this.dropReversePeers(deviceId, portNo, pr, tx);
      for (const key of [...pr.peers.keys()]) tx.journal.mapDelete(pr.peers, key);
    }
  }

  private updatePortsStateOp(
    deviceId: string,
    state: PortStatePatch,
    portType: PortType | undefined,
    tx: Tx
  ): void {
    const rec = this.record(deviceId);
    const values = defined(state);
    for (const [portNo, pr] of [...rec.ports]) {
      if (portType !== undefined && pr.port.type !== portType) continue;
      tx.journal.mapSet(rec.ports, portNo, {
        port: Port.fromPartial({ ...pr.port, ...values }),
        peers: pr.peers
      });
    }
  }

  private setPmConfigs(rec: DeviceRecord, pmConfigs: PmConfigs, init: boolean, tx: Tx): void {
    tx.journal.assign(rec, 'pmConfigs', pmConfigs);
    if (!init) tx.push({ kind: 'pm-configs', device: rec.device, pmConfigs, origin: tx.origin });
  }

  private setFlows(rec: DeviceRecord, flows: Flows, groups: FlowGroups, tx: Tx): void {
    const before: FlowTables = { flows: rec.flows, groups: rec.groups };
    tx.journal.assign(rec, 'flows', flows);
    tx.journal.assign(rec, 'groups', groups);
    tx.push({ kind: 'flows', device: rec.device, before, after: { flows, groups }, origin: tx.origin });
  }

  private createLogicalDeviceOp(logicalDevice: LogicalDevice, tx: Tx): LogicalDeviceIdentity {
    let { id, datapathId } = logicalDevice;
    if (!id) {
      do {
        this.switchSeq++;
        ({ id, datapathId } = logicalDeviceIdentity(this.coreStoreId, this.switchSeq));
      } while (this.logical.has(id));
    } else if (this.logical.has(id)) {
      throw alreadyExists(`logical device ${id} already exists`);
    }
    if (!this.devices.has(logicalDevice.rootDeviceId)) {
      throw notFound(`logical device ${id}: root device ${logicalDevice.rootDeviceId} not found`);
    }
    const stored = LogicalDevice.fromPartial({
      ...logicalDevice,
      id,
      datapathId: datapathId || '0',
      ports: [],
      flows: undefined,
      flowGroups: undefined,
      meters: undefined
    });
    tx.journal.mapSet(this.logical, id, { logicalDevice: stored, ports: new Map(), idByPortNo: new Map() });
    for (const port of logicalDevice.ports) this.addLogicalPortOp(id, port, tx);
    return { id, datapathId: stored.datapathId };
  }

  private addLogicalPortOp(logicalDeviceId: string, port: LogicalPort, tx: Tx): void {
    const rec = this.logicalRecord(logicalDeviceId);
    if (!port.id) throw invalidArgument(`logical port of ${logicalDeviceId}: id is required`);
    const portNo = port.ofpPort?.portNo;
    if (portNo === undefined) throw invalidArgument(`logical port ${port.id}: ofp_port is required`);
    if (!this.devices.has(port.deviceId))
      throw notFound(`logical port ${port.id}: device ${port.deviceId} not found`);
    const holder = rec.idByPortNo.get(portNo);
    if (holder !== undefined && holder !== port.id) {
      throw alreadyExists(
        `logical device ${logicalDeviceId}: port number ${portNo} is already used by port ${holder}`
      );
    }
    const old = rec.ports.get(port.id);
    if (old) this.unindexLogicalPort(logicalDeviceId, old, rec, tx);
    tx.journal.mapSet(rec.ports, port.id, LogicalPort.fromPartial(port));
    tx.journal.mapSet(rec.idByPortNo, portNo, port.id);
    let set = this.logicalPortsByDevice.get(port.deviceId);
    if (!set) {
      set = new Set();
      tx.journal.mapSet(this.logicalPortsByDevice, port.deviceId, set);
    }
    tx.journal.setAdd(set, logicalPortKey(logicalDeviceId, port.id));
  }

  private unindexLogicalPort(
    logicalDeviceId: string,
    port: LogicalPort,
    rec: LogicalDeviceRecord,
    tx: Tx
  ): void {
    const portNo = port.ofpPort?.portNo;
    if (portNo !== undefined && rec.idByPortNo.get(portNo) === port.id)
      tx.journal.mapDelete(rec.idByPortNo, portNo);
    const set = this.logicalPortsByDevice.get(port.deviceId);
    if (set) tx.journal.setDelete(set, logicalPortKey(logicalDeviceId, port.id));
  }

  private deleteLogicalPortOp(logicalDeviceId: string, portId: string, tx: Tx): void {
    const rec = this.logical.get(logicalDeviceId);
    const port = rec?.ports.get(portId);
    if (!rec || !port) return;
    this.unindexLogicalPort(logicalDeviceId, port, rec, tx);
    tx.journal.mapDelete(rec.ports, portId);
  }

  private deleteLogicalDeviceOp(logicalDeviceId: string, tx: Tx): void {
    const rec = this.logical.get(logicalDeviceId);
    if (!rec) return;
    for (const portId of [...rec.ports.keys()]) this.deleteLogicalPortOp(logicalDeviceId, portId, tx);
    tx.journal.mapDelete(this.logical, logicalDeviceId);
  }

  private childDetectedOp(child: ChildDeviceRequest, tx: Tx): Device {
    const parent = this.record(child.parentDeviceId);
    if (!parent.ports.has(child.parentPortNo)) {
      throw invalidArgument(
        `child of ${child.parentDeviceId}: parent port ${child.parentPortNo} does not exist`
      );
    }
    const type = this.types.get(child.childDeviceType);
    if (!type)
      throw invalidArgument(
        `child of ${child.parentDeviceId}: unknown device type '${child.childDeviceType}'`
      );
    const device = Device.fromPartial({
      id: this.newDeviceId(),
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
    this.insertDevice(device, tx);
    return device;
  }

  private selectChildren(parentId: string, filter: ChildFilter | undefined): string[] {
    const children = this.childrenByParent.get(parentId);
    if (!children) return [];
    const candidates = filter?.childIds ? filter.childIds.filter((id) => children.has(id)) : [...children];
    if (filter?.adminState === undefined) return candidates;
    return candidates.filter((id) => this.devices.get(id)?.device.adminState === filter.adminState);
  }

  /** Removes a device, the peers pointing at its ports and its logical ports. Children stay (the adapter removes them). */
  private removeDevice(deviceId: string, tx: Tx): void {
    const rec = this.devices.get(deviceId);
    if (!rec) return;
    for (const [portNo, pr] of rec.ports) this.dropReversePeers(deviceId, portNo, pr, tx);
    for (const key of [...(this.logicalPortsByDevice.get(deviceId) ?? [])]) {
      const [logicalDeviceId, portId] = key.split('\u0000');
      this.deleteLogicalPortOp(logicalDeviceId, portId, tx);
    }
    this.unindexProxy(rec.device, tx);
    this.unindexParent(rec.device, tx);
    tx.journal.mapDelete(this.devices, deviceId);
    tx.push({ kind: 'removed', device: rec.device, origin: tx.origin });
  }
}

function proxyKeyOf(device: Device): string | undefined {
  return device.proxyAddress?.deviceId ? proxyAddressKey(device.proxyAddress) : undefined;
}

/** The AdapterAgent port of one adapter over an InMemoryCore. */
export class InMemoryAdapterAgent extends AdapterAgentBase {
  public constructor(
    private readonly core: InMemoryCore,
    adapterId: string
  ) {
    super(adapterId);
  }

  public async getDevice(deviceId: string): Promise<Device> {
    return this.core.readDevice(deviceId);
  }

  public async getPorts(deviceId: string, portType?: PortType): Promise<Port[]> {
    return this.core.readPorts(deviceId, portType);
  }

  public async getPmConfigs(deviceId: string): Promise<PmConfigs | undefined> {
    return this.core.readPmConfigs(deviceId);
  }

  public async getChildDevices(parentId: string): Promise<Device[]> {
    return this.core.readChildren(parentId);
  }

  public async getChildDeviceByProxyAddress(proxyAddress: ProxyAddress): Promise<Device | undefined> {
    return this.core.readChildByProxy(proxyAddress);
  }

  public async getLogicalDevice(logicalDeviceId: string): Promise<LogicalDevice> {
    return this.core.readLogicalDevice(logicalDeviceId);
  }

  public async getLogicalPorts(logicalDeviceId: string): Promise<LogicalPort[]> {
    return this.core.readLogicalPorts(logicalDeviceId);
  }

  public async transaction<const T extends readonly AgentOperation[]>(
    operations: T
  ): Promise<AgentOperationResultList<T>> {
    return this.core.apply(operations, this.adapterId) as AgentOperationResultList<T>;
  }

  public sendProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    return this.core.routeToParent(proxyAddress, msg);
  }

  public receiveProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    return this.core.routeToChild(proxyAddress, msg);
  }

  public async sendPacketIn(
    logicalDeviceId: string,
    logicalPortNo: number,
    packet: Uint8Array
  ): Promise<void> {
    this.core.packetIn(logicalDeviceId, logicalPortNo, packet);
  }

  public async submitKpis(kpis: KpiEvent): Promise<void> {
    this.core.kpis.push(kpis);
  }

  public async submitAlarm(deviceId: string, alarm: AlarmEvent): Promise<void> {
    this.core.alarms.push({ deviceId, alarm });
  }
}
