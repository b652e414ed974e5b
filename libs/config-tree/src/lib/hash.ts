import { createHash } from 'node:crypto';

/**
 * Length of every hash of the tree, in hex characters: SHA-256 truncated to 96 bits.
 * (1.x used the first 12 hex characters, 48 bits, of MD5.)
 */
export const HASH_HEX_LENGTH = 24;

/** SHA-256 over the given parts (strings as UTF-8), truncated to {@link HASH_HEX_LENGTH} hex characters. */
export function digest(...parts: ReadonlyArray<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, HASH_HEX_LENGTH);
}

/** 32-bit FNV-1a of a string, used for in-memory hash maps only (never persisted). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
