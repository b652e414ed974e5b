import { deepClone, deepEqual, jsonDiff } from './json';

describe('json helpers', () => {
  it('jsonDiff produces RFC 6902 operations', () => {
    expect(jsonDiff({ a: 1, b: 'x' }, { a: 1, b: 'y' })).toEqual([{ op: 'replace', path: '/b', value: 'y' }]);
    expect(jsonDiff({ a: 1, gone: true }, { a: 1, added: [1] })).toEqual([
      { op: 'remove', path: '/gone' },
      { op: 'add', path: '/added', value: [1] }
    ]);
    expect(jsonDiff({ o: { p: { q: 1 } } }, { o: { p: { q: 2 } } })).toEqual([
      { op: 'replace', path: '/o/p/q', value: 2 }
    ]);
    expect(jsonDiff({ l: [1, 2, 3] }, { l: [1, 5] })).toEqual([
      { op: 'replace', path: '/l/1', value: 5 },
      { op: 'remove', path: '/l/2' }
    ]);
    expect(jsonDiff({ l: [1] }, { l: [1, 2, 3] })).toEqual([
      { op: 'add', path: '/l/1', value: 2 },
      { op: 'add', path: '/l/2', value: 3 }
    ]);
    expect(jsonDiff({ 'a/b~c': 1 }, { 'a/b~c': 2 })).toEqual([{ op: 'replace', path: '/a~1b~0c', value: 2 }]);
    expect(jsonDiff({ x: 1 }, [1])).toEqual([{ op: 'replace', path: '', value: [1] }]);
    expect(jsonDiff({ x: [1, { y: 2 }] }, { x: [1, { y: 2 }] })).toEqual([]);
  });

  it('deepClone copies objects, arrays and bytes; deepEqual compares them', () => {
    const src = { a: [1, { b: new Uint8Array([1, 2]) }], c: undefined, d: null };
    const copy = deepClone(src);
    expect(copy).toEqual(src);
    expect(copy.a).not.toBe(src.a);
    expect((copy.a[1] as { b: Uint8Array }).b).not.toBe((src.a[1] as { b: Uint8Array }).b);
    expect(deepEqual(copy, src)).toBe(true);
    expect(deepEqual({ a: new Uint8Array([1]) }, { a: new Uint8Array([2]) })).toBe(false);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
  });
});
