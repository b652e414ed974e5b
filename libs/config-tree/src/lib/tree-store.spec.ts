import { decodeRootPointer, encodeRootPointer, InMemoryTreeStore, RootPointer } from './tree-store';

describe('root pointer codec and InMemoryTreeStore', () => {
  const pointer: RootPointer = {
    layout: 1,
    latest: 'a'.repeat(24),
    tags: { t: 'b'.repeat(24) },
    seq: 7,
    history: ['b'.repeat(24), 'a'.repeat(24)]
  };

  it('round-trips the root pointer as JSON bytes and fills defaults of older pointers', () => {
    expect(decodeRootPointer(encodeRootPointer(pointer))).toEqual(pointer);
    const legacy = new TextEncoder().encode(JSON.stringify({ latest: 'c'.repeat(24) }));
    expect(decodeRootPointer(legacy)).toEqual({
      layout: 1,
      latest: 'c'.repeat(24),
      tags: {},
      seq: 0,
      history: ['c'.repeat(24)]
    });
    expect(() => decodeRootPointer(new TextEncoder().encode('{}'))).toThrow('invalid root pointer');
  });

  it('applies batches (puts, pointer, deletes), returns copies and can fail on demand', async () => {
    const store = new InMemoryTreeStore();
    expect(await store.loadRoot()).toBeUndefined();
    await store.commit({ puts: new Map([['k1', new Uint8Array([1])]]), deletes: [], root: pointer });
    const loaded = await store.loadRoot();
    expect(loaded).toEqual(pointer);
    (loaded?.history as string[]).push('mutated');
    expect((await store.loadRoot())?.history).toEqual(pointer.history);
    await store.commit({
      puts: new Map([['k2', new Uint8Array([2])]]),
      deletes: ['k1'],
      root: { ...pointer, seq: 8 }
    });
    expect([...store.blobs.keys()]).toEqual(['k2']);
    expect(store.keyCount).toBe(2);
    expect(store.stats).toMatchObject({ commits: 2, puts: 2, deletes: 1, rootWrites: 2 });
    store.failNextCommit = new Error('down');
    await expect(store.commit({ puts: new Map(), deletes: ['k2'], root: pointer })).rejects.toThrow('down');
    expect(store.blobs.has('k2')).toBe(true);
    const copy = store.clone();
    copy.blobs.clear();
    expect(store.blobs.size).toBe(1);
    expect(await store.listBlobKeys()).toEqual(['k2']);
  });
});
