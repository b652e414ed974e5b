import {
  Adapter,
  AdminState_AdminState as AdminState,
  ConnectStatus_ConnectStatus as ConnectStatus,
  Device,
  DeviceTypes,
  HealthStatus,
  HealthStatus_HealthState as HealthState,
  LogicalDevice,
  LogicalPort,
  LogLevel_LogLevel as LogLevel,
  ofpCapabilities,
  OperStatus_OperStatus as OperStatus,
  Port,
  Port_PortType as PortType,
  ProxyAddress
} from '@voltha/proto';
import type { FlowChanges, FlowGroupChanges, FlowGroups, Flows, PmConfigs } from '@voltha/proto';

import type { DeviceAdapter } from '../adapter';
import { type AdapterAgent, agentOp, type AgentOperation, type ChildDeviceRequest } from '../adapter-agent';
import {
  AdapterError,
  failedPrecondition,
  invalidArgument,
  isAdapterError,
  notFound,
  unimplemented,
  unlessNotFound
} from '../errors';
import { SerialQueue, TaskGroup } from '../scheduler';
import { DeviceFlowTable, type DeviceFlowSnapshot } from './device-flow-table';
import { onuSerialNumber, OltLayout } from './olt-layout';
import {
  randomHex,
  resolveSimulatedOptions,
  type ResolvedSimulatedOptions,
  type SimulatedAdapterOptions
} from './simulated-options';
import {
  SIMULATED_OLT_ADAPTER,
  SIMULATED_ONU_DEVICE_TYPE,
  SIMULATED_VENDOR,
  SIMULATED_VERSION,
  simulatedOfpPort
} from './simulated-common';
import { initialPmConfigs, kpiIntervalOf, kpiSlice, PortCounters, simulatedAlarm } from './simulated-pm';

type OltState = 'activating' | 'active' | 'disabled';

interface PendingPreprovisioned {
  readonly device: Device;
}

class OltHandler {
  public state: OltState = 'activating';
  public tasks: TaskGroup;
  /** KPI and alarm loops, restarted when the PM configuration changes. */
  public periodic: TaskGroup;
  public readonly queue = new SerialQueue();
  public logicalDeviceId = '';
  /** channel id -> child device id, for every slot taken by a child. */
  public readonly slots = new Map<number, string>();
  /** channel id -> pre-provisioned child waiting for its ONU to be discovered. */
  public readonly preprovisioned = new Map<number, PendingPreprovisioned>();
  public discoveryComplete = false;
  public rebooting = false;
  public pm: PmConfigs | undefined;
  public readonly counters: PortCounters;
  public readonly flows: DeviceFlowTable;
  public readonly packetsOut: { logicalDeviceId: string; egressPortNo: number; packet: Uint8Array }[] = [];

  public constructor(
    public readonly deviceId: string,
    public readonly layout: OltLayout,
    private readonly options: ResolvedSimulatedOptions
  ) {
    this.tasks = this.newTasks('activation');
    this.periodic = this.newTasks('periodic');
    this.counters = new PortCounters(options.random);
    const ports = new Set(layout.portNos);
    const nni = new Set([layout.nniPortNo]);
    this.flows = new DeviceFlowTable(
      deviceId,
      () => ports,
      () => nni
    );
  }

  public newTasks(task: string): TaskGroup {
    return new TaskGroup(this.options.scheduler, (error) =>
      this.options.onError(error, { deviceId: this.deviceId, task })
    );
  }

  /** Stops everything running and gives the handler fresh task groups. */
  public cancelAll(): TaskGroup {
    this.tasks.cancel();
    this.periodic.cancel();
    this.tasks = this.newTasks('activation');
    this.periodic = this.newTasks('periodic');
    return this.tasks;
  }

  /** Runs `step` in the handler's queue, unless `tasks` was cancelled meanwhile. */
  public step<T>(tasks: TaskGroup, step: () => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      tasks.check();
      return step();
    });
  }

  public get batchDelayMs(): number {
    return this.layout.args.discoveryBatchDelayMs ?? this.options.timings.discoveryBatchDelayMs;
  }
}

/** What `arriveOnus` and `departOnus` select. */
export interface OnuDepartureRequest {
  readonly ponPortNo: number;
  /** ONU ids to remove; without them, the `count` highest present ids (default 1). */
  readonly onuIds?: readonly number[];
  readonly count?: number;
}

/** Extra adapter options of the simulated OLT. */
export interface SimulatedOltOptions extends SimulatedAdapterOptions {
  /** Device type of the ONUs it detects (default `simulated_onu`). */
  readonly onuDeviceType?: string;
}

/**
 * The simulated OLT adapter (1.x `simulated_olt`, scaled like BBSim). One OLT has PON ports 1..P and
 * one NNI port; it presents a logical device with the NNI logical port `nni` and discovers
 * `onusPerPon` ONUs on every PON in batches of one ONU per PON. Sizes come from `Device.extraArgs`
 * (`--pon-ports`, `--onus-per-pon`, `--discovery-batch-delay`), numbering from `OltLayout`.
 */
export class SimulatedOltAdapter implements DeviceAdapter {
  private readonly options: ResolvedSimulatedOptions;
  private readonly handlers = new Map<string, OltHandler>();
  private readonly onuDeviceType: string;

  public constructor(
    private readonly agent: AdapterAgent,
    options: SimulatedOltOptions = {}
  ) {
    this.options = resolveSimulatedOptions(options);
    this.onuDeviceType = options.onuDeviceType ?? SIMULATED_ONU_DEVICE_TYPE;
  }

  // ---- registration ----

  public async start(): Promise<void> {
    this.options.logger.info('adapter-started', { adapter: SIMULATED_OLT_ADAPTER });
  }

  public async stop(): Promise<void> {
    for (const handler of this.handlers.values()) handler.cancelAll();
    this.handlers.clear();
  }

  public adapterDescriptor(): Adapter {
    return Adapter.fromPartial({
      id: SIMULATED_OLT_ADAPTER,
      vendor: SIMULATED_VENDOR,
      version: SIMULATED_VERSION,
      config: { logLevel: LogLevel.INFO }
    });
  }

  public deviceTypes(): DeviceTypes {
    return DeviceTypes.fromPartial({
      items: [
        {
          id: SIMULATED_OLT_ADAPTER,
          adapter: SIMULATED_OLT_ADAPTER,
          acceptsBulkFlowUpdate: true,
          acceptsAddRemoveFlowUpdates: false
        }
      ]
    });
  }

  public async health(): Promise<HealthStatus> {
    return HealthStatus.fromPartial({ state: HealthState.HEALTHY });
  }

  // ---- lifecycle ----

  public async adoptDevice(device: Device): Promise<void> {
    if (this.handlers.has(device.id)) return;
    const handler = await this.newHandler(device);
    const tasks = handler.tasks;
    void tasks.spawn(() => this.guard(handler, () => this.bringUp(handler, tasks, true)));
  }

  public async reconcileDevice(device: Device): Promise<void> {
    this.handlers.get(device.id)?.cancelAll();
    this.handlers.delete(device.id);
    const handler = await this.newHandler(device);
    if (device.adminState !== AdminState.ENABLED) {
      handler.state = 'disabled';
      return;
    }
    const tasks = handler.tasks;
    void tasks.spawn(() => this.guard(handler, () => this.bringUp(handler, tasks, false)));
  }

  public async abandonDevice(device: Device): Promise<void> {
    this.handlers.get(device.id)?.cancelAll();
    this.handlers.delete(device.id);
  }

  /**
   * 1.x (ponsim reference): oper UNKNOWN, connect UNREACHABLE, logical device deleted, ENABLED children
   * DISABLED, peer references removed, all ports DISABLED/UNKNOWN: one transaction.
   */
  public async disableDevice(device: Device): Promise<void> {
    const handler = await this.handlerFor(device);
    const tasks = handler.cancelAll();
    await handler.step(tasks, async () => {
      const current = await this.agent.getDevice(device.id);
      const ops: AgentOperation[] = [
        agentOp.updateDevice(
          Device.fromPartial({
            ...current,
            operStatus: OperStatus.UNKNOWN,
            connectStatus: ConnectStatus.UNREACHABLE,
            parentId: ''
          })
        ),
        ...(current.parentId ? [agentOp.deleteLogicalDevice(current.parentId)] : []),
        agentOp.updateChildDevicesState(
          device.id,
          { adminState: AdminState.DISABLED },
          { adminState: AdminState.ENABLED }
        ),
        agentOp.deleteAllPeerReferences(device.id),
        agentOp.updatePortsState(device.id, {
          adminState: AdminState.DISABLED,
          operStatus: OperStatus.UNKNOWN
        })
      ];
      await this.agent.transaction(ops);
      handler.state = 'disabled';
      handler.rebooting = false;
      handler.logicalDeviceId = '';
    });
  }

  /**
   * 1.x: connect REACHABLE, ports ENABLED/ACTIVE, a new logical device with its NNI port, oper ACTIVE and
   * the children disabled with the OLT ENABLED again; discovery resumes if it had not finished.
   */
  public async reenableDevice(device: Device): Promise<void> {
    const handler = await this.handlerFor(device);
    const tasks = handler.cancelAll();
    handler.state = 'activating';
    await handler.step(tasks, async () => {
      const current = await this.agent.getDevice(device.id);
      await this.agent.transaction([
        agentOp.updateDevice(Device.fromPartial({ ...current, connectStatus: ConnectStatus.REACHABLE })),
        agentOp.updatePortsState(device.id, { adminState: AdminState.ENABLED, operStatus: OperStatus.ACTIVE })
      ]);
      const identity = await this.agent.createLogicalDevice(this.logicalDeviceFor(handler));
      handler.logicalDeviceId = identity.id;
      const latest = await this.agent.getDevice(device.id);
      await this.agent.transaction([
        agentOp.updateDevice(
          Device.fromPartial({ ...latest, parentId: identity.id, operStatus: OperStatus.ACTIVE })
        ),
        agentOp.updateChildDevicesState(
          device.id,
          { adminState: AdminState.ENABLED },
          { adminState: AdminState.DISABLED }
        )
      ]);
      handler.state = 'active';
    });
    this.startPeriodic(handler);
    if (!handler.discoveryComplete) void tasks.spawn(() => this.discover(handler, tasks));
  }

  /**
   * Oper ACTIVATING and connect UNREACHABLE (reachable children UNREACHABLE too) for `rebootTimeMs`,
   * then the previous values come back.
   */
  public async rebootDevice(device: Device): Promise<void> {
    const handler = this.handlers.get(device.id);
    if (!handler || handler.state !== 'active')
      throw failedPrecondition(`OLT ${device.id} is not active; nothing to reboot`);
    if (handler.rebooting) return;
    const tasks = handler.tasks;
    const restore = await handler.step(tasks, async () => {
      const current = await this.agent.getDevice(device.id);
      const reachable = (await this.agent.getChildDevices(device.id))
        .filter((c) => c.connectStatus === ConnectStatus.REACHABLE)
        .map((c) => c.id);
      await this.agent.transaction([
        agentOp.updateDeviceState(device.id, {
          operStatus: OperStatus.ACTIVATING,
          connectStatus: ConnectStatus.UNREACHABLE
        }),
        agentOp.updateChildDevicesState(
          device.id,
          { connectStatus: ConnectStatus.UNREACHABLE },
          { childIds: reachable }
        )
      ]);
      handler.rebooting = true;
      return { operStatus: current.operStatus, connectStatus: current.connectStatus, reachable };
    });
    void tasks.spawn(async () => {
      await tasks.sleep(this.options.timings.rebootTimeMs);
      await handler.step(tasks, async () => {
        await this.agent.transaction([
          agentOp.updateDeviceState(device.id, {
            operStatus: restore.operStatus,
            connectStatus: restore.connectStatus
          }),
          agentOp.updateChildDevicesState(
            device.id,
            { connectStatus: ConnectStatus.REACHABLE },
            { childIds: restore.reachable }
          )
        ]);
        handler.rebooting = false;
      });
    });
  }

  /** The OLT was removed: its whole PON goes (all children, and the logical device if one is left). */
  public async deleteDevice(device: Device): Promise<void> {
    const handler = this.handlers.get(device.id);
    handler?.cancelAll();
    this.handlers.delete(device.id);
    const ops: AgentOperation[] = [agentOp.removeChildDevices(device.id)];
    if (device.root && device.parentId) ops.push(agentOp.deleteLogicalDevice(device.parentId));
    await this.agent.transaction(ops);
  }

  // ---- flows and PM ----

  public async updateFlowsBulk(device: Device, flows: Flows, groups: FlowGroups): Promise<void> {
    (await this.handlerFor(device)).flows.replace(flows, groups);
  }

  public async updateFlowsIncrementally(
    device: Device,
    flowChanges: FlowChanges,
    groupChanges: FlowGroupChanges
  ): Promise<void> {
    (await this.handlerFor(device)).flows.apply(flowChanges, groupChanges);
  }

  /** New frequency (`default_freq`, tenths of a second; 0 stops KPIs) and enabled metrics apply at once. */
  public async updatePmConfig(device: Device, pmConfigs: PmConfigs): Promise<void> {
    const handler = await this.handlerFor(device);
    handler.pm = pmConfigs;
    if (handler.state === 'active') this.startPeriodic(handler);
  }

  // ---- messages ----

  /** Echoes the message back to the ONU after `echoDelayMs` (1.x simulated_olt). */
  public async sendProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    const handler = this.handlers.get(proxyAddress.deviceId);
    if (!handler || handler.state === 'disabled') {
      throw failedPrecondition(`OLT ${proxyAddress.deviceId} is not up; proxied message dropped`);
    }
    const tasks = handler.tasks;
    const copy = Uint8Array.from(msg);
    void tasks.spawn(async () => {
      await tasks.sleep(this.options.timings.echoDelayMs);
      try {
        await this.agent.receiveProxiedMessage(proxyAddress, copy);
      } catch (error) {
        // The ONU may have left meanwhile.
        if (!isAdapterError(error, 'NOT_FOUND')) throw error;
      }
    });
  }

  public async receiveProxiedMessage(proxyAddress: ProxyAddress): Promise<void> {
    throw unimplemented(`simulated_olt does not receive proxied messages (from ${proxyAddress.deviceId})`);
  }

  /** Logged and kept for inspection (`packetsOut`), as 1.x only logged it. */
  public async receivePacketOut(
    logicalDeviceId: string,
    egressPortNo: number,
    msg: Uint8Array
  ): Promise<void> {
    const handler = [...this.handlers.values()].find((h) => h.logicalDeviceId === logicalDeviceId);
    if (!handler) throw notFound(`no simulated OLT serves logical device ${logicalDeviceId}`);
    handler.packetsOut.push({ logicalDeviceId, egressPortNo, packet: Uint8Array.from(msg) });
    if (handler.packetsOut.length > 1000) handler.packetsOut.shift();
  }

  // ---- control API (replaces 1.x's HTTP test endpoint on :18880) ----

  /**
   * N more ONUs arrive on a PON: they take the lowest free ONU ids and are detected in one batch
   * (pre-provisioned children for those slots are enabled instead). Returns the devices.
   */
  public async arriveOnus(oltId: string, ponPortNo: number, count = 1): Promise<Device[]> {
    const handler = this.activeHandler(oltId);
    if (!handler.layout.isPonPort(ponPortNo))
      throw invalidArgument(`OLT ${oltId} has no PON port ${ponPortNo}`);
    if (!Number.isInteger(count) || count < 1)
      throw invalidArgument(`ONU count ${count} must be a positive integer`);
    const tasks = handler.tasks;
    return handler.step(tasks, async () => {
      await this.refreshSlots(handler);
      const free: number[] = [];
      for (let onuId = 1; onuId <= handler.layout.maxOnuId && free.length < count; onuId++) {
        const channelId = handler.layout.channelId(ponPortNo, onuId);
        // A pre-provisioned child waiting for its ONU counts as free: the arrival brings it up.
        if (!handler.slots.has(channelId) || handler.preprovisioned.has(channelId)) free.push(onuId);
      }
      if (free.length < count) {
        throw failedPrecondition(
          `PON ${ponPortNo} of OLT ${oltId} has ${free.length} free ONU id(s) of ${handler.layout.maxOnuId}; ${count} asked`
        );
      }
      return this.detect(
        handler,
        free.map((onuId) => ({ ponPortNo, onuId }))
      );
    });
  }

  /** ONUs leave a PON: their devices are removed (with their ports, peers and logical ports). Returns the ids. */
  public async departOnus(oltId: string, request: OnuDepartureRequest): Promise<string[]> {
    const handler = this.activeHandler(oltId);
    const { ponPortNo } = request;
    if (!handler.layout.isPonPort(ponPortNo))
      throw invalidArgument(`OLT ${oltId} has no PON port ${ponPortNo}`);
    return handler.step(handler.tasks, async () => {
      await this.refreshSlots(handler);
      const present: number[] = [];
      for (let onuId = handler.layout.maxOnuId; onuId >= 1; onuId--) {
        if (handler.slots.has(handler.layout.channelId(ponPortNo, onuId))) present.push(onuId);
      }
      let chosen: readonly number[];
      if (request.onuIds) {
        const missing = request.onuIds.filter((id) => !present.includes(id));
        if (missing.length)
          throw notFound(`PON ${ponPortNo} of OLT ${oltId} has no ONU ${missing.join(', ')}`);
        chosen = request.onuIds;
      } else {
        const count = request.count ?? 1;
        if (!Number.isInteger(count) || count < 1)
          throw invalidArgument(`ONU count ${count} must be a positive integer`);
        if (present.length < count)
          throw failedPrecondition(
            `PON ${ponPortNo} of OLT ${oltId} has ${present.length} ONU(s); ${count} asked`
          );
        chosen = present.slice(0, count);
      }
      const channels = chosen.map((onuId) => handler.layout.channelId(ponPortNo, onuId));
      const childIds = channels.map((ch) => handler.slots.get(ch) as string);
      const removed = await this.agent.removeChildDevices(oltId, { childIds });
      for (const ch of channels) {
        handler.slots.delete(ch);
        handler.preprovisioned.delete(ch);
      }
      return removed;
    });
  }

  /** Sends a packet-in from a logical port of the OLT's logical device (e.g. an EAPOL frame). */
  public async injectPacketIn(oltId: string, logicalPortNo: number, packet: Uint8Array): Promise<void> {
    const handler = this.activeHandler(oltId);
    await this.agent.sendPacketIn(handler.logicalDeviceId, logicalPortNo, packet);
  }

  // ---- inspection ----

  public flowTable(deviceId: string): DeviceFlowSnapshot | undefined {
    return this.handlers.get(deviceId)?.flows.snapshot();
  }

  public packetsOut(
    deviceId: string
  ): readonly { logicalDeviceId: string; egressPortNo: number; packet: Uint8Array }[] {
    return this.handlers.get(deviceId)?.packetsOut ?? [];
  }

  public layoutOf(deviceId: string): OltLayout | undefined {
    return this.handlers.get(deviceId)?.layout;
  }

  public status(deviceId: string):
    | {
        state: OltState;
        logicalDeviceId: string;
        onus: number;
        discoveryComplete: boolean;
        rebooting: boolean;
      }
    | undefined {
    const h = this.handlers.get(deviceId);
    return (
      h && {
        state: h.state,
        logicalDeviceId: h.logicalDeviceId,
        onus: h.slots.size,
        discoveryComplete: h.discoveryComplete,
        rebooting: h.rebooting
      }
    );
  }

  // ---- internals ----

  private async newHandler(device: Device): Promise<OltHandler> {
    let layout: OltLayout;
    try {
      layout = OltLayout.fromExtraArgs(device.extraArgs);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.agent.updateDeviceState(device.id, { operStatus: OperStatus.FAILED, reason });
      throw error;
    }
    const handler = new OltHandler(device.id, layout, this.options);
    this.handlers.set(device.id, handler);
    return handler;
  }

  private async handlerFor(device: Device): Promise<OltHandler> {
    const existing = this.handlers.get(device.id);
    if (existing) return existing;
    // A device this adapter instance never adopted (e.g. a call before reconcile): take it over.
    const handler = await this.newHandler(device);
    handler.state = device.adminState === AdminState.ENABLED ? 'active' : 'disabled';
    handler.logicalDeviceId = device.parentId;
    return handler;
  }

  private activeHandler(oltId: string): OltHandler {
    const handler = this.handlers.get(oltId);
    if (!handler) throw notFound(`OLT ${oltId} is not served by this adapter`);
    if (handler.state !== 'active') throw failedPrecondition(`OLT ${oltId} is not active`);
    return handler;
  }

  /** Activation failures other than cancellation leave the device FAILED with the reason. */
  private async guard(handler: OltHandler, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (error instanceof AdapterError && error.code === 'CANCELLED') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      await unlessNotFound(
        this.agent.updateDeviceState(handler.deviceId, { operStatus: OperStatus.FAILED, reason })
      );
      throw error;
    }
  }

  /**
   * Brings the OLT up idempotently: used by adopt (with the 1.x step delays) and by reconcile (without):
   * only what is missing is written, so a restart never duplicates ports or logical devices.
   */
  private async bringUp(handler: OltHandler, tasks: TaskGroup, delays: boolean): Promise<void> {
    const t = this.options.timings;
    const id = handler.deviceId;
    const pause = (ms: number): Promise<void> => (delays ? tasks.sleep(ms) : Promise.resolve());
    await pause(t.activationDelayMs);
    await handler.step(tasks, async () => {
      const device = await this.agent.getDevice(id);
      if (
        device.vendor !== 'simulated' ||
        !device.root ||
        device.connectStatus !== ConnectStatus.REACHABLE ||
        !device.images
      ) {
        await this.agent.updateDevice(this.filledDevice(device));
      }
      const pm = await this.agent.getPmConfigs(id);
      handler.pm = pm ?? initialPmConfigs(id, t.kpiIntervalMs);
      if (!pm) await this.agent.updatePmConfigs(id, handler.pm, { init: true });
    });
    await pause(t.stepDelayMs);
    await handler.step(tasks, async () => {
      const existing = new Set((await this.agent.getPorts(id)).map((p) => p.portNo));
      const missing = this.devicePorts(handler).filter((p) => !existing.has(p.portNo));
      if (missing.length) await this.agent.transaction(missing.map((p) => agentOp.addPort(id, p)));
    });
    await pause(t.stepDelayMs);
    await handler.step(tasks, async () => {
      const device = await this.agent.getDevice(id);
      let logicalDeviceId = device.parentId;
      const existing = logicalDeviceId
        ? await unlessNotFound(this.agent.getLogicalDevice(logicalDeviceId))
        : undefined;
      if (existing) {
        await this.agent.addLogicalPort(logicalDeviceId, this.nniLogicalPort(handler));
      } else {
        logicalDeviceId = (await this.agent.createLogicalDevice(this.logicalDeviceFor(handler))).id;
      }
      handler.logicalDeviceId = logicalDeviceId;
      const latest = await this.agent.getDevice(id);
      if (latest.parentId !== logicalDeviceId || latest.operStatus !== OperStatus.ACTIVE) {
        await this.agent.updateDevice(
          Device.fromPartial({ ...latest, parentId: logicalDeviceId, operStatus: OperStatus.ACTIVE })
        );
      }
      handler.state = 'active';
    });
    this.startPeriodic(handler);
    await pause(t.discoveryDelayMs);
    await this.discover(handler, tasks);
  }

  private filledDevice(device: Device): Device {
    const random = this.options.random;
    return Device.fromPartial({
      ...device,
      root: true,
      vendor: 'simulated',
      model: 'n/a',
      hardwareVersion: 'n/a',
      firmwareVersion: 'n/a',
      serialNumber: device.serialNumber || randomHex(random),
      connectStatus: ConnectStatus.REACHABLE,
      images: {
        image: [
          {
            name: 'olt_candidate1',
            version: '1.0',
            installDatetime: '',
            isActive: true,
            isCommitted: true,
            isValid: true
          },
          {
            name: 'olt_candidate2',
            version: '1.0',
            installDatetime: '',
            isActive: false,
            isCommitted: false,
            isValid: true
          }
        ]
      }
    });
  }

  /** NNI first, then the PON ports (1.x order). */
  private devicePorts(handler: OltHandler): Port[] {
    const enabled = { adminState: AdminState.ENABLED, operStatus: OperStatus.ACTIVE };
    return [
      Port.fromPartial({
        portNo: handler.layout.nniPortNo,
        label: 'NNI facing Ethernet port',
        type: PortType.ETHERNET_NNI,
        ...enabled
      }),
      ...handler.layout.ponPortNos.map((portNo) =>
        Port.fromPartial({
          portNo,
          label: handler.layout.compat ? 'PON port' : `PON port ${portNo}`,
          type: PortType.PON_OLT,
          ...enabled
        })
      )
    ];
  }

  private nniLogicalPort(handler: OltHandler): LogicalPort {
    return LogicalPort.fromPartial({
      id: 'nni',
      ofpPort: simulatedOfpPort(handler.layout.nniLogicalPortNo, 'nni'),
      deviceId: handler.deviceId,
      devicePortNo: handler.layout.nniPortNo,
      rootPort: true
    });
  }

  /** A logical device without id (the core assigns id and datapath id), with its NNI port. */
  private logicalDeviceFor(handler: OltHandler): LogicalDevice {
    return LogicalDevice.fromPartial({
      desc: {
        mfrDesc: 'cord project',
        hwDesc: 'simulated pon',
        swDesc: 'simulated pon',
        serialNum: randomHex(this.options.random),
        dpDesc: 'n/a'
      },
      switchFeatures: {
        nBuffers: 256,
        nTables: 2,
        capabilities:
          ofpCapabilities.OFPC_FLOW_STATS |
          ofpCapabilities.OFPC_TABLE_STATS |
          ofpCapabilities.OFPC_PORT_STATS |
          ofpCapabilities.OFPC_GROUP_STATS
      },
      rootDeviceId: handler.deviceId,
      ports: [this.nniLogicalPort(handler)]
    });
  }

  private startPeriodic(handler: OltHandler): void {
    handler.periodic.cancel();
    handler.periodic = handler.newTasks('periodic');
    const t = this.options.timings;
    handler.periodic.every(
      () => (handler.pm ? kpiIntervalOf(handler.pm) : t.kpiIntervalMs),
      async () => {
        if (handler.state === 'active' && !handler.rebooting) await this.agent.submitKpis(this.kpis(handler));
      }
    );
    handler.periodic.every(
      () => t.alarmIntervalMs,
      async () => {
        if (handler.state !== 'active') return;
        await this.agent.submitAlarm(
          handler.deviceId,
          simulatedAlarm({
            adapterId: SIMULATED_OLT_ADAPTER,
            deviceId: handler.deviceId,
            nowMs: this.options.scheduler.now(),
            random: this.options.random,
            context: { logical_device_id: handler.logicalDeviceId }
          })
        );
      }
    );
  }

  private kpis(handler: OltHandler): ReturnType<typeof kpiSlice> {
    const layout = handler.layout;
    const ports = [
      { name: 'nni', counters: handler.counters.advance('nni') },
      ...layout.ponPortNos.map((no) => {
        const name = layout.compat ? 'pon' : `pon.${no}`;
        return { name, counters: handler.counters.advance(name) };
      })
    ];
    const enabled = new Set((handler.pm?.metrics ?? []).filter((m) => m.enabled).map((m) => m.name));
    return kpiSlice({
      adapterId: SIMULATED_OLT_ADAPTER,
      deviceId: handler.deviceId,
      nowMs: this.options.scheduler.now(),
      ports,
      enabled,
      random: this.options.random
    });
  }

  /**
   * Initial discovery: batch k detects ONU k of every PON (one transaction per batch), `batchDelayMs`
   * apart. Slots already taken (by earlier runs, arrivals or pre-provisioned children) are skipped, so
   * re-running it after a restart only completes what is missing.
   */
  private async discover(handler: OltHandler, tasks: TaskGroup): Promise<void> {
    const { layout } = handler;
    await handler.step(tasks, () => this.refreshSlots(handler));
    for (let onuId = 1; onuId <= layout.args.onusPerPon; onuId++) {
      if (onuId > 1) await tasks.sleep(handler.batchDelayMs);
      await handler.step(tasks, async () => {
        const wanted = layout.ponPortNos
          .map((ponPortNo) => ({ ponPortNo, onuId }))
          .filter((s) => {
            const ch = layout.channelId(s.ponPortNo, s.onuId);
            return !handler.slots.has(ch) || handler.preprovisioned.has(ch);
          });
        if (wanted.length) await this.detect(handler, wanted);
      });
    }
    handler.discoveryComplete = true;
  }

  /** Re-reads the OLT's children and maps them to slots (by channel id, by ONU id on a PON, or by serial). */
  private async refreshSlots(handler: OltHandler): Promise<void> {
    const { deviceId } = handler;
    handler.slots.clear();
    handler.preprovisioned.clear();
    for (const child of await this.agent.getChildDevices(deviceId)) {
      const channel = this.channelOfChild(handler, child);
      if (channel === undefined || handler.slots.has(channel)) continue;
      handler.slots.set(channel, child.id);
      const attached = child.proxyAddress?.deviceId === deviceId && child.proxyAddress.channelId === channel;
      const waiting =
        child.adminState === AdminState.PREPROVISIONED || child.adminState === AdminState.UNKNOWN;
      if (!attached || waiting) handler.preprovisioned.set(channel, { device: child });
    }
  }

  private channelOfChild(handler: OltHandler, child: Device): number | undefined {
    const { layout, deviceId } = handler;
    const pa = child.proxyAddress;
    if (pa && pa.deviceId === deviceId && pa.channelId > 0 && layout.slotOfChannel(pa.channelId))
      return pa.channelId;
    if (pa && pa.onuId > 0 && layout.isPonPort(child.parentPortNo) && pa.onuId <= layout.maxOnuId) {
      return layout.channelId(child.parentPortNo, pa.onuId);
    }
    for (const ponPortNo of layout.ponPortNos) {
      // Serial numbers encode the slot: SIMU + OLT + PON index + ONU id.
      const prefix = onuSerialNumber(deviceId, ponPortNo, 1).slice(0, 10);
      if (child.serialNumber.startsWith(prefix) && child.serialNumber.length === 12) {
        const onuId = parseInt(child.serialNumber.slice(10), 16);
        if (onuId >= 1 && onuId <= layout.maxOnuId) return layout.channelId(ponPortNo, onuId);
      }
    }
    return undefined;
  }

  /**
   * Detects the ONUs of some slots in one transaction: new children are created ENABLED (the core adopts
   * them); a pre-provisioned child for a slot is attached (parent port, proxy address, VLAN, serial) and
   * enabled if it was waiting, instead of being duplicated.
   */
  private async detect(
    handler: OltHandler,
    slots: readonly { ponPortNo: number; onuId: number }[]
  ): Promise<Device[]> {
    const { layout, deviceId } = handler;
    const ops: AgentOperation[] = [];
    const kinds: ('new' | 'attached')[] = [];
    const channels: number[] = [];
    for (const { ponPortNo, onuId } of slots) {
      const channelId = layout.channelId(ponPortNo, onuId);
      const proxyAddress = ProxyAddress.fromPartial({ deviceId, channelId, onuId });
      const serialNumber = onuSerialNumber(deviceId, ponPortNo, onuId);
      const pending = handler.preprovisioned.get(channelId);
      if (pending) {
        const child = pending.device;
        const waiting =
          child.adminState === AdminState.PREPROVISIONED || child.adminState === AdminState.UNKNOWN;
        ops.push(
          agentOp.updateChildDevice(
            deviceId,
            Device.fromPartial({
              ...child,
              parentPortNo: ponPortNo,
              proxyAddress,
              vlan: channelId,
              serialNumber: child.serialNumber || serialNumber,
              adminState: waiting ? AdminState.ENABLED : child.adminState
            })
          )
        );
        kinds.push('attached');
      } else if (handler.slots.has(channelId)) {
        continue;
      } else {
        const request: ChildDeviceRequest = {
          parentDeviceId: deviceId,
          parentPortNo: ponPortNo,
          childDeviceType: this.onuDeviceType,
          proxyAddress,
          adminState: AdminState.ENABLED,
          vlan: channelId,
          serialNumber
        };
        ops.push(agentOp.childDeviceDetected(request));
        kinds.push('new');
      }
      channels.push(channelId);
    }
    if (ops.length === 0) return [];
    const results = await this.agent.transaction(ops);
    const devices: Device[] = [];
    for (let i = 0; i < ops.length; i++) {
      const channelId = channels[i];
      if (kinds[i] === 'new') {
        const created = results[i] as Device;
        handler.slots.set(channelId, created.id);
        devices.push(created);
      } else {
        const pending = handler.preprovisioned.get(channelId) as PendingPreprovisioned;
        handler.slots.set(channelId, pending.device.id);
        handler.preprovisioned.delete(channelId);
        devices.push(await this.agent.getDevice(pending.device.id));
      }
    }
    this.options.logger.debug('onus-detected', { deviceId, count: devices.length });
    return devices;
  }
}
