import { status } from '@grpc/grpc-js';
import type { ArgumentsHost, RpcExceptionFilter } from '@nestjs/common';
import { Catch, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { throwError } from 'rxjs';

import { GRPC_STATUS_BY_NAME } from './grpc';

const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH'
]);

export interface GrpcError {
  code: status;
  message: string;
}

/**
 * The one place where errors become gRPC statuses. Domain errors carry a `code` naming a gRPC status
 * ('NOT_FOUND', 'INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'ABORTED', 'UNAVAILABLE', ...); anything
 * else is an internal error.
 */
export function toGrpcError(error: unknown): GrpcError {
  if (error instanceof RpcException) {
    const e = error.getError();
    if (typeof e === 'object' && e !== null && 'code' in e) return e as GrpcError;
    return { code: status.UNKNOWN, message: String(e) };
  }
  const code = (error as { code?: unknown } | null)?.code;
  // Already mapped (e.g. an Observable that errors with toGrpcError's result): keep it.
  if (!(error instanceof Error) && isStatusCode(code) && typeof (error as GrpcError).message === 'string') {
    return { code, message: (error as GrpcError).message };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code in GRPC_STATUS_BY_NAME)
    return { code: GRPC_STATUS_BY_NAME[code], message };
  if (typeof code === 'string' && UNAVAILABLE_SYSTEM_CODES.has(code))
    return { code: status.UNAVAILABLE, message };
  if (typeof code === 'number' && code >= 0 && code <= 16 && error instanceof Error && 'details' in error) {
    return { code, message: String((error as { details: unknown }).details) };
  }
  return { code: status.INTERNAL, message };
}

function isStatusCode(code: unknown): code is status {
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16;
}

/** Global filter of every gRPC server: maps thrown errors with toGrpcError, logs the internal ones. */
@Catch()
export class GrpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(GrpcErrorFilter.name);

  public catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const err = toGrpcError(exception);
    if (err.code === status.INTERNAL || err.code === status.UNKNOWN) {
      this.logger.error('internal-error', (exception as Error)?.stack ?? String(exception));
    }
    return throwError(() => err);
  }
}
