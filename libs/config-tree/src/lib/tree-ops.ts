/**
 * Pure tree operations on immutable revisions: key handling, path resolution, building revisions from
 * messages, assembling messages from revisions and path copying.
 */
import { ConfigKeyError, ConfigLookupError, ConfigValueError } from './errors';
import { deepEqual } from './json';
import { KeyedChildren } from './merkle-search-tree';
import { ChildSlot, ConfigData, ConfigNode, Revision } from './revision';
import { ChildField, ConfigSchema, fieldsOf, KeySpec, Message, TypeInfo } from './schema';

const INT_SEGMENT = /^\s*[+-]?\d+\s*$/;
const INT_VALUE = /^-?\d+$/;

/** Joins path segments onto a base path ('/' is the root). */
export function joinPath(base: string, ...segments: string[]): string {
  return (base === '/' ? '' : base) + '/' + segments.join('/');
}

/** Canonical key string of a path segment (strings as is; integers parsed, 1.x `int()` semantics). */
export function parseKeySegment(key: KeySpec, segment: string): string {
  if (key.kind === 'string') return segment;
  if (!INT_SEGMENT.test(segment)) {
    throw new ConfigValueError(`invalid literal for int() with base 10: '${segment}'`);
  }
  return BigInt(segment.trim()).toString();
}

/** Canonical key string of a child message; rejects keys that no path could address. */
export function keyOf(field: ChildField, message: Message): string {
  const spec = field.key as KeySpec;
  const value = fieldsOf(message)[spec.localName];
  let key: string;
  if (spec.kind === 'string') {
    if (typeof value !== 'string') throw new ConfigValueError(`key field ${spec.name} must be a string`);
    key = value;
    if (key === '' || key.includes('/')) {
      throw new ConfigValueError(
        `invalid key ${spec.name}='${key}': keys must be non-empty and contain no '/'`
      );
    }
  } else if (typeof value === 'number' && Number.isInteger(value)) {
    key = String(value);
  } else if (typeof value === 'string' && INT_VALUE.test(value)) {
    key = BigInt(value).toString();
  } else if (typeof value === 'bigint') {
    key = value.toString();
  } else {
    throw new ConfigValueError(`key field ${spec.name} must be an integer`);
  }
  return key;
}

const childIndexCache = new WeakMap<TypeInfo, Map<string, number>>();

/** Index of a child field by proto name, or -1. */
export function childIndex(info: TypeInfo, name: string): number {
  let m = childIndexCache.get(info);
  if (!m) {
    m = new Map(info.children.map((f, i) => [f.name, i]));
    childIndexCache.set(info, m);
  }
  return m.get(name) ?? -1;
}

/** Names of child-node fields that carry data in `message`. */
export function childFieldsWithData(info: TypeInfo, message: Message): string[] {
  const out: string[] = [];
  for (const f of info.children) {
    const v = fieldsOf(message)[f.localName];
    if (f.repeated ? Array.isArray(v) && v.length > 0 : v !== undefined && v !== null) out.push(f.name);
  }
  return out;
}

/** Clears every child-node field of an owned message in place. */
export function clearChildren(info: TypeInfo, message: Message): Message {
  const m = fieldsOf(message);
  for (const f of info.children) m[f.localName] = f.repeated ? [] : undefined;
  return message;
}

/** READ_ONLY fields whose values differ between two node-local messages. */
export function readOnlyViolations(info: TypeInfo, before: Message, after: Message): string[] {
  return info.readOnlyFields
    .filter((f) => !deepEqual(fieldsOf(before)[f.localName], fieldsOf(after)[f.localName]))
    .map((f) => f.name);
}

/**
 * Builds the revision (and new nodes) of an owned, normalized message, turning child-node fields into child
 * nodes recursively. Duplicate keys raise ConfigValueError.
 */
export function buildRevision(
  schema: ConfigSchema,
  info: TypeInfo,
  message: Message,
  path: string
): Revision {
  const slots: ChildSlot[] = info.children.map((field) => {
    const childInfo = schema.typeInfo(field.typeName);
    const value = fieldsOf(message)[field.localName];
    const childPath = joinPath(path, field.name);
    if (!field.repeated) {
      const child = value ? (value as Message) : childInfo.create();
      return buildRevision(schema, childInfo, child, childPath);
    }
    const items = (value as Message[] | undefined) ?? [];
    if (!field.key) return items.map((item) => buildRevision(schema, childInfo, item, childPath));
    let kc = KeyedChildren.empty<Revision>();
    for (const item of items) {
      const key = keyOf(field, item);
      if (kc.has(key)) throw new ConfigValueError(`Duplicate key ${field.key.name}=${key} in ${field.name}`);
      kc = kc.append(key, buildRevision(schema, childInfo, item, joinPath(path, field.name, key)));
    }
    return kc;
  });
  clearChildren(info, message);
  const node = new ConfigNode(info, path);
  const rev = new Revision(node, new ConfigData(info, message), slots);
  node.latest = rev;
  return rev;
}

/** A copy of the revision's data with `depth` levels of children (negative = unlimited). */
export function assemble(rev: Revision, depth: number): Message {
  const info = rev.info;
  const msg = fieldsOf(info.clone(rev.config.data));
  if (depth !== 0) {
    info.children.forEach((f, i) => {
      const slot = rev.children[i];
      if (slot instanceof Revision) msg[f.localName] = assemble(slot, depth - 1);
      else if (slot instanceof KeyedChildren)
        msg[f.localName] = [...slot.values()].map((r) => assemble(r, depth - 1));
      else msg[f.localName] = slot.map((r) => assemble(r, depth - 1));
    });
  }
  return msg as unknown as Message;
}

/** One step of a resolved path: the revision and the child field (and key) used to descend. */
export interface PathStep {
  readonly rev: Revision;
  /** Full path of `rev`. */
  readonly path: string;
  readonly fieldIndex: number;
  readonly key?: string;
}

export interface ResolvedNode {
  readonly kind: 'node';
  readonly rev: Revision;
  readonly steps: readonly PathStep[];
  /** Canonical full path of the node. */
  readonly path: string;
  /** Set when the node was reached through a keyed container. */
  readonly keyField?: ChildField;
  readonly key?: string;
}

export interface ResolvedContainer {
  readonly kind: 'container';
  /** The node holding the container field. */
  readonly rev: Revision;
  readonly fieldIndex: number;
  readonly field: ChildField;
  readonly steps: readonly PathStep[];
  /** Canonical path of the owning node. */
  readonly path: string;
}

export type Resolved = ResolvedNode | ResolvedContainer;

/**
 * Resolves a path from a revision (path rules of spec 2.2): leading slashes are stripped before each field
 * name, keys are taken verbatim up to the next '/', a trailing slash is ignored.
 */
export function resolvePath(
  start: Revision,
  startPath: string,
  path: string,
  mode: 'read' | 'write'
): Resolved {
  let rev = start;
  let cur = startPath;
  let rest = path;
  const steps: PathStep[] = [];
  let keyField: ChildField | undefined;
  let key: string | undefined;
  for (;;) {
    let i = 0;
    while (i < rest.length && rest.charCodeAt(i) === 47) i++;
    rest = rest.slice(i);
    if (rest === '') return { kind: 'node', rev, steps, path: cur, keyField, key };
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    rest = slash < 0 ? '' : rest.slice(slash + 1);
    const fi = childIndex(rev.info, name);
    if (fi < 0) throw new ConfigKeyError(`'${name}' is not a child node of ${rev.info.typeName}`);
    const field = rev.info.children[fi];
    const slot = rev.children[fi];
    if (!field.repeated) {
      steps.push({ rev, path: cur, fieldIndex: fi });
      rev = slot as Revision;
      cur = joinPath(cur, name);
      keyField = undefined;
      key = undefined;
      continue;
    }
    if (rest === '') return { kind: 'container', rev, fieldIndex: fi, field, steps, path: cur };
    if (!field.key) {
      if (mode === 'read') throw new ConfigLookupError(`Cannot index into container ${name} with no keys`);
      throw new ConfigValueError(`Cannot index into container ${name} with no keys`);
    }
    const slash2 = rest.indexOf('/');
    const segment = slash2 < 0 ? rest : rest.slice(0, slash2);
    rest = slash2 < 0 ? '' : rest.slice(slash2 + 1);
    const k = parseKeySegment(field.key, segment);
    const child = (slot as KeyedChildren<Revision>).get(k);
    if (!child) throw new ConfigKeyError(`key ${field.key.name}=${segment} not found in ${name}`);
    steps.push({ rev, path: cur, fieldIndex: fi, key: k });
    rev = child;
    cur = joinPath(cur, name, k);
    keyField = field;
    key = k;
  }
}

/**
 * Path copying: replaces the revision at the end of `steps` by `leaf` and creates new revisions for every
 * ancestor. Returns the new revisions bottom-up; the last one is the new root (or `leaf` if no steps).
 */
export function rebuildPath(steps: readonly PathStep[], leaf: Revision): Revision[] {
  const out = [leaf];
  let child = leaf;
  for (let i = steps.length - 1; i >= 0; i--) {
    const { rev, fieldIndex, key } = steps[i];
    const slot = rev.children[fieldIndex];
    const next = key === undefined ? child : (slot as KeyedChildren<Revision>).replace(key, child);
    child = rev.withSlot(fieldIndex, next);
    out.push(child);
  }
  return out;
}
