import { BlobIndex } from '../src/lib/blob-index';
import { buildRevision } from '../src/lib/tree-ops';
import type { Message } from '../src';
import { note, tinySchema } from './support/tiny-schema';

const schema = tinySchema();
const rootInfo = schema.typeInfo('tiny.Root');

function tree(...texts: string[]) {
  const msg = { $type: 'tiny.Root', name: 'r', notes: texts.map(note) } as unknown as Message;
  return buildRevision(schema, rootInfo, rootInfo.normalize(msg), '/');
}

function refs(index: BlobIndex): Map<string, number> {
  return new Map([...index.keys()].sort().map((k) => [k, index.refs(k)]));
}

describe('BlobIndex batches stacked like commits in flight', () => {
  it('rolls back newest first to exactly the index before the oldest, through deletes and re-creations', () => {
    const index = new BlobIndex();
    const r0 = tree('a', 'b');
    const b0 = index.begin();
    b0.registerRevision(r0);
    b0.retain(r0.hash);
    const before = refs(index);

    // commit 1: a new root, the old one released (its own blob and note b reach zero)
    const r1 = tree('a', 'c');
    const b1 = index.begin();
    b1.registerRevision(r1);
    b1.retain(r1.hash);
    b1.release(r0.hash);
    expect(b1.result().deletes).toEqual(expect.arrayContaining([r0.hash]));
    expect(index.has(r0.hash)).toBe(false);

    // commit 2: the content of r0 again: re-created (put again) on top of commit 1's delete
    const r2 = tree('a', 'b');
    expect(r2.hash).toBe(r0.hash);
    const b2 = index.begin();
    b2.registerRevision(r2);
    b2.retain(r2.hash);
    b2.release(r1.hash);
    expect(b2.result().puts.has(r0.hash)).toBe(true);

    // commit 3: everything released but a new single-note root
    const r3 = tree('d');
    const b3 = index.begin();
    b3.registerRevision(r3);
    b3.retain(r3.hash);
    b3.release(r2.hash);
    expect(index.has(r0.hash)).toBe(false);

    b3.rollback();
    expect(index.refs(r0.hash)).toBe(1);
    expect(index.has(r3.hash)).toBe(false);
    b2.rollback();
    expect(index.has(r0.hash)).toBe(false);
    expect(index.refs(r1.hash)).toBe(1);
    b1.rollback();
    expect(refs(index)).toEqual(before);
  });
});
