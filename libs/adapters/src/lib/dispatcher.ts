import { adapterActionFor } from '@voltha/device-lifecycle';
import { sameFlowContent } from '@voltha/openflow';
import {
  AdminState_AdminState as AdminState,
  FlowChanges,
  FlowGroupChanges,
  FlowGroups,
  Flows,
  ofpGroupEntry,
  OperStatus_OperStatus as OperStatus
} from '@voltha/proto';
import type { Device, DeviceType, ofpFlowStats, PmConfigs } from '@voltha/proto';

import type { DeviceAdapter } from './adapter';

/** A device's flow and group tables. */
export interface FlowTables {
  readonly flows: Flows;
  readonly groups: FlowGroups;
}

/**
 * A change of the device tree that may concern the device's adapter. `origin` is the id of the adapter
 * that made the change (undefined or another name, e.g. `nbi`, for everything else); a change made by the
 * device's own adapter is never sent back to it (1.x DeviceAgent `last_data`).
 */
export type DeviceChange =
  | { readonly kind: 'added'; readonly device: Device; readonly origin?: string }
  | { readonly kind: 'updated'; readonly before: Device; readonly after: Device; readonly origin?: string }
  | { readonly kind: 'removed'; readonly device: Device; readonly origin?: string }
  | {
      readonly kind: 'flows';
      readonly device: Device;
      readonly before: FlowTables;
      readonly after: FlowTables;
      readonly origin?: string;
    }
  | {
      readonly kind: 'pm-configs';
      readonly device: Device;
      readonly pmConfigs: PmConfigs;
      readonly origin?: string;
    }
  /** RebootDevice from the NBI: no tree change, a direct call. */
  | { readonly kind: 'reboot'; readonly device: Device; readonly origin?: string };

/** The adapter call a change turns into. */
export type AdapterCall =
  | { readonly call: 'adoptDevice'; readonly device: Device; readonly markActivating: boolean }
  | {
      readonly call: 'disableDevice' | 'reenableDevice' | 'abandonDevice' | 'deleteDevice' | 'rebootDevice';
      readonly device: Device;
    }
  | {
      readonly call: 'updateFlowsBulk';
      readonly device: Device;
      readonly flows: Flows;
      readonly groups: FlowGroups;
    }
  | {
      readonly call: 'updateFlowsIncrementally';
      readonly device: Device;
      readonly flowChanges: FlowChanges;
      readonly groupChanges: FlowGroupChanges;
    }
  | { readonly call: 'updatePmConfig'; readonly device: Device; readonly pmConfigs: PmConfigs }
  | { readonly call: 'none'; readonly reason: string };

/** The adapter a device belongs to, by `device.adapter` or else by its type. */
export interface ResolvedAdapter {
  readonly adapterId: string;
  readonly adapter: DeviceAdapter;
  readonly deviceType?: DeviceType;
}

const deviceOf = (change: DeviceChange): Device => (change.kind === 'updated' ? change.after : change.device);

/** An empty flow table. */
export const emptyFlows = (): Flows => Flows.fromPartial({});
/** An empty group table. */
export const emptyGroups = (): FlowGroups => FlowGroups.fromPartial({});

/**
 * Flow and group deltas between two device tables: a flow is identified by `id`; a flow whose content
 * changed under the same id is removed and added. Groups are identified by `desc.groupId`.
 */
export function diffFlowTables(
  before: FlowTables,
  after: FlowTables
): {
  flowChanges: FlowChanges;
  groupChanges: FlowGroupChanges;
  empty: boolean;
} {
  const oldFlows = new Map<string, ofpFlowStats>(before.flows.items.map((f) => [f.id, f]));
  const newFlows = new Map<string, ofpFlowStats>(after.flows.items.map((f) => [f.id, f]));
  const toAdd: ofpFlowStats[] = [];
  const toRemove: ofpFlowStats[] = [];
  for (const [id, flow] of oldFlows) {
    const next = newFlows.get(id);
    if (!next || !sameFlowContent(flow, next)) toRemove.push(flow);
  }
  for (const [id, flow] of newFlows) {
    const prev = oldFlows.get(id);
    if (!prev || !sameFlowContent(prev, flow)) toAdd.push(flow);
  }
  const groupKey = (g: ofpGroupEntry): number => g.desc?.groupId ?? 0;
  const encodeGroup = (g: ofpGroupEntry): string =>
    Buffer.from(ofpGroupEntry.encode(g).finish()).toString('hex');
  const oldGroups = new Map(before.groups.items.map((g) => [groupKey(g), g]));
  const newGroups = new Map(after.groups.items.map((g) => [groupKey(g), g]));
  const groupsToAdd: ofpGroupEntry[] = [];
  const groupsToRemove: ofpGroupEntry[] = [];
  for (const [id, group] of oldGroups) {
    const next = newGroups.get(id);
    if (!next || encodeGroup(next) !== encodeGroup(group)) groupsToRemove.push(group);
  }
  for (const [id, group] of newGroups) {
    const prev = oldGroups.get(id);
    if (!prev || encodeGroup(prev) !== encodeGroup(group)) groupsToAdd.push(group);
  }
  return {
    flowChanges: FlowChanges.fromPartial({ toAdd: { items: toAdd }, toRemove: { items: toRemove } }),
    groupChanges: FlowGroupChanges.fromPartial({
      toAdd: { items: groupsToAdd },
      toRemove: { items: groupsToRemove }
    }),
    empty: toAdd.length + toRemove.length + groupsToAdd.length + groupsToRemove.length === 0
  };
}

/**
 * The adapter call for a change (pure). Admin-state transitions follow `adapterActionFor` (the 1.x
 * DeviceAgent table); a new device that is already ENABLED is adopted (UNKNOWN -> ENABLED: discovered
 * children activate without an NBI call). Flow tables go incrementally when the device type accepts
 * add/remove updates, else in bulk when it accepts bulk updates, else nowhere.
 */
export function planAdapterCall(
  change: DeviceChange,
  target: { adapterId: string; deviceType?: DeviceType }
): AdapterCall {
  const echo = change.origin !== undefined && change.origin === target.adapterId;
  switch (change.kind) {
    case 'added': {
      const action = adapterActionFor(AdminState.UNKNOWN, change.device.adminState);
      if (action !== 'adopt') return { call: 'none', reason: 'new device is not enabled' };
      return {
        call: 'adoptDevice',
        device: change.device,
        markActivating: change.device.operStatus !== OperStatus.ACTIVATING
      };
    }
    case 'updated': {
      if (echo) return { call: 'none', reason: 'change made by the device adapter' };
      const action = adapterActionFor(change.before.adminState, change.after.adminState);
      switch (action) {
        case 'adopt':
          return {
            call: 'adoptDevice',
            device: change.after,
            markActivating: change.after.operStatus !== OperStatus.ACTIVATING
          };
        case 'disable':
          return { call: 'disableDevice', device: change.after };
        case 'reenable':
          return { call: 'reenableDevice', device: change.after };
        case 'abandon':
          return { call: 'abandonDevice', device: change.after };
        default:
          return { call: 'none', reason: 'no admin-state transition' };
      }
    }
    case 'removed':
      if (echo) return { call: 'none', reason: 'removed by the device adapter' };
      return { call: 'deleteDevice', device: change.device };
    case 'reboot':
      return { call: 'rebootDevice', device: change.device };
    case 'pm-configs':
      if (echo) return { call: 'none', reason: 'change made by the device adapter' };
      return { call: 'updatePmConfig', device: change.device, pmConfigs: change.pmConfigs };
    case 'flows': {
      if (echo) return { call: 'none', reason: 'change made by the device adapter' };
      const type = target.deviceType;
      if (!type?.acceptsAddRemoveFlowUpdates && !type?.acceptsBulkFlowUpdate) {
        return { call: 'none', reason: `device type ${change.device.type} accepts no flow updates` };
      }
      const diff = diffFlowTables(change.before, change.after);
      if (diff.empty) return { call: 'none', reason: 'flow tables unchanged' };
      if (type.acceptsAddRemoveFlowUpdates) {
        return {
          call: 'updateFlowsIncrementally',
          device: change.device,
          flowChanges: diff.flowChanges,
          groupChanges: diff.groupChanges
        };
      }
      return {
        call: 'updateFlowsBulk',
        device: change.device,
        flows: change.after.flows,
        groups: change.after.groups
      };
    }
  }
}

export interface DispatcherOptions {
  /** Looks up the adapter of a device (undefined: the change is dropped with reason 'no adapter'). */
  resolve(device: Device): ResolvedAdapter | undefined;
  /**
   * Called before `adoptDevice` when the device is not ACTIVATING yet (discovered children): the core
   * writes oper ACTIVATING and returns the device to hand to the adapter.
   */
  markActivating?(device: Device): Promise<Device>;
  /** Observes every planned call (tests, metrics). */
  onCall?(deviceId: string, adapterId: string | undefined, call: AdapterCall): void;
}

/**
 * Turns device changes into adapter calls, one device at a time: calls for the same device id run in
 * the order the changes were dispatched; different devices proceed concurrently.
 */
export class DeviceChangeDispatcher {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();

  public constructor(private readonly options: DispatcherOptions) {}

  /** Plans and runs the call; resolves with it once the adapter call resolved, rejects with its error. */
  public dispatch(change: DeviceChange): Promise<AdapterCall> {
    const id = deviceOf(change).id;
    const previous = this.chains.get(id) ?? Promise.resolve();
    const tracked: Promise<AdapterCall> = previous
      .then(
        () => this.run(change),
        () => this.run(change)
      )
      .finally(() => {
        this.inFlight.delete(tracked);
        if (this.chains.get(id) === tracked) this.chains.delete(id);
      });
    this.chains.set(id, tracked);
    this.inFlight.add(tracked);
    return tracked;
  }

  /** Resolves when every dispatched call has settled (including calls dispatched meanwhile). */
  public async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  public get pending(): number {
    return this.inFlight.size;
  }

  private async run(change: DeviceChange): Promise<AdapterCall> {
    const device = deviceOf(change);
    const resolved = this.options.resolve(device);
    const call: AdapterCall = resolved
      ? planAdapterCall(change, resolved)
      : { call: 'none', reason: `no adapter for device ${device.id} (type ${device.type})` };
    this.options.onCall?.(device.id, resolved?.adapterId, call);
    if (!resolved || call.call === 'none') return call;
    const adapter = resolved.adapter;
    switch (call.call) {
      case 'adoptDevice': {
        const target =
          call.markActivating && this.options.markActivating
            ? await this.options.markActivating(call.device)
            : call.device;
        await adapter.adoptDevice(target);
        break;
      }
      case 'disableDevice':
        await adapter.disableDevice(call.device);
        break;
      case 'reenableDevice':
        await adapter.reenableDevice(call.device);
        break;
      case 'abandonDevice':
        await adapter.abandonDevice(call.device);
        break;
      case 'deleteDevice':
        await adapter.deleteDevice(call.device);
        break;
      case 'rebootDevice':
        await adapter.rebootDevice(call.device);
        break;
      case 'updateFlowsBulk':
        await adapter.updateFlowsBulk(call.device, call.flows, call.groups);
        break;
      case 'updateFlowsIncrementally':
        await adapter.updateFlowsIncrementally(call.device, call.flowChanges, call.groupChanges);
        break;
      case 'updatePmConfig':
        await adapter.updatePmConfig(call.device, call.pmConfigs);
        break;
    }
    return call;
  }
}
