import { createHash } from 'node:crypto';

import { PersistentMap } from './hamt';
import { digest } from './hash';

/**
 * Persistent ordered container for the keyed children of one node revision.
 *
 * Children keep insertion order. Each child gets an insertion sequence number (`seq`, local to the
 * container, never hashed or persisted) and the children are held in a Merkle search tree ordered by
 * `seq`: a B-tree whose shape is a pure function of the ordered key sequence. Every key has a level
 * (`keyLevel`, from SHA-256 of the key: the number of leading zero 5-bit groups, so a key is at level >= 1
 * with probability 1/32); a tree node of level L holds the consecutive items of level L and, between them,
 * subtrees of lower levels. The expected fanout is 32 and the depth is about log32(n).
 *
 * Because the shape depends only on the keys and their order (never on the history of operations), the
 * Merkle hash of the tree is canonical: equal ordered content gives equal hashes, e.g. after an add and a
 * remove of the same child. Each tree node caches its hash, so an update recomputes only the O(log n) nodes
 * on its path. A persistent key -> seq map (HAMT) gives O(log n) lookups by key.
 */

/** Anything with a content hash (child revisions). */
export interface Hashed {
  readonly hash: string;
}

export interface MstItem<T extends Hashed> {
  readonly seq: number;
  readonly level: number;
  readonly key: string;
  readonly value: T;
}

const LEVEL_BITS = 5;
const MAX_LEVEL = 6;

/** The level of a key in the Merkle search tree (part of the persisted layout; see README). */
export function keyLevel(key: string): number {
  const h = createHash('sha256').update(key).digest();
  const word = h.readUInt32BE(0);
  let level = 0;
  let shift = 32 - LEVEL_BITS;
  while (level < MAX_LEVEL && ((word >>> shift) & 31) === 0) {
    level++;
    shift -= LEVEL_BITS;
  }
  return level;
}

/** One tree node; also the unit of persistence (one "chunk" blob per node). */
export class MstNode<T extends Hashed> {
  private cachedHash: string | undefined;

  constructor(
    readonly level: number,
    readonly items: readonly MstItem<T>[],
    readonly kids: readonly (MstNode<T> | null)[]
  ) {}

  /** Canonical JSON of the chunk blob: `{"level":L,"items":[child rev hash..],"kids":[chunk hash|null..]}`. */
  blobJson(): string {
    return JSON.stringify({
      level: this.level,
      items: this.items.map((i) => i.value.hash),
      kids: this.kids.map((k) => (k ? k.hash : null))
    });
  }

  /**
   * Chunk hash: SHA-256 over a domain tag, the level, the child revision hashes and the kid chunk hashes
   * ('-' for an empty kid), i.e. over exactly the content of the chunk blob.
   */
  get hash(): string {
    if (this.cachedHash === undefined) {
      let s = `chunk\0${this.level}`;
      for (const i of this.items) s += `|${i.value.hash}`;
      s += '\0';
      for (const k of this.kids) s += k ? `|${k.hash}` : '|-';
      this.cachedHash = digest(s);
    }
    return this.cachedHash;
  }
}

type Tree<T extends Hashed> = MstNode<T> | null;

function mk<T extends Hashed>(level: number, items: MstItem<T>[], kids: Tree<T>[]): Tree<T> {
  if (items.length === 0) return kids[0] ?? null;
  return new MstNode(level, items, kids);
}

/** Index of the first item with seq >= `seq`. */
function lowerBound<T extends Hashed>(items: readonly MstItem<T>[], seq: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function find<T extends Hashed>(t: Tree<T>, seq: number): MstItem<T> | undefined {
  while (t) {
    const i = lowerBound(t.items, seq);
    if (i < t.items.length && t.items[i].seq === seq) return t.items[i];
    t = t.kids[i];
  }
  return undefined;
}

/** Splits `t` (which does not contain `seq`) into the parts before and after `seq`. */
function split<T extends Hashed>(t: Tree<T>, seq: number): [Tree<T>, Tree<T>] {
  if (!t) return [null, null];
  const i = lowerBound(t.items, seq);
  const [l, r] = split(t.kids[i], seq);
  if (i === t.items.length && r === null && l === t.kids[i]) return [t, null];
  if (i === 0 && l === null && r === t.kids[0]) return [null, t];
  const left = mk(t.level, t.items.slice(0, i), [...t.kids.slice(0, i), l]);
  const right = mk(t.level, t.items.slice(i), [r, ...t.kids.slice(i + 1)]);
  return [left, right];
}

function insert<T extends Hashed>(t: Tree<T>, e: MstItem<T>): Tree<T> {
  if (!t) return new MstNode(e.level, [e], [null, null]);
  if (e.level > t.level) {
    const [l, r] = split(t, e.seq);
    return new MstNode(e.level, [e], [l, r]);
  }
  const i = lowerBound(t.items, e.seq);
  if (e.level === t.level) {
    const [l, r] = split(t.kids[i], e.seq);
    const items = t.items.slice();
    items.splice(i, 0, e);
    const kids = t.kids.slice();
    kids.splice(i, 1, l, r);
    return new MstNode(t.level, items, kids);
  }
  const kids = t.kids.slice();
  kids[i] = insert(t.kids[i], e);
  return new MstNode(t.level, t.items as MstItem<T>[], kids);
}

function join<T extends Hashed>(a: Tree<T>, b: Tree<T>): Tree<T> {
  if (!a) return b;
  if (!b) return a;
  if (a.level > b.level) {
    const kids = a.kids.slice();
    kids[kids.length - 1] = join(kids[kids.length - 1], b);
    return new MstNode(a.level, a.items, kids);
  }
  if (a.level < b.level) {
    const kids = b.kids.slice();
    kids[0] = join(a, kids[0]);
    return new MstNode(b.level, b.items, kids);
  }
  const kids = [...a.kids.slice(0, -1), join(a.kids[a.kids.length - 1], b.kids[0]), ...b.kids.slice(1)];
  return new MstNode(a.level, [...a.items, ...b.items], kids);
}

function remove<T extends Hashed>(t: Tree<T>, seq: number): Tree<T> {
  if (!t) return null;
  const i = lowerBound(t.items, seq);
  if (i < t.items.length && t.items[i].seq === seq) {
    const items = t.items.slice();
    items.splice(i, 1);
    const kids = t.kids.slice();
    kids.splice(i, 2, join(t.kids[i], t.kids[i + 1]));
    return mk(t.level, items, kids);
  }
  const kids = t.kids.slice();
  kids[i] = remove(t.kids[i], seq);
  return new MstNode(t.level, t.items as MstItem<T>[], kids);
}

function replace<T extends Hashed>(t: Tree<T>, e: MstItem<T>): Tree<T> {
  if (!t) throw new Error('replace: seq not found');
  const i = lowerBound(t.items, e.seq);
  if (i < t.items.length && t.items[i].seq === e.seq) {
    const items = t.items.slice();
    items[i] = e;
    return new MstNode(t.level, items, t.kids as Tree<T>[]);
  }
  const kids = t.kids.slice();
  kids[i] = replace(t.kids[i], e);
  return new MstNode(t.level, t.items as MstItem<T>[], kids);
}

function* walk<T extends Hashed>(t: Tree<T>): IterableIterator<MstItem<T>> {
  if (!t) return;
  for (let i = 0; i < t.items.length; i++) {
    yield* walk(t.kids[i]);
    yield t.items[i];
  }
  yield* walk(t.kids[t.items.length]);
}

function* walkNodes<T extends Hashed>(t: Tree<T>): IterableIterator<MstNode<T>> {
  if (!t) return;
  yield t;
  for (const k of t.kids) yield* walkNodes(k);
}

/** Immutable keyed, insertion-ordered children of one node revision. */
export class KeyedChildren<T extends Hashed> {
  private static readonly EMPTY = new KeyedChildren<never>(null, PersistentMap.empty(), 0);

  private constructor(
    /** Root of the Merkle search tree (null when empty). */
    readonly tree: MstNode<T> | null,
    private readonly index: PersistentMap<number>,
    private readonly nextSeq: number
  ) {}

  static empty<T extends Hashed>(): KeyedChildren<T> {
    return KeyedChildren.EMPTY as KeyedChildren<T>;
  }

  /** Builds a container from ordered entries (keys must be distinct). */
  static from<T extends Hashed>(entries: Iterable<readonly [string, T]>): KeyedChildren<T> {
    let out = KeyedChildren.empty<T>();
    for (const [k, v] of entries) out = out.append(k, v);
    return out;
  }

  get size(): number {
    return this.index.size;
  }

  /** Merkle root hash of the children ('' when empty). */
  get digest(): string {
    return this.tree ? this.tree.hash : '';
  }

  has(key: string): boolean {
    return this.index.get(key) !== undefined;
  }

  get(key: string): T | undefined {
    const seq = this.index.get(key);
    return seq === undefined ? undefined : find(this.tree, seq)?.value;
  }

  /** Adds a child at the end. The caller guarantees the key is new. */
  append(key: string, value: T): KeyedChildren<T> {
    if (this.index.get(key) !== undefined) throw new Error(`duplicate key ${key}`);
    const item: MstItem<T> = { seq: this.nextSeq, level: keyLevel(key), key, value };
    return new KeyedChildren(insert(this.tree, item), this.index.set(key, item.seq), this.nextSeq + 1);
  }

  /** Replaces the child with the given key, keeping its position. */
  replace(key: string, value: T): KeyedChildren<T> {
    const seq = this.index.get(key);
    if (seq === undefined) throw new Error(`unknown key ${key}`);
    const old = find(this.tree, seq) as MstItem<T>;
    if (old.value === value) return this;
    return new KeyedChildren(replace(this.tree, { ...old, value }), this.index, this.nextSeq);
  }

  remove(key: string): KeyedChildren<T> {
    const seq = this.index.get(key);
    if (seq === undefined) return this;
    return new KeyedChildren(remove(this.tree, seq), this.index.delete(key), this.nextSeq);
  }

  /** Children in insertion order. */
  *entries(): IterableIterator<[string, T]> {
    for (const item of walk(this.tree)) yield [item.key, item.value];
  }

  *values(): IterableIterator<T> {
    for (const item of walk(this.tree)) yield item.value;
  }

  /** All tree nodes (chunks), parents before children. */
  chunks(): IterableIterator<MstNode<T>> {
    return walkNodes(this.tree);
  }
}

/** Differences between two keyed containers, found by comparing Merkle chunk hashes. */
export interface KeyedDiff<T extends Hashed> {
  /** Keys only in `b`, in `b` order. */
  readonly added: Array<[string, T]>;
  /** Keys only in `a`, in `a` order. */
  readonly removed: Array<[string, T]>;
  /** Keys in both with different hashes, in `b` order: [key, a value, b value]. */
  readonly changed: Array<[string, T, T]>;
}

/**
 * Diff of two containers. Chunks with equal hashes on both sides are skipped, so the cost is proportional to
 * the number of changed children times the chunk size and depth, not to the container size.
 */
export function diffKeyed<T extends Hashed>(a: KeyedChildren<T>, b: KeyedChildren<T>): KeyedDiff<T> {
  const itemsA: MstItem<T>[] = [];
  const itemsB: MstItem<T>[] = [];
  let frontA: MstNode<T>[] = a.tree ? [a.tree] : [];
  let frontB: MstNode<T>[] = b.tree ? [b.tree] : [];
  while (frontA.length > 0 || frontB.length > 0) {
    const hashesA = new Set(frontA.map((n) => n.hash));
    const hashesB = new Set(frontB.map((n) => n.hash));
    const nextA: MstNode<T>[] = [];
    const nextB: MstNode<T>[] = [];
    for (const n of frontA) {
      if (hashesB.has(n.hash)) continue;
      itemsA.push(...n.items);
      for (const k of n.kids) if (k) nextA.push(k);
    }
    for (const n of frontB) {
      if (hashesA.has(n.hash)) continue;
      itemsB.push(...n.items);
      for (const k of n.kids) if (k) nextB.push(k);
    }
    frontA = nextA;
    frontB = nextB;
  }
  const byKeyA = new Map(itemsA.map((i) => [i.key, i]));
  const byKeyB = new Map(itemsB.map((i) => [i.key, i]));
  itemsA.sort((x, y) => x.seq - y.seq);
  itemsB.sort((x, y) => x.seq - y.seq);
  const added: Array<[string, T]> = [];
  const removed: Array<[string, T]> = [];
  const changed: Array<[string, T, T]> = [];
  for (const ib of itemsB) {
    const ia = byKeyA.get(ib.key);
    if (ia) {
      if (ia.value.hash !== ib.value.hash) changed.push([ib.key, ia.value, ib.value]);
    } else if (!a.has(ib.key)) {
      added.push([ib.key, ib.value]);
    } else {
      // The key sits in a chunk of `a` that matched a chunk of `b`; impossible for distinct keys, but be
      // safe: compare against the stored value.
      const va = a.get(ib.key) as T;
      if (va.hash !== ib.value.hash) changed.push([ib.key, va, ib.value]);
    }
  }
  for (const ia of itemsA) {
    if (!byKeyB.has(ia.key) && !b.has(ia.key)) removed.push([ia.key, ia.value]);
  }
  return { added, removed, changed };
}
