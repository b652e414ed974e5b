import { status } from '@grpc/grpc-js';

/**
 * gRPC status → HTTP status (Chameleon's mapping, extended). Codes not listed here (CANCELLED, UNKNOWN,
 * RESOURCE_EXHAUSTED, OUT_OF_RANGE, INTERNAL, DATA_LOSS) are 500.
 */
const HTTP_BY_GRPC: ReadonlyMap<status, number> = new Map([
  [status.OK, 200],
  [status.INVALID_ARGUMENT, 400],
  [status.NOT_FOUND, 404],
  [status.ALREADY_EXISTS, 409],
  [status.FAILED_PRECONDITION, 409],
  [status.ABORTED, 409],
  [status.PERMISSION_DENIED, 403],
  [status.UNAUTHENTICATED, 401],
  [status.UNIMPLEMENTED, 501],
  [status.UNAVAILABLE, 503],
  [status.DEADLINE_EXCEEDED, 504]
]);

export function httpStatusOf(code: number): number {
  return HTTP_BY_GRPC.get(code as status) ?? 500;
}

/** 'NOT_FOUND' for 5; 'UNKNOWN' for anything outside the gRPC code range. */
export function grpcCodeName(code: number): string {
  const name = (status as unknown as Record<number, string | undefined>)[code];
  return typeof name === 'string' ? name : 'UNKNOWN';
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: string;
  code: string;
}

export function errorBody(code: number, message: string): ErrorBody {
  return { error: message, code: grpcCodeName(code) };
}

/** The gRPC status of a failed call, from a grpc-js ServiceError or anything else thrown. */
export function grpcErrorOf(error: unknown): { code: number; message: string } {
  const e = error as { code?: unknown; details?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'number' && e.code >= 0 && e.code <= 16) {
    const message =
      typeof e.details === 'string' && e.details !== ''
        ? e.details
        : typeof e.message === 'string'
          ? e.message
          : grpcCodeName(e.code);
    return { code: e.code, message };
  }
  return { code: status.INTERNAL, message: error instanceof Error ? error.message : String(error) };
}
