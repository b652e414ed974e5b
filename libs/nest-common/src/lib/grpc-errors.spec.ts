import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';

import { GrpcErrorFilter, toGrpcError } from './grpc-errors';

class DomainError extends Error {
  public constructor(
    message: string,
    public readonly code: string
  ) {
    super(message);
  }
}

describe('toGrpcError', () => {
  it.each([
    ['NOT_FOUND', status.NOT_FOUND],
    ['INVALID_ARGUMENT', status.INVALID_ARGUMENT],
    ['FAILED_PRECONDITION', status.FAILED_PRECONDITION],
    ['ABORTED', status.ABORTED],
    ['UNAVAILABLE', status.UNAVAILABLE]
  ])('should map a domain error with code %s', (code, expected) => {
    expect(toGrpcError(new DomainError('boom', code))).toEqual({ code: expected, message: 'boom' });
  });

  it('should map connection failures to UNAVAILABLE', () => {
    expect(toGrpcError(new DomainError('connect ECONNREFUSED', 'ECONNREFUSED')).code).toBe(
      status.UNAVAILABLE
    );
  });

  it('should keep an RpcException as thrown', () => {
    expect(toGrpcError(new RpcException({ code: status.ABORTED, message: 'x' }))).toEqual({
      code: status.ABORTED,
      message: 'x'
    });
  });

  it('should keep an error it already mapped (idempotent)', () => {
    const mapped = toGrpcError(new DomainError('gone', 'FAILED_PRECONDITION'));
    expect(toGrpcError(mapped)).toEqual({ code: status.FAILED_PRECONDITION, message: 'gone' });
  });

  it('should turn anything else into INTERNAL', () => {
    expect(toGrpcError(new TypeError('oops'))).toEqual({ code: status.INTERNAL, message: 'oops' });
  });

  it('should make the filter emit the mapped error', async () => {
    const filter = new GrpcErrorFilter();
    await expect(
      lastValueFrom(filter.catch(new DomainError('gone', 'NOT_FOUND'), undefined as never))
    ).rejects.toEqual({ code: status.NOT_FOUND, message: 'gone' });
  });
});
