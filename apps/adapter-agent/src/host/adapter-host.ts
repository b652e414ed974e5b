import {
  DeviceChangeDispatcher,
  emptyFlows,
  emptyGroups,
  failedPrecondition,
  invalidArgument,
  notFound,
  OltLayout,
  SimulatedOltAdapter
} from '@voltha/adapters';
import type { AdapterCall, DeviceAdapter, DeviceChange, FlowTables, ResolvedAdapter } from '@voltha/adapters';
import type { EventSourceHandlers, SourcedEvent } from '@voltha/kafka-events';
import {
  Adapter,
  AdminState_AdminState as AdminState,
  Device,
  DeviceType,
  encodeMessage,
  Flows,
  HealthStatus,
  HealthStatus_HealthState as HealthState,
  OperStatus_OperStatus as OperStatus
} from '@voltha/proto';
import type {
  AlarmEvent,
  KpiEvent,
  LogicalDevice,
  PmConfigs,
  ProxyAddress,
  UnknownMessage
} from '@voltha/proto';

import { ConfigAdapterAgent, writerOf } from '../core/config-adapter-agent';
import type { AgentRouter } from '../core/config-adapter-agent';
import { isCoreCode } from '../core/config-client';
import type { CoreGateway } from '../core/core-gateway';
import { classifyPath, depth0 } from '../core/tree-index';
import type { TreeSnapshot } from '../core/tree-index';
import { mapLimit } from '../core/tx-context';
import type { TelemetrySink } from './telemetry';

/** Origin of the agent's own bookkeeping writes (registration, sync points). */
export const AGENT_ORIGIN = 'adapter-agent';

export interface HostLogger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export interface HostedAdapter {
  readonly id: string;
  readonly adapter: DeviceAdapter;
  readonly agent: ConfigAdapterAgent;
}

export interface AdapterHostOptions {
  readonly logger: HostLogger;
  readonly telemetry: TelemetrySink;
  /** Check that change events arrive without holes (seqs are consecutive on the Watch stream). */
  readonly checkGaps: boolean;
  /** Observes every adapter call made (metrics). */
  readonly onCall?: (adapterId: string, call: AdapterCall['call']) => void;
  /** Observes every failed change (metrics). */
  readonly onCallFailed?: (adapterId: string, change: DeviceChange['kind']) => void;
}

export interface HostCounters {
  events: number;
  resyncs: number;
  reconciled: number;
}

const equalMessages = (a: UnknownMessage, b: UnknownMessage): boolean =>
  Buffer.from(encodeMessage(a)).equals(Buffer.from(encodeMessage(b)));

const sameTables = (a: FlowTables, b: FlowTables): boolean =>
  equalMessages(a.flows, b.flows) && equalMessages(a.groups, b.groups);

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Hosts the device adapters and connects them to the core: registers them, follows the change events
 * of the tree (index + dispatcher: admin-state transitions, flow tables, PM configs, removals), reconciles
 * the devices already in the tree at start, routes proxied messages between the adapters, and serves
 * the calls of the agent's API (reboot, simulated ONU arrival/departure, received flows).
 */
export class AdapterHost implements AgentRouter, EventSourceHandlers {
  public readonly counters: HostCounters = { events: 0, resyncs: 0, reconciled: 0 };
  private readonly hosted = new Map<string, HostedAdapter>();
  private readonly types = new Map<string, DeviceType>();
  private readonly dispatcher: DeviceChangeDispatcher;
  private loaded = false;
  private needsResync = false;
  private stopping = false;
  /** Events up to this seq are in the loaded snapshot. */
  private floorSeq = 0;
  /** Highest seq applied. */
  private lastSeq = 0;
  private readyListeners: (() => void)[] = [];

  public constructor(
    private readonly gateway: CoreGateway,
    private readonly options: AdapterHostOptions
  ) {
    this.dispatcher = new DeviceChangeDispatcher({
      resolve: (device) => this.resolve(device),
      markActivating: (device) => this.markActivating(device),
      onCall: (deviceId, adapterId, call) => {
        if (call.call === 'none' || !adapterId) return;
        options.onCall?.(adapterId, call.call);
        options.logger.debug('adapter-call', { deviceId, adapter: adapterId, call: call.call });
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Adapters
  // ---------------------------------------------------------------------------------------------

  /** Hosts an adapter built over its own AdapterAgent (writes attributed to `adapterId`). */
  public host(adapterId: string, create: (agent: ConfigAdapterAgent) => DeviceAdapter): HostedAdapter {
    if (this.hosted.has(adapterId)) throw new Error(`adapter ${adapterId} is hosted twice`);
    const agent = new ConfigAdapterAgent(adapterId, this.gateway, this);
    const adapter = create(agent);
    const descriptor = adapter.adapterDescriptor();
    if (descriptor.id !== adapterId) {
      throw new Error(`adapter ${adapterId} describes itself as '${descriptor.id}'`);
    }
    const entry: HostedAdapter = { id: adapterId, adapter, agent };
    this.hosted.set(adapterId, entry);
    for (const type of adapter.deviceTypes().items) {
      this.types.set(type.id, DeviceType.fromPartial({ ...type, adapter: type.adapter || adapterId }));
    }
    return entry;
  }

  public get adapters(): HostedAdapter[] {
    return [...this.hosted.values()];
  }

  public async startAdapters(): Promise<void> {
    for (const { adapter } of this.hosted.values()) await adapter.start();
  }

  public descriptors(endpoint: string): Adapter[] {
    return this.adapters.map(({ adapter }) =>
      Adapter.fromPartial({ ...adapter.adapterDescriptor(), endpoint })
    );
  }

  public deviceTypes(): DeviceType[] {
    return [...this.types.values()].map((t) => DeviceType.fromPartial(t));
  }

  /**
   * Writes the adapters (with `endpoint`) under /adapters and their device types under /device_types:
   * added when absent, updated when different, left alone otherwise (idempotent across restarts).
   */
  public async register(endpoint: string): Promise<{ added: number; updated: number }> {
    const counts = { added: 0, updated: 0 };
    const put = async (container: string, id: string, message: UnknownMessage): Promise<void> => {
      const client = this.gateway.client;
      const existing = await client.find(`${container}/${id}`);
      if (existing && equalMessages(existing, message)) return;
      if (existing) {
        await client.update(`${container}/${id}`, message, { origin: AGENT_ORIGIN });
        counts.updated++;
      } else {
        await client.add(container, message, { origin: AGENT_ORIGIN });
        counts.added++;
      }
    };
    for (const descriptor of this.descriptors(endpoint)) await put('/adapters', descriptor.id, descriptor);
    for (const type of this.types.values()) await put('/device_types', type.id, type);
    return counts;
  }

  public async health(adapterId: string): Promise<HealthStatus> {
    const hosted = this.hosted.get(adapterId);
    if (!hosted) throw notFound(`adapter ${adapterId} is not hosted by this agent`);
    if (this.stopping) return HealthStatus.fromPartial({ state: HealthState.DYING });
    return hosted.adapter.health();
  }

  /** Stops the adapters after the calls in flight settled (bounded by `timeoutMs`). */
  public async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    await Promise.race([this.dispatcher.idle(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    for (const { id, adapter } of this.hosted.values()) {
      await adapter
        .stop()
        .catch((e: unknown) =>
          this.options.logger.warn('adapter-stop-failed', { adapter: id, error: errorText(e) })
        );
    }
  }

  public get pendingCalls(): number {
    return this.dispatcher.pending;
  }

  /** Resolves once the first state load (and the reconcile of the devices found) is done. */
  public whenLoaded(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    return new Promise((resolve) => this.readyListeners.push(resolve));
  }

  /** Calls for different devices run concurrently; resolves when every dispatched call has settled. */
  public idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  // ---------------------------------------------------------------------------------------------
  // Change events
  // ---------------------------------------------------------------------------------------------

  /**
   * (Re)reads the tree at one revision: at the first start, every device already there is reconciled;
   * later (events were lost), the differences with what the index held are dispatched as changes.
   */
  public async onResync(reason: string): Promise<number | undefined> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.resync(reason);
        this.needsResync = false;
        // The Watch source watches again from here: nothing committed after the read is missed.
        return this.floorSeq;
      } catch (error) {
        const retryInMs = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
        this.options.logger.warn('resync-failed', { reason, attempt, retryInMs, error: errorText(error) });
        this.needsResync = true;
        await new Promise((resolve) => setTimeout(resolve, retryInMs));
      }
    }
    return undefined;
  }

  private async resync(reason: string): Promise<void> {
    const snapshot = await this.loadSnapshot();
    this.counters.resyncs++;
    if (!this.loaded) {
      this.gateway.index.load(snapshot);
      this.floorSeq = this.lastSeq = snapshot.seq;
      this.gateway.indexAdvanced(snapshot.seq);
      this.options.logger.info('state-loaded', {
        reason,
        seq: snapshot.seq,
        devices: snapshot.devices.length,
        logicalDevices: snapshot.logicalDevices.length
      });
      await this.reconcileAll(snapshot);
      this.loaded = true;
      for (const listener of this.readyListeners.splice(0)) listener();
      return;
    }
    this.options.logger.warn('resync', { reason, seq: snapshot.seq });
    const index = this.gateway.index;
    const before = new Map(index.allDevices().map((d) => [d.id, d]));
    const beforeFlows = new Map([...before.keys()].map((id) => [id, index.flowTables(id)]));
    index.load(snapshot);
    this.floorSeq = this.lastSeq = snapshot.seq;
    this.gateway.indexAdvanced(snapshot.seq);
    for (const full of snapshot.devices) {
      const after = depth0(full);
      const prev = before.get(after.id);
      before.delete(after.id);
      if (!this.resolve(after)) continue;
      if (!prev) this.dispatch({ kind: 'added', device: after });
      else if (!equalMessages(prev, after)) this.dispatch({ kind: 'updated', before: prev, after });
      const tables = index.flowTables(after.id);
      const old = beforeFlows.get(after.id) ?? { flows: emptyFlows(), groups: emptyGroups() };
      if (!sameTables(old, tables))
        this.dispatch({ kind: 'flows', device: after, before: old, after: tables });
    }
    for (const gone of before.values()) {
      if (this.resolve(gone)) this.dispatch({ kind: 'removed', device: gone });
    }
  }

  public async onBatch(events: readonly SourcedEvent[]): Promise<void> {
    if (this.stopping) return;
    if (!this.loaded || this.needsResync) await this.onResync('state not loaded');
    const index = this.gateway.index;
    const pendingFlows = new Map<string, { before: FlowTables; origin: string }>();
    const flushFlows = (deviceId?: string): void => {
      for (const [id, pending] of pendingFlows) {
        if (deviceId !== undefined && id !== deviceId) continue;
        pendingFlows.delete(id);
        const device = index.device(id);
        if (!device || !this.resolve(device)) continue;
        this.dispatch({
          kind: 'flows',
          device,
          before: pending.before,
          after: index.flowTables(id),
          origin: writerOf(pending.origin) || undefined
        });
      }
    };
    for (const e of events) {
      if (e.seq <= this.floorSeq) continue;
      // On the Watch stream a commit's events are consecutive: older ones are repeats after a reconnect.
      if (this.options.checkGaps && e.seq < this.lastSeq) continue;
      if (this.options.checkGaps && e.seq > this.lastSeq + 1) {
        flushFlows();
        await this.onResync(`events ${this.lastSeq + 1}..${e.seq - 1} were not received`);
        if (e.seq <= this.floorSeq) continue;
      }
      this.lastSeq = Math.max(this.lastSeq, e.seq);
      this.counters.events++;
      const path = classifyPath(e.path);
      const origin = writerOf(e.origin) || undefined;
      switch (path.kind) {
        case 'flow':
        case 'flow-groups': {
          const pending = pendingFlows.get(path.deviceId);
          if (!pending)
            pendingFlows.set(path.deviceId, { before: index.flowTables(path.deviceId), origin: e.origin });
          else pending.origin = e.origin;
          index.apply(e.type, path, e.message);
          break;
        }
        case 'device': {
          flushFlows(path.deviceId);
          const r = index.apply(e.type, path, e.message);
          this.deviceEvent(e, r?.before, origin);
          break;
        }
        case 'pm-configs': {
          flushFlows(path.deviceId);
          const device = index.device(path.deviceId);
          if (e.type === 'update' && device && this.resolve(device)) {
            this.dispatch({ kind: 'pm-configs', device, pmConfigs: e.message as PmConfigs, origin });
          }
          break;
        }
        default:
          index.apply(e.type, path, e.message);
      }
    }
    flushFlows();
    this.gateway.indexAdvanced(this.lastSeq);
  }

  private deviceEvent(e: SourcedEvent, before: Device | undefined, origin: string | undefined): void {
    if (e.type === 'remove') {
      const device = before ?? depth0(e.message as Device);
      const resolved = this.resolve(device);
      if (!resolved) return;
      this.dispatch({ kind: 'removed', device, origin });
      if (origin === undefined || !this.hosted.has(origin)) {
        // Removed by the NBI: what pointed at it goes too (removals by the adapters already did that).
        const hosted = this.hosted.get(resolved.adapterId) as HostedAdapter;
        this.gateway.dropReferencesTo(device, hosted.agent.origin).catch((error: unknown) =>
          this.options.logger.warn('removed-device-cleanup-failed', {
            deviceId: device.id,
            error: errorText(error)
          })
        );
      }
      return;
    }
    const after = depth0(e.message as Device);
    if (!this.resolve(after)) return;
    if (!before) this.dispatch({ kind: 'added', device: after, origin });
    else this.dispatch({ kind: 'updated', before, after, origin });
  }

  private dispatch(change: DeviceChange): void {
    const device = change.kind === 'updated' ? change.after : change.device;
    this.dispatcher.dispatch(change).catch((error: unknown) => {
      const resolved = this.resolve(device);
      if (resolved) this.options.onCallFailed?.(resolved.adapterId, change.kind);
      this.options.logger.warn('adapter-call-failed', {
        deviceId: device.id,
        adapter: resolved?.adapterId,
        change: change.kind,
        error: errorText(error)
      });
    });
  }

  /** The tree at the current revision: a sync point (empty commit) gives the root hash and seq to read at. */
  private async loadSnapshot(): Promise<TreeSnapshot> {
    const client = this.gateway.client;
    for (let attempt = 0; ; attempt++) {
      const txid = await client.openTransaction();
      const head = await client.commitTransaction(txid, AGENT_ORIGIN);
      try {
        const [devices, logicalDevices, deviceTypes] = await Promise.all([
          client.getList<Device>('/devices', { depth: -1, hash: head.rootHash }),
          client.getList<LogicalDevice>('/logical_devices', { depth: 1, hash: head.rootHash }),
          client.getList<DeviceType>('/device_types', { hash: head.rootHash })
        ]);
        return { devices, logicalDevices, deviceTypes, seq: head.seq };
      } catch (error) {
        // The revision left the history meanwhile (very busy core): take a newer one.
        if (!isCoreCode(error, 'NOT_FOUND') || attempt >= 5) throw error;
      }
    }
  }

  /**
   * After a (re)start: `reconcileDevice` on every served device that an adapter had adopted (admin ENABLED
   * or DISABLED; PREPROVISIONED ones wait for their enable), roots first one after the other, then the
   * others; then the device flow tables they hold are pushed again (the adapters kept them in memory).
   */
  private async reconcileAll(snapshot: TreeSnapshot): Promise<void> {
    const mine = snapshot.devices.filter(
      (d) => this.resolve(d) && (d.adminState === AdminState.ENABLED || d.adminState === AdminState.DISABLED)
    );
    const reconcile = async (full: Device): Promise<void> => {
      const device = depth0(full);
      const resolved = this.resolve(device) as ResolvedAdapter;
      try {
        await resolved.adapter.reconcileDevice(device);
        this.counters.reconciled++;
      } catch (error) {
        this.options.logger.warn('reconcile-failed', { deviceId: device.id, error: errorText(error) });
        return;
      }
      const tables = this.gateway.index.flowTables(device.id);
      if (tables.flows.items.length > 0 || tables.groups.items.length > 0) {
        this.dispatch({
          kind: 'flows',
          device,
          before: { flows: emptyFlows(), groups: emptyGroups() },
          after: tables
        });
      }
    };
    for (const root of mine.filter((d) => d.root)) await reconcile(root);
    await mapLimit(
      mine.filter((d) => !d.root),
      16,
      reconcile
    );
    if (mine.length > 0) this.options.logger.info('devices-reconciled', { devices: mine.length });
  }

  private resolve(device: Device): ResolvedAdapter | undefined {
    const type = this.types.get(device.type);
    const adapterId = device.adapter || type?.adapter;
    const hosted = adapterId ? this.hosted.get(adapterId) : undefined;
    if (!hosted || !adapterId) return undefined;
    return { adapterId, adapter: hosted.adapter, ...(type ? { deviceType: type } : {}) };
  }

  /** 1.x DeviceAgent: oper ACTIVATING just before adopting a discovered device. */
  private async markActivating(device: Device): Promise<Device> {
    const resolved = this.resolve(device);
    const hosted = resolved && this.hosted.get(resolved.adapterId);
    if (!hosted) return device;
    await hosted.agent.updateDeviceState(device.id, { operStatus: OperStatus.ACTIVATING });
    return Device.fromPartial({ ...device, operStatus: OperStatus.ACTIVATING });
  }

  // ---------------------------------------------------------------------------------------------
  // Routing (AgentRouter)
  // ---------------------------------------------------------------------------------------------

  public async toParent(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    const parent = this.gateway.index.device(proxyAddress.deviceId);
    if (!parent) throw notFound(`proxied message: parent device ${proxyAddress.deviceId} not found`);
    const resolved = this.resolve(parent);
    if (!resolved) throw failedPrecondition(`proxied message: no adapter here for device ${parent.id}`);
    await resolved.adapter.sendProxiedMessage(proxyAddress, Uint8Array.from(msg));
  }

  public async toChild(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    const index = this.gateway.index;
    const childId = index.deviceIdByProxy(proxyAddress);
    const child = childId === undefined ? undefined : index.device(childId);
    if (!child)
      throw notFound(
        `proxied message: no device at proxy address of ${proxyAddress.deviceId}/${proxyAddress.channelId}`
      );
    const resolved = this.resolve(child);
    if (!resolved) throw failedPrecondition(`proxied message: no adapter here for device ${child.id}`);
    await resolved.adapter.receiveProxiedMessage(proxyAddress, Uint8Array.from(msg));
  }

  public async packetIn(
    adapterId: string,
    logicalDeviceId: string,
    logicalPortNo: number,
    packet: Uint8Array
  ): Promise<void> {
    this.options.telemetry.packetIn(adapterId, logicalDeviceId, logicalPortNo, packet);
  }

  public async kpis(adapterId: string, kpis: KpiEvent): Promise<void> {
    this.options.telemetry.kpis(adapterId, kpis);
  }

  public async alarm(adapterId: string, deviceId: string, alarm: AlarmEvent): Promise<void> {
    this.options.telemetry.alarm(adapterId, deviceId, alarm);
  }

  // ---------------------------------------------------------------------------------------------
  // API
  // ---------------------------------------------------------------------------------------------

  private async servedDevice(deviceId: string): Promise<{ device: Device; resolved: ResolvedAdapter }> {
    if (!deviceId) throw invalidArgument('device id is required');
    const device =
      this.gateway.index.device(deviceId) ?? (await this.gateway.client.find<Device>(`/devices/${deviceId}`));
    if (!device) throw notFound(`device ${deviceId} not found`);
    const resolved = this.resolve(device);
    if (!resolved)
      throw failedPrecondition(`device ${deviceId} (type ${device.type}) is not served by this agent`);
    return { device, resolved };
  }

  /** RebootDevice from the core: the device's adapter reboots it (in order with its other calls). */
  public async rebootDevice(deviceId: string): Promise<void> {
    const { device } = await this.servedDevice(deviceId);
    const current = await this.gateway.client.find<Device>(`/devices/${deviceId}`);
    await this.dispatcher.dispatch({ kind: 'reboot', device: current ?? device, origin: 'nbi' });
  }

  private async simulatedOlt(oltId: string): Promise<SimulatedOltAdapter> {
    const { resolved } = await this.servedDevice(oltId);
    if (!(resolved.adapter instanceof SimulatedOltAdapter)) {
      throw failedPrecondition(`device ${oltId} is not a simulated OLT (adapter ${resolved.adapterId})`);
    }
    return resolved.adapter;
  }

  private layoutOf(olt: SimulatedOltAdapter, oltId: string): OltLayout {
    const layout = olt.layoutOf(oltId);
    if (!layout) throw failedPrecondition(`OLT ${oltId} is not active`);
    return layout;
  }

  /** `count` (at least 1) ONUs arrive on a PON, or spread over every PON (pon port 0). */
  public async arriveOnus(oltId: string, ponPort: number, count: number): Promise<string[]> {
    const olt = await this.simulatedOlt(oltId);
    const n = Math.max(1, count);
    const perPon = new Map<number, number>();
    if (ponPort) perPon.set(ponPort, n);
    else {
      const pons = this.layoutOf(olt, oltId).ponPortNos;
      for (let i = 0; i < n; i++)
        perPon.set(pons[i % pons.length], (perPon.get(pons[i % pons.length]) ?? 0) + 1);
    }
    const ids: string[] = [];
    for (const [pon, k] of perPon) ids.push(...(await olt.arriveOnus(oltId, pon, k)).map((d) => d.id));
    return ids;
  }

  /**
   * ONUs leave: the given ids, else the last `count` (at least 1) ONUs of a PON, or of any PON (the
   * highest ONU ids first) when the PON port is 0.
   */
  public async departOnus(
    oltId: string,
    onuIds: readonly string[],
    ponPort: number,
    count: number
  ): Promise<string[]> {
    const olt = await this.simulatedOlt(oltId);
    const index = this.gateway.index;
    const byPon = new Map<number, number[]>();
    const add = (pon: number, onuId: number): void => {
      byPon.set(pon, [...(byPon.get(pon) ?? []), onuId]);
    };
    if (onuIds.length > 0) {
      for (const id of onuIds) {
        const onu = index.device(id);
        if (!onu || onu.parentId !== oltId || !onu.proxyAddress)
          throw notFound(`ONU ${id} is not a child of OLT ${oltId}`);
        add(onu.parentPortNo, onu.proxyAddress.onuId);
      }
    } else if (ponPort) {
      return olt.departOnus(oltId, { ponPortNo: ponPort, count: Math.max(1, count) });
    } else {
      const onus = index
        .childDevices(oltId)
        .filter((d) => d.proxyAddress && d.proxyAddress.onuId > 0)
        .sort(
          (a, b) =>
            (b.proxyAddress?.onuId ?? 0) - (a.proxyAddress?.onuId ?? 0) || b.parentPortNo - a.parentPortNo
        );
      const n = Math.max(1, count);
      if (onus.length < n) throw failedPrecondition(`OLT ${oltId} has ${onus.length} ONU(s); ${n} asked`);
      for (const onu of onus.slice(0, n)) add(onu.parentPortNo, onu.proxyAddress?.onuId ?? 0);
    }
    const removed: string[] = [];
    for (const [ponPortNo, ids] of byPon)
      removed.push(...(await olt.departOnus(oltId, { ponPortNo, onuIds: ids })));
    return removed;
  }

  /** The flow table the device's adapter last accepted for it (empty when it holds none). */
  public async receivedFlows(deviceId: string): Promise<Flows> {
    const { resolved } = await this.servedDevice(deviceId);
    const inspect = (
      resolved.adapter as Partial<{ flowTable(id: string): { flows: readonly unknown[] } | undefined }>
    ).flowTable;
    if (typeof inspect !== 'function') {
      throw failedPrecondition(`adapter ${resolved.adapterId} does not report the flows it holds`);
    }
    const table = inspect.call(resolved.adapter, deviceId) as { flows: Flows['items'] } | undefined;
    return Flows.fromPartial({ items: table ? [...table.flows] : [] });
  }
}
