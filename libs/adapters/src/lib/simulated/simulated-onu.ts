import {
  Adapter,
  AdminState_AdminState as AdminState,
  ConnectStatus_ConnectStatus as ConnectStatus,
  Device,
  DeviceTypes,
  HealthStatus,
  HealthStatus_HealthState as HealthState,
  LogicalPort,
  LogLevel_LogLevel as LogLevel,
  OperStatus_OperStatus as OperStatus,
  Port,
  Port_PortType as PortType,
  ProxyAddress
} from '@voltha/proto';
import type { FlowChanges, FlowGroupChanges, FlowGroups, Flows, PmConfigs } from '@voltha/proto';

import type { DeviceAdapter } from '../adapter';
import { type AdapterAgent, agentOp, type AgentOperation, proxyAddressKey } from '../adapter-agent';
import { AdapterError, failedPrecondition, invalidArgument, unimplemented, unlessNotFound } from '../errors';
import { SerialQueue, TaskGroup, type TimerHandle } from '../scheduler';
import { DeviceFlowTable, type DeviceFlowSnapshot } from './device-flow-table';
import { ONU_PON_PORT_NO, ONU_UNI_PORT_NO } from './olt-layout';
import {
  SIMULATED_ONU_DEVICE_TYPE,
  SIMULATED_VENDOR,
  SIMULATED_VERSION,
  simulatedOfpPort
} from './simulated-common';
import {
  randomHex,
  resolveSimulatedOptions,
  type ResolvedSimulatedOptions,
  type SimulatedAdapterOptions
} from './simulated-options';

export const SIMULATED_ONU_ADAPTER = 'simulated_onu';
/** What an ONU sends through its OLT, and waits to get back, before it goes ACTIVE (1.x). */
export const PROXIED_TEST_MESSAGE = 'test message';

type OnuState = 'activating' | 'active' | 'disabled';

class OnuHandler {
  public state: OnuState = 'activating';
  public tasks: TaskGroup;
  public readonly queue = new SerialQueue();
  public logicalDeviceId = '';
  public rebooting = false;
  public pm: PmConfigs | undefined;
  public messagesReceived = 0;
  public readonly flows: DeviceFlowTable;

  public constructor(
    public readonly deviceId: string,
    public readonly parentId: string,
    public readonly parentPortNo: number,
    public readonly proxyAddress: ProxyAddress,
    private readonly options: ResolvedSimulatedOptions
  ) {
    this.tasks = this.newTasks();
    const ports = new Set([ONU_PON_PORT_NO, ONU_UNI_PORT_NO]);
    const downstream = new Set([ONU_PON_PORT_NO]);
    this.flows = new DeviceFlowTable(
      deviceId,
      () => ports,
      () => downstream
    );
  }

  public get channelId(): number {
    return this.proxyAddress.channelId;
  }

  public get uniPortId(): string {
    return String(this.proxyAddress.channelId);
  }

  public newTasks(): TaskGroup {
    return new TaskGroup(this.options.scheduler, (error) =>
      this.options.onError(error, { deviceId: this.deviceId, task: 'onu' })
    );
  }

  public cancelAll(): TaskGroup {
    this.tasks.cancel();
    this.tasks = this.newTasks();
    return this.tasks;
  }

  public step<T>(tasks: TaskGroup, step: () => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      tasks.check();
      return step();
    });
  }
}

/**
 * The simulated ONU adapter (1.x `simulated_onu`): ports 1 = PON_ONU (peer: its OLT PON port) and
 * 2 = ETHERNET_UNI, a UNI logical port on the OLT's logical device numbered by its channel id, and a
 * proxied test message through the OLT before it goes ACTIVE.
 */
export class SimulatedOnuAdapter implements DeviceAdapter {
  private readonly options: ResolvedSimulatedOptions;
  private readonly handlers = new Map<string, OnuHandler>();
  private readonly waiters = new Map<string, (msg: Uint8Array) => void>();
  /** Handlers by proxy address key: a message is matched without scanning the ONUs. */
  private readonly byProxy = new Map<string, OnuHandler>();

  public constructor(
    private readonly agent: AdapterAgent,
    options: SimulatedAdapterOptions = {}
  ) {
    this.options = resolveSimulatedOptions(options);
  }

  public async start(): Promise<void> {
    this.options.logger.info('adapter-started', { adapter: SIMULATED_ONU_ADAPTER });
  }

  public async stop(): Promise<void> {
    for (const handler of this.handlers.values()) handler.cancelAll();
    this.handlers.clear();
    this.byProxy.clear();
    this.waiters.clear();
  }

  public adapterDescriptor(): Adapter {
    return Adapter.fromPartial({
      id: SIMULATED_ONU_ADAPTER,
      vendor: SIMULATED_VENDOR,
      version: SIMULATED_VERSION,
      config: { logLevel: LogLevel.INFO }
    });
  }

  public deviceTypes(): DeviceTypes {
    return DeviceTypes.fromPartial({
      items: [
        {
          id: SIMULATED_ONU_DEVICE_TYPE,
          adapter: SIMULATED_ONU_ADAPTER,
          acceptsBulkFlowUpdate: true,
          acceptsAddRemoveFlowUpdates: false
        }
      ]
    });
  }

  public async health(): Promise<HealthStatus> {
    return HealthStatus.fromPartial({ state: HealthState.HEALTHY });
  }

  public async adoptDevice(device: Device): Promise<void> {
    if (this.handlers.has(device.id)) return;
    const handler = await this.newHandler(device);
    const tasks = handler.tasks;
    void tasks.spawn(() => this.guard(handler, () => this.bringUp(handler, tasks, true)));
  }

  public async reconcileDevice(device: Device): Promise<void> {
    this.drop(device.id);
    const handler = await this.newHandler(device);
    if (device.adminState !== AdminState.ENABLED) {
      handler.state = 'disabled';
      return;
    }
    const tasks = handler.tasks;
    void tasks.spawn(() => this.guard(handler, () => this.bringUp(handler, tasks, false)));
  }

  public async abandonDevice(device: Device): Promise<void> {
    this.drop(device.id);
  }

  /** ponsim_onu: oper UNKNOWN, connect UNREACHABLE, UNI logical port removed, ports DISABLED/UNKNOWN. */
  public async disableDevice(device: Device): Promise<void> {
    const handler = await this.handlerFor(device);
    const tasks = handler.cancelAll();
    await handler.step(tasks, async () => {
      const logicalDeviceId = handler.logicalDeviceId || (await this.parentLogicalDeviceId(handler));
      const ops: AgentOperation[] = [
        agentOp.updateDeviceState(device.id, {
          operStatus: OperStatus.UNKNOWN,
          connectStatus: ConnectStatus.UNREACHABLE
        }),
        agentOp.updatePortsState(device.id, {
          adminState: AdminState.DISABLED,
          operStatus: OperStatus.UNKNOWN
        })
      ];
      if (logicalDeviceId) ops.push(agentOp.deleteLogicalPort(logicalDeviceId, handler.uniPortId));
      await this.agent.transaction(ops);
      handler.state = 'disabled';
      handler.rebooting = false;
      handler.logicalDeviceId = '';
    });
  }

  /**
   * Ports ENABLED/ACTIVE, the PON peer restored, the UNI logical port back on the parent's (current)
   * logical device, oper ACTIVE. While the parent has no logical device (it is disabled) the ONU stays
   * UNKNOWN/UNREACHABLE with its ports enabled.
   */
  public async reenableDevice(device: Device): Promise<void> {
    const handler = await this.handlerFor(device);
    const tasks = handler.cancelAll();
    await handler.step(tasks, async () => {
      const parent = await unlessNotFound(this.agent.getDevice(handler.parentId));
      const logicalDeviceId = parent?.parentId ?? '';
      const ops: AgentOperation[] = [
        agentOp.updatePortsState(device.id, { adminState: AdminState.ENABLED, operStatus: OperStatus.ACTIVE })
      ];
      if (parent) ops.push(agentOp.addPort(device.id, this.ponPort(handler)));
      if (logicalDeviceId) {
        ops.push(
          agentOp.addLogicalPort(logicalDeviceId, this.uniLogicalPort(handler)),
          agentOp.updateDeviceState(device.id, {
            operStatus: OperStatus.ACTIVE,
            connectStatus: ConnectStatus.REACHABLE
          })
        );
      }
      await this.agent.transaction(ops);
      handler.logicalDeviceId = logicalDeviceId;
      handler.state = logicalDeviceId ? 'active' : 'activating';
    });
  }

  public async rebootDevice(device: Device): Promise<void> {
    const handler = this.handlers.get(device.id);
    if (!handler || handler.state !== 'active')
      throw failedPrecondition(`ONU ${device.id} is not active; nothing to reboot`);
    if (handler.rebooting) return;
    const tasks = handler.tasks;
    const previous = await handler.step(tasks, async () => {
      const current = await this.agent.getDevice(device.id);
      await this.agent.updateDeviceState(device.id, {
        operStatus: OperStatus.ACTIVATING,
        connectStatus: ConnectStatus.UNREACHABLE
      });
      handler.rebooting = true;
      return { operStatus: current.operStatus, connectStatus: current.connectStatus };
    });
    void tasks.spawn(async () => {
      await tasks.sleep(this.options.timings.rebootTimeMs);
      await handler.step(tasks, async () => {
        await this.agent.updateDeviceState(device.id, previous);
        handler.rebooting = false;
      });
    });
  }

  /** The core already removed the device with its ports, peers and logical port; only local state goes. */
  public async deleteDevice(device: Device): Promise<void> {
    this.drop(device.id);
  }

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

  /** Kept for inspection; the simulated ONU collects no KPIs (as 1.x). */
  public async updatePmConfig(device: Device, pmConfigs: PmConfigs): Promise<void> {
    (await this.handlerFor(device)).pm = pmConfigs;
  }

  public async sendProxiedMessage(proxyAddress: ProxyAddress): Promise<void> {
    throw unimplemented(
      `simulated_onu has no child devices (proxy address ${proxyAddressKey(proxyAddress)})`
    );
  }

  /** A message from the ONU came back through the OLT: it completes a waiting round trip. */
  public async receiveProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    const key = proxyAddressKey(proxyAddress);
    const waiter = this.waiters.get(key);
    const handler = this.byProxy.get(key);
    if (handler) handler.messagesReceived++;
    if (waiter) {
      this.waiters.delete(key);
      waiter(msg);
    }
  }

  public async receivePacketOut(logicalDeviceId: string): Promise<void> {
    throw unimplemented(`simulated_onu is not a root device (packet-out for ${logicalDeviceId})`);
  }

  // ---- inspection ----

  public flowTable(deviceId: string): DeviceFlowSnapshot | undefined {
    return this.handlers.get(deviceId)?.flows.snapshot();
  }

  public status(
    deviceId: string
  ): { state: OnuState; logicalDeviceId: string; messagesReceived: number; rebooting: boolean } | undefined {
    const h = this.handlers.get(deviceId);
    return (
      h && {
        state: h.state,
        logicalDeviceId: h.logicalDeviceId,
        messagesReceived: h.messagesReceived,
        rebooting: h.rebooting
      }
    );
  }

  public pmConfigs(deviceId: string): PmConfigs | undefined {
    return this.handlers.get(deviceId)?.pm;
  }

  // ---- internals ----

  private async newHandler(device: Device): Promise<OnuHandler> {
    const pa = device.proxyAddress;
    const missing = !device.parentId
      ? 'parent_id'
      : !pa?.deviceId
        ? 'proxy_address.device_id'
        : !pa.channelId
          ? 'proxy_address.channel_id'
          : undefined;
    if (missing || !pa) {
      const error = invalidArgument(
        `ONU ${device.id}: ${missing ?? 'proxy_address'} is not set; the ONU is not attached to an OLT`
      );
      await unlessNotFound(
        this.agent.updateDeviceState(device.id, { operStatus: OperStatus.FAILED, reason: error.message })
      );
      throw error;
    }
    const handler = new OnuHandler(
      device.id,
      device.parentId,
      device.parentPortNo,
      ProxyAddress.fromPartial(pa),
      this.options
    );
    this.handlers.set(device.id, handler);
    this.byProxy.set(proxyAddressKey(handler.proxyAddress), handler);
    return handler;
  }

  /** Stops and forgets a device's handler. */
  private drop(deviceId: string): void {
    const handler = this.handlers.get(deviceId);
    if (!handler) return;
    handler.cancelAll();
    this.handlers.delete(deviceId);
    const key = proxyAddressKey(handler.proxyAddress);
    if (this.byProxy.get(key) === handler) this.byProxy.delete(key);
  }

  private async handlerFor(device: Device): Promise<OnuHandler> {
    const existing = this.handlers.get(device.id);
    if (existing) return existing;
    const handler = await this.newHandler(device);
    handler.state = device.adminState === AdminState.ENABLED ? 'active' : 'disabled';
    return handler;
  }

  private async guard(handler: OnuHandler, body: () => Promise<void>): Promise<void> {
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

  private async parentLogicalDeviceId(handler: OnuHandler): Promise<string> {
    return (await unlessNotFound(this.agent.getDevice(handler.parentId)))?.parentId ?? '';
  }

  private ponPort(handler: OnuHandler): Port {
    return Port.fromPartial({
      portNo: ONU_PON_PORT_NO,
      label: 'PON port',
      type: PortType.PON_ONU,
      adminState: AdminState.ENABLED,
      operStatus: OperStatus.ACTIVE,
      peers: [{ deviceId: handler.parentId, portNo: handler.parentPortNo }]
    });
  }

  private uniPort(): Port {
    return Port.fromPartial({
      portNo: ONU_UNI_PORT_NO,
      label: 'UNI facing Ethernet port',
      type: PortType.ETHERNET_UNI,
      adminState: AdminState.ENABLED,
      operStatus: OperStatus.ACTIVE
    });
  }

  /** id = channel id as a string, port_no = channel id, name `uni-<channel id>`, device port 2. */
  private uniLogicalPort(handler: OnuHandler): LogicalPort {
    return LogicalPort.fromPartial({
      id: handler.uniPortId,
      ofpPort: simulatedOfpPort(handler.channelId, `uni-${handler.channelId}`),
      deviceId: handler.deviceId,
      devicePortNo: ONU_UNI_PORT_NO,
      rootPort: false
    });
  }

  /**
   * Idempotent bring-up, for adopt (1.x step delays) and reconcile (none): device info, ports (PON with
   * its peer), UNI logical port, the proxied round trip, ACTIVE. Only what is missing is written.
   */
  private async bringUp(handler: OnuHandler, tasks: TaskGroup, delays: boolean): Promise<void> {
    const t = this.options.timings;
    const id = handler.deviceId;
    const pause = (ms: number): Promise<void> => (delays ? tasks.sleep(ms) : Promise.resolve());
    await pause(t.activationDelayMs);
    const device = await handler.step(tasks, async () => {
      const current = await this.agent.getDevice(id);
      if (
        current.vendor !== 'simulated onu adapter' ||
        current.connectStatus !== ConnectStatus.REACHABLE ||
        !current.images
      ) {
        await this.agent.updateDevice(this.filledDevice(current));
      }
      return current;
    });
    await pause(t.stepDelayMs);
    await handler.step(tasks, async () => {
      const ports = new Map((await this.agent.getPorts(id)).map((p) => [p.portNo, p]));
      const pon = ports.get(ONU_PON_PORT_NO);
      const ops: AgentOperation[] = [];
      if (!ports.has(ONU_UNI_PORT_NO)) ops.push(agentOp.addPort(id, this.uniPort()));
      const hasPeer = pon?.peers.some(
        (p) => p.deviceId === handler.parentId && p.portNo === handler.parentPortNo
      );
      if (!hasPeer) ops.push(agentOp.addPort(id, this.ponPort(handler)));
      if (ops.length) await this.agent.transaction(ops);
    });
    await pause(t.stepDelayMs);
    await handler.step(tasks, async () => {
      const logicalDeviceId = await this.parentLogicalDeviceId(handler);
      if (!logicalDeviceId)
        throw failedPrecondition(`ONU ${id}: parent ${handler.parentId} has no logical device`);
      await this.agent.addLogicalPort(logicalDeviceId, this.uniLogicalPort(handler));
      handler.logicalDeviceId = logicalDeviceId;
    });
    if (device.operStatus !== OperStatus.ACTIVE) {
      await this.roundTrip(handler, tasks);
    }
    await handler.step(tasks, async () => {
      await this.agent.updateDeviceState(id, {
        operStatus: OperStatus.ACTIVE,
        connectStatus: ConnectStatus.REACHABLE
      });
      handler.state = 'active';
    });
  }

  private filledDevice(device: Device): Device {
    const random = this.options.random;
    return Device.fromPartial({
      ...device,
      vendor: 'simulated onu adapter',
      model: 'n/a',
      hardwareVersion: 'n/a',
      firmwareVersion: 'n/a',
      serialNumber: device.serialNumber || randomHex(random),
      connectStatus: ConnectStatus.REACHABLE,
      images: {
        image: [
          {
            name: 'onu_candidate1',
            version: '1.0',
            hash: '1234567892',
            installDatetime: '',
            isActive: true,
            isCommitted: true,
            isValid: true
          },
          {
            name: 'onu_candidate2',
            version: '1.0',
            hash: '1234567893',
            installDatetime: '',
            isActive: false,
            isCommitted: false,
            isValid: true
          }
        ]
      }
    });
  }

  /** Sends the test message through the OLT and waits for its echo (bounded by the timeout when > 0). */
  private async roundTrip(handler: OnuHandler, tasks: TaskGroup): Promise<void> {
    const key = proxyAddressKey(handler.proxyAddress);
    const reply = new Promise<Uint8Array>((resolve) => this.waiters.set(key, resolve));
    const timeoutMs = this.options.timings.proxiedResponseTimeoutMs;
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      if (timeoutMs > 0) {
        timer = this.options.scheduler.setTimer(timeoutMs, () =>
          reject(
            failedPrecondition(
              `ONU ${handler.deviceId}: no reply to the proxied test message within ${timeoutMs} ms`
            )
          )
        );
      }
    });
    try {
      await this.agent.sendProxiedMessage(handler.proxyAddress, Buffer.from(PROXIED_TEST_MESSAGE));
      await tasks.race(Promise.race([reply, timeout]));
    } finally {
      timer?.cancel();
      if (this.waiters.get(key)) this.waiters.delete(key);
    }
  }
}
