import { Controller, Inject } from '@nestjs/common';

import { Adapters, DeviceTypes } from '@voltha/proto';
import type { Empty, Flows, HealthStatus, ID } from '@voltha/proto';
import { AdapterAgentServiceControllerMethods, OnuChangeResponse } from '@voltha/proto/services';
import type {
  AdapterAgentServiceController,
  OnuArrivalRequest,
  OnuDepartureRequest
} from '@voltha/proto/services';

import { ADAPTER_HOST, ADVERTISED_ENDPOINT } from '../app/tokens';
import type { AdapterHost } from '../host/adapter-host';

/** gRPC handlers that answer google.protobuf.Empty return this. */
const EMPTY = {} as never;

/**
 * AdapterAgentService: what this agent hosts (adapters, device types, health), the reboot call of the
 * core, and the simulated-PON control that replaces 1.x's HTTP test endpoint.
 */
@Controller()
@AdapterAgentServiceControllerMethods()
export class AdapterAgentController implements AdapterAgentServiceController {
  public constructor(
    @Inject(ADAPTER_HOST) private readonly host: AdapterHost,
    @Inject(ADVERTISED_ENDPOINT) private readonly endpoint: string
  ) {}

  public listAdapters(_request: Empty): Adapters {
    return Adapters.fromPartial({ items: this.host.descriptors(this.endpoint) });
  }

  public listDeviceTypes(_request: Empty): DeviceTypes {
    return DeviceTypes.fromPartial({ items: this.host.deviceTypes() });
  }

  public getAdapterHealth(request: ID): Promise<HealthStatus> {
    return this.host.health(request.id);
  }

  public async rebootDevice(request: ID): Promise<void> {
    await this.host.rebootDevice(request.id);
    return EMPTY;
  }

  public async simulateOnuArrival(request: OnuArrivalRequest): Promise<OnuChangeResponse> {
    const deviceIds = await this.host.arriveOnus(request.oltId, request.ponPort, request.count);
    return OnuChangeResponse.fromPartial({ deviceIds });
  }

  public async simulateOnuDeparture(request: OnuDepartureRequest): Promise<OnuChangeResponse> {
    const deviceIds = await this.host.departOnus(
      request.oltId,
      request.onuIds,
      request.ponPort,
      request.count
    );
    return OnuChangeResponse.fromPartial({ deviceIds });
  }

  public listReceivedFlows(request: ID): Promise<Flows> {
    return this.host.receivedFlows(request.id);
  }
}
