import type { RootPointer, TreeStoreBatch } from '@voltha/config-tree';

/** Several consecutive tree batches folded into one, with the same end state. */
export interface MergedBatch {
  puts: Map<string, Uint8Array>;
  /** Keys to delete: deleted by some batch and not put again by a later one. */
  deletes: Set<string>;
  root: RootPointer;
}

/**
 * Folds batches that were produced one after the other. Applying the result (puts, then root, then
 * deletes) leaves the store as applying each batch in turn would: a key deleted by one batch and put
 * again by a later one stays; a key put and later deleted is deleted.
 */
export function mergeBatches(batches: readonly TreeStoreBatch[]): MergedBatch {
  if (batches.length === 0) throw new Error('nothing to merge');
  let merged: MergedBatch | undefined;
  for (const b of batches) merged = foldBatch(merged, b);
  return merged as MergedBatch;
}

/** Folds `next` (a batch or merged batches that came after) into `into` (mutated and returned). */
export function foldBatch(
  into: MergedBatch | undefined,
  next: { puts: ReadonlyMap<string, Uint8Array>; deletes: Iterable<string>; root: RootPointer }
): MergedBatch {
  const target = into ?? { puts: new Map<string, Uint8Array>(), deletes: new Set<string>(), root: next.root };
  for (const [k, v] of next.puts) {
    target.puts.set(k, v);
    target.deletes.delete(k);
  }
  for (const k of next.deletes) {
    target.deletes.add(k);
    target.puts.delete(k);
  }
  target.root = next.root;
  return target;
}
