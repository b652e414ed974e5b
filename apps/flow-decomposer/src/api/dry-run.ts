import { status } from '@grpc/grpc-js';

import {
  Device,
  LogicalDevice,
  LogicalPort,
  ofpFlowStats,
  ofpGroupEntry,
  ofpMeterEntry
} from '@voltha/proto';
import type { DecomposeRequest, DecomposeResponse } from '@voltha/proto/services';

import type { CoreApi } from '../core/core-client';
import { grpcCode } from '../core/core-client';
import { buildEngine, deviceFlowsOf, failedFlowOf } from '../decomposer/build';
import type { DecompositionInput } from '../decomposer/build';

/** An error the gRPC error filter maps by its `code` name. */
export class ApiError extends Error {
  public constructor(
    public readonly code: 'INVALID_ARGUMENT' | 'NOT_FOUND',
    message: string
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The Decompose RPC: decomposes without writing anything. */
export class DryRun {
  public constructor(private readonly core: CoreApi) {}

  public async decompose(request: DecomposeRequest): Promise<DecomposeResponse> {
    const { id, input } = request.logicalDeviceId
      ? { id: request.logicalDeviceId, input: await this.read(request.logicalDeviceId) }
      : { id: request.logicalDevice?.id ?? '', input: explicitInput(request) };
    const engine = buildEngine(input);
    return {
      $type: 'voltha.DecomposeResponse',
      devices: deviceFlowsOf(engine.snapshot()),
      failed: engine.failedFlows().map(({ flow, error }) => failedFlowOf(id, flow.id, error))
    };
  }

  /** The current topology and tables of a logical device, read from core-config. */
  private async read(id: string): Promise<DecompositionInput> {
    const ld = (await this.core.get(`/logical_devices/${id}`, -1).catch((e: unknown) => {
      if (grpcCode(e) === status.NOT_FOUND) throw new ApiError('NOT_FOUND', `logical device ${id} not found`);
      throw e;
    })) as LogicalDevice;
    const wanted = new Set([ld.rootDeviceId, ...ld.ports.map((p) => p.deviceId)]);
    const devices = ((await this.core.get('/devices', -1)) as Device[]).filter((d) => wanted.has(d.id));
    return {
      rootDeviceId: ld.rootDeviceId,
      logicalPorts: ld.ports,
      devices,
      flows: ld.flows?.items ?? [],
      groups: ld.flowGroups?.items ?? [],
      meters: ld.meters?.items ?? []
    };
  }
}

/** The explicit topology and tables of a request (proto-loader objects made typed messages). */
function explicitInput(request: DecomposeRequest): DecompositionInput {
  const ld = request.logicalDevice ? LogicalDevice.fromPartial(request.logicalDevice) : undefined;
  const devices = (request.devices ?? []).map((d) => Device.fromPartial(d));
  const rootDeviceId = ld?.rootDeviceId || devices.find((d) => d.root)?.id;
  if (!rootDeviceId) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      'Decompose: logical_device_id, or logical_device.root_device_id (or a root device) is required'
    );
  }
  return {
    rootDeviceId,
    logicalPorts: [
      ...(ld?.ports ?? []),
      ...(request.logicalPorts ?? []).map((p) => LogicalPort.fromPartial(p))
    ],
    devices,
    flows: (request.flows ?? []).map((f) => ofpFlowStats.fromPartial(f)),
    groups: (request.groups ?? []).map((g) => ofpGroupEntry.fromPartial(g)),
    meters: (request.meters ?? []).map((m) => ofpMeterEntry.fromPartial(m))
  };
}
