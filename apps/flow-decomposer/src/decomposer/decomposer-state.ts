import type {
  DecompositionEngine,
  DecompositionError,
  EngineResult,
  TopologyChange,
  TopologyDevice
} from '@voltha/flow-decomposition';
import { groupIdOf, meterIdOfEntry, sameFlowContent } from '@voltha/openflow';
import type { GroupTableDelta, MeterTableDelta } from '@voltha/openflow';
import type {
  Device,
  FlowGroups,
  LogicalDevice,
  LogicalPort,
  Meters,
  ofpFlowStats,
  ofpGroupEntry,
  ofpMeterEntry,
  Port
} from '@voltha/proto';

import type { SourcedEvent } from '@voltha/kafka-events';
import { buildEngine, sameMessage, sortedGroups, withId } from './build';

/** What core-config holds for a device: its topology-relevant data and its device tables. */
export interface CachedDevice {
  readonly id: string;
  root: boolean;
  parentId: string;
  readonly ports: Map<number, Port>;
  /** The device flow table as written in core-config (flow id → flow). */
  readonly flows: Map<string, ofpFlowStats>;
  /** The device group table as written in core-config. */
  groups: Map<number, ofpGroupEntry>;
  /** Commit seq the tables above are known as of (a read, our last write, a newer event). */
  tablesSeq: number;
}

export interface FlowFailure {
  readonly logicalDeviceId: string;
  readonly flowId: string;
  readonly error: DecompositionError;
}

/** One write to core-config. */
export type WriteOp =
  | { readonly kind: 'add'; readonly deviceId: string; readonly flow: ofpFlowStats }
  | { readonly kind: 'update'; readonly deviceId: string; readonly flow: ofpFlowStats }
  | { readonly kind: 'remove'; readonly deviceId: string; readonly flowId: string }
  | { readonly kind: 'groups'; readonly deviceId: string; readonly groups: ofpGroupEntry[] };

/** What a batch of changes asks of the device tables, before it is compared with what they hold. */
export class PendingWrites {
  /** device id → device flow id → the flow the device should have (null: none). */
  public readonly flows = new Map<string, Map<string, ofpFlowStats | null>>();
  /** Devices whose group table may have to change. */
  public readonly groupDevices = new Set<string>();
  public readonly failed: FlowFailure[] = [];
  public readonly recovered: { logicalDeviceId: string; flowId: string }[] = [];
  /** Logical devices whose state could not be followed incrementally: reconcile them. */
  public readonly reconcile = new Set<string>();

  public want(deviceId: string, flowId: string, flow: ofpFlowStats | null): void {
    let m = this.flows.get(deviceId);
    if (m === undefined) this.flows.set(deviceId, (m = new Map()));
    m.set(flowId, flow);
  }
}

/** One logical device: its routing view and decomposition engine, and what it was built from. */
class LogicalDeviceState {
  /** Logical port id → port number (removals name the id). */
  public readonly portNumbers = new Map<string, number>();
  public groups = new Map<number, ofpGroupEntry>();
  public meters = new Map<number, ofpMeterEntry>();
  /** Flows currently failing, with the error reported for them. */
  public readonly failed = new Map<string, DecompositionError>();

  public constructor(
    public readonly id: string,
    public readonly rootDeviceId: string,
    public readonly engine: DecompositionEngine
  ) {}
}

const parts = (path: string): string[] => path.split('/').filter(Boolean);

function cachedDevice(d: Device, tablesSeq: number): CachedDevice {
  return {
    tablesSeq,
    id: d.id,
    root: d.root,
    parentId: d.parentId,
    ports: new Map(d.ports.map((p) => [p.portNo, p])),
    flows: new Map((d.flows?.items ?? []).map((f) => [f.id, f])),
    groups: new Map((d.flowGroups?.items ?? []).map((g) => [groupIdOf(g), g]))
  };
}

function topologyDevice(d: CachedDevice): TopologyDevice {
  return { id: d.id, root: d.root, ports: [...d.ports.values()] };
}

function sameGroupTables(
  a: ReadonlyMap<number, ofpGroupEntry>,
  b: ReadonlyMap<number, ofpGroupEntry>
): boolean {
  if (a.size !== b.size) return false;
  for (const [id, g] of a) {
    const o = b.get(id);
    if (o === undefined || (o !== g && !sameMessage(o, g))) return false;
  }
  return true;
}

function tableDelta<T extends ofpGroupEntry | ofpMeterEntry>(
  before: Map<number, T>,
  items: readonly T[],
  idOf: (x: T) => number
): { delta: { added: T[]; removed: T[]; replaced: { before: T; after: T }[] }; after: Map<number, T> } {
  const after = new Map(items.map((x) => [idOf(x), x]));
  const delta = { added: [] as T[], removed: [] as T[], replaced: [] as { before: T; after: T }[] };
  for (const [id, x] of before) if (!after.has(id)) delta.removed.push(x);
  for (const [id, x] of after) {
    const b = before.get(id);
    if (b === undefined) delta.added.push(x);
    else if (!sameMessage(b, x)) delta.replaced.push({ before: b, after: x });
  }
  return { delta, after };
}

/**
 * The decomposer's whole state, without I/O: every device (topology data and the device tables as
 * written in core-config), every logical device's engine, and the device group tables the engines
 * want. `apply` turns one change event into engine updates and records in a {@link PendingWrites}
 * which device flows/groups must change; `plan` compares that with what the devices hold and gives
 * the writes (none for flows already present, none for removals of absent flows); `commit` records
 * writes that core-config accepted. `load` rebuilds from a full read (reconcile).
 */
export class DecomposerState {
  public readonly devices = new Map<string, CachedDevice>();
  private readonly lds = new Map<string, LogicalDeviceState>();
  /** Device id → logical devices whose topology includes it. */
  private readonly deviceLds = new Map<string, Set<string>>();
  /** Device group tables the engines want (root devices), by device id. */
  private readonly desiredGroups = new Map<string, Map<number, ofpGroupEntry>>();
  /**
   * Newest commit seq applied per entity ('d:<device>' with its ports and tables, 'ld:<logical
   * device>' with its ports, flows, groups, meters), and the seq of the last full read: an event
   * older than those is already reflected (delivered again after a reconnect or a resync) and is
   * skipped, so replaying events changes nothing. Events of one commit share a seq: equal is applied.
   */
  private readonly seen = new Map<string, number>();
  private floor = 0;
  /** Events skipped as already reflected. */
  public staleEvents = 0;

  // ----------------------------------------------------------------------------------------------
  // Queries

  public get logicalDeviceIds(): string[] {
    return [...this.lds.keys()];
  }

  public hasLogicalDevice(id: string): boolean {
    return this.lds.has(id);
  }

  public get logicalFlowCount(): number {
    let n = 0;
    for (const ld of this.lds.values()) n += ld.engine.flowCount;
    return n;
  }

  public get failedFlowCount(): number {
    let n = 0;
    for (const ld of this.lds.values()) n += ld.failed.size;
    return n;
  }

  /** Device flows held by the devices of the logical devices. */
  public get deviceFlowCount(): number {
    let n = 0;
    for (const [id, d] of this.devices) if (this.deviceLds.has(id)) n += d.flows.size;
    return n;
  }

  public failedFlows(logicalDeviceId?: string): FlowFailure[] {
    const out: FlowFailure[] = [];
    for (const ld of this.lds.values()) {
      if (logicalDeviceId && ld.id !== logicalDeviceId) continue;
      for (const { flow, error } of ld.engine.failedFlows())
        out.push({ logicalDeviceId: ld.id, flowId: flow.id, error });
    }
    return out;
  }

  /** True while the flow fails with this error (reports are filtered with it at the end of a batch). */
  public isFailing(logicalDeviceId: string, flowId: string, error?: DecompositionError): boolean {
    const current = this.lds.get(logicalDeviceId)?.failed.get(flowId);
    return current !== undefined && (error === undefined || current.message === error.message);
  }

  /** The engine of a logical device (tests, dry runs). */
  public engineOf(id: string): DecompositionEngine | undefined {
    return this.lds.get(id)?.engine;
  }

  // ----------------------------------------------------------------------------------------------
  // Change events

  /** Applies one change; records the device table changes it implies in `out`. */
  public apply(c: SourcedEvent, out: PendingWrites): void {
    const p = parts(c.path);
    if (p.length < 2 || (p[0] !== 'logical_devices' && p[0] !== 'devices')) return;
    const entity = `${p[0] === 'devices' ? 'd' : 'ld'}:${p[1]}`;
    if (c.seq < Math.max(this.floor, this.seen.get(entity) ?? 0)) {
      this.staleEvents++;
      return;
    }
    this.seen.set(entity, c.seq);
    if (p[0] === 'logical_devices') this.applyLogical(c, p, out);
    else this.applyDevice(c, p, out);
  }

  private applyLogical(c: SourcedEvent, p: string[], out: PendingWrites): void {
    const ldId = p[1];
    if (p.length === 2) {
      if (c.type === 'remove') this.dropLogicalDevice(ldId, out);
      else if (c.type === 'add') this.addLogicalDevice(c.message as LogicalDevice, out);
      else {
        const ld = this.lds.get(ldId);
        const m = c.message as LogicalDevice;
        if (ld === undefined) this.addLogicalDevice(m, out);
        else if (m.rootDeviceId !== ld.rootDeviceId) out.reconcile.add(ldId);
      }
      return;
    }
    const ld = this.lds.get(ldId);
    if (ld === undefined) return;
    const what = p[2];
    if (what === 'ports' && p.length === 4) {
      if (c.type === 'remove') this.removeLogicalPort(ld, p[3], c.message as LogicalPort, out);
      else this.upsertLogicalPort(ld, c.message as LogicalPort, out);
    } else if (what === 'flows' && p[3] === 'items' && p.length === 5) {
      if (c.type === 'remove') this.merge(ld, ld.engine.removeFlows([p[4]]), out);
      else this.merge(ld, ld.engine.addFlows([withId(c.message as ofpFlowStats)]), out);
    } else if (what === 'flow_groups' && p.length === 3) {
      const { delta, after } = tableDelta(ld.groups, (c.message as FlowGroups).items ?? [], groupIdOf);
      ld.groups = after;
      this.merge(ld, ld.engine.applyGroupDelta(delta as GroupTableDelta), out);
    } else if (what === 'meters' && p.length === 3) {
      const { delta, after } = tableDelta(ld.meters, (c.message as Meters).items ?? [], meterIdOfEntry);
      ld.meters = after;
      this.merge(ld, ld.engine.applyMeterDelta(delta as MeterTableDelta), out);
    } else if (what === 'flows' && p.length === 3) {
      // The flow table replaced as a whole (not how core-config writes it): start again from a read.
      out.reconcile.add(ldId);
    }
  }

  private applyDevice(c: SourcedEvent, p: string[], out: PendingWrites): void {
    const id = p[1];
    if (p.length === 2) {
      const d = c.message as Device;
      const cached = this.devices.get(id);
      if (c.type === 'remove') {
        this.devices.delete(id);
        this.forTopologies(id, out, (t) => t.removeDevice(id));
      } else if (c.type === 'add' || cached === undefined) {
        const next = cachedDevice(d, c.seq);
        if (cached !== undefined && cached.tablesSeq > c.seq) {
          // What we wrote since is newer than the tables this event carries.
          next.flows.clear();
          for (const [k, f] of cached.flows) next.flows.set(k, f);
          next.groups = cached.groups;
          next.tablesSeq = cached.tablesSeq;
        }
        this.devices.set(id, next);
        this.forTopologies(id, out, (t) => t.upsertDevice(topologyDevice(next)));
      } else {
        const rootChanged = cached.root !== d.root;
        cached.root = d.root;
        cached.parentId = d.parentId;
        if (rootChanged) this.forTopologies(id, out, (t) => t.upsertDevice(topologyDevice(cached)));
      }
      return;
    }
    const cached = this.devices.get(id);
    if (cached === undefined) return;
    if (p[2] === 'ports' && p.length === 4) {
      const port = c.message as Port;
      const portNo = c.type === 'remove' ? Number(p[3]) : port.portNo;
      if (c.type === 'remove') cached.ports.delete(portNo);
      else cached.ports.set(portNo, port);
      this.forTopologies(id, out, (t) =>
        t.hasDevice(id)
          ? c.type === 'remove'
            ? t.removeDevicePort(id, portNo)
            : t.upsertDevicePort(id, port)
          : t.upsertDevice(topologyDevice(cached))
      );
    } else if (p[2] === 'flows' && p[3] === 'items' && p.length === 5) {
      // Someone else changed a device flow: remember what the device holds.
      if (c.seq < cached.tablesSeq) return;
      if (c.type === 'remove') cached.flows.delete(p[4]);
      else cached.flows.set((c.message as ofpFlowStats).id, c.message as ofpFlowStats);
    } else if (p[2] === 'flow_groups' && p.length === 3) {
      if (c.seq < cached.tablesSeq) return;
      cached.groups = new Map(((c.message as FlowGroups).items ?? []).map((g) => [groupIdOf(g), g]));
      if (this.desiredGroups.has(id)) out.groupDevices.add(id);
    }
  }

  /** Runs a topology update on every logical device that includes the device, and redoes the flows. */
  private forTopologies(
    deviceId: string,
    out: PendingWrites,
    update: (t: DecompositionEngine['topology']) => TopologyChange
  ): void {
    for (const ldId of this.deviceLds.get(deviceId) ?? []) {
      const ld = this.lds.get(ldId);
      if (ld !== undefined) this.merge(ld, ld.engine.updateTopology(update), out);
    }
  }

  private include(ld: LogicalDeviceState, deviceId: string, out: PendingWrites): void {
    let s = this.deviceLds.get(deviceId);
    if (s === undefined) this.deviceLds.set(deviceId, (s = new Set()));
    s.add(ld.id);
    const d = this.devices.get(deviceId);
    if (d !== undefined && !ld.engine.topology.hasDevice(deviceId)) {
      this.merge(
        ld,
        ld.engine.updateTopology((t) => t.upsertDevice(topologyDevice(d))),
        out
      );
    }
  }

  private upsertLogicalPort(ld: LogicalDeviceState, lp: LogicalPort, out: PendingWrites): void {
    const portNo = lp.ofpPort?.portNo ?? 0;
    const previous = ld.portNumbers.get(lp.id);
    if (previous !== undefined && previous !== portNo) {
      this.merge(
        ld,
        ld.engine.updateTopology((t) => t.removeLogicalPort(previous)),
        out
      );
    }
    ld.portNumbers.set(lp.id, portNo);
    if (lp.deviceId) this.include(ld, lp.deviceId, out);
    this.merge(
      ld,
      ld.engine.updateTopology((t) => t.addLogicalPort(lp)),
      out
    );
  }

  private removeLogicalPort(ld: LogicalDeviceState, id: string, lp: LogicalPort, out: PendingWrites): void {
    const portNo = ld.portNumbers.get(id) ?? lp.ofpPort?.portNo;
    ld.portNumbers.delete(id);
    if (portNo !== undefined)
      this.merge(
        ld,
        ld.engine.updateTopology((t) => t.removeLogicalPort(portNo)),
        out
      );
  }

  private addLogicalDevice(m: LogicalDevice, out: PendingWrites): void {
    if (this.lds.has(m.id)) this.dropLogicalDevice(m.id, out);
    const root = this.devices.get(m.rootDeviceId);
    const engine = buildEngine({
      rootDeviceId: m.rootDeviceId,
      logicalPorts: [],
      devices: root ? [topologyDevice(root)] : [],
      flows: [],
      groups: [],
      meters: []
    });
    const ld = new LogicalDeviceState(m.id, m.rootDeviceId, engine);
    this.lds.set(m.id, ld);
    this.include(ld, m.rootDeviceId, out);
    for (const lp of m.ports ?? []) this.upsertLogicalPort(ld, lp, out);
    const meters = m.meters?.items ?? [];
    if (meters.length > 0) {
      ld.meters = new Map(meters.map((x) => [meterIdOfEntry(x), x]));
      this.merge(ld, engine.applyMeterDelta({ added: meters, removed: [], replaced: [] }), out);
    }
    const groups = m.flowGroups?.items ?? [];
    if (groups.length > 0) {
      ld.groups = new Map(groups.map((x) => [groupIdOf(x), x]));
      this.merge(ld, engine.applyGroupDelta({ added: groups, removed: [], replaced: [] }), out);
    }
    const flows = m.flows?.items ?? [];
    if (flows.length > 0) this.merge(ld, engine.addFlows(flows.map(withId)), out);
  }

  /** Forgets a logical device; the device flows it produced are removed. */
  private dropLogicalDevice(id: string, out: PendingWrites): void {
    const ld = this.lds.get(id);
    if (ld === undefined) return;
    for (const [deviceId, s] of ld.engine.snapshot()) {
      for (const flowId of s.flows.keys()) out.want(deviceId, flowId, null);
      if (s.groups.size > 0) {
        this.desiredGroups.delete(deviceId);
        out.groupDevices.add(deviceId);
      }
    }
    this.lds.delete(id);
    for (const [deviceId, s] of this.deviceLds)
      if (s.delete(id) && s.size === 0) this.deviceLds.delete(deviceId);
  }

  /** Records an engine result: device flow/group changes and flow status changes. */
  private merge(ld: LogicalDeviceState, r: EngineResult, out: PendingWrites): void {
    for (const [deviceId, delta] of r.devices) {
      for (const f of delta.flows.remove) out.want(deviceId, f.id, null);
      for (const f of delta.flows.add) out.want(deviceId, f.id, f);
      const g = delta.groups;
      if (g.add.length + g.remove.length + g.update.length > 0) {
        let want = this.desiredGroups.get(deviceId);
        if (want === undefined) this.desiredGroups.set(deviceId, (want = new Map()));
        for (const x of g.remove) want.delete(groupIdOf(x));
        for (const x of [...g.add, ...g.update]) want.set(groupIdOf(x), x);
        out.groupDevices.add(deviceId);
      }
    }
    for (const { flowId, status } of r.statusChanges) {
      if (status === undefined) {
        ld.failed.delete(flowId);
      } else if (status.state === 'failed') {
        const before = ld.failed.get(flowId);
        ld.failed.set(flowId, status.error);
        if (before === undefined || before.message !== status.error.message) {
          out.failed.push({ logicalDeviceId: ld.id, flowId, error: status.error });
        }
      } else if (ld.failed.delete(flowId)) {
        out.recovered.push({ logicalDeviceId: ld.id, flowId });
      }
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Reconcile

  /**
   * Rebuilds from a full read: every logical device (or only `only`) gets a fresh engine with every
   * flow decomposed again, and `out` asks for exactly the device tables that result on the devices
   * the logical device owns (its OLT, the ONUs of its ports and the OLT's children): whatever they
   * hold beyond that is removed, whatever is missing or different is written. `seq`: the commit
   * the read is at least as new as (events up to it are then stale).
   */
  public load(
    logicalDevices: readonly LogicalDevice[],
    devices: readonly Device[],
    seq: number,
    only?: string
  ): PendingWrites {
    const out = new PendingWrites();
    const previous = new Map([...this.lds].map(([id, ld]) => [id, ld.failed]));
    if (only === undefined) {
      this.devices.clear();
      this.deviceLds.clear();
      this.desiredGroups.clear();
      this.lds.clear();
      this.seen.clear();
      this.floor = seq;
      for (const d of devices) this.devices.set(d.id, cachedDevice(d, seq));
    } else {
      if (this.lds.has(only)) this.dropLogicalDevice(only, out);
      const byId = new Map(devices.map((d) => [d.id, d]));
      const m = logicalDevices.find((l) => l.id === only);
      const owned = m ? this.ownedDevices(m, devices) : new Set<string>();
      for (const id of owned) {
        const d = byId.get(id);
        if (d) this.devices.set(id, cachedDevice(d, seq));
        else this.devices.delete(id);
        this.seen.set(`d:${id}`, Math.max(seq, this.seen.get(`d:${id}`) ?? 0));
      }
    }
    if (only !== undefined) this.seen.set(`ld:${only}`, Math.max(seq, this.seen.get(`ld:${only}`) ?? 0));
    for (const m of logicalDevices) {
      if (only !== undefined && m.id !== only) continue;
      const ld = this.buildLogicalDevice(m);
      const before = previous.get(m.id);
      for (const { flow, error } of ld.engine.failedFlows()) {
        ld.failed.set(flow.id, error);
        if (before?.get(flow.id)?.message !== error.message)
          out.failed.push({ logicalDeviceId: m.id, flowId: flow.id, error });
      }
      for (const flowId of before?.keys() ?? []) {
        if (!ld.failed.has(flowId) && ld.engine.status(flowId) !== undefined)
          out.recovered.push({ logicalDeviceId: m.id, flowId });
      }
      // A fresh engine has decomposed every flow: its tables are the full recompute (engine.reconcile()
      // gives the same), and later deltas are relative to them.
      const wanted = ld.engine.snapshot();
      for (const deviceId of this.ownedDevices(m, devices)) {
        const want = wanted.get(deviceId);
        const have = this.devices.get(deviceId);
        for (const id of have?.flows.keys() ?? []) if (!want?.flows.has(id)) out.want(deviceId, id, null);
        for (const [id, f] of want?.flows ?? []) out.want(deviceId, id, f);
        if (want !== undefined && want.groups.size > 0)
          this.desiredGroups.set(deviceId, new Map(want.groups));
        else this.desiredGroups.delete(deviceId);
        out.groupDevices.add(deviceId);
      }
    }
    return out;
  }

  private ownedDevices(m: LogicalDevice, devices: readonly Device[]): Set<string> {
    const owned = new Set<string>([m.rootDeviceId]);
    for (const lp of m.ports ?? []) if (lp.deviceId) owned.add(lp.deviceId);
    for (const d of devices) if (d.parentId && d.parentId === m.rootDeviceId) owned.add(d.id);
    return owned;
  }

  private buildLogicalDevice(m: LogicalDevice): LogicalDeviceState {
    const ids = new Set([m.rootDeviceId, ...(m.ports ?? []).map((p) => p.deviceId).filter(Boolean)]);
    const topoDevices: TopologyDevice[] = [];
    for (const id of ids) {
      const d = this.devices.get(id);
      if (d) topoDevices.push(topologyDevice(d));
    }
    const engine = buildEngine({
      rootDeviceId: m.rootDeviceId,
      logicalPorts: m.ports ?? [],
      devices: topoDevices,
      flows: m.flows?.items ?? [],
      groups: m.flowGroups?.items ?? [],
      meters: m.meters?.items ?? []
    });
    const ld = new LogicalDeviceState(m.id, m.rootDeviceId, engine);
    for (const lp of m.ports ?? []) ld.portNumbers.set(lp.id, lp.ofpPort?.portNo ?? 0);
    ld.groups = new Map((m.flowGroups?.items ?? []).map((g) => [groupIdOf(g), g]));
    ld.meters = new Map((m.meters?.items ?? []).map((x) => [meterIdOfEntry(x), x]));
    this.lds.set(m.id, ld);
    for (const id of ids) {
      let s = this.deviceLds.get(id);
      if (s === undefined) this.deviceLds.set(id, (s = new Set()));
      s.add(m.id);
    }
    return ld;
  }

  /** Forgets a logical device that no longer exists (reconcile of one id that is gone). */
  public forget(id: string): PendingWrites {
    const out = new PendingWrites();
    this.dropLogicalDevice(id, out);
    return out;
  }

  // ----------------------------------------------------------------------------------------------
  // Writes

  /** The writes that bring the devices from what they hold to what `pending` asks for. */
  public plan(pending: PendingWrites): WriteOp[] {
    const ops: WriteOp[] = [];
    for (const [deviceId, wanted] of pending.flows) {
      const d = this.devices.get(deviceId);
      if (d === undefined) continue; // the device is gone: nothing to write
      for (const [flowId, want] of wanted) {
        const have = d.flows.get(flowId);
        if (want === null) {
          if (have !== undefined) ops.push({ kind: 'remove', deviceId, flowId });
        } else if (have === undefined) {
          ops.push({ kind: 'add', deviceId, flow: want });
        } else if (have !== want && !sameFlowContent(have, want)) {
          ops.push({ kind: 'update', deviceId, flow: want });
        }
      }
    }
    for (const deviceId of pending.groupDevices) {
      const d = this.devices.get(deviceId);
      if (d === undefined) continue;
      const want = this.desiredGroups.get(deviceId) ?? new Map<number, ofpGroupEntry>();
      if (!sameGroupTables(d.groups, want))
        ops.push({ kind: 'groups', deviceId, groups: sortedGroups(want.values()) });
    }
    return ops;
  }

  /** Records writes core-config has committed (as commit `seq`). */
  public commit(ops: readonly WriteOp[], seq: number): void {
    for (const op of ops) {
      const d = this.devices.get(op.deviceId);
      if (d === undefined) continue;
      d.tablesSeq = Math.max(d.tablesSeq, seq);
      if (op.kind === 'remove') d.flows.delete(op.flowId);
      else if (op.kind === 'groups') d.groups = new Map(op.groups.map((g) => [groupIdOf(g), g]));
      else d.flows.set(op.flow.id, op.flow);
    }
  }

  /** Replaces what a device holds with a fresh read (after a failed write); undefined: it is gone. */
  public refreshDeviceTables(deviceId: string, d: Device | undefined): void {
    const cached = this.devices.get(deviceId);
    if (cached === undefined) return;
    if (d === undefined) {
      this.devices.delete(deviceId);
      return;
    }
    cached.flows.clear();
    for (const f of d.flows?.items ?? []) cached.flows.set(f.id, f);
    cached.groups = new Map((d.flowGroups?.items ?? []).map((g) => [groupIdOf(g), g]));
  }
}
