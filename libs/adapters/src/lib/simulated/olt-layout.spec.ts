import {
  CHANNEL_BASE,
  COMPAT_MAX_ONU_ID,
  OltLayout,
  onuSerialNumber,
  parseOltArgs,
  portHwAddr
} from './olt-layout';

describe('parseOltArgs', () => {
  it('defaults to 1 PON x 4 ONUs (1.x)', () => {
    expect(parseOltArgs('')).toEqual({ ponPorts: 1, onusPerPon: 4 });
    expect(parseOltArgs('   ')).toEqual({ ponPorts: 1, onusPerPon: 4 });
  });

  it('reads --name value and --name=value forms', () => {
    expect(parseOltArgs('--pon-ports 16 --onus-per-pon=128')).toEqual({ ponPorts: 16, onusPerPon: 128 });
    expect(parseOltArgs('--onus-per-pon 0 --discovery-batch-delay=200')).toEqual({
      ponPorts: 1,
      onusPerPon: 0,
      discoveryBatchDelayMs: 200
    });
  });

  it.each([
    ['--pon-ports 17', /--pon-ports 17 is out of range 1\.\.16/],
    ['--pon-ports 0', /out of range 1\.\.16/],
    ['--onus-per-pon 129', /--onus-per-pon 129 is out of range 0\.\.128/],
    ['--pon-ports', /needs a value/],
    ['--pon-ports=', /needs a value/],
    ['--pon-ports two', /'two' is not a non-negative integer/],
    ['--pon-ports -1', /not a non-negative integer/],
    ['--pon-ports 1.5', /not a non-negative integer/],
    ['--onus 4', /unknown option '--onus'/],
    ['4', /unknown option '4'/],
    ['--pon-ports 2 --pon-ports 3', /given twice/]
  ])('rejects %j', (args, message) => {
    expect(() => parseOltArgs(args)).toThrow(message);
    expect(() => parseOltArgs(args)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('OltLayout', () => {
  it('keeps the exact 1.x numbers for the 1 x 4 default (compat layout)', () => {
    const layout = OltLayout.fromExtraArgs('');
    expect(layout.compat).toBe(true);
    expect(layout.ponPortNos).toEqual([1]);
    expect(layout.nniPortNo).toBe(2);
    expect(layout.nniLogicalPortNo).toBe(129);
    expect([1, 2, 3, 4].map((onu) => layout.channelId(1, onu))).toEqual([101, 102, 103, 104]);
    expect(layout.maxOnuId).toBe(COMPAT_MAX_ONU_ID);
    expect(layout.channelId(1, COMPAT_MAX_ONU_ID)).toBe(128);
  });

  it('switches to the scaled layout beyond 1 PON or 28 ONUs: NNI 65536, channels 100 + (pon-1)*128 + onu', () => {
    for (const args of ['--pon-ports 2', '--onus-per-pon 29', '--pon-ports 16 --onus-per-pon 128']) {
      const layout = OltLayout.fromExtraArgs(args);
      expect(layout.compat).toBe(false);
      expect(layout.nniPortNo).toBe(65536);
      expect(layout.nniLogicalPortNo).toBe(65536);
      expect(layout.maxOnuId).toBe(128);
    }
    const big = OltLayout.fromExtraArgs('--pon-ports 16 --onus-per-pon 128');
    expect(big.ponPortNos).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(big.portNos).toHaveLength(17);
    expect(big.channelId(1, 1)).toBe(101);
    expect(big.channelId(2, 1)).toBe(229);
    expect(big.channelId(16, 128)).toBe(2148);
  });

  it('gives every ONU of an OLT a distinct channel id that maps back to its slot and never meets the NNI port', () => {
    const layout = OltLayout.fromExtraArgs('--pon-ports 16 --onus-per-pon 128');
    const seen = new Set<number>();
    for (const pon of layout.ponPortNos) {
      for (let onu = 1; onu <= 128; onu++) {
        const ch = layout.channelId(pon, onu);
        expect(layout.slotOfChannel(ch)).toEqual({ ponPortNo: pon, onuId: onu });
        seen.add(ch);
      }
    }
    expect(seen.size).toBe(2048);
    expect(seen.has(layout.nniLogicalPortNo)).toBe(false);
    expect(Math.max(...seen)).toBeLessThan(4095); // channel id = VLAN id
    expect(layout.slotOfChannel(CHANNEL_BASE)).toBeUndefined();
    expect(layout.slotOfChannel(2149)).toBeUndefined();
    expect(OltLayout.fromExtraArgs('').slotOfChannel(129)).toBeUndefined();
  });

  it('refuses slots outside the OLT', () => {
    const layout = OltLayout.fromExtraArgs('--pon-ports 2');
    expect(() => layout.channelId(3, 1)).toThrow(/PON port 3 does not exist/);
    expect(() => layout.channelId(1, 0)).toThrow(/ONU id 0 is out of range 1\.\.128/);
    expect(() => OltLayout.fromExtraArgs('').channelId(1, 29)).toThrow(/out of range 1\.\.28/);
  });
});

describe('numbering helpers', () => {
  it('derives ONU serial numbers from OLT, PON and ONU id', () => {
    expect(onuSerialNumber('0001d00000000001', 1, 1)).toBe('SIMU00010001');
    expect(onuSerialNumber('0001d00000000001', 16, 128)).toBe('SIMU00010F80');
  });

  it('builds 1.x hw addresses from port numbers', () => {
    expect(portHwAddr(129)).toEqual([0, 0, 0, 0, 0, 0x81]);
    expect(portHwAddr(101)).toEqual([0, 0, 0, 0, 0, 0x65]);
    expect(portHwAddr(65536)).toEqual([0, 0, 0, 1, 0, 0]);
  });
});
