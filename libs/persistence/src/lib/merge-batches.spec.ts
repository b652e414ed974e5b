import type { RootPointer, TreeStoreBatch } from '@voltha/config-tree';

import { mergeBatches } from './merge-batches';

const root = (latest: string, seq: number): RootPointer => ({
  layout: 1,
  latest,
  tags: {},
  seq,
  history: [latest]
});
const batch = (puts: string[], deletes: string[], r: RootPointer): TreeStoreBatch => ({
  puts: new Map(puts.map((k) => [k, new TextEncoder().encode(k)])),
  deletes,
  root: r
});

describe('mergeBatches', () => {
  it('should keep a key deleted by one batch and put again by a later one', () => {
    const m = mergeBatches([
      batch(['a', 'b'], [], root('r1', 1)),
      batch(['c'], ['a'], root('r2', 2)),
      batch(['a'], ['b'], root('r3', 3))
    ]);
    expect([...m.puts.keys()].sort()).toEqual(['a', 'c']);
    expect([...m.deletes]).toEqual(['b']);
    expect(m.root.latest).toBe('r3');
  });

  it('should refuse an empty list', () => {
    expect(() => mergeBatches([])).toThrow('nothing to merge');
  });
});
