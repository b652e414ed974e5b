import { Client, connectivityState, credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import type { ClientReadableStream, ServiceClientConstructor, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, protoPath } from '@voltha/proto';
import { codecOf } from '@voltha/proto';
import type {
  Adapters,
  ConfigEvent,
  Device,
  Devices,
  DiffResponse,
  Flows,
  GetResponse,
  LogicalDevices,
  LogicalPorts,
  Ports,
  Revisions,
  Tags,
  UnknownMessage,
  Voltha
} from '@voltha/proto';

import type { DecomposerStats, FailedFlows } from '@voltha/proto/services';

import { ApiError, Code, connectFailure, formatMs } from './api';
import type { DecomposerApi, VolthaApi, WatchHandle } from './api';

/**
 * VolthaApi over gRPC: VolthaService and ConfigService of core-config on one channel, stubs built
 * from protos/ by @grpc/proto-loader with the shared GRPC_LOADER_OPTIONS (camelCase fields, 64-bit
 * integers as decimal strings, enums as numbers). Answers are turned into the typed messages of
 * @voltha/proto. Every unary call has a deadline; no call waits for the server to become ready, so
 * an unreachable server fails at once.
 */

const EMPTY = 'google.protobuf.Empty';

let definition: PackageDefinition | undefined;

function packageDefinition(): PackageDefinition {
  definition ??= loadSync([protoPath('voltha_service.proto'), protoPath('config_service.proto')], {
    ...GRPC_LOADER_OPTIONS,
    includeDirs: [...GRPC_LOADER_OPTIONS.includeDirs]
  });
  return definition;
}

/**
 * protobufjs renders google.protobuf.Any with its proto field names (`type_url`) even when other
 * fields are camelCase; ts-proto expects `typeUrl`. Copies the object with Any values renamed.
 */
export function normalizeLoaderObject(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeLoaderObject);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const obj = value as Record<string, unknown>;
  if ('type_url' in obj) return { typeUrl: obj.type_url, value: obj.value };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = normalizeLoaderObject(v);
  return out;
}

let decomposerDefinition: PackageDefinition | undefined;

function decomposerPackageDefinition(): PackageDefinition {
  decomposerDefinition ??= loadSync([protoPath('flow_decomposer_service.proto')], {
    ...GRPC_LOADER_OPTIONS,
    includeDirs: [...GRPC_LOADER_OPTIONS.includeDirs]
  });
  return decomposerDefinition;
}

/** A proto-loader object as the typed message of `typeName`. */
export function toMessage<T extends UnknownMessage>(typeName: string, raw: unknown): T {
  return codecOf<T>(typeName).fromPartial(normalizeLoaderObject(raw ?? {}) as never);
}

type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void
) => void;
type StreamMethod = (request: unknown, metadata: Metadata) => ClientReadableStream<unknown>;

export interface GrpcApiOptions {
  /** Deadline of each unary call, and how long a stream may take to connect. */
  timeoutMs: number;
}

export function createGrpcApi(address: string, options: GrpcApiOptions): VolthaApi {
  const pkg = loadPackageDefinition(packageDefinition()) as unknown as {
    voltha: { VolthaService: ServiceClientConstructor; ConfigService: ServiceClientConstructor };
  };
  const channelOptions = {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024
  };
  const voltha = new pkg.voltha.VolthaService(address, credentials.createInsecure(), channelOptions);
  const config = new pkg.voltha.ConfigService(address, credentials.createInsecure(), {
    ...channelOptions,
    channelOverride: voltha.getChannel()
  });
  const { timeoutMs } = options;

  const connected = (): boolean =>
    voltha.getChannel().getConnectivityState(false) === connectivityState.READY;

  const toApiError = (method: string, e: ServiceError, timedOutConnecting = false): ApiError => {
    const code = typeof e.code === 'number' ? e.code : Code.UNKNOWN;
    const details = e.details ?? e.message;
    let unreachable = connectFailure(code, details);
    if (
      unreachable === undefined &&
      (timedOutConnecting || (code === Code.DEADLINE_EXCEEDED && !connected()))
    ) {
      unreachable = `no connection within ${formatMs(timeoutMs)}`;
    }
    return new ApiError(code, details, method, address, unreachable);
  };

  function unary<T extends UnknownMessage>(
    client: Client,
    method: string,
    request: unknown,
    type: string
  ): Promise<T> {
    const fn = (client as unknown as Record<string, UnaryMethod>)[method];
    return new Promise<T>((resolve, reject) => {
      fn.call(
        client,
        request,
        new Metadata({ waitForReady: false }),
        { deadline: Date.now() + timeoutMs },
        (error, response) => {
          if (error) reject(toApiError(method, error));
          else resolve(toMessage<T>(type, response));
        }
      );
    });
  }
  const call = <T extends UnknownMessage>(method: string, request: unknown, type: string): Promise<T> =>
    unary<T>(voltha, method, request, type);
  const empty = {};
  const done = (): void => undefined;

  return {
    address,
    getVoltha: () => call<Voltha>('GetVoltha', empty, 'voltha.Voltha'),
    listAdapters: () => call<Adapters>('ListAdapters', empty, 'voltha.Adapters').then((r) => r.items),
    listDevices: () => call<Devices>('ListDevices', empty, 'voltha.Devices').then((r) => r.items),
    createDevice: (device) => call<Device>('CreateDevice', device, 'voltha.Device'),
    enableDevice: (id) => call('EnableDevice', { id }, EMPTY).then(done),
    disableDevice: (id) => call('DisableDevice', { id }, EMPTY).then(done),
    rebootDevice: (id) => call('RebootDevice', { id }, EMPTY).then(done),
    deleteDevice: (id) => call('DeleteDevice', { id }, EMPTY).then(done),
    listDevicePorts: (id) => call<Ports>('ListDevicePorts', { id }, 'voltha.Ports').then((r) => r.items),
    listDeviceFlows: (id) => call<Flows>('ListDeviceFlows', { id }, 'openflow_13.Flows').then((r) => r.items),
    listLogicalDevices: () =>
      call<LogicalDevices>('ListLogicalDevices', empty, 'voltha.LogicalDevices').then((r) => r.items),
    listLogicalDevicePorts: (id) =>
      call<LogicalPorts>('ListLogicalDevicePorts', { id }, 'voltha.LogicalPorts').then((r) => r.items),
    listLogicalDeviceFlows: (id) =>
      call<Flows>('ListLogicalDeviceFlows', { id }, 'openflow_13.Flows').then((r) => r.items),
    get: (request) => unary<GetResponse>(config, 'Get', request, 'voltha.GetResponse'),
    listRevisions: () =>
      unary<Revisions>(config, 'ListRevisions', empty, 'voltha.Revisions').then((r) => r.items),
    listTags: () => unary<Tags>(config, 'ListTags', empty, 'voltha.Tags').then((r) => r.items),
    diff: (request) =>
      unary<DiffResponse>(config, 'Diff', request, 'voltha.DiffResponse').then((r) => r.operations),
    watch: (request, onEvent) => watch(request, onEvent),
    close: () => {
      config.close();
      voltha.close();
    }
  };

  function watch(
    request: { pathPrefix: string; fromSeq: string },
    onEvent: (e: ConfigEvent) => void
  ): WatchHandle {
    const stream = (config as unknown as Record<string, StreamMethod>).Watch.call(
      config,
      request,
      new Metadata({ waitForReady: false })
    );
    let cancelled = false;
    let timedOut = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      const settle = (error?: ApiError): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      stream.on('data', (raw: unknown) => {
        if (!cancelled) onEvent(toMessage<ConfigEvent>('voltha.ConfigEvent', raw));
      });
      stream.on('error', (e: ServiceError) => {
        if (timedOut) settle(toApiError('Watch', e, true));
        else if (cancelled && e.code === Code.CANCELLED) settle();
        else settle(toApiError('Watch', e));
      });
      stream.on('end', () => settle());
      // A stream has no deadline; only connecting to the server is bounded by the timeout.
      timer = setTimeout(() => {
        if (!connected()) {
          timedOut = true;
          stream.cancel();
        }
      }, timeoutMs);
    });
    return {
      done: finished,
      cancel: () => {
        if (settled || cancelled) return;
        cancelled = true;
        stream.cancel();
      }
    };
  }
}

/**
 * DecomposerApi over gRPC: FlowDecomposerService of flow-decomposer, built like the core-config
 * client (proto-loader with GRPC_LOADER_OPTIONS, a deadline on every call, no waiting for ready).
 */
export function createDecomposerApi(address: string, options: GrpcApiOptions): DecomposerApi {
  const pkg = loadPackageDefinition(decomposerPackageDefinition()) as unknown as {
    voltha: { FlowDecomposerService: ServiceClientConstructor };
  };
  const client = new pkg.voltha.FlowDecomposerService(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024
  });
  const { timeoutMs } = options;
  const connected = (): boolean =>
    client.getChannel().getConnectivityState(false) === connectivityState.READY;

  const toApiError = (method: string, e: ServiceError): ApiError => {
    const code = typeof e.code === 'number' ? e.code : Code.UNKNOWN;
    const details = e.details ?? e.message;
    let unreachable = connectFailure(code, details);
    if (unreachable === undefined && code === Code.DEADLINE_EXCEEDED && !connected()) {
      unreachable = `no connection within ${formatMs(timeoutMs)}`;
    }
    return new ApiError(code, details, method, address, unreachable, 'flow-decomposer');
  };

  function call<T extends UnknownMessage>(method: string, request: unknown, type: string): Promise<T> {
    const fn = (client as unknown as Record<string, UnaryMethod>)[method];
    return new Promise<T>((resolve, reject) => {
      fn.call(
        client,
        request,
        new Metadata({ waitForReady: false }),
        { deadline: Date.now() + timeoutMs },
        (error, response) => {
          if (error) reject(toApiError(method, error));
          else resolve(toMessage<T>(type, response));
        }
      );
    });
  }

  return {
    address,
    getStats: () => call<DecomposerStats>('GetStats', {}, 'voltha.DecomposerStats'),
    listFailedFlows: (id) =>
      call<FailedFlows>('ListFailedFlows', { id }, 'voltha.FailedFlows').then((r) => r.items),
    close: () => client.close()
  };
}
