import type { GrpcCaller } from '@voltha/testing';

import { eventually } from './processes';

export const ADMIN = { UNKNOWN: 0, PREPROVISIONED: 1, DISABLED: 2, ENABLED: 3 } as const;
export const OPER = { UNKNOWN: 0, DISCOVERED: 1, ACTIVATING: 2, ACTIVE: 4, FAILED: 5 } as const;
export const CONNECT = { UNKNOWN: 0, UNREACHABLE: 1, REACHABLE: 2 } as const;
export const PORT = { ETHERNET_NNI: 1, ETHERNET_UNI: 2, PON_OLT: 3, PON_ONU: 4 } as const;
export const OFPPS_LIVE = 4;

/** Devices, ports and logical ports as proto-loader returns them (camelCase, enums as numbers). */
export interface DeviceView {
  id: string;
  type: string;
  adapter: string;
  root: boolean;
  parentId: string;
  parentPortNo: number;
  adminState: number;
  operStatus: number;
  connectStatus: number;
  serialNumber: string;
  vlan: number;
  reason: string;
  proxyAddress: { deviceId: string; channelId: number; onuId: number } | null;
}

export interface PortView {
  portNo: number;
  label: string;
  type: number;
  adminState: number;
  operStatus: number;
  deviceId: string;
  peers: { deviceId: string; portNo: number }[];
}

export interface LogicalPortView {
  id: string;
  deviceId: string;
  devicePortNo: number;
  rootPort: boolean;
  ofpPort: { portNo: number; name: string; state: number };
}

export interface PonState {
  olt: DeviceView;
  onus: DeviceView[];
  ports: Map<string, PortView[]>;
  logicalDevices: { id: string; datapathId: string; rootDeviceId: string }[];
  logicalPorts: LogicalPortView[];
}

/** NBI helpers over VolthaService for the tests. */
export class Pon {
  public constructor(private readonly voltha: GrpcCaller) {}

  public async devices(): Promise<DeviceView[]> {
    return (await this.voltha.call<{ items: DeviceView[] }>('ListDevices')).items;
  }

  public device(id: string): Promise<DeviceView> {
    return this.voltha.call<DeviceView>('GetDevice', { id });
  }

  public async children(oltId: string): Promise<DeviceView[]> {
    return (await this.devices()).filter((d) => d.parentId === oltId && !d.root);
  }

  public async ports(id: string): Promise<PortView[]> {
    const ports = (await this.voltha.call<{ items: PortView[] }>('ListDevicePorts', { id })).items;
    return ports.sort((a, b) => a.portNo - b.portNo);
  }

  public async logicalDevices(): Promise<{ id: string; datapathId: string; rootDeviceId: string }[]> {
    return (
      await this.voltha.call<{ items: { id: string; datapathId: string; rootDeviceId: string }[] }>(
        'ListLogicalDevices'
      )
    ).items;
  }

  public async logicalPorts(id: string): Promise<LogicalPortView[]> {
    const ports = (await this.voltha.call<{ items: LogicalPortView[] }>('ListLogicalDevicePorts', { id }))
      .items;
    return ports.sort((a, b) => a.ofpPort.portNo - b.ofpPort.portNo);
  }

  public async createOlt(extraArgs = '', mac = '00:00:00:00:00:01'): Promise<string> {
    const created = await this.voltha.call<DeviceView>('CreateDevice', {
      type: 'simulated_olt',
      macAddress: mac,
      extraArgs
    });
    return created.id;
  }

  public async call(
    method: 'EnableDevice' | 'DisableDevice' | 'RebootDevice' | 'DeleteDevice',
    id: string
  ): Promise<void> {
    await this.voltha.call(method, { id });
  }

  /** Waits for the OLT and `onus` ONUs ACTIVE with their UNI logical ports; returns the state. */
  public async waitActive(oltId: string, onus: number, timeoutMs = 60_000): Promise<PonState> {
    await eventually(
      `OLT ${oltId} and ${onus} ONUs ACTIVE`,
      async () => {
        const all = await this.devices();
        const olt = all.find((d) => d.id === oltId);
        const children = all.filter((d) => d.parentId === oltId && !d.root);
        return (
          olt?.operStatus === OPER.ACTIVE &&
          children.length === onus &&
          children.every((d) => d.operStatus === OPER.ACTIVE)
        );
      },
      timeoutMs,
      250
    );
    await eventually(`${onus + 1} logical ports`, async () => {
      const ld = (await this.device(oltId)).parentId;
      return (await this.logicalPorts(ld)).length === onus + 1;
    });
    return this.state(oltId);
  }

  /** The OLT, its ONUs, the ports of all of them, the logical devices and the OLT's logical ports. */
  public async state(oltId: string): Promise<PonState> {
    const all = await this.devices();
    const olt = all.find((d) => d.id === oltId);
    if (!olt) throw new Error(`OLT ${oltId} not found`);
    const onus = all.filter((d) => d.parentId === oltId && !d.root).sort((a, b) => a.vlan - b.vlan);
    const ports = new Map<string, PortView[]>();
    for (const d of [olt, ...onus]) ports.set(d.id, await this.ports(d.id));
    const logicalDevices = await this.logicalDevices();
    const logicalPorts = olt.parentId ? await this.logicalPorts(olt.parentId) : [];
    return { olt, onus, ports, logicalDevices, logicalPorts };
  }
}
