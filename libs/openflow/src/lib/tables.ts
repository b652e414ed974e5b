import type {
  ofpFlowMod,
  ofpFlowStats,
  ofpGroupEntry,
  ofpGroupMod,
  ofpMeterEntry,
  ofpMeterMod
} from '@voltha/proto';

import { FlowTable, emptyFlowDelta, isEmptyFlowDelta } from './flow-table';
import type { FlowTableDelta, FlowTableOptions } from './flow-table';
import { GroupTable, emptyGroupDelta, groupIdOf, isEmptyGroupDelta } from './group-table';
import type { GroupTableDelta } from './group-table';
import { MeterTable, emptyMeterDelta, isEmptyMeterDelta, meterIdOfEntry } from './meter-table';
import type { MeterTableDelta } from './meter-table';

/** Everything one mod changed across the three tables of a logical switch. */
export interface TablesDelta {
  readonly flows: FlowTableDelta;
  readonly groups: GroupTableDelta;
  readonly meters: MeterTableDelta;
}

export function isEmptyTablesDelta(d: TablesDelta): boolean {
  return isEmptyFlowDelta(d.flows) && isEmptyGroupDelta(d.groups) && isEmptyMeterDelta(d.meters);
}

export interface OpenFlowTablesOptions extends FlowTableOptions {
  /** Refuse flows whose GROUP actions name an absent group (OFPBAC_BAD_OUT_GROUP). Default true. */
  requireKnownGroups?: boolean;
  /** Refuse flows whose METER instruction names an absent meter (OFPMMFC_UNKNOWN_METER). Default true. */
  requireKnownMeters?: boolean;
}

export interface OpenFlowTablesState {
  flows?: Iterable<ofpFlowStats>;
  groups?: Iterable<ofpGroupEntry>;
  meters?: Iterable<ofpMeterEntry>;
}

/**
 * The flow, group and meter tables of one logical switch with their cross-table rules: flows may
 * only reference existing groups/meters, deleting a group (or OFPG_ALL) deletes the flows that
 * reference it, deleting a meter (or OFPM_ALL) deletes the flows that use it.
 * plan*() are pure (nothing changes until commit()); apply*() = plan + commit.
 */
export class OpenFlowTables {
  public readonly flows: FlowTable;
  public readonly groups: GroupTable;
  public readonly meters: MeterTable;

  public constructor(
    state: OpenFlowTablesState = {},
    private readonly options: OpenFlowTablesOptions = {}
  ) {
    this.flows = new FlowTable(state.flows, options);
    this.groups = new GroupTable(state.groups);
    this.meters = new MeterTable(state.meters);
  }

  public planFlowMod(mod: ofpFlowMod): TablesDelta {
    const requireGroups = this.options.requireKnownGroups ?? true;
    const requireMeters = this.options.requireKnownMeters ?? true;
    const flows = this.flows.plan(mod, {
      hasGroup: (g) => !requireGroups || this.groups.has(g),
      hasMeter: (m) => !requireMeters || this.meters.has(m)
    });
    return { flows, groups: emptyGroupDelta(), meters: emptyMeterDelta() };
  }

  public planGroupMod(mod: ofpGroupMod): TablesDelta {
    const groups = this.groups.plan(mod);
    const flows =
      groups.removed.length === 0
        ? emptyFlowDelta()
        : this.flows.planRemoveGroupReferences(groups.removed.map(groupIdOf));
    return { flows, groups, meters: emptyMeterDelta() };
  }

  public planMeterMod(mod: ofpMeterMod): TablesDelta {
    const meters = this.meters.plan(mod);
    const flows =
      meters.removed.length === 0
        ? emptyFlowDelta()
        : this.flows.planRemoveMeterReferences(meters.removed.map(meterIdOfEntry));
    return { flows, groups: emptyGroupDelta(), meters };
  }

  /** Applies a delta: flows first (removals drop references), then groups and meters. */
  public commit(delta: TablesDelta): void {
    this.flows.commit(delta.flows);
    this.groups.commit(delta.groups);
    this.meters.commit(delta.meters);
  }

  public applyFlowMod(mod: ofpFlowMod): TablesDelta {
    const d = this.planFlowMod(mod);
    this.commit(d);
    return d;
  }

  public applyGroupMod(mod: ofpGroupMod): TablesDelta {
    const d = this.planGroupMod(mod);
    this.commit(d);
    return d;
  }

  public applyMeterMod(mod: ofpMeterMod): TablesDelta {
    const d = this.planMeterMod(mod);
    this.commit(d);
    return d;
  }

  /** Number of flows using a meter (the meter's flow_count, derived from the flow table). */
  public meterFlowCount(meterId: number): number {
    return this.flows.flowsReferencingMeter(meterId).length;
  }

  /** Number of flows referencing a group (the group's ref_count, derived from the flow table). */
  public groupRefCount(groupId: number): number {
    return this.flows.flowsReferencingGroup(groupId).length;
  }
}
