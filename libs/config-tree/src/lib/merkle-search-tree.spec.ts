import { diffKeyed, KeyedChildren, keyLevel, MstNode } from './merkle-search-tree';

interface V {
  readonly hash: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const v = (h: string): V => ({ hash: h });

function depth(n: MstNode<V> | null): number {
  if (!n) return 0;
  return 1 + Math.max(...n.kids.map(depth));
}

describe('KeyedChildren (Merkle search tree)', () => {
  it('keeps insertion order and a canonical hash under random adds, removes and replaces', () => {
    const rand = rng(7);
    let kc = KeyedChildren.empty<V>();
    let ref: Array<[string, V]> = [];
    let next = 0;
    for (let step = 0; step < 3000; step++) {
      const r = rand();
      if (r < 0.55 || ref.length === 0) {
        const key = `k${next++}`;
        const val = v(`h${step}`);
        kc = kc.append(key, val);
        ref.push([key, val]);
      } else if (r < 0.8) {
        const i = Math.floor(rand() * ref.length);
        kc = kc.remove(ref[i][0]);
        ref = ref.filter((_, j) => j !== i);
      } else {
        const i = Math.floor(rand() * ref.length);
        const val = v(`r${step}`);
        kc = kc.replace(ref[i][0], val);
        ref[i] = [ref[i][0], val];
      }
      if (step % 97 === 0) {
        expect([...kc.entries()]).toEqual(ref);
        // canonical: the same ordered content built from scratch has the same Merkle root
        expect(kc.digest).toBe(KeyedChildren.from(ref).digest);
      }
    }
    expect(kc.size).toBe(ref.length);
    for (const [k, val] of ref) expect(kc.get(k)).toBe(val);
    expect(kc.get('nope')).toBeUndefined();
  });

  it('add then remove of the same key returns to the same hash', () => {
    let kc = KeyedChildren.empty<V>();
    for (let i = 0; i < 500; i++) kc = kc.append(`a${i}`, v(`x${i}`));
    const before = kc.digest;
    for (let i = 0; i < 200; i++) {
      const k = `tmp${i}`;
      expect(kc.append(k, v('t')).remove(k).digest).toBe(before);
    }
  });

  it('equal content gives equal hashes, different order different hashes', () => {
    const a = KeyedChildren.from([
      ['x', v('1')],
      ['y', v('2')]
    ]);
    const b = KeyedChildren.from([
      ['x', v('1')],
      ['y', v('2')]
    ]);
    const c = KeyedChildren.from([
      ['y', v('2')],
      ['x', v('1')]
    ]);
    expect(a.digest).toBe(b.digest);
    expect(a.digest).not.toBe(c.digest);
    expect(KeyedChildren.empty<V>().digest).toBe('');
  });

  it('stays shallow with ~32-way nodes: 20,000 children fit in a few levels', () => {
    let kc = KeyedChildren.empty<V>();
    for (let i = 0; i < 20_000; i++) kc = kc.append(`dev${i}`, v(`h${i}`));
    expect(depth(kc.tree)).toBeLessThanOrEqual(5);
    const nodes = [...kc.chunks()];
    const largest = Math.max(...nodes.map((n) => n.items.length));
    expect(nodes.length).toBeGreaterThan(20_000 / 200);
    expect(largest).toBeLessThan(400);
    // an update copies only the nodes on one path
    const updated = kc.replace('dev12345', v('new'));
    const before = new Set(kc.chunks());
    const fresh = [...updated.chunks()].filter((n) => !before.has(n));
    expect(fresh.length).toBe(depth(kc.tree));
  });

  it('key levels are deterministic and about 1 in 32 keys is above level 0', () => {
    let above = 0;
    for (let i = 0; i < 32_000; i++) if (keyLevel(`key-${i}`) > 0) above++;
    expect(above).toBeGreaterThan(700);
    expect(above).toBeLessThan(1300);
    expect(keyLevel('abc')).toBe(keyLevel('abc'));
  });

  it('diffKeyed finds exactly the added, removed and changed keys', () => {
    const rand = rng(11);
    for (let round = 0; round < 30; round++) {
      let base = KeyedChildren.empty<V>();
      const n = 50 + Math.floor(rand() * 2000);
      for (let i = 0; i < n; i++) base = base.append(`k${i}`, v(`b${i}`));
      let other = base;
      const expAdded: string[] = [];
      const expRemoved: string[] = [];
      const expChanged = new Set<string>();
      for (let c = 0; c < 10; c++) {
        const r = rand();
        const i = Math.floor(rand() * n);
        const key = `k${i}`;
        if (r < 0.3 && other.has(key)) {
          other = other.remove(key);
          if (base.has(key)) expRemoved.push(key);
          expChanged.delete(key);
        } else if (r < 0.6 && other.has(key)) {
          other = other.replace(key, v(`c${round}-${c}`));
          expChanged.add(key);
        } else {
          const k = `new${round}-${c}`;
          other = other.append(k, v(k));
          expAdded.push(k);
        }
      }
      const d = diffKeyed(base, other);
      expect(d.added.map(([k]) => k)).toEqual(expAdded);
      expect(d.removed.map(([k]) => k).sort()).toEqual([...new Set(expRemoved)].sort());
      expect(d.changed.map(([k]) => k).sort()).toEqual([...expChanged].sort());
      expect(diffKeyed(base, base)).toEqual({ added: [], removed: [], changed: [] });
    }
  });
});
