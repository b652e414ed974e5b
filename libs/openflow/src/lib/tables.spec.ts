import {
  ofpFlowModCommand,
  ofpGroupModCommand,
  ofpGroupModFailedCode,
  ofpGroupType,
  ofpMeterModCommand,
  ofpFlowRemovedReason
} from '@voltha/proto';

import { group, output, popVlan } from './actions';
import { OFPG_ALL, OFPM_ALL } from './constants';
import { GroupExistsError, UnknownGroupError, UnknownMeterError, MeterExistsError } from './errors';
import { flowMod } from './flow';
import { bucket, groupMod } from './group-table';
import { applyActions, meter } from './instructions';
import { inPort } from './match';
import { dropBand, meterMod } from './meter-table';
import { OpenFlowTables } from './tables';

const { OFPGC_ADD, OFPGC_MODIFY, OFPGC_DELETE } = ofpGroupModCommand;
const ALL = ofpGroupType.OFPGT_ALL;
const twoBuckets = [bucket([popVlan(), output(1)]), bucket([popVlan(), output(2)])];

describe('OpenFlowTables', () => {
  it('G1: group ADD stores {desc, stats}', () => {
    const t = new OpenFlowTables();
    const d = t.applyGroupMod(groupMod(OFPGC_ADD, 2, ALL, twoBuckets));
    expect(d.groups.added).toHaveLength(1);
    expect(t.groups.get(2)).toMatchObject({
      desc: { type: ALL, groupId: 2, buckets: twoBuckets },
      stats: { groupId: 2 }
    });
  });

  it('G2: a second ADD of the same id is refused (GROUP_EXISTS)', () => {
    const t = new OpenFlowTables();
    t.applyGroupMod(groupMod(OFPGC_ADD, 2, ALL, twoBuckets));
    expect(() => t.applyGroupMod(groupMod(OFPGC_ADD, 2, ALL, twoBuckets))).toThrow(GroupExistsError);
    expect(t.groups.size).toBe(1);
  });

  it('G3: MODIFY replaces the buckets', () => {
    const t = new OpenFlowTables();
    t.applyGroupMod(groupMod(OFPGC_ADD, 2, ALL, twoBuckets));
    t.applyGroupMod(groupMod(OFPGC_MODIFY, 2, ALL, [...twoBuckets, bucket([output(3)])]));
    expect(t.groups.get(2)?.desc?.buckets).toHaveLength(3);
  });

  it('G4/G5: DELETE OFPG_ALL empties the table; DELETE id removes the group and the flows that use it', () => {
    const t = new OpenFlowTables();
    for (let g = 0; g < 10; g++) t.applyGroupMod(groupMod(OFPGC_ADD, g, ALL, []));
    t.applyFlowMod(flowMod({ match: [inPort(1)], instructions: [applyActions([group(3)])] }));
    t.applyFlowMod(flowMod({ match: [inPort(2)], instructions: [applyActions([group(4)])] }));
    const d = t.applyGroupMod(groupMod(OFPGC_DELETE, 3, ALL));
    expect(t.groups.size).toBe(9);
    expect(d.flows.removed).toHaveLength(1);
    expect(d.flows.removedReason).toBe(ofpFlowRemovedReason.OFPRR_GROUP_DELETE);
    const all = t.applyGroupMod(groupMod(OFPGC_DELETE, OFPG_ALL, ALL));
    expect(t.groups.size).toBe(0);
    expect(all.flows.removed).toHaveLength(1);
    expect(t.flows.size).toBe(0);
  });

  it('G6: MODIFY of an unknown group is refused (UNKNOWN_GROUP); DELETE of an unknown group is a no-op', () => {
    const t = new OpenFlowTables();
    expect(() => t.applyGroupMod(groupMod(OFPGC_MODIFY, 5, ALL, []))).toThrow(UnknownGroupError);
    try {
      t.applyGroupMod(groupMod(OFPGC_MODIFY, 5, ALL, []));
    } catch (e) {
      expect(e).toMatchObject({
        code: 'FAILED_PRECONDITION',
        ofpErrorCode: ofpGroupModFailedCode.OFPGMFC_UNKNOWN_GROUP
      });
    }
    expect(t.applyGroupMod(groupMod(OFPGC_DELETE, 5, ALL)).groups.removed).toEqual([]);
  });

  it('should refuse flows that reference an absent group or meter', () => {
    const t = new OpenFlowTables();
    expect(() => t.applyFlowMod(flowMod({ instructions: [applyActions([group(1)])] }))).toThrow(
      UnknownGroupError
    );
    expect(() => t.applyFlowMod(flowMod({ instructions: [applyActions([output(1)]), meter(1)] }))).toThrow(
      UnknownMeterError
    );
    const lax = new OpenFlowTables({}, { requireKnownGroups: false, requireKnownMeters: false });
    expect(
      lax.applyFlowMod(flowMod({ instructions: [applyActions([group(1)]), meter(1)] })).flows.added
    ).toHaveLength(1);
  });

  it('meters: ADD / MODIFY / DELETE, with flows using a deleted meter removed', () => {
    const t = new OpenFlowTables();
    t.applyMeterMod(meterMod(ofpMeterModCommand.OFPMC_ADD, 1, 1, [dropBand(1000)]));
    expect(() => t.applyMeterMod(meterMod(ofpMeterModCommand.OFPMC_ADD, 1, 1, [dropBand(1000)]))).toThrow(
      MeterExistsError
    );
    expect(() => t.applyMeterMod(meterMod(ofpMeterModCommand.OFPMC_MODIFY, 2, 1, [dropBand(1000)]))).toThrow(
      UnknownMeterError
    );
    t.applyMeterMod(meterMod(ofpMeterModCommand.OFPMC_MODIFY, 1, 1, [dropBand(2000)]));
    expect(t.meters.get(1)?.config?.bands[0].rate).toBe(2000);
    t.applyFlowMod(flowMod({ match: [inPort(1)], instructions: [applyActions([output(2)]), meter(1)] }));
    expect(t.meterFlowCount(1)).toBe(1);
    const d = t.applyMeterMod(meterMod(ofpMeterModCommand.OFPMC_DELETE, OFPM_ALL));
    expect(d.meters.removed).toHaveLength(1);
    expect(d.flows.removed).toHaveLength(1);
    expect(d.flows.removedReason).toBe(ofpFlowRemovedReason.OFPRR_METER_DELETE);
    expect(t.flows.size).toBe(0);
  });

  it('planFlowMod should be pure until commit', () => {
    const t = new OpenFlowTables();
    const d = t.planFlowMod(flowMod({ command: ofpFlowModCommand.OFPFC_ADD, match: [inPort(1)] }));
    expect(t.flows.size).toBe(0);
    t.commit(d);
    expect(t.flows.size).toBe(1);
  });
});
