import { oxmOfbFieldTypes } from '@voltha/proto';

import { firstOutputPort, output, setVlanVid, setFieldNumber } from './actions';
import { OFPP_CONTROLLER, isControllerPort, maskPort, portEquals, vid } from './constants';
import {
  flowStats,
  getInPort,
  getMetadata,
  getMeterId,
  getOutPort,
  getTunnelId,
  getWriteMetadata,
  getGotoTable
} from './flow';
import { applyActions, gotoTable, meter, packVolthaMetadata, writeMetadata } from './instructions';
import {
  canonicalMatch,
  ethType,
  inPort,
  match,
  matchCovers,
  matchesOverlap,
  metadata,
  tunnelId,
  vlanVid
} from './match';
import { parseU64, u64, u64Bits, u64Low32 } from './uint64';

describe('constants', () => {
  it('should fold the wire value of reserved ports onto the proto value', () => {
    expect(isControllerPort(0xfffffffd)).toBe(true);
    expect(isControllerPort(OFPP_CONTROLLER)).toBe(true);
    expect(portEquals(0xffffffff, 0x7fffffff)).toBe(true);
    expect(maskPort(0xfffffffd)).toBe(0x7ffffffd);
    expect(vid(100)).toBe(0x1064);
  });
});

describe('uint64', () => {
  it('should keep 64-bit values exact as decimal strings', () => {
    expect(u64(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(u64(2n ** 64n)).toBe('0');
    expect(() => parseU64('18446744073709551616')).toThrow(RangeError);
    expect(() => u64(2 ** 60)).toThrow(RangeError);
    const w = packVolthaMetadata(101, 64, 30736);
    expect(w).toBe(((101n << 48n) | (64n << 32n) | 30736n).toString());
    expect([u64Bits(w, 48, 16), u64Bits(w, 32, 16), u64Low32(w)]).toEqual([101, 64, 30736]);
  });
});

describe('flow getters and builders', () => {
  const f = flowStats({
    tableId: 0,
    priority: 7,
    match: [inPort(5), vlanVid(vid(0)), metadata('18446744073709551615'), tunnelId(17)],
    instructions: [
      applyActions([setVlanVid(vid(9)), output(3)]),
      gotoTable(1),
      meter(4),
      writeMetadata(packVolthaMetadata(0, 64, 5))
    ]
  });
  it('should read the VOLTHA fields', () => {
    expect(getInPort(f)).toBe(5);
    expect(getOutPort(f)).toBe(3);
    expect(getGotoTable(f)).toBe(1);
    expect(getMeterId(f)).toBe(4);
    expect(getMetadata(f)).toBe('18446744073709551615');
    expect(getTunnelId(f)).toBe('17');
    expect(getWriteMetadata(f)).toBe(((64n << 32n) | 5n).toString());
    expect(
      setFieldNumber(f.instructions[0].actions?.actions ?? [], oxmOfbFieldTypes.OFPXMT_OFB_VLAN_VID)
    ).toBe(vid(9));
    expect(firstOutputPort([])).toBeUndefined();
  });

  it('should order fields canonically without mutating the input', () => {
    const m = match([ethType(0x800), inPort(1)]);
    const c = canonicalMatch(m);
    expect(c.oxmFields.map((x) => x.ofbField?.type)).toEqual([0, 5]);
    expect(m.oxmFields.map((x) => x.ofbField?.type)).toEqual([5, 0]);
    expect(canonicalMatch(c)).toBe(c);
  });
});

describe('match analysis', () => {
  it('overlap: shared fields must agree on the common mask bits', () => {
    expect(matchesOverlap(match([inPort(1)]), match([ethType(0x800)]))).toBe(true);
    expect(matchesOverlap(match([inPort(1)]), match([inPort(2)]))).toBe(false);
    expect(matchesOverlap(match([vlanVid(0x1000, 0x1000)]), match([vlanVid(0x1005)]))).toBe(true);
    expect(matchesOverlap(match([vlanVid(0x1000, 0x1000)]), match([vlanVid(0)]))).toBe(false);
  });

  it('cover: the specific match must constrain every field of the general one at least as tightly', () => {
    expect(matchCovers(match([]), match([inPort(1)]))).toBe(true);
    expect(matchCovers(match([inPort(1)]), match([inPort(1), ethType(0x800)]))).toBe(true);
    expect(matchCovers(match([inPort(1), ethType(0x800)]), match([inPort(1)]))).toBe(false);
    expect(matchCovers(match([vlanVid(0x1000, 0x1000)]), match([vlanVid(0x1005)]))).toBe(true);
    expect(matchCovers(match([vlanVid(0x1005)]), match([vlanVid(0x1000, 0x1000)]))).toBe(false);
    expect(matchCovers(match([metadata(5n, 0xffn)]), match([metadata(0x105n)]))).toBe(true);
  });
});
