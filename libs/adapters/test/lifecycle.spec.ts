import { createSimulatedPon, DEFAULT_SIMULATED_TIMINGS } from '../src';
import { AdminState_AdminState as AdminState, OperStatus_OperStatus as OperStatus } from '@voltha/proto';

import { ACTIVE, peerReport, state, stateCounts } from './helpers';

// The 1.x lifecycle of spec §1.7 (ponsim reference, test_device_state_changes.py).
describe('device lifecycle of the simulated PON', () => {
  it('disable OLT: logical device deleted, ONUs DISABLED/UNKNOWN, peers removed, ports DISABLED', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    const ldId = olt.parentId;
    pon.core.disableDevice(olt.id);
    await pon.settle();

    const after = pon.core.device(olt.id);
    expect(state(after)).toBe('DISABLED/UNKNOWN/UNREACHABLE');
    expect(after?.parentId).toBe('');
    expect(pon.core.logicalDevice(ldId)).toBeUndefined();
    expect(pon.core.listLogicalDevices()).toEqual([]);
    expect(after?.ports.map((p) => [p.adminState, p.operStatus])).toEqual([
      [AdminState.DISABLED, OperStatus.UNKNOWN],
      [AdminState.DISABLED, OperStatus.UNKNOWN]
    ]);
    const onus = pon.core.childrenOf(olt.id);
    expect(stateCounts(onus)).toEqual({ 'DISABLED/UNKNOWN/UNREACHABLE': 4 });
    expect(onus.every((o) => o.ports.every((p) => p.adminState === AdminState.DISABLED))).toBe(true);
    expect(peerReport(pon.core, olt.id)).toEqual({ oltSide: [], onuSide: [] });
    // The OLT adapter was called once (disable), the ONU adapter once per ONU; nothing echoed.
    expect(
      pon.core.calls
        .filter((c) => c.call === 'disableDevice')
        .map((c) => c.adapterId)
        .sort()
    ).toEqual(['simulated_olt', ...Array(4).fill('simulated_onu')]);
    expect(pon.olt.status(olt.id)?.state).toBe('disabled');
    expect(pon.core.errors).toEqual([]);
  });

  it('re-enable OLT: a new logical device with NNI and UNI ports, ONUs ENABLED/ACTIVE, peers both ways', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    pon.core.disableDevice(olt.id);
    await pon.settle();
    pon.core.enableDevice(olt.id);
    await pon.settle();

    const after = pon.core.device(olt.id);
    expect(state(after)).toBe(ACTIVE);
    expect(after?.parentId).not.toBe(olt.parentId);
    const ld = pon.core.logicalDevice(after?.parentId ?? '');
    expect(ld?.rootDeviceId).toBe(olt.id);
    expect(ld?.ports.map((p) => p.id)).toEqual(['nni', '101', '102', '103', '104']);
    expect(pon.core.listLogicalDevices()).toHaveLength(1);
    expect(stateCounts(pon.core.childrenOf(olt.id))).toEqual({ [ACTIVE]: 4 });
    const peers = peerReport(pon.core, olt.id);
    expect(peers.oltSide).toHaveLength(4);
    expect(peers.oltSide).toEqual(peers.onuSide);
    expect(pon.core.calls.filter((c) => c.call === 'reenableDevice')).toHaveLength(5);
    // No ONU was rediscovered: still the same 4 devices.
    expect(pon.core.deviceCount).toBe(5);
    expect(pon.core.errors).toEqual([]);
  });

  it('reboot OLT: oper ACTIVATING and connect UNREACHABLE (ONUs UNREACHABLE) for rebootTimeMs, then restored', async () => {
    const pon = await createSimulatedPon({ timings: { rebootTimeMs: 10_000 } });
    const olt = await pon.activateOlt();
    pon.core.rebootDevice(olt.id);
    await pon.settle();
    expect(state(pon.core.device(olt.id))).toBe('ENABLED/ACTIVATING/UNREACHABLE');
    expect(stateCounts(pon.core.childrenOf(olt.id))).toEqual({ 'ENABLED/ACTIVE/UNREACHABLE': 4 });
    expect(pon.olt.status(olt.id)?.rebooting).toBe(true);
    await pon.scheduler.advance(9_999);
    expect(pon.core.device(olt.id)?.operStatus).toBe(OperStatus.ACTIVATING);
    await pon.scheduler.advance(1);
    expect(state(pon.core.device(olt.id))).toBe(ACTIVE);
    expect(stateCounts(pon.core.childrenOf(olt.id))).toEqual({ [ACTIVE]: 4 });
    expect(pon.core.device(olt.id)?.adminState).toBe(AdminState.ENABLED);
    expect(pon.core.errors).toEqual([]);
  });

  it('reboot ONU: down for rebootTimeMs, then back', async () => {
    const pon = await createSimulatedPon({ timings: { rebootTimeMs: 500 } });
    const olt = await pon.activateOlt();
    const [onu] = pon.core.childrenOf(olt.id);
    pon.core.rebootDevice(onu.id);
    await pon.settle();
    expect(state(pon.core.device(onu.id))).toBe('ENABLED/ACTIVATING/UNREACHABLE');
    await pon.scheduler.advance(500);
    expect(state(pon.core.device(onu.id))).toBe(ACTIVE);
  });

  it('delete OLT (after disable): the OLT and all its ONUs are gone and the ONU adapter forgets them', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    const onuIds = pon.core.childrenOf(olt.id).map((o) => o.id);
    expect(() => pon.core.deleteDevice(olt.id)).toThrow(/DISABLED/);
    pon.core.disableDevice(olt.id);
    await pon.settle();
    pon.core.deleteDevice(olt.id);
    await pon.settle();
    expect(pon.core.deviceCount).toBe(0);
    expect(pon.core.listLogicalDevices()).toEqual([]);
    expect(onuIds.map((id) => pon.onu.status(id))).toEqual([undefined, undefined, undefined, undefined]);
    expect(pon.olt.status(olt.id)).toBeUndefined();
    expect(
      pon.core.calls
        .filter((c) => c.call === 'deleteDevice')
        .map((c) => c.adapterId)
        .sort()
    ).toEqual(['simulated_olt', ...Array(4).fill('simulated_onu')]);
    expect(pon.core.errors).toEqual([]);
  });

  it('disable ONU removes its UNI logical port (5 -> 4), enable restores it', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    const [, second] = pon.core.childrenOf(olt.id);
    pon.core.disableDevice(second.id);
    await pon.settle();
    expect(state(pon.core.device(second.id))).toBe('DISABLED/UNKNOWN/UNREACHABLE');
    expect(pon.core.logicalDevice(olt.parentId)?.ports.map((p) => p.id)).toEqual([
      'nni',
      '101',
      '103',
      '104'
    ]);
    pon.core.enableDevice(second.id);
    await pon.settle();
    expect(state(pon.core.device(second.id))).toBe(ACTIVE);
    expect(
      pon.core
        .logicalDevice(olt.parentId)
        ?.ports.map((p) => p.id)
        .sort()
    ).toEqual(['101', '102', '103', '104', 'nni']);
    expect(pon.core.errors).toEqual([]);
  });

  it('disable during activation cancels it: no logical device, no ONUs, nothing left running', async () => {
    const pon = await createSimulatedPon({ timings: { ...DEFAULT_SIMULATED_TIMINGS } });
    const { id } = pon.createOlt();
    pon.core.enableDevice(id);
    await pon.scheduler.advance(260); // ports written, logical device not yet
    expect(pon.core.device(id)?.ports).toHaveLength(2);
    pon.core.disableDevice(id);
    await pon.scheduler.advance(5_000);
    expect(state(pon.core.device(id))).toBe('DISABLED/UNKNOWN/UNREACHABLE');
    expect(pon.core.listLogicalDevices()).toEqual([]);
    expect(pon.core.childrenOf(id)).toEqual([]);
    expect(pon.scheduler.pendingTimers).toBe(0);
    expect(pon.backgroundErrors).toEqual([]);
    expect(pon.core.errors).toEqual([]);
  });

  it('refuses to reboot an OLT that is not active', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    pon.core.disableDevice(olt.id);
    await pon.settle();
    pon.core.rebootDevice(olt.id);
    await pon.settle();
    expect(pon.core.errors.map((e) => (e.error as { code?: string }).code)).toEqual(['FAILED_PRECONDITION']);
  });
});
