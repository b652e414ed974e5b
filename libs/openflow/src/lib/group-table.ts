import { ofpGroupModCommand, ofpGroupModFailedCode, ofpErrorType } from '@voltha/proto';
import type { ofpBucket, ofpGroupEntry, ofpGroupMod, ofpGroupType } from '@voltha/proto';

import { isAllGroups } from './constants';
import { GroupExistsError, UnknownGroupError } from './errors';
import { validateGroupMod } from './validation';

export interface GroupTableDelta {
  readonly added: ofpGroupEntry[];
  readonly removed: ofpGroupEntry[];
  readonly replaced: { readonly before: ofpGroupEntry; readonly after: ofpGroupEntry }[];
}

export const emptyGroupDelta = (): GroupTableDelta => ({ added: [], removed: [], replaced: [] });

export function isEmptyGroupDelta(d: GroupTableDelta): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.replaced.length === 0;
}

export function groupIdOf(entry: ofpGroupEntry): number {
  return entry.desc?.groupId ?? entry.stats?.groupId ?? 0;
}

/** A group entry `{desc{type, group_id, buckets}, stats{group_id, zero counters}}`. */
export function groupEntry(
  groupId: number,
  type: ofpGroupType,
  buckets: readonly ofpBucket[]
): ofpGroupEntry {
  return {
    $type: 'openflow_13.ofp_group_entry',
    desc: { $type: 'openflow_13.ofp_group_desc', type, groupId, buckets: buckets.slice() },
    stats: {
      $type: 'openflow_13.ofp_group_stats',
      groupId,
      refCount: 0,
      packetCount: '0',
      byteCount: '0',
      durationSec: 0,
      durationNsec: 0,
      bucketStats: buckets.map(() => ({
        $type: 'openflow_13.ofp_bucket_counter',
        packetCount: '0',
        byteCount: '0'
      }))
    }
  };
}

/** A bucket with the given actions (weight, watch_port and watch_group zero). */
export function bucket(actions: ofpBucket['actions'], weight = 0): ofpBucket {
  return { $type: 'openflow_13.ofp_bucket', weight, watchPort: 0, watchGroup: 0, actions: actions.slice() };
}

/** A group-mod message. */
export function groupMod(
  command: ofpGroupModCommand,
  groupId: number,
  type: ofpGroupType,
  buckets: readonly ofpBucket[] = []
): ofpGroupMod {
  return { $type: 'openflow_13.ofp_group_mod', command, type, groupId, buckets: buckets.slice() };
}

/**
 * The group table (id → entry, insertion order). `plan()` is pure; flows that reference deleted
 * groups are handled by {@link OpenFlowTables}, which owns both tables.
 */
export class GroupTable {
  private readonly byId = new Map<number, ofpGroupEntry>();

  public constructor(groups: Iterable<ofpGroupEntry> = []) {
    for (const g of groups) this.byId.set(groupIdOf(g), g);
  }

  public get size(): number {
    return this.byId.size;
  }

  public get(groupId: number): ofpGroupEntry | undefined {
    return this.byId.get(groupId);
  }

  public has(groupId: number): boolean {
    return this.byId.has(groupId);
  }

  public values(): IterableIterator<ofpGroupEntry> {
    return this.byId.values();
  }

  public ids(): IterableIterator<number> {
    return this.byId.keys();
  }

  public toArray(): ofpGroupEntry[] {
    return [...this.byId.values()];
  }

  public clone(): GroupTable {
    return new GroupTable(this.byId.values());
  }

  /**
   * OFPGC_ADD (exists → GroupExistsError), OFPGC_MODIFY (absent → UnknownGroupError with
   * OFPGMFC_UNKNOWN_GROUP; counters kept, bucket counters follow the new buckets), OFPGC_DELETE
   * (an id or OFPG_ALL; an absent id is not an error).
   */
  public plan(mod: ofpGroupMod): GroupTableDelta {
    validateGroupMod(mod);
    switch (mod.command) {
      case ofpGroupModCommand.OFPGC_ADD:
        if (this.byId.has(mod.groupId)) throw new GroupExistsError(mod.groupId);
        return { ...emptyGroupDelta(), added: [groupEntry(mod.groupId, mod.type, mod.buckets)] };
      case ofpGroupModCommand.OFPGC_MODIFY: {
        const before = this.byId.get(mod.groupId);
        if (before === undefined) {
          throw new UnknownGroupError(
            mod.groupId,
            ofpErrorType.OFPET_GROUP_MOD_FAILED,
            ofpGroupModFailedCode.OFPGMFC_UNKNOWN_GROUP
          );
        }
        const fresh = groupEntry(mod.groupId, mod.type, mod.buckets);
        const after: ofpGroupEntry =
          before.stats === undefined
            ? fresh
            : { ...fresh, stats: { ...before.stats, bucketStats: fresh.stats?.bucketStats ?? [] } };
        return { ...emptyGroupDelta(), replaced: [{ before, after }] };
      }
      default: {
        if (isAllGroups(mod.groupId)) return { ...emptyGroupDelta(), removed: this.toArray() };
        const g = this.byId.get(mod.groupId);
        return { ...emptyGroupDelta(), removed: g === undefined ? [] : [g] };
      }
    }
  }

  public commit(delta: GroupTableDelta): void {
    for (const g of delta.removed) this.byId.delete(groupIdOf(g));
    for (const { before, after } of delta.replaced) {
      if (groupIdOf(before) !== groupIdOf(after)) this.byId.delete(groupIdOf(before));
      this.byId.set(groupIdOf(after), after);
    }
    for (const g of delta.added) this.byId.set(groupIdOf(g), g);
  }
}
