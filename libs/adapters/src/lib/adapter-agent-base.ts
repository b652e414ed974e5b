import { AdminState_AdminState as AdminState, OperStatus_OperStatus as OperStatus } from '@voltha/proto';
import type {
  AlarmEvent,
  Device,
  KpiEvent,
  LogicalDevice,
  LogicalPort,
  PmConfigs,
  Port,
  Port_PortType as PortType,
  ProxyAddress
} from '@voltha/proto';

import {
  agentOp,
  type AdapterAgent,
  type AgentOperation,
  type AgentOperationResultList,
  type ChildDeviceRequest,
  type ChildFilter,
  type ChildStatePatch,
  type DeviceStatePatch,
  type LogicalDeviceIdentity
} from './adapter-agent';

/**
 * The named writes of the AdapterAgent port expressed as transactions, so an implementation only
 * provides the reads, `transaction` and the message methods. A service may still override a named
 * write with a cheaper single call.
 */
export abstract class AdapterAgentBase implements AdapterAgent {
  public constructor(public readonly adapterId: string) {}

  public abstract getDevice(deviceId: string): Promise<Device>;
  public abstract getPorts(deviceId: string, portType?: PortType): Promise<Port[]>;
  public abstract getPmConfigs(deviceId: string): Promise<PmConfigs | undefined>;
  public abstract getChildDevices(parentId: string): Promise<Device[]>;
  public abstract getChildDeviceByProxyAddress(proxyAddress: ProxyAddress): Promise<Device | undefined>;
  public abstract getLogicalDevice(logicalDeviceId: string): Promise<LogicalDevice>;
  public abstract getLogicalPorts(logicalDeviceId: string): Promise<LogicalPort[]>;
  public abstract transaction<const T extends readonly AgentOperation[]>(
    operations: T
  ): Promise<AgentOperationResultList<T>>;
  public abstract sendProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void>;
  public abstract receiveProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void>;
  public abstract sendPacketIn(
    logicalDeviceId: string,
    logicalPortNo: number,
    packet: Uint8Array
  ): Promise<void>;
  public abstract submitKpis(kpis: KpiEvent): Promise<void>;
  public abstract submitAlarm(deviceId: string, alarm: AlarmEvent): Promise<void>;

  public async addDevice(device: Device): Promise<Device> {
    const [added] = await this.transaction([agentOp.addDevice(device)]);
    return added;
  }

  public async updateDevice(device: Device): Promise<void> {
    await this.transaction([agentOp.updateDevice(device)]);
  }

  public async updateDeviceState(deviceId: string, state: DeviceStatePatch): Promise<void> {
    await this.transaction([agentOp.updateDeviceState(deviceId, state)]);
  }

  public async addPort(deviceId: string, port: Port): Promise<void> {
    await this.transaction([agentOp.addPort(deviceId, port)]);
  }

  public async deletePort(deviceId: string, portNo: number): Promise<void> {
    await this.transaction([agentOp.deletePort(deviceId, portNo)]);
  }

  public async deleteAllPeerReferences(deviceId: string): Promise<void> {
    await this.transaction([agentOp.deleteAllPeerReferences(deviceId)]);
  }

  public async disableAllPorts(deviceId: string): Promise<void> {
    await this.transaction([
      agentOp.updatePortsState(deviceId, { adminState: AdminState.DISABLED, operStatus: OperStatus.UNKNOWN })
    ]);
  }

  public async enableAllPorts(deviceId: string): Promise<void> {
    await this.transaction([
      agentOp.updatePortsState(deviceId, { adminState: AdminState.ENABLED, operStatus: OperStatus.ACTIVE })
    ]);
  }

  public async updatePmConfigs(
    deviceId: string,
    pmConfigs: PmConfigs,
    options?: { init?: boolean }
  ): Promise<void> {
    await this.transaction([agentOp.updatePmConfigs(deviceId, pmConfigs, options?.init ?? false)]);
  }

  public async createLogicalDevice(logicalDevice: LogicalDevice): Promise<LogicalDeviceIdentity> {
    const [identity] = await this.transaction([agentOp.createLogicalDevice(logicalDevice)]);
    return identity;
  }

  public async addLogicalPort(logicalDeviceId: string, port: LogicalPort): Promise<void> {
    await this.transaction([agentOp.addLogicalPort(logicalDeviceId, port)]);
  }

  public async deleteLogicalPort(logicalDeviceId: string, portId: string): Promise<void> {
    await this.transaction([agentOp.deleteLogicalPort(logicalDeviceId, portId)]);
  }

  public async deleteLogicalDevice(logicalDeviceId: string): Promise<void> {
    await this.transaction([agentOp.deleteLogicalDevice(logicalDeviceId)]);
  }

  public async childDeviceDetected(child: ChildDeviceRequest): Promise<Device> {
    const [device] = await this.transaction([agentOp.childDeviceDetected(child)]);
    return device;
  }

  public async childDevicesDetected(children: readonly ChildDeviceRequest[]): Promise<Device[]> {
    if (children.length === 0) return [];
    return this.transaction(children.map((child) => agentOp.childDeviceDetected(child)));
  }

  public async updateChildDevice(parentId: string, device: Device): Promise<void> {
    await this.transaction([agentOp.updateChildDevice(parentId, device)]);
  }

  public async updateChildDevices(parentId: string, devices: readonly Device[]): Promise<void> {
    if (devices.length === 0) return;
    await this.transaction(devices.map((device) => agentOp.updateChildDevice(parentId, device)));
  }

  public async removeChildDevice(parentId: string, childId: string): Promise<void> {
    await this.transaction([agentOp.removeChildDevices(parentId, { childIds: [childId] })]);
  }

  public async removeChildDevices(parentId: string, filter?: ChildFilter): Promise<string[]> {
    const [removed] = await this.transaction([agentOp.removeChildDevices(parentId, filter)]);
    return removed;
  }

  public async updateChildDevicesState(
    parentId: string,
    state: ChildStatePatch,
    filter?: ChildFilter
  ): Promise<number> {
    const [changed] = await this.transaction([agentOp.updateChildDevicesState(parentId, state, filter)]);
    return changed;
  }
}
