import type { ofpFlowStats, ofpGroupEntry, ofpMeterEntry } from '@voltha/proto';
import { groupIdOf, meterIdOfEntry, sameFlowContent } from '@voltha/openflow';
import type { FlowTableDelta, GroupTableDelta, MeterTableDelta, TablesDelta } from '@voltha/openflow';

import { decomposeFlowDetailed } from './decompose';
import type { DecompositionCase, FlowDependencies } from './decompose';
import type { DecompositionError } from './errors';
import type { Topology, TopologyChange } from './topology';

/** Changes to push to one device. Apply `remove` before `add` (a changed flow appears in both). */
export interface DeviceDelta {
  readonly flows: { readonly add: ofpFlowStats[]; readonly remove: ofpFlowStats[] };
  readonly groups: {
    readonly add: ofpGroupEntry[];
    readonly remove: ofpGroupEntry[];
    readonly update: ofpGroupEntry[];
  };
}

export type FlowStatus =
  | { readonly state: 'decomposed'; readonly kind: DecompositionCase }
  | { readonly state: 'failed'; readonly error: DecompositionError };

export interface FlowStatusChange {
  readonly flowId: string;
  /** Undefined when the flow left the logical table. */
  readonly status: FlowStatus | undefined;
}

export interface EngineResult {
  readonly devices: Map<string, DeviceDelta>;
  /** Flows whose status changed (new flows included), in logical-table order. */
  readonly statusChanges: FlowStatusChange[];
}

/** Full per-device state: flows by device flow id, groups by group id. */
export interface DeviceState {
  readonly flows: Map<string, ofpFlowStats>;
  readonly groups: Map<number, ofpGroupEntry>;
}

interface FlowRecord {
  flow: ofpFlowStats;
  readonly seq: number;
  status: FlowStatus;
  devices: Map<string, ofpFlowStats[]>;
  deps: FlowDependencies;
}

interface Owner {
  readonly seq: number;
  readonly logicalId: string;
  readonly flow: ofpFlowStats;
}

const NO_DEPS: FlowDependencies = { ports: [], nnis: false, unis: false, groups: [], meters: [] };

function addTo<K>(index: Map<K, Set<string>>, key: K, id: string): void {
  let s = index.get(key);
  if (s === undefined) index.set(key, (s = new Set()));
  s.add(id);
}

function removeFrom<K>(index: Map<K, Set<string>>, key: K, id: string): void {
  const s = index.get(key);
  if (s !== undefined && s.delete(id) && s.size === 0) index.delete(key);
}

function sameStatus(a: FlowStatus | undefined, b: FlowStatus | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.state === 'decomposed' && b.state === 'decomposed') return a.kind === b.kind;
  if (a.state === 'failed' && b.state === 'failed') return a.error.message === b.error.message;
  return false;
}

/** Collects the net effect of one engine operation. */
class Transaction {
  /** device → device flow id → winner before the operation (null: none). */
  public readonly touchedFlows = new Map<string, Map<string, ofpFlowStats | null>>();
  public readonly touchedGroups = new Map<string, Map<number, ofpGroupEntry | null>>();
  public readonly statusBefore = new Map<string, FlowStatus | undefined>();
}

/**
 * Incremental decomposition (VOLTHA 2.x model): holds the decomposition of every logical flow and
 * the resulting device tables. Each logical flow/group/meter delta or topology change is turned
 * into per-device deltas by redoing only the affected flows: O(1) per flow-mod in the size of the
 * flow table. Device flows with the same id from several logical flows are reference-counted and
 * the earliest logical flow wins (as a full recompute in table order would decide).
 *
 * Flows that cannot be decomposed stay in the engine with status `failed` and are retried when
 * a port, group or meter they depend on changes; they are never dropped silently.
 * `reconcile()` recomputes everything from scratch and equals `snapshot()`.
 */
export class DecompositionEngine {
  private readonly records = new Map<string, FlowRecord>();
  private seq = 0;
  private readonly groups = new Map<number, ofpGroupEntry>();
  private readonly meters = new Map<number, ofpMeterEntry>();
  private readonly deviceTables = new Map<string, Map<string, Owner[]>>();
  private readonly deviceGroups = new Map<string, Map<number, ofpGroupEntry>>();
  private readonly byPort = new Map<number, Set<string>>();
  private readonly byGroup = new Map<number, Set<string>>();
  private readonly byMeter = new Map<number, Set<string>>();
  private readonly nniDependents = new Set<string>();
  private readonly uniDependents = new Set<string>();

  public constructor(public readonly topology: Topology) {}

  // ----------------------------------------------------------------------------------------------
  // Queries
  // ----------------------------------------------------------------------------------------------

  public get flowCount(): number {
    return this.records.size;
  }

  public status(flowId: string): FlowStatus | undefined {
    return this.records.get(flowId)?.status;
  }

  /** The per-device flows of one logical flow (empty when it failed). */
  public deviceFlowsOf(flowId: string): ReadonlyMap<string, readonly ofpFlowStats[]> {
    return this.records.get(flowId)?.devices ?? new Map();
  }

  /** Logical flows that could not be decomposed, with their errors, in table order. */
  public failedFlows(): { flow: ofpFlowStats; error: DecompositionError }[] {
    const out: { flow: ofpFlowStats; error: DecompositionError }[] = [];
    for (const r of this.records.values())
      if (r.status.state === 'failed') out.push({ flow: r.flow, error: r.status.error });
    return out;
  }

  /** The current device tables as maintained incrementally. */
  public snapshot(): Map<string, DeviceState> {
    const out = new Map<string, DeviceState>();
    const state = (d: string): DeviceState => {
      let s = out.get(d);
      if (s === undefined) out.set(d, (s = { flows: new Map(), groups: new Map() }));
      return s;
    };
    for (const [d, table] of this.deviceTables)
      for (const [id, owners] of table) state(d).flows.set(id, owners[0].flow);
    for (const [d, gs] of this.deviceGroups) for (const [id, g] of gs) state(d).groups.set(id, g);
    return out;
  }

  /**
   * Recomputes every device table from scratch (the 1.x model: every logical flow decomposed in
   * table order, first device flow id wins; every logical group mirrored to the OLT). Pure: the
   * engine state is not changed.
   */
  public reconcile(): Map<string, DeviceState> {
    const out = new Map<string, DeviceState>();
    const state = (d: string): DeviceState => {
      let s = out.get(d);
      if (s === undefined) out.set(d, (s = { flows: new Map(), groups: new Map() }));
      return s;
    };
    for (const r of this.records.values()) {
      const o = decomposeFlowDetailed(r.flow, this.topology, this.groups, this.meters);
      if (!o.ok) continue;
      for (const [d, flows] of o.devices) {
        const s = state(d);
        for (const f of flows) if (!s.flows.has(f.id)) s.flows.set(f.id, f);
      }
    }
    if (this.topology.hasDevice(this.topology.rootDeviceId) || this.groups.size > 0) {
      for (const [id, g] of this.groups) state(this.topology.rootDeviceId).groups.set(id, g);
    }
    return out;
  }

  // ----------------------------------------------------------------------------------------------
  // Updates
  // ----------------------------------------------------------------------------------------------

  /** Applies everything one openflow mod changed: removed flows, then groups, meters, new flows. */
  public applyTablesDelta(delta: TablesDelta): EngineResult {
    const tx = new Transaction();
    for (const f of delta.flows.removed) this.removeFlow(tx, f.id);
    this.groupDelta(tx, delta.groups);
    this.meterDelta(tx, delta.meters);
    this.flowAddsAndReplaces(tx, delta.flows);
    return this.finish(tx);
  }

  public applyFlowDelta(delta: FlowTableDelta): EngineResult {
    const tx = new Transaction();
    for (const f of delta.removed) this.removeFlow(tx, f.id);
    this.flowAddsAndReplaces(tx, delta);
    return this.finish(tx);
  }

  public applyGroupDelta(delta: GroupTableDelta): EngineResult {
    const tx = new Transaction();
    this.groupDelta(tx, delta);
    return this.finish(tx);
  }

  public applyMeterDelta(delta: MeterTableDelta): EngineResult {
    const tx = new Transaction();
    this.meterDelta(tx, delta);
    return this.finish(tx);
  }

  /** Adds (or replaces, by id) logical flows. */
  public addFlows(flows: Iterable<ofpFlowStats>): EngineResult {
    return this.applyFlowDelta({ added: [...flows], removed: [], replaced: [] });
  }

  public removeFlows(flowIds: Iterable<string>): EngineResult {
    const tx = new Transaction();
    for (const id of flowIds) this.removeFlow(tx, id);
    return this.finish(tx);
  }

  /** Redoes the flows that depend on what a topology update changed (call after mutating `topology`). */
  public applyTopologyChange(change: TopologyChange): EngineResult {
    const tx = new Transaction();
    const ids = new Set<string>();
    for (const p of change.ports) for (const id of this.byPort.get(p) ?? []) ids.add(id);
    if (change.nnisChanged) for (const id of this.nniDependents) ids.add(id);
    if (change.unisChanged) for (const id of this.uniDependents) ids.add(id);
    this.redo(tx, ids);
    if (this.groups.size > 0) this.syncRootGroups(tx);
    return this.finish(tx);
  }

  /** Mutates the topology through `update` and redoes the affected flows. */
  public updateTopology(update: (topology: Topology) => TopologyChange): EngineResult {
    return this.applyTopologyChange(update(this.topology));
  }

  // ----------------------------------------------------------------------------------------------

  private flowAddsAndReplaces(tx: Transaction, delta: FlowTableDelta): void {
    for (const { before, after } of delta.replaced) {
      if (before.id !== after.id) {
        this.removeFlow(tx, before.id);
        this.upsertFlow(tx, after);
      } else {
        this.upsertFlow(tx, after);
      }
    }
    for (const f of delta.added) this.upsertFlow(tx, f);
  }

  private groupDelta(tx: Transaction, delta: GroupTableDelta): void {
    const changed = new Set<number>();
    for (const g of delta.removed) {
      this.groups.delete(groupIdOf(g));
      changed.add(groupIdOf(g));
    }
    for (const { before, after } of delta.replaced) {
      this.groups.delete(groupIdOf(before));
      this.groups.set(groupIdOf(after), after);
      if (groupIdOf(before) !== groupIdOf(after)) changed.add(groupIdOf(before)).add(groupIdOf(after));
    }
    for (const g of delta.added) {
      this.groups.set(groupIdOf(g), g);
      changed.add(groupIdOf(g));
    }
    const ids = new Set<string>();
    for (const g of changed) for (const id of this.byGroup.get(g) ?? []) ids.add(id);
    this.redo(tx, ids);
    this.syncRootGroups(tx);
  }

  private meterDelta(tx: Transaction, delta: MeterTableDelta): void {
    const changed = new Set<number>();
    for (const m of delta.removed) {
      this.meters.delete(meterIdOfEntry(m));
      changed.add(meterIdOfEntry(m));
    }
    for (const { before, after } of delta.replaced) {
      this.meters.delete(meterIdOfEntry(before));
      this.meters.set(meterIdOfEntry(after), after);
    }
    for (const m of delta.added) {
      this.meters.set(meterIdOfEntry(m), m);
      changed.add(meterIdOfEntry(m));
    }
    const ids = new Set<string>();
    for (const m of changed) for (const id of this.byMeter.get(m) ?? []) ids.add(id);
    this.redo(tx, ids);
  }

  /** Mirrors the logical group table onto the OLT (2.x sends groups as they are to the root device). */
  private syncRootGroups(tx: Transaction): void {
    const root = this.topology.rootDeviceId;
    let current = this.deviceGroups.get(root);
    if (current === undefined) this.deviceGroups.set(root, (current = new Map()));
    let touched = tx.touchedGroups.get(root);
    if (touched === undefined) tx.touchedGroups.set(root, (touched = new Map()));
    for (const [id, g] of current) {
      if (this.groups.get(id) === g) continue;
      if (!touched.has(id)) touched.set(id, g);
      current.delete(id);
    }
    for (const [id, g] of this.groups) {
      if (current.get(id) === g) continue;
      if (!touched.has(id)) touched.set(id, current.get(id) ?? null);
      current.set(id, g);
    }
    if (current.size === 0) this.deviceGroups.delete(root);
  }

  private redo(tx: Transaction, ids: Set<string>): void {
    if (ids.size === 0) return;
    const records = [...ids]
      .map((id) => this.records.get(id))
      .filter((r): r is FlowRecord => r !== undefined);
    records.sort((a, b) => a.seq - b.seq);
    for (const r of records) this.evaluate(tx, r, r.flow);
  }

  private upsertFlow(tx: Transaction, flow: ofpFlowStats): void {
    const existing = this.records.get(flow.id);
    if (existing !== undefined) {
      this.evaluate(tx, existing, flow);
      return;
    }
    const record: FlowRecord = {
      flow,
      seq: this.seq++,
      status: undefined as unknown as FlowStatus,
      devices: new Map(),
      deps: NO_DEPS
    };
    if (!tx.statusBefore.has(flow.id)) tx.statusBefore.set(flow.id, undefined);
    this.records.set(flow.id, record);
    this.evaluate(tx, record, flow);
  }

  private removeFlow(tx: Transaction, flowId: string): void {
    const r = this.records.get(flowId);
    if (r === undefined) return;
    if (!tx.statusBefore.has(flowId)) tx.statusBefore.set(flowId, r.status);
    this.withdraw(tx, r);
    this.unindexDeps(r);
    this.records.delete(flowId);
  }

  private evaluate(tx: Transaction, r: FlowRecord, flow: ofpFlowStats): void {
    if (!tx.statusBefore.has(flow.id)) tx.statusBefore.set(flow.id, r.status);
    const o = decomposeFlowDetailed(flow, this.topology, this.groups, this.meters);
    this.withdraw(tx, r);
    this.unindexDeps(r);
    r.flow = flow;
    r.deps = o.deps;
    this.indexDeps(r);
    if (o.ok) {
      r.status =
        r.status?.state === 'decomposed' && r.status.kind === o.kind
          ? r.status
          : { state: 'decomposed', kind: o.kind };
      r.devices = o.devices;
      for (const [d, flows] of o.devices)
        for (const f of flows) this.own(tx, d, { seq: r.seq, logicalId: flow.id, flow: f });
    } else {
      r.status = { state: 'failed', error: o.error };
      r.devices = new Map();
    }
  }

  private withdraw(tx: Transaction, r: FlowRecord): void {
    for (const [d, flows] of r.devices) for (const f of flows) this.disown(tx, d, f.id, r.flow.id);
  }

  private touchFlow(tx: Transaction, deviceId: string, id: string, owners: Owner[] | undefined): void {
    let t = tx.touchedFlows.get(deviceId);
    if (t === undefined) tx.touchedFlows.set(deviceId, (t = new Map()));
    if (!t.has(id)) t.set(id, owners === undefined || owners.length === 0 ? null : owners[0].flow);
  }

  private own(tx: Transaction, deviceId: string, owner: Owner): void {
    let table = this.deviceTables.get(deviceId);
    if (table === undefined) this.deviceTables.set(deviceId, (table = new Map()));
    const owners = table.get(owner.flow.id);
    this.touchFlow(tx, deviceId, owner.flow.id, owners);
    if (owners === undefined) {
      table.set(owner.flow.id, [owner]);
      return;
    }
    let i = owners.length;
    while (i > 0 && owners[i - 1].seq > owner.seq) i--;
    owners.splice(i, 0, owner);
  }

  private disown(tx: Transaction, deviceId: string, id: string, logicalId: string): void {
    const table = this.deviceTables.get(deviceId);
    const owners = table?.get(id);
    if (table === undefined || owners === undefined) return;
    this.touchFlow(tx, deviceId, id, owners);
    const i = owners.findIndex((o) => o.logicalId === logicalId);
    if (i >= 0) owners.splice(i, 1);
    if (owners.length === 0) {
      table.delete(id);
      if (table.size === 0) this.deviceTables.delete(deviceId);
    }
  }

  private indexDeps(r: FlowRecord): void {
    const id = r.flow.id;
    for (const p of r.deps.ports) addTo(this.byPort, p, id);
    for (const g of r.deps.groups) addTo(this.byGroup, g, id);
    for (const m of r.deps.meters) addTo(this.byMeter, m, id);
    if (r.deps.nnis) this.nniDependents.add(id);
    if (r.deps.unis) this.uniDependents.add(id);
  }

  private unindexDeps(r: FlowRecord): void {
    const id = r.flow.id;
    for (const p of r.deps.ports) removeFrom(this.byPort, p, id);
    for (const g of r.deps.groups) removeFrom(this.byGroup, g, id);
    for (const m of r.deps.meters) removeFrom(this.byMeter, m, id);
    this.nniDependents.delete(id);
    this.uniDependents.delete(id);
  }

  private finish(tx: Transaction): EngineResult {
    const devices = new Map<string, DeviceDelta>();
    const delta = (d: string): DeviceDelta => {
      let x = devices.get(d);
      if (x === undefined)
        devices.set(d, (x = { flows: { add: [], remove: [] }, groups: { add: [], remove: [], update: [] } }));
      return x;
    };
    for (const [d, ids] of tx.touchedFlows) {
      const table = this.deviceTables.get(d);
      for (const [id, before] of ids) {
        const after = table?.get(id)?.[0].flow ?? null;
        if (before === after) continue;
        if (before !== null && after !== null && sameFlowContent(before, after)) continue;
        if (before !== null) delta(d).flows.remove.push(before);
        if (after !== null) delta(d).flows.add.push(after);
      }
    }
    for (const [d, ids] of tx.touchedGroups) {
      const gs = this.deviceGroups.get(d);
      for (const [id, before] of ids) {
        const after = gs?.get(id) ?? null;
        if (before === after) continue;
        if (before === null && after !== null) delta(d).groups.add.push(after);
        else if (before !== null && after === null) delta(d).groups.remove.push(before);
        else if (after !== null) delta(d).groups.update.push(after);
      }
    }
    const statusChanges: FlowStatusChange[] = [];
    for (const [flowId, before] of tx.statusBefore) {
      const after = this.records.get(flowId)?.status;
      if (!sameStatus(before, after) || (before === undefined && after !== undefined))
        statusChanges.push({ flowId, status: after });
    }
    return { devices, statusChanges };
  }
}
