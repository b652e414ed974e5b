import { status } from '@grpc/grpc-js';

import { errorBody, grpcCodeName, grpcErrorOf, httpStatusOf } from './status-mapping';

describe('status mapping', () => {
  it.each([
    [status.OK, 200],
    [status.NOT_FOUND, 404],
    [status.INVALID_ARGUMENT, 400],
    [status.FAILED_PRECONDITION, 409],
    [status.ABORTED, 409],
    [status.ALREADY_EXISTS, 409],
    [status.UNAVAILABLE, 503],
    [status.PERMISSION_DENIED, 403],
    [status.UNAUTHENTICATED, 401],
    [status.DEADLINE_EXCEEDED, 504],
    [status.UNIMPLEMENTED, 501],
    [status.CANCELLED, 500],
    [status.UNKNOWN, 500],
    [status.RESOURCE_EXHAUSTED, 500],
    [status.OUT_OF_RANGE, 500],
    [status.INTERNAL, 500],
    [status.DATA_LOSS, 500],
    [99, 500]
  ])('should map gRPC %i to HTTP %i', (code, http) => {
    expect(httpStatusOf(code)).toBe(http);
  });

  it('should name gRPC codes', () => {
    expect(grpcCodeName(status.NOT_FOUND)).toBe('NOT_FOUND');
    expect(grpcCodeName(status.FAILED_PRECONDITION)).toBe('FAILED_PRECONDITION');
    expect(grpcCodeName(42)).toBe('UNKNOWN');
    expect(errorBody(status.ABORTED, 'write conflict')).toEqual({ error: 'write conflict', code: 'ABORTED' });
  });

  it('should read grpc-js service errors and anything else thrown', () => {
    const serviceError = Object.assign(new Error('5 NOT_FOUND: device d1'), {
      code: status.NOT_FOUND,
      details: 'device d1'
    });
    expect(grpcErrorOf(serviceError)).toEqual({ code: status.NOT_FOUND, message: 'device d1' });
    expect(grpcErrorOf({ code: status.UNAVAILABLE, details: '' })).toEqual({
      code: status.UNAVAILABLE,
      message: 'UNAVAILABLE'
    });
    expect(grpcErrorOf(new Error('boom'))).toEqual({ code: status.INTERNAL, message: 'boom' });
    expect(grpcErrorOf(Object.assign(new Error('sys'), { code: 'ECONNRESET' }))).toEqual({
      code: status.INTERNAL,
      message: 'sys'
    });
    expect(grpcErrorOf('text')).toEqual({ code: status.INTERNAL, message: 'text' });
  });
});
