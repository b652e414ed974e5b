import type { ConfigRoot } from '@voltha/config-tree';
import { checkDeviceId, invalid } from '@voltha/device-lifecycle';
import { decomposeFlow, Topology } from '@voltha/flow-decomposition';
import { OpenFlowTables } from '@voltha/openflow';
import type { TablesDelta } from '@voltha/openflow';
import { Device, FlowGroups, LogicalDevice, Meters } from '@voltha/proto';
import type {
  FlowGroupTableUpdate,
  FlowTableUpdate,
  LogicalPort,
  MeterModUpdate,
  ofpFlowStats,
  ofpGroupEntry,
  ofpMeterEntry
} from '@voltha/proto';

import type { ChangeEvent } from '../events/event-hub';
import { writeOrigin } from '../events/event-hub';
import { orNotFound } from '../tree/not-found';
import { KeyedMutex } from './keyed-mutex';

/** Origin of the flow-table writes of this service (so it can tell its own events from others'). */
export const FLOW_TABLE_ORIGIN = 'core-config/flow-table';

const LD_PATH = /^\/logical_devices\/([^/]+)(\/.*)?$/;

/**
 * The logical flow and group tables behind UpdateLogicalDeviceFlowTable and
 * UpdateLogicalDeviceFlowGroupTable. Each logical device's tables are kept in memory (loaded from the
 * tree on first use) so that a flow-mod is planned in O(1) by OpenFlow identity; every flow the mod
 * adds or changes must decompose on the current topology (the same library the flow-decomposer uses)
 * before anything is committed; the resulting changes are written as keyed flow nodes, several in one
 * transaction. Flow-mods of one logical device are serialised; different ones run in parallel.
 * Device flows are not computed here: that is the flow-decomposer's job.
 */
export class FlowsService {
  private readonly tables = new Map<string, OpenFlowTables>();
  private readonly topologies = new Map<string, Topology>();
  private readonly mutex = new KeyedMutex();

  public constructor(private readonly root: ConfigRoot) {}

  public async updateFlowTable(request: FlowTableUpdate): Promise<void> {
    const id = checkDeviceId(request.id, 'logical device');
    if (!request.flowMod) throw invalid('UpdateLogicalDeviceFlowTable: flow_mod is required');
    const mod = request.flowMod;
    await this.mutex.run(id, async () => {
      const tables = await this.tablesOf(id);
      const delta = tables.planFlowMod(mod);
      const changed = [...delta.flows.added, ...delta.flows.replaced.map((r) => r.after)];
      if (changed.length > 0) {
        const topology = await this.topologyOf(id);
        for (const flow of changed) decomposeFlow(flow, topology, tables.groups, tables.meters);
      }
      await this.write(id, delta, tables);
      tables.commit(delta);
    });
  }

  public async updateGroupTable(request: FlowGroupTableUpdate): Promise<void> {
    const id = checkDeviceId(request.id, 'logical device');
    if (!request.groupMod) throw invalid('UpdateLogicalDeviceFlowGroupTable: group_mod is required');
    const mod = request.groupMod;
    await this.mutex.run(id, async () => {
      const tables = await this.tablesOf(id);
      const delta = tables.planGroupMod(mod);
      await this.write(id, delta, tables);
      tables.commit(delta);
    });
  }

  public async updateMeterTable(request: MeterModUpdate): Promise<void> {
    const id = checkDeviceId(request.id, 'logical device');
    if (!request.meterMod) throw invalid('UpdateLogicalDeviceMeterTable: meter_mod is required');
    const mod = request.meterMod;
    await this.mutex.run(id, async () => {
      const tables = await this.tablesOf(id);
      const delta = tables.planMeterMod(mod);
      await this.write(id, delta, tables);
      tables.commit(delta);
    });
  }

  /** Drops cached state that a change made elsewhere has made stale. */
  public onEvent(e: ChangeEvent): void {
    const m = LD_PATH.exec(e.path);
    if (m) {
      const [, ld, rest = ''] = m;
      if (rest === '' || rest.startsWith('/ports')) this.topologies.delete(ld);
      if (rest === '' && e.type === 'remove') this.tables.delete(ld);
      if (
        (rest.startsWith('/flows') || rest.startsWith('/flow_groups') || rest.startsWith('/meters')) &&
        e.origin !== FLOW_TABLE_ORIGIN
      ) {
        this.tables.delete(ld);
      }
      return;
    }
    if (e.path.startsWith('/devices/') && this.topologies.size > 0) {
      const rest = e.path.split('/').slice(3)[0];
      if (rest === undefined || rest === 'ports') this.topologies.clear();
    }
  }

  private async write(id: string, delta: TablesDelta, tables: OpenFlowTables): Promise<void> {
    const base = `/logical_devices/${id}`;
    const ops: Array<(txid?: string) => Promise<unknown>> = [];
    for (const f of delta.flows.removed)
      ops.push((txid) => this.root.remove(`${base}/flows/items/${f.id}`, { txid }));
    for (const r of delta.flows.replaced) {
      ops.push((txid) => this.root.update(`${base}/flows/items/${r.after.id}`, r.after, { txid }));
    }
    for (const f of delta.flows.added) ops.push((txid) => this.root.add(`${base}/flows/items`, f, { txid }));
    const groupsChanged =
      delta.groups.added.length + delta.groups.removed.length + delta.groups.replaced.length > 0;
    if (groupsChanged) {
      const groupId = (g: ofpGroupEntry): number => g.desc?.groupId ?? 0;
      const after = new Map([...tables.groups.values()].map((g) => [groupId(g), g]));
      for (const g of delta.groups.removed) after.delete(groupId(g));
      for (const g of [...delta.groups.added, ...delta.groups.replaced.map((r) => r.after)])
        after.set(groupId(g), g);
      const items = [...after.values()];
      ops.push((txid) =>
        this.root.update(`${base}/flow_groups`, FlowGroups.fromPartial({ items }), { txid })
      );
    }
    const metersChanged =
      delta.meters.added.length + delta.meters.removed.length + delta.meters.replaced.length > 0;
    if (metersChanged) {
      const meterId = (m: ofpMeterEntry): number => m.config?.meterId ?? 0;
      const after = new Map([...tables.meters.values()].map((m) => [meterId(m), m]));
      for (const m of delta.meters.removed) after.delete(meterId(m));
      for (const m of [...delta.meters.added, ...delta.meters.replaced.map((r) => r.after)])
        after.set(meterId(m), m);
      const items = [...after.values()];
      ops.push((txid) => this.root.update(`${base}/meters`, Meters.fromPartial({ items }), { txid }));
    }
    if (ops.length === 0) return;
    await writeOrigin.run(FLOW_TABLE_ORIGIN, async () => {
      if (ops.length === 1) {
        await ops[0]();
        return;
      }
      const tx = this.root.openTransaction();
      try {
        for (const op of ops) await op(tx.txid);
        await tx.commit();
      } catch (e) {
        if (tx.isOpen) tx.cancel();
        throw e;
      }
    });
  }

  private async tablesOf(id: string): Promise<OpenFlowTables> {
    const cached = this.tables.get(id);
    if (cached) return cached;
    const base = `/logical_devices/${id}`;
    await orNotFound(`logical device ${id}`, () => this.root.getNode<LogicalDevice>(base));
    const flows = await this.root.getList<ofpFlowStats>(`${base}/flows/items`);
    const groups = await this.root
      .getNode<FlowGroups>(`${base}/flow_groups`)
      .catch(() => FlowGroups.fromPartial({}));
    const meters = await this.root.getNode<Meters>(`${base}/meters`).catch(() => Meters.fromPartial({}));
    const tables = new OpenFlowTables({ flows, groups: groups.items, meters: meters.items });
    this.tables.set(id, tables);
    return tables;
  }

  private async topologyOf(id: string): Promise<Topology> {
    const cached = this.topologies.get(id);
    if (cached) return cached;
    const ld = await this.root.getNode<LogicalDevice>(`/logical_devices/${id}`);
    const ports = await this.root.getList<LogicalPort>(`/logical_devices/${id}/ports`);
    const deviceIds = new Set([ld.rootDeviceId, ...ports.map((p) => p.deviceId)].filter(Boolean));
    const devices: Device[] = [];
    for (const deviceId of deviceIds) {
      const d = await this.root.getNode<Device>(`/devices/${deviceId}`, { depth: 1 }).catch(() => undefined);
      if (d) devices.push(d);
    }
    const topology = Topology.build({ rootDeviceId: ld.rootDeviceId, logicalPorts: ports, devices });
    this.topologies.set(id, topology);
    return topology;
  }
}
