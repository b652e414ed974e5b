import { digest } from './hash';
import { KeyedChildren } from './merkle-search-tree';
import type { ConfigProxy } from './proxy';
import type { ChildField, Message, TypeInfo } from './schema';

/**
 * Node identity. One ConfigNode per logical object of the tree (root, `/health`, each adapter, each port...).
 * A node keeps its identity across updates of the object; a remove + re-add of the same key, or a reload,
 * creates a new node. Proxies are bound to nodes.
 */
export class ConfigNode {
  /** Committed latest revision of this node (kept after removal: a detached proxy reads stale data). */
  latest!: Revision;
  proxy: ConfigProxy | undefined;

  constructor(
    readonly info: TypeInfo,
    /** Full path of the node at creation time, e.g. `/devices/d1/ports/1` (keys never change). */
    readonly path: string
  ) {}
}

/**
 * Node-local data ("config"): the message with every child-node field cleared, plus its hash.
 * Immutable; `data` is never handed out, only copies of it.
 */
export class ConfigData {
  readonly hash: string;

  constructor(
    readonly info: TypeInfo,
    /** Owned message (child fields cleared). Never mutated, never exposed. */
    readonly data: Message,
    bytes: Uint8Array = info.encode(data)
  ) {
    this.hash = configHash(info.typeName, bytes);
  }
}

/** Config hash: SHA-256 over a domain tag, the full type name and the deterministic binary encoding. */
export function configHash(typeName: string, bytes: Uint8Array): string {
  return digest('config\0', typeName, '\0', bytes);
}

/** What a revision holds for one child field. */
export type ChildSlot = Revision | KeyedChildren<Revision> | readonly Revision[];

/**
 * An immutable revision of one node: its config plus, per child field (in `info.children` order, i.e. sorted
 * by field name), a singular child revision, a keyed container or an unkeyed list.
 */
export class Revision {
  readonly hash: string;

  constructor(
    readonly node: ConfigNode,
    readonly config: ConfigData,
    readonly children: readonly ChildSlot[]
  ) {
    this.hash = revisionHash(config.hash, node.info.children, children);
  }

  get info(): TypeInfo {
    return this.node.info;
  }

  /** The children slot of a field (by index in `info.children`). */
  slot(index: number): ChildSlot {
    return this.children[index];
  }

  withConfig(config: ConfigData): Revision {
    return new Revision(this.node, config, this.children);
  }

  withSlot(index: number, slot: ChildSlot): Revision {
    const children = this.children.slice();
    children[index] = slot;
    return new Revision(this.node, this.config, children);
  }
}

/** Digest of one child field's slot ('' when empty). */
export function slotDigest(slot: ChildSlot): string {
  if (slot instanceof Revision) return slot.hash;
  if (slot instanceof KeyedChildren) return slot.digest;
  return slot.map((r) => r.hash).join(',');
}

/**
 * Revision hash: SHA-256 over a domain tag, the config hash and, for each non-empty child field in
 * sorted field-name order, `name=digest` where digest is the child revision hash (singular), the Merkle root
 * of the keyed container, or the comma-joined child hashes of an unkeyed list. Empty fields contribute
 * nothing, so a schema that gains a container field keeps the hashes of existing data.
 */
export function revisionHash(
  configHashValue: string,
  fields: readonly ChildField[],
  children: readonly ChildSlot[]
): string {
  const parts: string[] = ['rev\0', configHashValue];
  for (let i = 0; i < fields.length; i++) {
    const d = slotDigest(children[i]);
    if (d !== '') parts.push('\0', fields[i].name, '=', d);
  }
  return digest(...parts);
}

/** True if a slot holds no child. */
export function slotIsEmpty(slot: ChildSlot): boolean {
  if (slot instanceof Revision) return false;
  if (slot instanceof KeyedChildren) return slot.size === 0;
  return slot.length === 0;
}

/** Child revisions of a slot, in order. */
export function* slotRevisions(slot: ChildSlot): IterableIterator<Revision> {
  if (slot instanceof Revision) yield slot;
  else if (slot instanceof KeyedChildren) yield* slot.values();
  else yield* slot;
}
