import { randomBytes } from 'node:crypto';

import { invalid } from './errors';

/**
 * Identifiers as in VOLTHA 1.0: a device id is 16 hex digits, the 4-hex core store id followed by
 * 12 random hex digits; a logical device id is the core store id followed by a 12-hex switch number
 * (1, 2, ...), and its datapath id is the same 16 hex digits read as an unsigned 64-bit integer
 * (a decimal string here: it never passes through a JS number). Unlike 1.x, the core store id is
 * read as hex everywhere, so ids 000a..ffff work.
 */
export const CORE_STORE_ID_PATTERN = /^[0-9a-f]{4}$/;

export function checkCoreStoreId(coreStoreId: string): string {
  if (!CORE_STORE_ID_PATTERN.test(coreStoreId)) {
    throw invalid(`core store id '${coreStoreId}' must be 4 lower-case hex digits`);
  }
  return coreStoreId;
}

export function newDeviceId(coreStoreId: string, random: (n: number) => Buffer = randomBytes): string {
  return checkCoreStoreId(coreStoreId) + random(6).toString('hex');
}

const MAX_SWITCH = (1n << 48n) - 1n;

export function logicalDeviceIdentity(
  coreStoreId: string,
  switchNumber: bigint
): { id: string; datapathId: string } {
  checkCoreStoreId(coreStoreId);
  if (switchNumber < 1n || switchNumber > MAX_SWITCH)
    throw invalid(`switch number ${switchNumber} out of range`);
  const id = coreStoreId + switchNumber.toString(16).padStart(12, '0');
  return { id, datapathId: BigInt('0x' + id).toString() };
}

/** The switch number of a logical device id of this core, or undefined for other ids. */
export function switchNumberOf(coreStoreId: string, logicalDeviceId: string): bigint | undefined {
  if (!/^[0-9a-f]{16}$/.test(logicalDeviceId) || !logicalDeviceId.startsWith(coreStoreId)) return undefined;
  return BigInt('0x' + logicalDeviceId.slice(4));
}
