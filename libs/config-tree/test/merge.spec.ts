import { CallbackType, Message } from '../src';
import { merge3way } from '../src/lib/merge-3way';
import { Revision } from '../src/lib/revision';
import { buildRevision } from '../src/lib/tree-ops';
import { note, tinySchema } from './support/tiny-schema';

describe('merge3way on an unkeyed list (synthetic schema)', () => {
  const schema = tinySchema();
  const info = schema.typeInfo('tiny.Root');
  const build = (name: string, notes: string[]): Revision =>
    buildRevision(
      schema,
      info,
      info.normalize({ $type: 'tiny.Root', name, notes: notes.map(note) } as Message),
      '/'
    );

  it('takes a list changed only in the transaction and announces POST_LISTCHANGE', () => {
    const fork = build('r', ['a']);
    const src = fork.withSlot(0, build('r', ['a', 'b']).children[0]);
    const { root, announcements } = merge3way(fork, src, fork);
    expect(root.children[0]).toBe(src.children[0]);
    expect(announcements.map((a) => a.type)).toEqual([CallbackType.POST_LISTCHANGE]);
  });

  it('keeps main when only main changed the list, accepts identical changes, and conflicts otherwise', () => {
    const fork = build('r', ['a']);
    const main = fork.withSlot(0, build('r', ['a', 'm']).children[0]);
    const srcRenamed = fork.withConfig(build('renamed', []).config);
    const merged = merge3way(fork, srcRenamed, main);
    expect(merged.root.children[0]).toBe(main.children[0]);
    expect(merged.root.config).toBe(srcRenamed.config);
    const same = fork.withSlot(0, build('r', ['a', 'm']).children[0]);
    expect(merge3way(fork, same, main).root.hash).toBe(main.hash);
    const other = fork.withSlot(0, build('r', ['a', 'x']).children[0]);
    expect(() => merge3way(fork, other, main)).toThrow(
      expect.objectContaining({ kind: 'MergeConflictError' })
    );
  });
});
