/**
 * Validation of argument values. Every function returns the normalised value or throws an Error
 * whose message completes "bad <what>: ..." (the parser wraps it into a UsageError).
 */

const U64_MAX = (1n << 64n) - 1n;

/** A MAC address `aa:bb:cc:dd:ee:ff` (also `-` separated); returned lower case with colons. */
export function parseMac(value: string): string {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(value)) {
    throw new Error(`'${value}' is not a MAC address (expected six hex octets, e.g. 00:0c:e2:31:40:00)`);
  }
  return value.toLowerCase().replace(/-/g, ':');
}

/** A dotted-quad IPv4 address. */
export function parseIpv4(value: string): string {
  const parts = value.split('.');
  const ok = parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
  if (!ok) throw new Error(`'${value}' is not an IPv4 address (expected e.g. 10.0.0.1)`);
  return value;
}

/** `host:port` (host a name, an IPv4 address or a bracketed IPv6 address; port 1-65535). */
export function parseHostPort(value: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) {
    throw new Error(`'${value}' is not host:port (expected e.g. bbsim:50060)`);
  }
  return value;
}

/** Default port of core-config's northbound gRPC API. */
export const DEFAULT_PORT = 50057;

/** Default port of flow-decomposer's gRPC API. */
export const DEFAULT_DECOMPOSER_PORT = 50059;

/** A gRPC address: `host:port`, or a bare host that gets `defaultPort`. */
export function parseAddress(value: string, defaultPort: number): string {
  if (/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/.test(value)) {
    return `${value}:${defaultPort}`;
  }
  try {
    return parseHostPort(value);
  } catch {
    throw new Error(`'${value}' is not host:port (expected e.g. localhost:${defaultPort})`);
  }
}

/** The --server value: `host:port`, or a bare host that gets the default port. */
export function parseServer(value: string): string {
  return parseAddress(value, DEFAULT_PORT);
}

/** The --decomposer value: `host:port`, or a bare host that gets the default flow-decomposer port. */
export function parseDecomposer(value: string): string {
  return parseAddress(value, DEFAULT_DECOMPOSER_PORT);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration in milliseconds: `500ms`, `10s`, `1.5m`, `1h`, or plain seconds (`10`). Must be > 0. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2] ?? 's'] : NaN;
  if (!m || !(ms > 0) || !Number.isFinite(ms)) {
    throw new Error(`'${value}' is not a duration (expected e.g. 500ms, 10s, 2m)`);
  }
  return Math.ceil(ms);
}

/** A signed 32-bit integer. */
export function parseInt32(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new Error(`'${value}' is not an integer`);
  const n = Number(value);
  if (n < -2147483648 || n > 2147483647) throw new Error(`'${value}' is out of range`);
  return n;
}

/** A positive integer (counts). */
export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new Error(`'${value}' is not a positive integer`);
  }
  return Number(value);
}

/** An unsigned 64-bit integer, returned as its canonical decimal string. */
export function parseUint64(value: string): string {
  if (!/^\d+$/.test(value) || BigInt(value) > U64_MAX) {
    throw new Error(`'${value}' is not an unsigned 64-bit integer`);
  }
  return BigInt(value).toString();
}
