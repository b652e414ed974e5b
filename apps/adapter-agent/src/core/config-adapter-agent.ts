import { AdapterAgentBase, notFound } from '@voltha/adapters';
import type { AgentOperation, AgentOperationResultList } from '@voltha/adapters';
import { PmConfigs } from '@voltha/proto';
import type {
  AlarmEvent,
  Device,
  KpiEvent,
  LogicalDevice,
  LogicalPort,
  Port,
  Port_PortType as PortType,
  ProxyAddress
} from '@voltha/proto';

import { devicePath, logicalDevicePath, logicalPortsPath, portsPath } from './agent-operations';
import type { CoreGateway } from './core-gateway';

/** Where the agent sends what is not a tree write: proxied messages, packet-ins, KPIs and alarms. */
export interface AgentRouter {
  /** To the adapter of the parent device (`proxyAddress.deviceId`). */
  toParent(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void>;
  /** To the adapter of the device registered at `proxyAddress`. */
  toChild(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void>;
  packetIn(
    adapterId: string,
    logicalDeviceId: string,
    logicalPortNo: number,
    packet: Uint8Array
  ): Promise<void>;
  kpis(adapterId: string, kpis: KpiEvent): Promise<void>;
  alarm(adapterId: string, deviceId: string, alarm: AlarmEvent): Promise<void>;
}

/** The origin of the writes of an adapter hosted by this agent: `adapter-agent/<adapter id>`. */
export const ORIGIN_PREFIX = 'adapter-agent/';
export const originOf = (adapterId: string): string => `${ORIGIN_PREFIX}${adapterId}`;
/** The adapter id of an origin written by `originOf`, else the origin as is (another writer). */
export const writerOf = (origin: string): string =>
  origin.startsWith(ORIGIN_PREFIX) ? origin.slice(ORIGIN_PREFIX.length) : origin;

/** A PM configuration node that was never written (the tree holds an empty default message). */
const isUnset = (pm: PmConfigs): boolean =>
  !pm.id && pm.defaultFreq === 0 && pm.metrics.length === 0 && pm.groups.length === 0;

/**
 * The AdapterAgent port of one hosted adapter over core-config's ConfigService. Reads go to the tree
 * (depth 0, as 1.x get_device); children and proxy-address lookups come from the agent's index; every
 * write is a ConfigService transaction whose origin names the adapter, so the adapter does not get its
 * own changes back.
 */
export class ConfigAdapterAgent extends AdapterAgentBase {
  public readonly origin: string;

  public constructor(
    adapterId: string,
    private readonly gateway: CoreGateway,
    private readonly router: AgentRouter
  ) {
    super(adapterId);
    this.origin = originOf(adapterId);
  }

  public async getDevice(deviceId: string): Promise<Device> {
    const device = await this.gateway.client.find<Device>(devicePath(deviceId));
    if (!device) throw notFound(`device ${deviceId} not found`);
    return device;
  }

  /** NOT_FOUND (from the core) when the device does not exist. */
  public async getPorts(deviceId: string, portType?: PortType): Promise<Port[]> {
    const ports = await this.gateway.client.getList<Port>(portsPath(deviceId));
    return portType === undefined ? ports : ports.filter((p) => p.type === portType);
  }

  public async getPmConfigs(deviceId: string): Promise<PmConfigs | undefined> {
    const pm = await this.gateway.client.find<PmConfigs>(`${devicePath(deviceId)}/pm_configs`);
    if (!pm) {
      await this.getDevice(deviceId);
      return undefined;
    }
    return isUnset(pm) ? undefined : PmConfigs.fromPartial(pm);
  }

  public async getChildDevices(parentId: string): Promise<Device[]> {
    return this.gateway.index.childDevices(parentId);
  }

  public async getChildDeviceByProxyAddress(proxyAddress: ProxyAddress): Promise<Device | undefined> {
    const id = this.gateway.index.deviceIdByProxy(proxyAddress);
    return id === undefined ? undefined : this.gateway.index.device(id);
  }

  public async getLogicalDevice(logicalDeviceId: string): Promise<LogicalDevice> {
    const ld = await this.gateway.client.find<LogicalDevice>(logicalDevicePath(logicalDeviceId));
    if (!ld) throw notFound(`logical device ${logicalDeviceId} not found`);
    return ld;
  }

  /** NOT_FOUND (from the core) when the logical device does not exist. */
  public async getLogicalPorts(logicalDeviceId: string): Promise<LogicalPort[]> {
    return this.gateway.client.getList<LogicalPort>(logicalPortsPath(logicalDeviceId));
  }

  public async transaction<const T extends readonly AgentOperation[]>(
    operations: T
  ): Promise<AgentOperationResultList<T>> {
    return (await this.gateway.transaction(operations, this.origin)) as AgentOperationResultList<T>;
  }

  public sendProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    return this.router.toParent(proxyAddress, msg);
  }

  public receiveProxiedMessage(proxyAddress: ProxyAddress, msg: Uint8Array): Promise<void> {
    return this.router.toChild(proxyAddress, msg);
  }

  public sendPacketIn(logicalDeviceId: string, logicalPortNo: number, packet: Uint8Array): Promise<void> {
    return this.router.packetIn(this.adapterId, logicalDeviceId, logicalPortNo, packet);
  }

  public submitKpis(kpis: KpiEvent): Promise<void> {
    return this.router.kpis(this.adapterId, kpis);
  }

  public submitAlarm(deviceId: string, alarm: AlarmEvent): Promise<void> {
    return this.router.alarm(this.adapterId, deviceId, alarm);
  }
}
