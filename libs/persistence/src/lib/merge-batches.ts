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
  const puts = new Map<string, Uint8Array>();
  const deletes = new Set<string>();
  for (const b of batches) {
    for (const [k, v] of b.puts) {
      puts.set(k, v);
      deletes.delete(k);
    }
    for (const k of b.deletes) {
      deletes.add(k);
      puts.delete(k);
    }
  }
  return { puts, deletes, root: batches[batches.length - 1].root };
}
