/**
 * Keys of a persisted config tree, relative to the store prefix
 * (`service/voltha/data/core/<store id>`): content-addressed blobs under their hash, the root pointer
 * under `root` (written last, compare-and-set), and the store lock under `lock`.
 */
export const ROOT_KEY = 'root';
export const LOCK_KEY = 'lock';

const BLOB_KEY = /^[0-9a-f]{24}$/;

export function isBlobKey(key: string): boolean {
  return BLOB_KEY.test(key);
}
