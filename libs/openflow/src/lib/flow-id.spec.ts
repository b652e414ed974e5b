import { oxmOfbFieldTypes } from '@voltha/proto';

import { OFPVID_PRESENT } from './constants';
import { computeFlowId, flowIdentityBytes } from './flow-id';
import { applyActions, meter } from './instructions';
import { output } from './actions';
import { flowStats } from './flow';
import { ethType, inPort, ipv4Dst, match, metadata, ofbField, tunnelId, vlanPcp, vlanVid } from './match';

describe('computeFlowId', () => {
  // voltha-lib-go pkg/flows/flow_utils_test.go (VOL-3029 recipe), flow-decomposer.md §2.2.
  it('should reproduce the 2.x vector 11819684229970388353', () => {
    const m = match([inPort(2), vlanVid(OFPVID_PRESENT), vlanPcp(0), ethType(0x800), ipv4Dst(0xe00a0a0a)]);
    expect(computeFlowId({ tableId: 0, priority: 500, match: m })).toBe('11819684229970388353');
  });

  it('should not depend on field order, cookie, flags or instructions', () => {
    const a = flowStats({
      priority: 500,
      cookie: 1n,
      match: [inPort(2), vlanVid(OFPVID_PRESENT), vlanPcp(0), ethType(0x800), ipv4Dst(0xe00a0a0a)]
    });
    const b = flowStats({
      priority: 500,
      cookie: '18446744073709551615',
      flags: 1,
      match: [ipv4Dst(0xe00a0a0a), ethType(0x800), vlanPcp(0), vlanVid(OFPVID_PRESENT), inPort(2)],
      instructions: [applyActions([output(1)]), meter(3)]
    });
    expect(a.id).toBe('11819684229970388353');
    expect(b.id).toBe(a.id);
  });

  it('should depend on table, priority, values and masks', () => {
    const base = { tableId: 0, priority: 10, match: match([inPort(1)]) };
    const id = computeFlowId(base);
    expect(computeFlowId({ ...base, tableId: 1 })).not.toBe(id);
    expect(computeFlowId({ ...base, priority: 11 })).not.toBe(id);
    expect(computeFlowId({ ...base, match: match([inPort(2)]) })).not.toBe(id);
    const v = computeFlowId({ ...base, match: match([vlanVid(0x1000)]) });
    expect(computeFlowId({ ...base, match: match([vlanVid(0x1000, 0x1000)]) })).not.toBe(v);
  });

  it('should encode 64-bit fields as u64 without passing through a JS number', () => {
    const big = '18446744073709551615';
    const bytes = flowIdentityBytes({
      tableId: 0,
      priority: 0,
      match: match([metadata(big), tunnelId(big)])
    });
    // header 12 + 2 × (class 4 + type 4 + value 8 + has_mask 1)
    expect(bytes.length).toBe(12 + 2 * 17);
    expect(bytes.subarray(20, 28).toString('hex')).toBe('ffffffffffffffff');
    const id = computeFlowId({ tableId: 0, priority: 0, match: match([metadata(big)]) });
    expect(id).toMatch(/^[0-9]+$/);
    expect(BigInt(id) < 1n << 64n).toBe(true);
  });

  it('should hash MAC fields as raw bytes', () => {
    const a = computeFlowId({
      tableId: 0,
      priority: 0,
      match: match([ofbField(oxmOfbFieldTypes.OFPXMT_OFB_ETH_DST, '00:11:22:33:44:55')])
    });
    const b = computeFlowId({
      tableId: 0,
      priority: 0,
      match: match([ofbField(oxmOfbFieldTypes.OFPXMT_OFB_ETH_DST, '001122334456')])
    });
    expect(a).not.toBe(b);
  });
});
