import {
  ofpActionType,
  ofpFlowModCommand,
  ofpFlowModFailedCode,
  ofpFlowModFlags,
  ofpFlowRemovedReason
} from '@voltha/proto';
import type { ofpFlowMod, ofpFlowStats, ofpInstruction } from '@voltha/proto';

import { OFPTT_ALL, isAnyGroup, isAnyPort, portEquals } from './constants';
import { FlowOverlapError, UnknownGroupError, UnknownMeterError, flowModFailed } from './errors';
import { flowStatsFromFlowMod, sameFlowContent, sameMatchAndInstructions } from './flow';
import { computeFlowId } from './flow-id';
import { allActionsOf, meterIdOf } from './instructions';
import { matchCovers, matchesEqual, matchesOverlap } from './match';
import { parseU64 } from './uint64';
import { validateFlowMod } from './validation';
import type { FlowModValidationOptions } from './validation';

/** What a mod did to a flow table. `replaced` keeps the entry's position in the table. */
export interface FlowTableDelta {
  readonly added: ofpFlowStats[];
  readonly removed: ofpFlowStats[];
  readonly replaced: { readonly before: ofpFlowStats; readonly after: ofpFlowStats }[];
  /** Why `removed` entries went away (for OFPT_FLOW_REMOVED when they carry OFPFF_SEND_FLOW_REM). */
  readonly removedReason?: ofpFlowRemovedReason;
}

export const emptyFlowDelta = (): FlowTableDelta => ({ added: [], removed: [], replaced: [] });

export function isEmptyFlowDelta(d: FlowTableDelta): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.replaced.length === 0;
}

/** Lookups a flow-mod needs from the group and meter tables. */
export interface FlowReferenceCheck {
  hasGroup(groupId: number): boolean;
  hasMeter(meterId: number): boolean;
}

export interface FlowTableOptions {
  validation?: FlowModValidationOptions;
}

/** Group ids referenced by GROUP actions of any APPLY/WRITE_ACTIONS instruction. */
export function referencedGroups(instructions: readonly ofpInstruction[]): number[] {
  const out: number[] = [];
  for (const a of allActionsOf(instructions)) {
    if (a.type === ofpActionType.OFPAT_GROUP && a.group !== undefined && !out.includes(a.group.groupId))
      out.push(a.group.groupId);
  }
  return out;
}

function hasOutputTo(flow: ofpFlowStats, port: number): boolean {
  return allActionsOf(flow.instructions).some(
    (a) => a.type === ofpActionType.OFPAT_OUTPUT && a.output !== undefined && portEquals(a.output.port, port)
  );
}

function hasGroupAction(flow: ofpFlowStats, groupId: number): boolean {
  return allActionsOf(flow.instructions).some(
    (a) =>
      a.type === ofpActionType.OFPAT_GROUP && a.group !== undefined && portEquals(a.group.groupId, groupId)
  );
}

function addToIndex<K>(index: Map<K, Set<string>>, key: K, id: string): void {
  let s = index.get(key);
  if (s === undefined) index.set(key, (s = new Set()));
  s.add(id);
}

function removeFromIndex<K>(index: Map<K, Set<string>>, key: K, id: string): void {
  const s = index.get(key);
  if (s === undefined) return;
  s.delete(id);
  if (s.size === 0) index.delete(key);
}

const tpKey = (tableId: number, priority: number): number => tableId * 0x10000 + priority;

/**
 * A flow table indexed by flow id (O(1) lookup) that keeps insertion order, with OpenFlow 1.3
 * flow-mod semantics. `plan()` is pure: it computes the delta of a mod against the current table
 * and throws a typed {@link OpenFlowError} when the mod is refused; `commit()` applies a delta.
 * A service can therefore plan, decompose/validate the delta, and commit only on success.
 */
export class FlowTable {
  private readonly byId = new Map<string, ofpFlowStats>();
  private readonly byTable = new Map<number, Set<string>>();
  private readonly byTablePriority = new Map<number, Set<string>>();
  private readonly byGroup = new Map<number, Set<string>>();
  private readonly byMeter = new Map<number, Set<string>>();

  public constructor(
    flows: Iterable<ofpFlowStats> = [],
    private readonly options: FlowTableOptions = {}
  ) {
    for (const f of flows) this.insert(f);
  }

  public get size(): number {
    return this.byId.size;
  }

  public get(id: string): ofpFlowStats | undefined {
    return this.byId.get(id);
  }

  public has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Entries in insertion order (a replaced entry keeps its position). */
  public values(): IterableIterator<ofpFlowStats> {
    return this.byId.values();
  }

  public toArray(): ofpFlowStats[] {
    return [...this.byId.values()];
  }

  /** Entries whose APPLY/WRITE actions contain GROUP groupId. */
  public flowsReferencingGroup(groupId: number): ofpFlowStats[] {
    return [...(this.byGroup.get(groupId) ?? [])].map((id) => this.byId.get(id) as ofpFlowStats);
  }

  /** Entries whose METER instruction uses meterId. */
  public flowsReferencingMeter(meterId: number): ofpFlowStats[] {
    return [...(this.byMeter.get(meterId) ?? [])].map((id) => this.byId.get(id) as ofpFlowStats);
  }

  public clone(): FlowTable {
    return new FlowTable(this.byId.values(), this.options);
  }

  /**
   * The delta a flow-mod would cause (the table is not modified). Throws InvalidModError for a
   * malformed mod, FlowOverlapError, UnknownGroupError or UnknownMeterError when refused.
   * `refs` (when given) checks that referenced groups and meters exist.
   */
  public plan(mod: ofpFlowMod, refs?: FlowReferenceCheck): FlowTableDelta {
    validateFlowMod(mod, this.options.validation);
    switch (mod.command) {
      case ofpFlowModCommand.OFPFC_ADD:
        this.checkReferences(mod.instructions, refs);
        return this.planAdd(mod);
      case ofpFlowModCommand.OFPFC_MODIFY:
      case ofpFlowModCommand.OFPFC_MODIFY_STRICT:
        this.checkReferences(mod.instructions, refs);
        return this.planModify(mod, mod.command === ofpFlowModCommand.OFPFC_MODIFY_STRICT);
      default:
        return this.planDelete(mod, mod.command === ofpFlowModCommand.OFPFC_DELETE_STRICT);
    }
  }

  /** Applies a delta produced by plan() (or any consistent delta) in place. */
  public commit(delta: FlowTableDelta): void {
    for (const f of delta.removed) this.remove(f.id);
    for (const { before, after } of delta.replaced) {
      if (before.id !== after.id) {
        this.remove(before.id);
        this.insert(after);
      } else {
        this.unindex(before);
        this.byId.set(after.id, after);
        this.index(after);
      }
    }
    for (const f of delta.added) this.insert(f);
  }

  /** plan() then commit(); returns the delta. */
  public apply(mod: ofpFlowMod, refs?: FlowReferenceCheck): FlowTableDelta {
    const delta = this.plan(mod, refs);
    this.commit(delta);
    return delta;
  }

  /** The delta removing every entry that references a group (OFPRR_GROUP_DELETE). */
  public planRemoveGroupReferences(groupIds: Iterable<number>): FlowTableDelta {
    const ids = new Set<string>();
    for (const g of groupIds) for (const id of this.byGroup.get(g) ?? []) ids.add(id);
    return {
      ...emptyFlowDelta(),
      removed: this.inTableOrder(ids),
      removedReason: ofpFlowRemovedReason.OFPRR_GROUP_DELETE
    };
  }

  /** The delta removing every entry that uses a meter (OFPRR_METER_DELETE). */
  public planRemoveMeterReferences(meterIds: Iterable<number>): FlowTableDelta {
    const ids = new Set<string>();
    for (const m of meterIds) for (const id of this.byMeter.get(m) ?? []) ids.add(id);
    return {
      ...emptyFlowDelta(),
      removed: this.inTableOrder(ids),
      removedReason: ofpFlowRemovedReason.OFPRR_METER_DELETE
    };
  }

  // ----------------------------------------------------------------------------------------------

  private inTableOrder(ids: Set<string>): ofpFlowStats[] {
    if (ids.size === 0) return [];
    if (ids.size * 8 < this.byId.size) {
      // few ids: sort them by table position lazily computed from a single pass over the keys
      const order = new Map<string, number>();
      let n = 0;
      for (const id of this.byId.keys()) {
        if (ids.has(id)) order.set(id, n);
        n++;
        if (order.size === ids.size) break;
      }
      return [...ids]
        .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
        .map((id) => this.byId.get(id) as ofpFlowStats);
    }
    const out: ofpFlowStats[] = [];
    for (const [id, f] of this.byId) if (ids.has(id)) out.push(f);
    return out;
  }

  private checkReferences(
    instructions: readonly ofpInstruction[],
    refs: FlowReferenceCheck | undefined
  ): void {
    if (refs === undefined) return;
    for (const g of referencedGroups(instructions)) if (!refs.hasGroup(g)) throw new UnknownGroupError(g);
    const m = meterIdOf(instructions);
    if (m !== undefined && !refs.hasMeter(m)) throw new UnknownMeterError(m);
  }

  private planAdd(mod: ofpFlowMod): FlowTableDelta {
    const entry = flowStatsFromFlowMod(mod);
    if ((mod.flags & ofpFlowModFlags.OFPFF_CHECK_OVERLAP) !== 0) {
      const overlapping: string[] = [];
      for (const id of this.byTablePriority.get(tpKey(mod.tableId, mod.priority)) ?? []) {
        const other = this.byId.get(id) as ofpFlowStats;
        if (matchesOverlap(other.match, entry.match)) overlapping.push(id);
      }
      if (overlapping.length > 0) {
        throw new FlowOverlapError(
          `flow overlaps ${overlapping.length} entr${overlapping.length === 1 ? 'y' : 'ies'} of table ${mod.tableId} at priority ${mod.priority} (OFPFF_CHECK_OVERLAP)`,
          overlapping
        );
      }
    }
    const existing = this.byId.get(entry.id);
    if (existing === undefined) return { ...emptyFlowDelta(), added: [entry] };
    if (
      existing.tableId !== entry.tableId ||
      existing.priority !== entry.priority ||
      !matchesEqual(existing.match, entry.match)
    ) {
      throw flowModFailed(
        ofpFlowModFailedCode.OFPFMFC_UNKNOWN,
        `flow id ${entry.id} collides with a different entry`
      );
    }
    if (sameFlowContent(existing, entry)) return emptyFlowDelta();
    const reset = (mod.flags & ofpFlowModFlags.OFPFF_RESET_COUNTS) !== 0;
    const after: ofpFlowStats = reset
      ? entry
      : { ...entry, packetCount: existing.packetCount, byteCount: existing.byteCount };
    return { ...emptyFlowDelta(), replaced: [{ before: existing, after }] };
  }

  private cookieFilter(mod: ofpFlowMod): (f: ofpFlowStats) => boolean {
    const mask = parseU64(mod.cookieMask);
    if (mask === 0n) return () => true;
    const want = parseU64(mod.cookie) & mask;
    return (f) => (parseU64(f.cookie) & mask) === want;
  }

  private planModify(mod: ofpFlowMod, strict: boolean): FlowTableDelta {
    const cookieOk = this.cookieFilter(mod);
    const targets: ofpFlowStats[] = [];
    if (strict) {
      const f = this.byId.get(computeFlowId(mod));
      if (f !== undefined && cookieOk(f)) targets.push(f);
    } else {
      for (const id of this.byTable.get(mod.tableId) ?? []) {
        const f = this.byId.get(id) as ofpFlowStats;
        if (cookieOk(f) && matchCovers(mod.match, f.match)) targets.push(f);
      }
    }
    const reset = (mod.flags & ofpFlowModFlags.OFPFF_RESET_COUNTS) !== 0;
    const replaced: FlowTableDelta['replaced'] = [];
    for (const before of targets) {
      const after: ofpFlowStats = { ...before, instructions: mod.instructions.slice() };
      if (reset) {
        after.packetCount = '0';
        after.byteCount = '0';
      } else if (sameMatchAndInstructions(before, after)) {
        continue;
      }
      replaced.push({ before, after });
    }
    return { ...emptyFlowDelta(), replaced };
  }

  private planDelete(mod: ofpFlowMod, strict: boolean): FlowTableDelta {
    const cookieOk = this.cookieFilter(mod);
    const portOk = isAnyPort(mod.outPort) ? () => true : (f: ofpFlowStats) => hasOutputTo(f, mod.outPort);
    const groupOk = isAnyGroup(mod.outGroup)
      ? () => true
      : (f: ofpFlowStats) => hasGroupAction(f, mod.outGroup);
    const keep = (f: ofpFlowStats): boolean => cookieOk(f) && portOk(f) && groupOk(f);
    const ids = new Set<string>();
    if (strict) {
      const tables = mod.tableId === OFPTT_ALL ? [...this.byTable.keys()] : [mod.tableId];
      for (const t of tables) {
        const f = this.byId.get(computeFlowId({ tableId: t, priority: mod.priority, match: mod.match }));
        if (f !== undefined && keep(f)) ids.add(f.id);
      }
    } else {
      const wildMatch = (mod.match?.oxmFields.length ?? 0) === 0;
      const scan = (candidateIds: Iterable<string>): void => {
        for (const id of candidateIds) {
          const f = this.byId.get(id) as ofpFlowStats;
          if (keep(f) && (wildMatch || matchCovers(mod.match, f.match))) ids.add(id);
        }
      };
      if (mod.tableId === OFPTT_ALL) scan(this.byId.keys());
      else scan(this.byTable.get(mod.tableId) ?? []);
    }
    return {
      ...emptyFlowDelta(),
      removed: this.inTableOrder(ids),
      removedReason: ofpFlowRemovedReason.OFPRR_DELETE
    };
  }

  private insert(f: ofpFlowStats): void {
    const old = this.byId.get(f.id);
    if (old !== undefined) this.unindex(old);
    this.byId.set(f.id, f);
    this.index(f);
  }

  private remove(id: string): void {
    const f = this.byId.get(id);
    if (f === undefined) return;
    this.unindex(f);
    this.byId.delete(id);
  }

  private index(f: ofpFlowStats): void {
    addToIndex(this.byTable, f.tableId, f.id);
    addToIndex(this.byTablePriority, tpKey(f.tableId, f.priority), f.id);
    for (const g of referencedGroups(f.instructions)) addToIndex(this.byGroup, g, f.id);
    const m = meterIdOf(f.instructions);
    if (m !== undefined) addToIndex(this.byMeter, m, f.id);
  }

  private unindex(f: ofpFlowStats): void {
    removeFromIndex(this.byTable, f.tableId, f.id);
    removeFromIndex(this.byTablePriority, tpKey(f.tableId, f.priority), f.id);
    for (const g of referencedGroups(f.instructions)) removeFromIndex(this.byGroup, g, f.id);
    const m = meterIdOf(f.instructions);
    if (m !== undefined) removeFromIndex(this.byMeter, m, f.id);
  }
}
