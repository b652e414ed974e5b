import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject } from '@nestjs/common';
import type { Observable } from 'rxjs';

import type { ConfigRoot } from '@voltha/config-tree';
import { checkDeviceId } from '@voltha/device-lifecycle';
import {
  Adapters,
  DeviceGroups,
  Devices,
  DeviceTypes,
  Flows,
  FlowGroups,
  LogicalDevices,
  LogicalPorts,
  Meters,
  PmConfigs,
  Ports,
  Voltha
} from '@voltha/proto';
import type {
  Adapter,
  ConfigEvent,
  Device,
  DeviceGroup,
  DeviceType,
  Empty,
  FlowGroupTableUpdate,
  FlowTableUpdate,
  HealthStatus,
  ID,
  LogicalDevice,
  LogicalPort,
  MeterModUpdate,
  ofpFlowStats,
  Port,
  VolthaInstance
} from '@voltha/proto';
import { VolthaServiceControllerMethods } from '@voltha/proto/services';
import type { VolthaServiceController } from '@voltha/proto/services';

import { CONFIG_ROOT, DEVICES_SERVICE, EVENT_HUB, FLOWS_SERVICE, SERVICE_VERSION } from '../app/tokens';
import type { EventHub } from '../events/event-hub';
import { configEventStream } from '../events/event-hub';
import { orNotFound } from '../tree/not-found';
import type { DevicesService } from './devices.service';
import type { FlowsService } from './flows.service';
import { depthOf, EMPTY } from './grpc-context';

/** The northbound VolthaService (1.x names), over the config tree. */
@Controller()
@VolthaServiceControllerMethods()
export class VolthaController implements VolthaServiceController {
  public constructor(
    @Inject(CONFIG_ROOT) private readonly root: ConfigRoot,
    @Inject(DEVICES_SERVICE) private readonly devices: DevicesService,
    @Inject(FLOWS_SERVICE) private readonly flows: FlowsService,
    @Inject(EVENT_HUB) private readonly events: EventHub,
    @Inject(SERVICE_VERSION) private readonly version: string
  ) {}

  public async getVoltha(_request: Empty, metadata?: Metadata): Promise<Voltha> {
    const depth = depthOf(metadata);
    const instance = await this.root.getNode<VolthaInstance>('/', { depth: 0 });
    return Voltha.fromPartial({
      version: this.version,
      logLevel: instance.logLevel,
      instances: [instance],
      adapters: await this.root.getList<Adapter>('/adapters', { depth }),
      logicalDevices: await this.root.getList<LogicalDevice>('/logical_devices', { depth }),
      devices: await this.root.getList<Device>('/devices', { depth }),
      deviceGroups: await this.root.getList<DeviceGroup>('/device_groups', { depth })
    });
  }

  public getHealth(): Promise<HealthStatus> {
    return this.root.getNode<HealthStatus>('/health');
  }

  public async listAdapters(_request: Empty, metadata?: Metadata): Promise<Adapters> {
    return Adapters.fromPartial({
      items: await this.root.getList<Adapter>('/adapters', { depth: depthOf(metadata) })
    });
  }

  public async listDeviceTypes(): Promise<DeviceTypes> {
    return DeviceTypes.fromPartial({ items: await this.root.getList<DeviceType>('/device_types') });
  }

  public getDeviceType(request: ID): Promise<DeviceType> {
    const id = checkDeviceId(request.id, 'device type');
    return orNotFound(`device type ${id}`, () => this.root.getNode<DeviceType>(`/device_types/${id}`));
  }

  public async listDeviceGroups(_request: Empty, metadata?: Metadata): Promise<DeviceGroups> {
    return DeviceGroups.fromPartial({
      items: await this.root.getList<DeviceGroup>('/device_groups', { depth: depthOf(metadata) })
    });
  }

  public async listDevices(_request: Empty, metadata?: Metadata): Promise<Devices> {
    return Devices.fromPartial({
      items: await this.root.getList<Device>('/devices', { depth: depthOf(metadata) })
    });
  }

  public getDevice(request: ID, metadata?: Metadata): Promise<Device> {
    return this.devices.getDevice(request.id, depthOf(metadata));
  }

  public createDevice(request: Device): Promise<Device> {
    return this.devices.createDevice(request);
  }

  public async enableDevice(request: ID): Promise<void> {
    await this.devices.enableDevice(request.id);
    return EMPTY;
  }

  public async disableDevice(request: ID): Promise<void> {
    await this.devices.disableDevice(request.id);
    return EMPTY;
  }

  public async rebootDevice(request: ID): Promise<void> {
    await this.devices.rebootDevice(request.id);
    return EMPTY;
  }

  public async deleteDevice(request: ID): Promise<void> {
    await this.devices.deleteDevice(request.id);
    return EMPTY;
  }

  public async listDevicePorts(request: ID): Promise<Ports> {
    const id = await this.existingDevice(request.id);
    return Ports.fromPartial({ items: await this.root.getList<Port>(`/devices/${id}/ports`) });
  }

  public async listDevicePmConfigs(request: ID): Promise<PmConfigs> {
    const id = await this.existingDevice(request.id);
    return this.root
      .getNode<PmConfigs>(`/devices/${id}/pm_configs`)
      .catch(() => PmConfigs.fromPartial({ id }));
  }

  public async listDeviceFlows(request: ID): Promise<Flows> {
    const id = await this.existingDevice(request.id);
    return Flows.fromPartial({ items: await this.root.getList<ofpFlowStats>(`/devices/${id}/flows/items`) });
  }

  public async listDeviceFlowGroups(request: ID): Promise<FlowGroups> {
    const id = await this.existingDevice(request.id);
    return this.root
      .getNode<FlowGroups>(`/devices/${id}/flow_groups`)
      .catch(() => FlowGroups.fromPartial({}));
  }

  public async listLogicalDevices(_request: Empty, metadata?: Metadata): Promise<LogicalDevices> {
    return LogicalDevices.fromPartial({
      items: await this.root.getList<LogicalDevice>('/logical_devices', { depth: depthOf(metadata) })
    });
  }

  public getLogicalDevice(request: ID, metadata?: Metadata): Promise<LogicalDevice> {
    const id = checkDeviceId(request.id, 'logical device');
    return orNotFound(`logical device ${id}`, () =>
      this.root.getNode<LogicalDevice>(`/logical_devices/${id}`, { depth: depthOf(metadata) })
    );
  }

  public async listLogicalDevicePorts(request: ID): Promise<LogicalPorts> {
    const id = await this.existingLogicalDevice(request.id);
    return LogicalPorts.fromPartial({
      items: await this.root.getList<LogicalPort>(`/logical_devices/${id}/ports`)
    });
  }

  public async listLogicalDeviceFlows(request: ID): Promise<Flows> {
    const id = await this.existingLogicalDevice(request.id);
    return Flows.fromPartial({
      items: await this.root.getList<ofpFlowStats>(`/logical_devices/${id}/flows/items`)
    });
  }

  public async updateLogicalDeviceFlowTable(request: FlowTableUpdate): Promise<void> {
    await this.flows.updateFlowTable(request);
    return EMPTY;
  }

  public async listLogicalDeviceFlowGroups(request: ID): Promise<FlowGroups> {
    const id = await this.existingLogicalDevice(request.id);
    return this.root
      .getNode<FlowGroups>(`/logical_devices/${id}/flow_groups`)
      .catch(() => FlowGroups.fromPartial({}));
  }

  public async updateLogicalDeviceFlowGroupTable(request: FlowGroupTableUpdate): Promise<void> {
    await this.flows.updateGroupTable(request);
    return EMPTY;
  }

  public async listLogicalDeviceMeters(request: ID): Promise<Meters> {
    const id = await this.existingLogicalDevice(request.id);
    return this.root.getNode<Meters>(`/logical_devices/${id}/meters`).catch(() => Meters.fromPartial({}));
  }

  public async updateLogicalDeviceMeterTable(request: MeterModUpdate): Promise<void> {
    await this.flows.updateMeterTable(request);
    return EMPTY;
  }

  public receiveChangeEvents(): Observable<ConfigEvent> {
    return configEventStream(this.events, '', () => undefined);
  }

  private async existingDevice(id: string): Promise<string> {
    await this.devices.getDevice(id);
    return id;
  }

  private async existingLogicalDevice(raw: string): Promise<string> {
    const id = checkDeviceId(raw, 'logical device');
    await orNotFound(`logical device ${id}`, () => this.root.getNode(`/logical_devices/${id}`));
    return id;
  }
}
