/** JSON helpers: values, deep clone of message objects, deep equality and an RFC 6902 diff. */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** RFC 6902 operation produced by {@link jsonDiff}. */
export type JsonPatchOperation =
  | { op: 'add'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: JsonValue };

/** Deep copy of plain data: objects, arrays and typed byte arrays are copied; other values are shared. */
export function deepClone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => deepClone(v)) as T;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = deepClone((value as Record<string, unknown>)[k]);
  return out as T;
}

/** Structural equality of plain data (objects, arrays, byte arrays, primitives). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return false;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * RFC 6902 patch turning `from` into `to`. Objects are compared key by key (removals, then
 * replacements/recursion in `from` key order, then additions in `to` key order); arrays element by
 * element over the common prefix, then additions at the end or removals from the end.
 */
export function jsonDiff(from: JsonValue, to: JsonValue, base = ''): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  diffInto(from, to, base, ops);
  return ops;
}

function diffInto(from: JsonValue, to: JsonValue, path: string, ops: JsonPatchOperation[]): void {
  if (deepEqual(from, to)) return;
  if (isObject(from) && isObject(to)) {
    for (const k of Object.keys(from)) {
      if (!(k in to)) ops.push({ op: 'remove', path: `${path}/${escapePointer(k)}` });
    }
    for (const k of Object.keys(from)) {
      if (k in to) diffInto(from[k], to[k], `${path}/${escapePointer(k)}`, ops);
    }
    for (const k of Object.keys(to)) {
      if (!(k in from)) ops.push({ op: 'add', path: `${path}/${escapePointer(k)}`, value: deepClone(to[k]) });
    }
    return;
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const common = Math.min(from.length, to.length);
    for (let i = 0; i < common; i++) diffInto(from[i], to[i], `${path}/${i}`, ops);
    for (let i = common; i < to.length; i++)
      ops.push({ op: 'add', path: `${path}/${i}`, value: deepClone(to[i]) });
    for (let i = from.length - 1; i >= common; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
    return;
  }
  ops.push({ op: 'replace', path, value: deepClone(to) });
}
