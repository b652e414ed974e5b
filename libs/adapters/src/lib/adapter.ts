import type {
  Adapter,
  Device,
  DeviceTypes,
  FlowChanges,
  FlowGroupChanges,
  FlowGroups,
  Flows,
  HealthStatus,
  PmConfigs,
  ProxyAddress
} from '@voltha/proto';

/**
 * What the core calls on an adapter (core -> adapter), after VOLTHA 1.x `IAdapterInterface`.
 *
 * Every call returns a promise. Device calls acknowledge: `adoptDevice` resolves once the adapter
 * owns the device, and the activation itself continues in the background, reporting progress through
 * the AdapterAgent port (as the 1.x Deferreds did). A rejected promise carries an `AdapterError`.
 *
 * Calls for one device arrive one at a time (the dispatcher serialises them per device id); calls
 * for different devices may overlap.
 *
 * Left out on purpose (no simulated adapter implements them and nothing in this rebuild calls them):
 * change_master_state, image download/activate/revert, self_test, get_device_details, suppress and
 * unsuppress alarm, inter-adapter messages and the xPON object calls.
 */
export interface DeviceAdapter {
  /** Once, after the adapter is created and before any device call. */
  start(): Promise<void>;
  /** Once, before the adapter is dropped: cancels every timer and background task. */
  stop(): Promise<void>;

  /** The adapter's registration record (`Adapter.id` is the adapter name, e.g. `simulated_olt`). */
  adapterDescriptor(): Adapter;
  /** The device types served, with their flow-update capabilities. */
  deviceTypes(): DeviceTypes;
  health(): Promise<HealthStatus>;

  /** Take ownership of a device that was enabled (provisioned or discovered) and activate it. */
  adoptDevice(device: Device): Promise<void>;
  /** Re-attach to a device already in the tree (after an adapter restart) without re-activating it. */
  reconcileDevice(device: Device): Promise<void>;
  /** Stop looking after a device (ownership moves elsewhere); nothing is written. */
  abandonDevice(device: Device): Promise<void>;
  disableDevice(device: Device): Promise<void>;
  reenableDevice(device: Device): Promise<void>;
  /** Reboot; the admin state does not change. */
  rebootDevice(device: Device): Promise<void>;
  /** The device was removed from the tree; for an OLT this removes its whole PON (the children). */
  deleteDevice(device: Device): Promise<void>;

  /** The complete device flow and group tables (device types with `acceptsBulkFlowUpdate`). */
  updateFlowsBulk(device: Device, flows: Flows, groups: FlowGroups): Promise<void>;
  /** Flow and group deltas (device types with `acceptsAddRemoveFlowUpdates`). */
  updateFlowsIncrementally(
    device: Device,
    flowChanges: FlowChanges,
    groupChanges: FlowGroupChanges
  ): Promise<void>;
  /** PM configuration changed through the NBI. */
  updatePmConfig(device: Device, pmConfigs: PmConfigs): Promise<void>;

  /** Parent (OLT) adapter: deliver `msg` to the child device reached through `proxyAddress`. */
  sendProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void>;
  /** Child (ONU) adapter: `msg` arrived from the child device at `proxyAddress`, through its parent. */
  receiveProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void>;
  /** Root (OLT) adapter: a packet-out from the controller, to leave through logical port `egressPortNo`. */
  receivePacketOut(logicalDeviceId: string, egressPortNo: number, msg: Uint8Array): Promise<void>;
}
