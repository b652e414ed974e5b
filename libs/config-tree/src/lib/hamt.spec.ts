import { PersistentMap } from './hamt';

describe('PersistentMap (HAMT)', () => {
  it('matches a Map under random sets and deletes and never mutates older versions', () => {
    let m = PersistentMap.empty<number>();
    const ref = new Map<string, number>();
    const snapshots: Array<[PersistentMap<number>, Map<string, number>]> = [];
    let seed = 3;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 20_000; i++) {
      const key = `k${Math.floor(rand() * 5000)}`;
      if (rand() < 0.7) {
        m = m.set(key, i);
        ref.set(key, i);
      } else {
        m = m.delete(key);
        ref.delete(key);
      }
      if (i % 2000 === 0) snapshots.push([m, new Map(ref)]);
    }
    expect(m.size).toBe(ref.size);
    for (const [k, val] of ref) expect(m.get(k)).toBe(val);
    expect(new Map(m.entries())).toEqual(ref);
    for (const [snap, r] of snapshots) {
      expect(snap.size).toBe(r.size);
      expect(new Map(snap.entries())).toEqual(r);
    }
    expect(m.get('absent')).toBeUndefined();
    expect(m.delete('absent')).toBe(m);
  });

  it('deletes down to empty', () => {
    let m = PersistentMap.empty<number>();
    for (let i = 0; i < 1000; i++) m = m.set(String(i), i);
    for (let i = 0; i < 1000; i++) m = m.delete(String(i));
    expect(m.size).toBe(0);
    expect([...m.entries()]).toEqual([]);
    expect(m.set('x', 1).get('x')).toBe(1);
  });
});
