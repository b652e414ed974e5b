import { CallbackType, PostCallbackType } from './callback-type';
import { MergeConflictError } from './errors';
import { diffKeyed, KeyedChildren } from './merkle-search-tree';
import { ChildSlot, ConfigNode, Revision, slotDigest } from './revision';
import { assemble, joinPath } from './tree-ops';
import type { Message } from './schema';

/** A change a node announces to its proxy's POST_* callbacks and to event subscribers. */
export interface Announcement {
  readonly type: PostCallbackType;
  /** The announcing node: the updated node, or the node holding the container for add/remove. */
  readonly node: ConfigNode;
  /** Full path of the announcing node. */
  readonly path: string;
  readonly data: Message;
}

/**
 * Three-way merge of a transaction into the committed tree.
 *
 * `fork` is the committed root at transaction open (one snapshot for the whole transaction), `src` the
 * transaction head and `dst` the current committed root. Subtrees the transaction did not change
 * (`src.hash === fork.hash`) are taken from `dst` unchanged, so a commit never reverts changes of main.
 * Conflicts are per node: both sides changed the node-local data differently; a child changed on one side
 * and removed on the other; the same key added on both sides with different content. Announcements are
 * collected children first, parents last (callbacks run deepest first).
 */
export function merge3way(
  fork: Revision,
  src: Revision,
  dst: Revision
): { root: Revision; announcements: Announcement[] } {
  const announcements: Announcement[] = [];
  const root = mergeNode(fork, src, dst, dst.node.path, announcements);
  return { root, announcements };
}

function mergeNode(f: Revision, s: Revision, d: Revision, path: string, out: Announcement[]): Revision {
  if (s === f || s.hash === f.hash) return d;
  const mainChanged = d !== f && d.hash !== f.hash;
  const info = d.info;
  let config = d.config;
  let announceUpdate = false;
  if (s.config.hash !== f.config.hash) {
    if (!mainChanged || d.config.hash === f.config.hash) {
      config = s.config;
      announceUpdate = s.config.hash !== d.config.hash;
    } else if (s.config.hash !== d.config.hash) {
      throw new MergeConflictError(`Config collision at ${path}`);
    }
  }
  const children: ChildSlot[] = info.children.map((field, i) => {
    const fs = f.children[i];
    const ss = s.children[i];
    const ds = d.children[i];
    const childPath = joinPath(path, field.name);
    if (fs instanceof Revision) return mergeNode(fs, ss as Revision, ds as Revision, childPath, out);
    if (fs instanceof KeyedChildren) {
      return mergeKeyed(
        fs,
        ss as KeyedChildren<Revision>,
        ds as KeyedChildren<Revision>,
        d.node,
        path,
        childPath,
        out
      );
    }
    const fd = slotDigest(fs);
    const sd = slotDigest(ss);
    const dd = slotDigest(ds);
    if (sd === fd || sd === dd) return ds;
    if (dd !== fd) throw new MergeConflictError(`List collision at ${childPath}`);
    out.push({ type: CallbackType.POST_LISTCHANGE, node: d.node, path, data: assemble(d, 0) });
    return ss;
  });
  if (announceUpdate)
    out.push({ type: CallbackType.POST_UPDATE, node: d.node, path, data: info.clone(config.data) });
  const same = config === d.config && children.every((c, i) => c === d.children[i]);
  return same ? d : new Revision(d.node, config, children);
}

function mergeKeyed(
  f: KeyedChildren<Revision>,
  s: KeyedChildren<Revision>,
  d: KeyedChildren<Revision>,
  owner: ConfigNode,
  ownerPath: string,
  fieldPath: string,
  out: Announcement[]
): KeyedChildren<Revision> {
  if (s === f || s.digest === f.digest) return d;
  const changes = diffKeyed(f, s);
  let result = d;
  for (const [key, fc, sc] of changes.changed) {
    const dc = result.get(key);
    const childPath = joinPath(fieldPath, key);
    if (!dc) throw new MergeConflictError(`${childPath} was changed in the transaction and removed on main`);
    if (dc.node !== fc.node) {
      throw new MergeConflictError(`${childPath} was changed in the transaction and replaced on main`);
    }
    result = result.replace(key, mergeNode(fc, sc, dc, childPath, out));
  }
  for (const [key, fc] of changes.removed) {
    const dc = result.get(key);
    if (!dc) continue;
    if (dc.hash !== fc.hash) {
      throw new MergeConflictError(
        `${joinPath(fieldPath, key)} was removed in the transaction and changed on main`
      );
    }
    result = result.remove(key);
    out.push({ type: CallbackType.POST_REMOVE, node: owner, path: ownerPath, data: assemble(fc, 0) });
  }
  for (const [key, sc] of changes.added) {
    const dc = result.get(key);
    if (dc) {
      if (dc.hash === sc.hash) continue;
      throw new MergeConflictError(
        `${joinPath(fieldPath, key)} was added with different content on both sides`
      );
    }
    result = result.append(key, sc);
    out.push({ type: CallbackType.POST_ADD, node: owner, path: ownerPath, data: assemble(sc, -1) });
  }
  return result;
}
