import { AdminState_AdminState as AdminState, OperStatus_OperStatus as OperStatus } from '@voltha/proto';

import { adapterActionFor, checkDelete, checkReboot, planDisable, planEnable } from './admin-state';

const dev = (adminState: AdminState) => ({ id: 'd1', adminState });

describe('NBI admin-state rules', () => {
  it('should enable a preprovisioned device into ACTIVATING and a disabled one as is', () => {
    expect(planEnable(dev(AdminState.PREPROVISIONED))).toEqual({
      adminState: AdminState.ENABLED,
      operStatus: OperStatus.ACTIVATING,
      clearFlows: false
    });
    expect(planEnable(dev(AdminState.DISABLED))).toEqual({
      adminState: AdminState.ENABLED,
      clearFlows: false
    });
  });

  it('should refuse to enable an enabled device with FAILED_PRECONDITION', () => {
    expect(() => planEnable(dev(AdminState.ENABLED))).toThrow(
      'device d1 is ENABLED; EnableDevice needs PREPROVISIONED or DISABLED'
    );
    try {
      planEnable(dev(AdminState.ENABLED));
    } catch (e) {
      expect((e as { code: string }).code).toBe('FAILED_PRECONDITION');
    }
  });

  it('should disable only an enabled device, clearing its flows', () => {
    expect(planDisable(dev(AdminState.ENABLED))).toEqual({
      adminState: AdminState.DISABLED,
      clearFlows: true
    });
    expect(() => planDisable(dev(AdminState.PREPROVISIONED))).toThrow('DisableDevice needs ENABLED');
  });

  it('should reboot unless an image is downloading', () => {
    expect(() => checkReboot(dev(AdminState.ENABLED))).not.toThrow();
    expect(() => checkReboot(dev(AdminState.DOWNLOADING_IMAGE))).toThrow('RebootDevice must wait');
  });

  it('should delete disabled and never-enabled devices only', () => {
    expect(() => checkDelete(dev(AdminState.DISABLED))).not.toThrow();
    expect(() => checkDelete(dev(AdminState.PREPROVISIONED))).not.toThrow();
    expect(() => checkDelete(dev(AdminState.ENABLED))).toThrow(
      'DeleteDevice needs DISABLED or PREPROVISIONED'
    );
  });
});

describe('adapterActionFor', () => {
  it.each([
    [AdminState.UNKNOWN, AdminState.ENABLED, 'adopt'],
    [AdminState.PREPROVISIONED, AdminState.ENABLED, 'adopt'],
    [AdminState.ENABLED, AdminState.DISABLED, 'disable'],
    [AdminState.DISABLED, AdminState.ENABLED, 'reenable'],
    [AdminState.ENABLED, AdminState.PREPROVISIONED, 'abandon'],
    [AdminState.ENABLED, AdminState.ENABLED, 'none'],
    [AdminState.UNKNOWN, AdminState.PREPROVISIONED, 'none']
  ])('should map %s -> %s to %s', (before, after, action) => {
    expect(adapterActionFor(before, after)).toBe(action);
  });
});
