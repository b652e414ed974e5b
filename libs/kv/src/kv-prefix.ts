import { InvalidKvRequestError } from './kv.error';

/** VOLTHA's KV root (`voltha.yml` `voltha_kv_prefix`). */
export const VOLTHA_KV_PREFIX = 'service/voltha';
/** Where core stores live under the root (`voltha.yml` `core_store_key`). */
export const CORE_STORE_KEY = 'data/core';
/** Store id used when none is allocated (single core). */
export const DEFAULT_CORE_STORE_ID = '0001';

/**
 * The prefix of one core's config store: `service/voltha/data/core/<storeId>`
 * (VOLTHA 1.x `<voltha_kv_prefix>/<core_store_key>/<core_store_id>`).
 */
export function coreStorePrefix(
  storeId: string = DEFAULT_CORE_STORE_ID,
  kvPrefix: string = VOLTHA_KV_PREFIX
): string {
  const id = storeId.replace(/^\/+|\/+$/g, '');
  if (id === '' || id.includes('/')) {
    throw new InvalidKvRequestError(`core store id must be a non-empty path segment, got "${storeId}"`);
  }
  return `${normalizePrefix(kvPrefix)}/${CORE_STORE_KEY}/${id}`;
}

/** Strip leading and trailing slashes ("/a/b/" -> "a/b"). The empty prefix is allowed. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** A store-relative key must be a non-empty string that does not start with "/". */
export function assertValidKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') {
    throw new InvalidKvRequestError(`kv key must be a non-empty string, got ${JSON.stringify(key)}`);
  }
  if (key.startsWith('/')) {
    throw new InvalidKvRequestError(`kv key must not start with "/": "${key}"`);
  }
}
