import {
  parseDuration,
  parseHostPort,
  parseInt32,
  parseIpv4,
  parseMac,
  parsePositiveInt,
  parseDecomposer,
  parseServer,
  parseUint64
} from './validate';

describe('validate', () => {
  it('MAC addresses', () => {
    expect(parseMac('00:0C:E2:31:40:00')).toBe('00:0c:e2:31:40:00');
    expect(parseMac('00-0c-e2-31-40-00')).toBe('00:0c:e2:31:40:00');
    for (const bad of ['', '00:0c:e2:31:40', '00:0c:e2:31:40:00:11', '0g:0c:e2:31:40:00', '000ce2314000']) {
      expect(() => parseMac(bad)).toThrow(/is not a MAC address/);
    }
  });

  it('IPv4 addresses', () => {
    expect(parseIpv4('10.0.0.255')).toBe('10.0.0.255');
    for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.01', 'a.b.c.d', '1.2.3.4.5']) {
      expect(() => parseIpv4(bad)).toThrow(/is not an IPv4 address/);
    }
  });

  it('host:port and the server address', () => {
    expect(parseHostPort('bbsim:50060')).toBe('bbsim:50060');
    expect(parseHostPort('[::1]:50060')).toBe('[::1]:50060');
    for (const bad of ['bbsim', 'bbsim:0', 'bbsim:65536', ':50060', 'a b:1']) {
      expect(() => parseHostPort(bad)).toThrow(/is not host:port/);
    }
    expect(parseServer('core')).toBe('core:50057');
    expect(parseDecomposer('fd')).toBe('fd:50059');
    expect(parseDecomposer('fd:1234')).toBe('fd:1234');
    expect(() => parseDecomposer('fd:x')).toThrow("'fd:x' is not host:port (expected e.g. localhost:50059)");
    expect(parseServer('core:1234')).toBe('core:1234');
    expect(() => parseServer('core:x')).toThrow("'core:x' is not host:port (expected e.g. localhost:50057)");
  });

  it('durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    for (const bad of ['0', '0s', '-1s', '1d', 'soon', ''])
      expect(() => parseDuration(bad)).toThrow(/is not a duration/);
  });

  it('integers', () => {
    expect(parseInt32('-1')).toBe(-1);
    expect(() => parseInt32('2147483648')).toThrow(/out of range/);
    expect(() => parseInt32('1.5')).toThrow(/is not an integer/);
    expect(parsePositiveInt('3')).toBe(3);
    expect(() => parsePositiveInt('0')).toThrow(/is not a positive integer/);
    expect(parseUint64('18446744073709551615')).toBe('18446744073709551615');
    expect(parseUint64('007')).toBe('7');
    expect(() => parseUint64('18446744073709551616')).toThrow(/is not an unsigned 64-bit integer/);
    expect(() => parseUint64('-1')).toThrow(/is not an unsigned 64-bit integer/);
  });
});
