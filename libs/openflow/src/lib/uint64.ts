/**
 * Unsigned 64-bit values travel as decimal strings (ts-proto `forceLong=string`). They are never
 * converted to a JS number: arithmetic goes through BigInt and the result is printed back.
 */

export const U64_MAX = (1n << 64n) - 1n;
export const U32_MAX = 0xffffffff;

const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;

/** True when `value` is a canonical decimal string of an unsigned 64-bit integer. */
export function isU64String(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value) && BigInt(value) <= U64_MAX;
}

/** Parses a decimal u64 string (the empty string, proto3's "unset" for some JSON paths, reads as 0). */
export function parseU64(value: string): bigint {
  if (value === '' || value === '0') return 0n;
  if (!DECIMAL.test(value)) throw new RangeError(`not an unsigned 64-bit decimal: '${value}'`);
  const n = BigInt(value);
  if (n > U64_MAX) throw new RangeError(`out of the unsigned 64-bit range: '${value}'`);
  return n;
}

/** Prints a BigInt (reduced modulo 2^64) as a decimal u64 string. */
export function u64(value: bigint | string | number): string {
  if (typeof value === 'string') return parseU64(value).toString();
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`not a safe unsigned integer: ${value}`);
    return value.toString();
  }
  return BigInt.asUintN(64, value).toString();
}

/** `(a & mask) === (b & mask)` on decimal u64 strings. */
export function u64MaskedEquals(a: string, b: string, mask: string): boolean {
  const m = parseU64(mask);
  return (parseU64(a) & m) === (parseU64(b) & m);
}

/** Low 32 bits of a u64 string, as a number (always exact). */
export function u64Low32(value: string): number {
  return Number(parseU64(value) & 0xffffffffn);
}

/** Bits [shift, shift+width) of a u64 string, as a number (width <= 32). */
export function u64Bits(value: string, shift: number, width: number): number {
  if (width > 32) throw new RangeError('u64Bits extracts at most 32 bits');
  return Number((parseU64(value) >> BigInt(shift)) & ((1n << BigInt(width)) - 1n));
}

export function isZeroU64(value: string | undefined): boolean {
  return value === undefined || value === '' || value === '0' || parseU64(value) === 0n;
}
