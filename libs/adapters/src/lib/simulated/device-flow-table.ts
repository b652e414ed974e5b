import { getInPort } from '@voltha/openflow';
import type {
  FlowChanges,
  FlowGroupChanges,
  FlowGroups,
  Flows,
  ofpFlowStats,
  ofpGroupEntry
} from '@voltha/proto';

import { invalidArgument } from '../errors';

/** What a simulated device holds of its flow table, for inspection by tests and users. */
export interface DeviceFlowSnapshot {
  readonly flows: readonly ofpFlowStats[];
  readonly groups: readonly ofpGroupEntry[];
  /** Flows entering from an upstream-facing port (NNI for an OLT)... */
  readonly downstream: number;
  /** ...and from the others (PON for an OLT, UNI for an ONU). */
  readonly upstream: number;
  /** Number of bulk or incremental updates accepted. */
  readonly updates: number;
}

/**
 * The flow table a simulated device keeps. Every flow must match IN_PORT on one of the device's ports
 * (1.x asserted in_port 1 or 2); a table that breaks this is refused as a whole (INVALID_ARGUMENT) and
 * the previous table stays.
 */
export class DeviceFlowTable {
  private flows = new Map<string, ofpFlowStats>();
  private groups = new Map<number, ofpGroupEntry>();
  private updates = 0;

  public constructor(
    private readonly deviceId: string,
    private readonly portNos: () => ReadonlySet<number>,
    private readonly downstreamPortNos: () => ReadonlySet<number>
  ) {}

  public replace(flows: Flows, groups: FlowGroups): void {
    this.validate(flows.items);
    this.flows = new Map(flows.items.map((f) => [f.id, f]));
    this.groups = new Map(groups.items.map((g) => [g.desc?.groupId ?? 0, g]));
    this.updates++;
  }

  public apply(flowChanges: FlowChanges, groupChanges: FlowGroupChanges): void {
    const toAdd = flowChanges.toAdd?.items ?? [];
    this.validate(toAdd);
    for (const f of flowChanges.toRemove?.items ?? []) this.flows.delete(f.id);
    for (const f of toAdd) this.flows.set(f.id, f);
    for (const g of groupChanges.toRemove?.items ?? []) this.groups.delete(g.desc?.groupId ?? 0);
    for (const g of groupChanges.toAdd?.items ?? []) this.groups.set(g.desc?.groupId ?? 0, g);
    this.updates++;
  }

  public clear(): void {
    this.flows.clear();
    this.groups.clear();
  }

  public snapshot(): DeviceFlowSnapshot {
    const down = this.downstreamPortNos();
    let downstream = 0;
    for (const f of this.flows.values()) if (down.has(getInPort(f) ?? -1)) downstream++;
    return {
      flows: [...this.flows.values()],
      groups: [...this.groups.values()],
      downstream,
      upstream: this.flows.size - downstream,
      updates: this.updates
    };
  }

  private validate(flows: readonly ofpFlowStats[]): void {
    const ports = this.portNos();
    for (const flow of flows) {
      const inPort = getInPort(flow);
      if (inPort === undefined)
        throw invalidArgument(`device ${this.deviceId}: flow ${flow.id} has no in_port`);
      if (!ports.has(inPort)) {
        throw invalidArgument(
          `device ${this.deviceId}: flow ${flow.id} in_port ${inPort} is not a port of the device (${[...ports].join(', ')})`
        );
      }
    }
  }
}
