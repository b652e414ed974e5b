import { ownerKeyOf, parseChangeEvent } from './change-event';

describe('ownerKeyOf', () => {
  it.each([
    ['/devices/d1', 'd1'],
    ['/devices/d1/ports/2', 'd1'],
    ['/logical_devices/ld1/flows', 'ld1'],
    ['/adapters/sim', ''],
    ['/', ''],
    ['/devices', '']
  ])('should find the owner of %s', (path, key) => {
    expect(ownerKeyOf(path)).toBe(key);
  });
});

describe('parseChangeEvent', () => {
  const good = {
    type: 'update',
    hash: 'abc',
    data: '{}',
    path: '/devices/d1',
    root_hash: 'def',
    seq: '18446744073709551615',
    timestamp: '2026-01-01T00:00:00.000Z',
    type_name: 'voltha.Device',
    key: 'd1',
    origin: 'adapter-agent'
  };

  it('should accept a well-formed event and keep the 64-bit seq as a string', () => {
    expect(parseChangeEvent(Buffer.from(JSON.stringify(good)))).toEqual(good);
    const { origin: _origin, ...withoutOrigin } = good;
    expect(parseChangeEvent(JSON.stringify(withoutOrigin)).origin).toBe('');
  });

  it('should reject malformed events with a clear message', () => {
    expect(() => parseChangeEvent('nope')).toThrow('change event is not JSON');
    expect(() => parseChangeEvent(JSON.stringify({ ...good, type: 'move' }))).toThrow('no valid type');
    expect(() => parseChangeEvent(JSON.stringify({ ...good, seq: 5 }))).toThrow(
      'seq is missing or not a string'
    );
    expect(() => parseChangeEvent(JSON.stringify({ ...good, seq: '1e3' }))).toThrow('not a decimal integer');
  });
});
