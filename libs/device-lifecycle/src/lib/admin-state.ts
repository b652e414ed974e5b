import { AdminState_AdminState as AdminState, OperStatus_OperStatus as OperStatus } from '@voltha/proto';
import type { Device } from '@voltha/proto';

import { precondition } from './errors';

const name = (s: AdminState): string => AdminState[s] ?? String(s);

/** Fields an NBI call changes on the device, plus whether the device flow tables are cleared. */
export interface AdminChange {
  adminState: AdminState;
  operStatus?: OperStatus;
  clearFlows: boolean;
}

/**
 * EnableDevice: allowed from PREPROVISIONED (first activation: oper becomes ACTIVATING before the
 * adapter adopts the device) and DISABLED (re-enable; the adapter sets oper). FAILED_PRECONDITION
 * otherwise.
 */
export function planEnable(device: Pick<Device, 'id' | 'adminState'>): AdminChange {
  if (device.adminState === AdminState.PREPROVISIONED || device.adminState === AdminState.UNKNOWN) {
    return { adminState: AdminState.ENABLED, operStatus: OperStatus.ACTIVATING, clearFlows: false };
  }
  if (device.adminState === AdminState.DISABLED) return { adminState: AdminState.ENABLED, clearFlows: false };
  throw precondition(
    `device ${device.id} is ${name(device.adminState)}; EnableDevice needs PREPROVISIONED or DISABLED`
  );
}

/** DisableDevice: only from ENABLED; the device's flows and groups are cleared with it. */
export function planDisable(device: Pick<Device, 'id' | 'adminState'>): AdminChange {
  if (device.adminState !== AdminState.ENABLED) {
    throw precondition(`device ${device.id} is ${name(device.adminState)}; DisableDevice needs ENABLED`);
  }
  return { adminState: AdminState.DISABLED, clearFlows: true };
}

/** RebootDevice: any state but DOWNLOADING_IMAGE (1.x failed with an uncaught assertion there). */
export function checkReboot(device: Pick<Device, 'id' | 'adminState'>): void {
  if (device.adminState === AdminState.DOWNLOADING_IMAGE) {
    throw precondition(`device ${device.id} is downloading an image; RebootDevice must wait`);
  }
}

/**
 * DeleteDevice: from DISABLED (as 1.x) or PREPROVISIONED (a device that was never enabled could
 * otherwise never be deleted, since DisableDevice needs ENABLED).
 */
export function checkDelete(device: Pick<Device, 'id' | 'adminState'>): void {
  if (device.adminState !== AdminState.DISABLED && device.adminState !== AdminState.PREPROVISIONED) {
    throw precondition(
      `device ${device.id} is ${name(device.adminState)}; DeleteDevice needs DISABLED or PREPROVISIONED`
    );
  }
}

export type AdapterAction = 'adopt' | 'disable' | 'reenable' | 'abandon' | 'none';

/**
 * What the adapter must do when a device's admin state goes from `before` to `after` (1.x DeviceAgent
 * table). Invalid transitions never reach here: the NBI checks above reject them.
 * UNKNOWN -> ENABLED also adopts, so children detected ENABLED activate without an NBI call.
 */
export function adapterActionFor(before: AdminState, after: AdminState): AdapterAction {
  if (before === after) return 'none';
  if (after === AdminState.ENABLED) {
    if (before === AdminState.UNKNOWN || before === AdminState.PREPROVISIONED) return 'adopt';
    if (before === AdminState.DISABLED) return 'reenable';
    return 'none';
  }
  if (after === AdminState.DISABLED && before === AdminState.ENABLED) return 'disable';
  if (
    after === AdminState.PREPROVISIONED &&
    (before === AdminState.ENABLED || before === AdminState.DISABLED)
  ) {
    return 'abandon';
  }
  return 'none';
}
