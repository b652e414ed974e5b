import { checkCoreStoreId, logicalDeviceIdentity, newDeviceId, switchNumberOf } from './ids';

describe('ids', () => {
  it('should build 16-hex device ids from the core store id and 12 random hex digits', () => {
    const id = newDeviceId('0001', (n) => Buffer.alloc(n, 0xab));
    expect(id).toBe('0001abababababab');
    expect(newDeviceId('00ff')).toMatch(/^00ff[0-9a-f]{12}$/);
  });

  it('should give a logical device id and the same digits as its datapath id', () => {
    expect(logicalDeviceIdentity('0001', 1n)).toEqual({
      id: '0001000000000001',
      datapathId: '281474976710657'
    });
    const big = logicalDeviceIdentity('ffff', (1n << 48n) - 1n);
    expect(big.id).toBe('ffffffffffffffff');
    expect(big.datapathId).toBe('18446744073709551615');
  });

  it('should read hex core store ids (1.x parsed them as decimal)', () => {
    expect(logicalDeviceIdentity('000a', 2n).id).toBe('000a000000000002');
    expect(switchNumberOf('000a', '000a000000000010')).toBe(16n);
    expect(switchNumberOf('000a', '0001000000000010')).toBeUndefined();
    expect(switchNumberOf('000a', 'not-a-logical-id')).toBeUndefined();
  });

  it('should reject malformed core store ids and switch numbers', () => {
    expect(() => checkCoreStoreId('1')).toThrow("core store id '1' must be 4 lower-case hex digits");
    expect(() => logicalDeviceIdentity('0001', 0n)).toThrow('switch number 0 out of range');
    expect(() => logicalDeviceIdentity('0001', 1n << 48n)).toThrow('out of range');
  });
});
