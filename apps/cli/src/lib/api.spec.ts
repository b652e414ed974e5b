import { ApiError, Code, codeName, connectFailure, describeApiError, formatMs, isApiError } from './api';

const err = (code: number, details: string, unreachable?: string): ApiError =>
  new ApiError(code, details, 'ListDevices', 'core:50057', unreachable);

describe('api errors', () => {
  it('recognises connection failures in UNAVAILABLE details', () => {
    const refused =
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:50057. Resolution note: ';
    expect(connectFailure(Code.UNAVAILABLE, refused)).toBe('connection refused');
    expect(connectFailure(Code.UNAVAILABLE, 'Name resolution failed for target dns:nohost:50057')).toBe(
      'unknown host'
    );
    expect(connectFailure(Code.UNAVAILABLE, 'connect EHOSTUNREACH 10.0.0.1:50057')).toBe('host unreachable');
    expect(connectFailure(Code.UNAVAILABLE, 'No connection established')).toBe('no connection');
    expect(connectFailure(Code.UNAVAILABLE, 'etcd is down')).toBeUndefined();
    expect(connectFailure(Code.INTERNAL, 'ECONNREFUSED')).toBeUndefined();
  });

  it('describes each kind of failure in one line', () => {
    expect(describeApiError(err(Code.UNAVAILABLE, 'x', 'connection refused'), 10_000)).toBe(
      'cannot reach core-config at core:50057 (connection refused)'
    );
    expect(describeApiError(err(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'), 10_000)).toBe(
      'core-config at core:50057 did not answer ListDevices within 10s'
    );
    expect(describeApiError(err(Code.UNIMPLEMENTED, ''), 1)).toBe(
      'core-config at core:50057 does not implement ListDevices'
    );
    expect(describeApiError(err(Code.UNAVAILABLE, 'store unavailable'), 1)).toBe(
      'core-config unavailable: store unavailable'
    );
    expect(describeApiError(err(Code.INVALID_ARGUMENT, 'bad path'), 1)).toBe('invalid argument: bad path');
    expect(describeApiError(err(Code.NOT_FOUND, 'path /x not found'), 1)).toBe('path /x not found');
    expect(describeApiError(err(Code.FAILED_PRECONDITION, ''), 1)).toBe('failed precondition');
    expect(describeApiError(err(Code.INTERNAL, 'boom'), 1)).toBe('ListDevices failed: boom (INTERNAL)');
    expect(describeApiError(err(Code.UNKNOWN, ''), 1)).toBe('ListDevices failed: no details (UNKNOWN)');
  });

  it('names codes and durations', () => {
    expect(codeName(5)).toBe('NOT_FOUND');
    expect(codeName(99)).toBe('code 99');
    expect([formatMs(250), formatMs(2000), formatMs(120_000), formatMs(7_200_000), formatMs(1500)]).toEqual([
      '250ms',
      '2s',
      '2m',
      '2h',
      '1500ms'
    ]);
    expect(isApiError(err(Code.NOT_FOUND, ''), Code.NOT_FOUND)).toBe(true);
    expect(isApiError(err(Code.NOT_FOUND, ''), Code.INTERNAL)).toBe(false);
    expect(isApiError(new Error('x'))).toBe(false);
  });
});
