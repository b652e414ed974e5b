import { DecompositionEngine, Topology } from '@voltha/flow-decomposition';
import type {
  DecompositionError,
  DeviceState,
  TopologyDevice,
  TopologyLogicalPort
} from '@voltha/flow-decomposition';
import { computeFlowId, groupIdOf } from '@voltha/openflow';
import { encodeMessage, FlowGroups, Flows } from '@voltha/proto';
import type { ofpFlowStats, ofpGroupEntry, ofpMeterEntry } from '@voltha/proto';
import type { DeviceFlows, FailedFlow } from '@voltha/proto/services';

/** Everything one logical device's decomposition depends on. */
export interface DecompositionInput {
  readonly rootDeviceId: string;
  readonly logicalPorts: readonly TopologyLogicalPort[];
  /** The OLT and the ONUs (with their ports); others are ignored. */
  readonly devices: readonly TopologyDevice[];
  readonly flows: readonly ofpFlowStats[];
  readonly groups: readonly ofpGroupEntry[];
  readonly meters: readonly ofpMeterEntry[];
}

/**
 * A fresh engine holding the decomposition of every flow (meters and groups first, then the flows
 * in table order), i.e. the full recompute a reconcile starts from.
 */
export function buildEngine(input: DecompositionInput): DecompositionEngine {
  const topology = Topology.build({
    rootDeviceId: input.rootDeviceId,
    logicalPorts: input.logicalPorts,
    devices: input.devices
  });
  const engine = new DecompositionEngine(topology);
  if (input.meters.length > 0)
    engine.applyMeterDelta({ added: [...input.meters], removed: [], replaced: [] });
  if (input.groups.length > 0)
    engine.applyGroupDelta({ added: [...input.groups], removed: [], replaced: [] });
  engine.addFlows(input.flows.map(withId));
  return engine;
}

/** A flow with its id (the 2.x recipe) filled in when the caller left it empty. */
export function withId(flow: ofpFlowStats): ofpFlowStats {
  if (flow.id && flow.id !== '0') return flow;
  return {
    ...flow,
    id: computeFlowId({ tableId: flow.tableId, priority: flow.priority, match: flow.match })
  };
}

export function failedFlowOf(logicalDeviceId: string, flowId: string, error: DecompositionError): FailedFlow {
  return {
    $type: 'voltha.FailedFlow',
    logicalDeviceId,
    flowId,
    reason: error.reason,
    message: error.message
  };
}

/** Device tables as the API returns them, by device id. */
export function deviceFlowsOf(tables: Map<string, DeviceState>): DeviceFlows[] {
  return [...tables.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([deviceId, s]) => ({
      $type: 'voltha.DeviceFlows',
      deviceId,
      flows: Flows.fromPartial({ items: [...s.flows.values()] }),
      groups: FlowGroups.fromPartial({ items: sortedGroups(s.groups.values()) })
    }));
}

export function sortedGroups(groups: Iterable<ofpGroupEntry>): ofpGroupEntry[] {
  return [...groups].sort((a, b) => groupIdOf(a) - groupIdOf(b));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same protobuf content (canonical encoding). */
export function sameMessage(a: ofpGroupEntry | ofpMeterEntry, b: ofpGroupEntry | ofpMeterEntry): boolean {
  return bytesEqual(encodeMessage(a), encodeMessage(b));
}
