import type {
  AdminState_AdminState as AdminState,
  AlarmEvent,
  ConnectStatus_ConnectStatus as ConnectStatus,
  Device,
  KpiEvent,
  LogicalDevice,
  LogicalPort,
  OperStatus_OperStatus as OperStatus,
  PmConfigs,
  Port,
  Port_PortType as PortType,
  ProxyAddress
} from '@voltha/proto';

/** The adapter-owned status fields of a device (the admin state belongs to the NBI). */
export interface DeviceStatePatch {
  readonly operStatus?: OperStatus;
  readonly connectStatus?: ConnectStatus;
  /** Free text, e.g. why the device is FAILED. */
  readonly reason?: string;
}

/** What a parent may change on its children in bulk (1.x update_child_devices_state). */
export interface ChildStatePatch {
  readonly adminState?: AdminState;
  readonly operStatus?: OperStatus;
  readonly connectStatus?: ConnectStatus;
}

/** Which children a bulk child operation applies to; every field given must match. */
export interface ChildFilter {
  /** Only these child ids (ids that are not children of the parent are ignored). */
  readonly childIds?: readonly string[];
  /** Only children whose admin state is this one (e.g. re-enable only the children disabled with the parent). */
  readonly adminState?: AdminState;
}

/** A child device found by a parent adapter (1.x child_device_detected). */
export interface ChildDeviceRequest {
  readonly parentDeviceId: string;
  readonly parentPortNo: number;
  /** Device type of the child, e.g. `simulated_onu`; the child's adapter is the type's adapter. */
  readonly childDeviceType: string;
  /** How messages reach the child; unique among the devices of the core. */
  readonly proxyAddress: ProxyAddress;
  /** ENABLED makes the core adopt the child at once (no NBI call), as every 1.x OLT adapter did. */
  readonly adminState: AdminState;
  readonly vlan?: number;
  readonly serialNumber?: string;
}

/** The identity the core gives a new logical device. */
export interface LogicalDeviceIdentity {
  readonly id: string;
  readonly datapathId: string;
}

export interface PortStatePatch {
  readonly adminState?: AdminState;
  readonly operStatus?: OperStatus;
}

/**
 * One write of the AdapterAgent port. A list of them is applied by `transaction` as one atomic step:
 * all succeed or none is applied, and the core reacts (adapter calls, events) only after the commit.
 */
export type AgentOperation =
  /** Add or replace a device (1.x add_device); a new device without id gets one. */
  | { readonly op: 'addDevice'; readonly device: Device }
  /**
   * Write the device's own fields; its ports, flows, groups and PM configs are kept (they are written
   * by their own operations). NOT_FOUND when absent.
   */
  | { readonly op: 'updateDevice'; readonly device: Device }
  | { readonly op: 'updateDeviceState'; readonly deviceId: string; readonly state: DeviceStatePatch }
  /**
   * Add or replace port `port.portNo` of the device. Sets `port.deviceId`. The stored peers are the union
   * of the peers given and those already stored, and each peer port gets the reverse PeerPort (the peer
   * device and port must exist: NOT_FOUND otherwise). Peers are removed only by `deletePort` and
   * `deleteAllPeerReferences`.
   */
  | { readonly op: 'addPort'; readonly deviceId: string; readonly port: Port }
  /** Remove a port and the reverse PeerPorts that point at it; no-op when absent. */
  | { readonly op: 'deletePort'; readonly deviceId: string; readonly portNo: number }
  /** Empty the peers of every port of the device and remove the reverse PeerPorts on the peers. */
  | { readonly op: 'deleteAllPeerReferences'; readonly deviceId: string }
  /** Set admin/oper of every port of the device (of one type when `portType` is given). */
  | {
      readonly op: 'updatePortsState';
      readonly deviceId: string;
      readonly state: PortStatePatch;
      readonly portType?: PortType;
    }
  /** `init: true` is the adapter's own initial write: the adapter is not called back (1.x init=True). */
  | {
      readonly op: 'updatePmConfigs';
      readonly deviceId: string;
      readonly pmConfigs: PmConfigs;
      readonly init?: boolean;
    }
  /**
   * The core assigns id and datapath id when `logicalDevice.id` is empty (an id given is kept and must be
   * free). Ports in `logicalDevice.ports` are added with it.
   */
  | { readonly op: 'createLogicalDevice'; readonly logicalDevice: LogicalDevice }
  /** Add or replace logical port `port.id`; its device must exist. */
  | { readonly op: 'addLogicalPort'; readonly logicalDeviceId: string; readonly port: LogicalPort }
  /** No-op when the logical device or the port is absent (deletes are idempotent). */
  | { readonly op: 'deleteLogicalPort'; readonly logicalDeviceId: string; readonly portId: string }
  /** No-op when absent. */
  | { readonly op: 'deleteLogicalDevice'; readonly logicalDeviceId: string }
  /** Create a child device; ALREADY_EXISTS when a device already has this proxy address. */
  | { readonly op: 'childDeviceDetected'; readonly child: ChildDeviceRequest }
  /** `updateDevice` for a device that must be a child of `parentId` (FAILED_PRECONDITION otherwise). */
  | { readonly op: 'updateChildDevice'; readonly parentId: string; readonly device: Device }
  /** Remove children (all when no filter), their ports, the peers pointing at them and their logical ports. */
  | { readonly op: 'removeChildDevices'; readonly parentId: string; readonly filter?: ChildFilter }
  | {
      readonly op: 'updateChildDevicesState';
      readonly parentId: string;
      readonly state: ChildStatePatch;
      readonly filter?: ChildFilter;
    };

/** The result of each operation kind. */
export interface AgentOperationResults {
  addDevice: Device;
  updateDevice: undefined;
  updateDeviceState: undefined;
  addPort: undefined;
  deletePort: undefined;
  deleteAllPeerReferences: undefined;
  updatePortsState: undefined;
  updatePmConfigs: undefined;
  createLogicalDevice: LogicalDeviceIdentity;
  addLogicalPort: undefined;
  deleteLogicalPort: undefined;
  deleteLogicalDevice: undefined;
  childDeviceDetected: Device;
  updateChildDevice: undefined;
  /** Ids of the removed children. */
  removeChildDevices: string[];
  /** Number of children changed. */
  updateChildDevicesState: number;
}

export type AgentOperationResult<O extends AgentOperation> = AgentOperationResults[O['op']];

/** The results of a transaction, position by position. */
export type AgentOperationResultList<T extends readonly AgentOperation[]> = {
  -readonly [K in keyof T]: T[K] extends AgentOperation ? AgentOperationResult<T[K]> : never;
};

/**
 * The adapter -> core port (1.x `AdapterAgent`), one instance per adapter: every write is attributed to
 * `adapterId`, and a change an adapter makes to one of its own devices is never echoed back to it.
 *
 * Reads return copies at depth 0 like 1.x `get_device`: a device comes without its ports, flows, flow
 * groups, PM configs and image downloads, a logical device without its ports and flows; those have
 * their own reads. A missing device or logical device rejects with `AdapterError` NOT_FOUND.
 *
 * Writes: `transaction` applies many operations as one atomic step (one config-tree transaction in the
 * service, one round trip); every named write method is a transaction of one operation, and the
 * batch forms (`childDevicesDetected`, `updateChildDevices`, `removeChildDevices`,
 * `updateChildDevicesState`) cover whole PONs in one step.
 */
export interface AdapterAgent {
  readonly adapterId: string;

  // ---- reads ----
  getDevice(deviceId: string): Promise<Device>;
  getPorts(deviceId: string, portType?: PortType): Promise<Port[]>;
  getPmConfigs(deviceId: string): Promise<PmConfigs | undefined>;
  /** The devices whose `parentId` is `parentId` (an index lookup, not a scan). */
  getChildDevices(parentId: string): Promise<Device[]>;
  getChildDeviceByProxyAddress(proxyAddress: ProxyAddress): Promise<Device | undefined>;
  getLogicalDevice(logicalDeviceId: string): Promise<LogicalDevice>;
  getLogicalPorts(logicalDeviceId: string): Promise<LogicalPort[]>;

  // ---- writes ----
  transaction<const T extends readonly AgentOperation[]>(operations: T): Promise<AgentOperationResultList<T>>;
  addDevice(device: Device): Promise<Device>;
  updateDevice(device: Device): Promise<void>;
  updateDeviceState(deviceId: string, state: DeviceStatePatch): Promise<void>;
  addPort(deviceId: string, port: Port): Promise<void>;
  deletePort(deviceId: string, portNo: number): Promise<void>;
  deleteAllPeerReferences(deviceId: string): Promise<void>;
  /** Every port admin DISABLED, oper UNKNOWN (1.x disable_all_ports). */
  disableAllPorts(deviceId: string): Promise<void>;
  /** Every port admin ENABLED, oper ACTIVE (1.x enable_all_ports). */
  enableAllPorts(deviceId: string): Promise<void>;
  updatePmConfigs(deviceId: string, pmConfigs: PmConfigs, options?: { init?: boolean }): Promise<void>;
  createLogicalDevice(logicalDevice: LogicalDevice): Promise<LogicalDeviceIdentity>;
  addLogicalPort(logicalDeviceId: string, port: LogicalPort): Promise<void>;
  deleteLogicalPort(logicalDeviceId: string, portId: string): Promise<void>;
  deleteLogicalDevice(logicalDeviceId: string): Promise<void>;
  childDeviceDetected(child: ChildDeviceRequest): Promise<Device>;
  /** Many children in one atomic step (a discovery batch); all or none are created. */
  childDevicesDetected(children: readonly ChildDeviceRequest[]): Promise<Device[]>;
  updateChildDevice(parentId: string, device: Device): Promise<void>;
  updateChildDevices(parentId: string, devices: readonly Device[]): Promise<void>;
  removeChildDevice(parentId: string, childId: string): Promise<void>;
  /** Removes the children selected by `filter` (all children without one); returns their ids. */
  removeChildDevices(parentId: string, filter?: ChildFilter): Promise<string[]>;
  /** Returns the number of children changed. */
  updateChildDevicesState(parentId: string, state: ChildStatePatch, filter?: ChildFilter): Promise<number>;

  // ---- messages and events ----
  /** Child adapter -> the parent device's adapter `sendProxiedMessage` (parent = `proxyAddress.deviceId`). */
  sendProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void>;
  /** Parent adapter -> the adapter of the child at `proxyAddress`, `receiveProxiedMessage`. */
  receiveProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void>;
  sendPacketIn(logicalDeviceId: string, logicalPortNo: number, packet: Uint8Array): Promise<void>;
  submitKpis(kpis: KpiEvent): Promise<void>;
  submitAlarm(deviceId: string, alarm: AlarmEvent): Promise<void>;
}

/**
 * A stable key for a proxy address (all its fields), for indexing children by proxy address and for
 * matching proxied-message replies.
 */
export function proxyAddressKey(pa: ProxyAddress): string {
  return [
    pa.deviceId,
    pa.channelId,
    pa.onuId,
    pa.onuSessionId,
    pa.channelGroupId,
    pa.channelTermination
  ].join('|');
}

/** Builders for transaction operations, so call sites read like the named methods. */
export const agentOp = {
  addDevice: (device: Device) => ({ op: 'addDevice', device }) as const,
  updateDevice: (device: Device) => ({ op: 'updateDevice', device }) as const,
  updateDeviceState: (deviceId: string, state: DeviceStatePatch) =>
    ({ op: 'updateDeviceState', deviceId, state }) as const,
  addPort: (deviceId: string, port: Port) => ({ op: 'addPort', deviceId, port }) as const,
  deletePort: (deviceId: string, portNo: number) => ({ op: 'deletePort', deviceId, portNo }) as const,
  deleteAllPeerReferences: (deviceId: string) => ({ op: 'deleteAllPeerReferences', deviceId }) as const,
  updatePortsState: (deviceId: string, state: PortStatePatch, portType?: PortType) =>
    ({ op: 'updatePortsState', deviceId, state, portType }) as const,
  updatePmConfigs: (deviceId: string, pmConfigs: PmConfigs, init = false) =>
    ({ op: 'updatePmConfigs', deviceId, pmConfigs, init }) as const,
  createLogicalDevice: (logicalDevice: LogicalDevice) =>
    ({ op: 'createLogicalDevice', logicalDevice }) as const,
  addLogicalPort: (logicalDeviceId: string, port: LogicalPort) =>
    ({ op: 'addLogicalPort', logicalDeviceId, port }) as const,
  deleteLogicalPort: (logicalDeviceId: string, portId: string) =>
    ({ op: 'deleteLogicalPort', logicalDeviceId, portId }) as const,
  deleteLogicalDevice: (logicalDeviceId: string) => ({ op: 'deleteLogicalDevice', logicalDeviceId }) as const,
  childDeviceDetected: (child: ChildDeviceRequest) => ({ op: 'childDeviceDetected', child }) as const,
  updateChildDevice: (parentId: string, device: Device) =>
    ({ op: 'updateChildDevice', parentId, device }) as const,
  removeChildDevices: (parentId: string, filter?: ChildFilter) =>
    ({ op: 'removeChildDevices', parentId, filter }) as const,
  updateChildDevicesState: (parentId: string, state: ChildStatePatch, filter?: ChildFilter) =>
    ({ op: 'updateChildDevicesState', parentId, state, filter }) as const
} satisfies Record<AgentOperation['op'], (...args: never[]) => AgentOperation>;
