import { fnv1a32 } from './hash';

/**
 * A small persistent hash array mapped trie (string keys). Every update returns a new map that shares all
 * untouched nodes with the old one: get/set/delete are O(log32 n) and copy at most ~7 nodes of <= 32 slots.
 */

interface Leaf<V> {
  readonly t: 0;
  readonly hash: number;
  readonly key: string;
  readonly value: V;
}

interface Collision<V> {
  readonly t: 1;
  readonly hash: number;
  readonly leaves: readonly Leaf<V>[];
}

interface Branch<V> {
  readonly t: 2;
  readonly bitmap: number;
  readonly slots: readonly Entry<V>[];
}

type Entry<V> = Leaf<V> | Collision<V> | Branch<V>;

const BITS = 5;
const MASK = 31;
const MAX_SHIFT = 30;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const EMPTY_BRANCH: Branch<never> = { t: 2, bitmap: 0, slots: [] };

export class PersistentMap<V> {
  private static readonly EMPTY = new PersistentMap<never>(EMPTY_BRANCH, 0);

  private constructor(
    private readonly root: Branch<V>,
    readonly size: number
  ) {}

  static empty<V>(): PersistentMap<V> {
    return PersistentMap.EMPTY as PersistentMap<V>;
  }

  get(key: string): V | undefined {
    const hash = fnv1a32(key);
    let node: Entry<V> = this.root;
    let shift = 0;
    for (;;) {
      if (node.t === 2) {
        const bit = 1 << ((hash >>> shift) & MASK);
        if ((node.bitmap & bit) === 0) return undefined;
        node = node.slots[popcount(node.bitmap & (bit - 1))];
        shift += BITS;
      } else if (node.t === 0) {
        return node.key === key ? node.value : undefined;
      } else {
        for (const l of node.leaves) if (l.key === key) return l.value;
        return undefined;
      }
    }
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): PersistentMap<V> {
    const hash = fnv1a32(key);
    const added = { v: false };
    const root = setIn(this.root, 0, { t: 0, hash, key, value }, added) as Branch<V>;
    return new PersistentMap(root, this.size + (added.v ? 1 : 0));
  }

  delete(key: string): PersistentMap<V> {
    const hash = fnv1a32(key);
    const res = deleteIn(this.root, 0, hash, key);
    if (res === NOT_FOUND) return this;
    const root = (res ?? EMPTY_BRANCH) as Branch<V>;
    return new PersistentMap(root.t === 2 ? root : wrap(root, 0), this.size - 1);
  }

  *entries(): IterableIterator<[string, V]> {
    yield* iterate(this.root);
  }
}

function* iterate<V>(e: Entry<V>): IterableIterator<[string, V]> {
  if (e.t === 0) yield [e.key, e.value];
  else if (e.t === 1) for (const l of e.leaves) yield [l.key, l.value];
  else for (const s of e.slots) yield* iterate(s);
}

/** Re-wraps a single leaf/collision as the root branch. */
function wrap<V>(e: Entry<V>, shift: number): Branch<V> {
  if (e.t === 2) return e;
  return { t: 2, bitmap: 1 << ((e.hash >>> shift) & MASK), slots: [e] };
}

function merge2<V>(a: Leaf<V> | Collision<V>, b: Leaf<V>, shift: number): Entry<V> {
  if (a.hash === b.hash) {
    const leaves = a.t === 0 ? [a, b] : [...a.leaves, b];
    return { t: 1, hash: a.hash, leaves };
  }
  if (shift > MAX_SHIFT) {
    // Cannot happen for distinct 32-bit hashes; kept for safety.
    return { t: 1, hash: a.hash, leaves: a.t === 0 ? [a, b] : [...a.leaves, b] };
  }
  const ia = (a.hash >>> shift) & MASK;
  const ib = (b.hash >>> shift) & MASK;
  if (ia === ib) return { t: 2, bitmap: 1 << ia, slots: [merge2(a, b, shift + BITS)] };
  const slots = ia < ib ? [a, b] : [b, a];
  return { t: 2, bitmap: (1 << ia) | (1 << ib), slots };
}

function setIn<V>(node: Entry<V>, shift: number, leaf: Leaf<V>, added: { v: boolean }): Entry<V> {
  if (node.t === 2) {
    const bit = 1 << ((leaf.hash >>> shift) & MASK);
    const idx = popcount(node.bitmap & (bit - 1));
    if ((node.bitmap & bit) === 0) {
      added.v = true;
      const slots = node.slots.slice();
      slots.splice(idx, 0, leaf);
      return { t: 2, bitmap: node.bitmap | bit, slots };
    }
    const child = setIn(node.slots[idx], shift + BITS, leaf, added);
    const slots = node.slots.slice();
    slots[idx] = child;
    return { t: 2, bitmap: node.bitmap, slots };
  }
  if (node.t === 0) {
    if (node.key === leaf.key) return leaf;
    added.v = true;
    return merge2(node, leaf, shift);
  }
  // collision
  if (node.hash === leaf.hash) {
    const i = node.leaves.findIndex((l) => l.key === leaf.key);
    if (i >= 0) {
      const leaves = node.leaves.slice();
      leaves[i] = leaf;
      return { t: 1, hash: node.hash, leaves };
    }
    added.v = true;
    return { t: 1, hash: node.hash, leaves: [...node.leaves, leaf] };
  }
  added.v = true;
  return merge2(node, leaf, shift);
}

const NOT_FOUND = Symbol('not-found');

/** Returns the replacement entry, `undefined` if the entry became empty, or NOT_FOUND. */
function deleteIn<V>(
  node: Entry<V>,
  shift: number,
  hash: number,
  key: string
): Entry<V> | undefined | typeof NOT_FOUND {
  if (node.t === 0) return node.key === key ? undefined : NOT_FOUND;
  if (node.t === 1) {
    const i = node.leaves.findIndex((l) => l.key === key);
    if (i < 0) return NOT_FOUND;
    const leaves = node.leaves.filter((_, j) => j !== i);
    return leaves.length === 1 ? leaves[0] : { t: 1, hash: node.hash, leaves };
  }
  const bit = 1 << ((hash >>> shift) & MASK);
  if ((node.bitmap & bit) === 0) return NOT_FOUND;
  const idx = popcount(node.bitmap & (bit - 1));
  const res = deleteIn(node.slots[idx], shift + BITS, hash, key);
  if (res === NOT_FOUND) return NOT_FOUND;
  if (res === undefined) {
    const bitmap = node.bitmap & ~bit;
    if (bitmap === 0) return undefined;
    const slots = node.slots.filter((_, j) => j !== idx);
    // Collapse a branch holding a single leaf so that the trie stays canonical and shallow.
    if (slots.length === 1 && slots[0].t !== 2 && shift > 0) return slots[0];
    return { t: 2, bitmap, slots };
  }
  const slots = node.slots.slice();
  slots[idx] = res;
  if (slots.length === 1 && res.t !== 2 && shift > 0) return res;
  return { t: 2, bitmap: node.bitmap, slots };
}
