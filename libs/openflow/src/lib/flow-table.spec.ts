import {
  ofpErrorType,
  ofpFlowModCommand,
  ofpFlowModFailedCode,
  ofpFlowModFlags,
  ofpFlowRemovedReason
} from '@voltha/proto';

import { output, group } from './actions';
import { OFPP_ANY, OFPTT_ALL } from './constants';
import { FlowOverlapError, UnknownGroupError, UnknownMeterError } from './errors';
import { flowMod } from './flow';
import type { FlowModSpec } from './flow';
import { FlowTable } from './flow-table';
import { applyActions, meter } from './instructions';
import { ethType, inPort, ipv4Dst, vlanVid } from './match';

const { OFPFC_ADD, OFPFC_MODIFY, OFPFC_MODIFY_STRICT, OFPFC_DELETE, OFPFC_DELETE_STRICT } = ofpFlowModCommand;
const add = (s: FlowModSpec) => flowMod({ ...s, command: OFPFC_ADD });
const fiveFlows = (t: FlowTable): void => {
  for (let i = 0; i < 5; i++)
    t.apply(add({ match: [inPort(i)], instructions: [applyActions([output(i + 1)])] }));
};

describe('FlowTable', () => {
  it('F1/F2: one ADD gives one entry; the same ADD again changes nothing', () => {
    const t = new FlowTable();
    const d1 = t.apply(add({}));
    expect(d1.added).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect(t.apply(add({}))).toEqual({ added: [], removed: [], replaced: [] });
    expect(t.size).toBe(1);
  });

  it('F3: different matches are separate entries, kept in insertion order, O(1) lookup by id', () => {
    const t = new FlowTable();
    const a = t.apply(add({ match: [inPort(1)] })).added[0];
    const b = t.apply(add({ match: [inPort(2)] })).added[0];
    expect(t.toArray().map((f) => f.id)).toEqual([a.id, b.id]);
    expect(t.get(b.id)).toBe(b);
  });

  it('F9: same table/priority/match with a new cookie replaces in place, copying counters unless RESET_COUNTS', () => {
    const t = new FlowTable();
    t.apply(add({ priority: 10, cookie: 1n, match: [inPort(1)], instructions: [applyActions([output(2)])] }));
    const first = t.apply(add({ priority: 10, match: [inPort(9)] })).added[0];
    const id = t.toArray()[0].id;
    t.commit({
      added: [],
      removed: [],
      replaced: [{ before: t.get(id)!, after: { ...t.get(id)!, packetCount: '5', byteCount: '500' } }]
    });
    const d = t.apply(
      add({ priority: 10, cookie: 2n, match: [inPort(1)], instructions: [applyActions([output(3)])] })
    );
    expect(d.replaced).toHaveLength(1);
    expect(d.replaced[0].after).toMatchObject({ cookie: '2', packetCount: '5', byteCount: '500' });
    expect(t.toArray().map((f) => f.id)).toEqual([id, first.id]);
    const r = t.apply(
      add({ priority: 10, cookie: 3n, flags: ofpFlowModFlags.OFPFF_RESET_COUNTS, match: [inPort(1)] })
    );
    expect(r.replaced[0].after).toMatchObject({ packetCount: '0', byteCount: '0' });
  });

  describe('OFPFF_CHECK_OVERLAP', () => {
    const flags = ofpFlowModFlags.OFPFF_CHECK_OVERLAP;
    it('should refuse an entry that a packet could match together with an existing one at the same priority', () => {
      const t = new FlowTable();
      t.apply(add({ priority: 5, match: [inPort(1), ethType(0x800)] }));
      let err: unknown;
      try {
        t.plan(add({ priority: 5, flags, match: [inPort(1), ipv4Dst(0x0a000001)].slice(0, 1) }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FlowOverlapError);
      expect(err).toMatchObject({
        code: 'FAILED_PRECONDITION',
        ofpErrorType: ofpErrorType.OFPET_FLOW_MOD_FAILED,
        ofpErrorCode: ofpFlowModFailedCode.OFPFMFC_OVERLAP
      });
      // identical match and priority also overlaps
      expect(() => t.plan(add({ priority: 5, flags, match: [inPort(1), ethType(0x800)] }))).toThrow(
        FlowOverlapError
      );
    });

    it('should accept disjoint matches, other priorities, and masked values that cannot collide', () => {
      const t = new FlowTable();
      t.apply(add({ priority: 5, match: [inPort(1), ethType(0x800)] }));
      t.apply(add({ priority: 5, match: [inPort(1), vlanVid(0x1064, 0x1fff)] }));
      expect(t.apply(add({ priority: 5, flags, match: [inPort(2)] })).added).toHaveLength(1);
      expect(t.apply(add({ priority: 6, flags, match: [inPort(1)] })).added).toHaveLength(1);
      expect(() => t.plan(add({ priority: 5, flags, match: [vlanVid(0x1000, 0x1000)] }))).toThrow(
        FlowOverlapError
      );
      expect(t.plan(add({ priority: 5, flags, match: [inPort(3), vlanVid(0x1065)] })).added).toHaveLength(1);
      expect(t.size).toBe(4);
    });
  });

  describe('MODIFY / MODIFY_STRICT', () => {
    it('should replace the instructions of covered entries and keep cookie, flags and counters', () => {
      const t = new FlowTable();
      t.apply(
        add({
          priority: 1,
          cookie: 7n,
          match: [inPort(1), vlanVid(0x1010)],
          instructions: [applyActions([output(2)])]
        })
      );
      t.apply(
        add({
          priority: 2,
          cookie: 8n,
          match: [inPort(1), vlanVid(0x1011)],
          instructions: [applyActions([output(2)])]
        })
      );
      t.apply(add({ priority: 2, match: [inPort(2)], instructions: [applyActions([output(2)])] }));
      const d = t.apply(
        flowMod({
          command: OFPFC_MODIFY,
          cookie: 99n,
          match: [inPort(1)],
          instructions: [applyActions([output(5)])]
        })
      );
      expect(d.replaced).toHaveLength(2);
      for (const { before, after } of d.replaced) {
        expect(after.cookie).toBe(before.cookie);
        expect(after.id).toBe(before.id);
        expect(after.instructions).toEqual([applyActions([output(5)])]);
      }
    });

    it('should honour cookie_mask and, when strict, the exact priority and match', () => {
      const t = new FlowTable();
      t.apply(add({ priority: 1, cookie: 0x10n, match: [inPort(1)] }));
      t.apply(add({ priority: 1, cookie: 0x20n, match: [inPort(2)] }));
      expect(
        t
          .plan(
            flowMod({
              command: OFPFC_MODIFY,
              cookie: 0x20n,
              cookieMask: 0xf0n,
              instructions: [applyActions([output(1)])]
            })
          )
          .replaced.map((r) => r.before.cookie)
      ).toEqual(['32']);
      expect(
        t.plan(
          flowMod({
            command: OFPFC_MODIFY_STRICT,
            priority: 2,
            match: [inPort(1)],
            instructions: [applyActions([output(1)])]
          })
        ).replaced
      ).toEqual([]);
      expect(
        t.plan(
          flowMod({
            command: OFPFC_MODIFY_STRICT,
            priority: 1,
            match: [inPort(1)],
            instructions: [applyActions([output(1)])]
          })
        ).replaced
      ).toHaveLength(1);
    });

    it('should not add an entry when nothing matches (OpenFlow 1.3)', () => {
      const t = new FlowTable();
      expect(t.apply(flowMod({ command: OFPFC_MODIFY, match: [inPort(1)] }))).toEqual({
        added: [],
        removed: [],
        replaced: []
      });
      expect(t.size).toBe(0);
    });
  });

  describe('DELETE / DELETE_STRICT', () => {
    it('F4: DELETE with an empty match and ANY filters empties table 0', () => {
      const t = new FlowTable();
      fiveFlows(t);
      const d = t.apply(flowMod({ command: OFPFC_DELETE }));
      expect(d.removed).toHaveLength(5);
      expect(d.removedReason).toBe(ofpFlowRemovedReason.OFPRR_DELETE);
      expect(t.size).toBe(0);
    });

    it('F5: DELETE_STRICT removes the identical entry whatever its instructions', () => {
      const t = new FlowTable();
      fiveFlows(t);
      expect(t.apply(flowMod({ command: OFPFC_DELETE_STRICT, match: [inPort(2)] })).removed).toHaveLength(1);
      expect(t.size).toBe(4);
      expect(t.apply(flowMod({ command: OFPFC_DELETE_STRICT, match: [inPort(2)] })).removed).toHaveLength(0);
    });

    it('F6: out_port filters (masked compare), table 0 unless OFPTT_ALL', () => {
      const t = new FlowTable();
      fiveFlows(t);
      t.apply(add({ tableId: 1, match: [inPort(9)], instructions: [applyActions([output(3)])] }));
      expect(t.plan(flowMod({ command: OFPFC_DELETE, outPort: 3 })).removed.map((f) => f.tableId)).toEqual([
        0
      ]);
      expect(t.plan(flowMod({ command: OFPFC_DELETE, outPort: 3, tableId: OFPTT_ALL })).removed).toHaveLength(
        2
      );
      t.apply(add({ match: [inPort(20)], instructions: [applyActions([output(0x7ffffffd)])] }));
      expect(t.plan(flowMod({ command: OFPFC_DELETE, outPort: 0xfffffffd })).removed).toHaveLength(1);
      expect(t.plan(flowMod({ command: OFPFC_DELETE, outPort: OFPP_ANY })).removed).toHaveLength(6);
    });

    it('F7: non-strict DELETE with a match removes every entry at least as specific (match subset analysis)', () => {
      const t = new FlowTable();
      t.apply(add({ priority: 1, match: [inPort(1), ethType(0x800), ipv4Dst(0x0a000001)] }));
      t.apply(add({ priority: 2, match: [inPort(1), ethType(0x800)] }));
      t.apply(add({ priority: 3, match: [inPort(1)] }));
      t.apply(add({ priority: 4, match: [inPort(2), ethType(0x800)] }));
      t.apply(add({ priority: 5, match: [inPort(1), ethType(0x800), ipv4Dst(0x0a000000, 0xffffff00)] }));
      const d = t.plan(flowMod({ command: OFPFC_DELETE, match: [inPort(1), ethType(0x800)] }));
      expect(d.removed.map((f) => f.priority)).toEqual([1, 2, 5]);
      const masked = t.plan(
        flowMod({ command: OFPFC_DELETE, match: [ethType(0x800), ipv4Dst(0x0a000000, 0xff000000)] })
      );
      expect(masked.removed.map((f) => f.priority)).toEqual([1, 5]);
    });

    it('should filter by cookie and cookie_mask and by out_group', () => {
      const t = new FlowTable();
      t.apply(
        add({ priority: 1, cookie: 0x1234n, match: [inPort(1)], instructions: [applyActions([group(4)])] })
      );
      t.apply(
        add({ priority: 1, cookie: 0x1299n, match: [inPort(2)], instructions: [applyActions([output(1)])] })
      );
      expect(
        t.plan(flowMod({ command: OFPFC_DELETE, cookie: 0x1200n, cookieMask: 0xff00n })).removed
      ).toHaveLength(2);
      expect(
        t
          .plan(flowMod({ command: OFPFC_DELETE, cookie: 0x1234n, cookieMask: 0xffffn }))
          .removed.map((f) => f.cookie)
      ).toEqual(['4660']);
      expect(t.plan(flowMod({ command: OFPFC_DELETE, outGroup: 4 })).removed).toHaveLength(1);
      expect(t.flowsReferencingGroup(4)).toHaveLength(1);
    });
  });

  it('should refuse references to unknown groups and meters when given a reference check', () => {
    const t = new FlowTable();
    const refs = { hasGroup: (g: number) => g === 1, hasMeter: (m: number) => m === 1 };
    expect(() => t.plan(add({ instructions: [applyActions([group(2)])] }), refs)).toThrow(UnknownGroupError);
    expect(() => t.plan(add({ instructions: [applyActions([output(1)]), meter(2)] }), refs)).toThrow(
      UnknownMeterError
    );
    expect(t.plan(add({ instructions: [applyActions([group(1)]), meter(1)] }), refs).added).toHaveLength(1);
  });

  it('plan() should not modify the table', () => {
    const t = new FlowTable();
    fiveFlows(t);
    t.plan(flowMod({ command: OFPFC_DELETE }));
    expect(t.size).toBe(5);
    expect(t.clone().size).toBe(5);
  });
});
