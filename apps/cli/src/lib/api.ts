import type {
  Adapter,
  ConfigEvent,
  DeepPartial,
  Device,
  GetResponse,
  JsonPatchOperation,
  LogicalDevice,
  LogicalPort,
  Port,
  Revision,
  Tag,
  Voltha,
  ofpFlowStats
} from '@voltha/proto';
import type { DecomposerStats, FailedFlow } from '@voltha/proto/services';

/**
 * What the commands need of core-config, as typed messages (@voltha/proto). The gRPC client
 * (grpc-client.ts) implements it; unit tests can substitute a stub.
 */
export interface VolthaApi {
  /** host:port the client talks to. */
  readonly address: string;
  getVoltha(): Promise<Voltha>;
  listAdapters(): Promise<Adapter[]>;
  listDevices(): Promise<Device[]>;
  createDevice(device: DeepPartial<Device>): Promise<Device>;
  enableDevice(id: string): Promise<void>;
  disableDevice(id: string): Promise<void>;
  rebootDevice(id: string): Promise<void>;
  deleteDevice(id: string): Promise<void>;
  listDevicePorts(id: string): Promise<Port[]>;
  listDeviceFlows(id: string): Promise<ofpFlowStats[]>;
  listLogicalDevices(): Promise<LogicalDevice[]>;
  listLogicalDevicePorts(id: string): Promise<LogicalPort[]>;
  listLogicalDeviceFlows(id: string): Promise<ofpFlowStats[]>;
  get(request: { path: string; depth: number; hash: string }): Promise<GetResponse>;
  listRevisions(): Promise<Revision[]>;
  listTags(): Promise<Tag[]>;
  diff(request: {
    path: string;
    hash1: string;
    hash2: string;
    tag1: string;
    tag2: string;
  }): Promise<JsonPatchOperation[]>;
  /** Streams change events to `onEvent` until cancelled (resolves), the server ends it, or it fails. */
  watch(request: { pathPrefix: string; fromSeq: string }, onEvent: (event: ConfigEvent) => void): WatchHandle;
  close(): void;
}

/**
 * What the flowdecomposer commands need of flow-decomposer (FlowDecomposerService), as typed
 * messages. The gRPC client (grpc-client.ts) implements it; unit tests can substitute a stub.
 */
export interface DecomposerApi {
  /** host:port the client talks to. */
  readonly address: string;
  getStats(): Promise<DecomposerStats>;
  /** The logical flows that cannot be decomposed, of one logical device or ('') of all. */
  listFailedFlows(logicalDeviceId: string): Promise<FailedFlow[]>;
  close(): void;
}

export interface WatchHandle {
  /** Settles when the stream ends: resolves on cancel() or a normal end, rejects with an ApiError. */
  readonly done: Promise<void>;
  cancel(): void;
}

/** gRPC status codes used by the CLI (numeric values of grpc.status). */
export const Code = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16
} as const;

const CODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Code).map(([k, v]) => [v, k]));

export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `code ${code}`;
}

/** A failed call: the gRPC status, and whether the server could not be reached at all. */
export class ApiError extends Error {
  public constructor(
    public readonly code: number,
    public readonly details: string,
    /** The RPC that failed (`GetDevice`). */
    public readonly method: string,
    /** host:port of the server called. */
    public readonly address: string,
    /** Set when no connection to the server could be made: why ("connection refused"). */
    public readonly unreachable?: string,
    /** The service called, as named in messages (`core-config`, `flow-decomposer`). */
    public readonly service: string = 'core-config'
  ) {
    super(`${method}: ${codeName(code)}: ${details}`);
    this.name = 'ApiError';
  }
}

export function isApiError(e: unknown, code?: number): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

const CONNECT_FAILURES: readonly [RegExp, string][] = [
  [/ECONNREFUSED/, 'connection refused'],
  [/ENOTFOUND|Name resolution failed|EAI_AGAIN|getaddrinfo/, 'unknown host'],
  [/EHOSTUNREACH|ENETUNREACH/, 'host unreachable'],
  [/ETIMEDOUT/, 'connection timed out'],
  [/ECONNRESET|EPIPE/, 'connection reset'],
  [/No connection established|Failed to connect/, 'no connection']
];

/** Why a call failed to connect, from an UNAVAILABLE status' details; undefined for server-side errors. */
export function connectFailure(code: number, details: string): string | undefined {
  if (code !== Code.UNAVAILABLE) return undefined;
  for (const [re, reason] of CONNECT_FAILURES) if (re.test(details)) return reason;
  return undefined;
}

/** The one line the CLI prints for a failed call (without the "voltha: " prefix). */
export function describeApiError(e: ApiError, timeoutMs: number): string {
  const service = e.service;
  if (e.unreachable !== undefined) return `cannot reach ${service} at ${e.address} (${e.unreachable})`;
  const details = e.details.trim();
  switch (e.code) {
    case Code.DEADLINE_EXCEEDED:
      return `${service} at ${e.address} did not answer ${e.method} within ${formatMs(timeoutMs)}`;
    case Code.UNIMPLEMENTED:
      return `${service} at ${e.address} does not implement ${e.method}`;
    case Code.UNAVAILABLE:
      return `${service} unavailable: ${details || 'no details'}`;
    case Code.INVALID_ARGUMENT:
      return `invalid argument: ${details}`;
    case Code.NOT_FOUND:
    case Code.ALREADY_EXISTS:
    case Code.FAILED_PRECONDITION:
    case Code.ABORTED:
    case Code.OUT_OF_RANGE:
      return details || codeName(e.code).toLowerCase().replace(/_/g, ' ');
    default:
      return `${e.method} failed: ${details || 'no details'} (${codeName(e.code)})`;
  }
}

export function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
