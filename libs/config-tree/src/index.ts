export * from './lib/errors';
export * from './lib/schema';
export * from './lib/json';
export { HASH_HEX_LENGTH } from './lib/hash';
export { keyLevel } from './lib/merkle-search-tree';
export { CallbackType } from './lib/callback-type';
export type { PostCallbackType } from './lib/callback-type';
export { ConfigProxy } from './lib/proxy';
export type { ConfigCallback, ReadOptions, WriteOptions, UpdateOptions } from './lib/proxy';
export { Transaction } from './lib/transaction';
export type { TransactionOptions } from './lib/transaction';
export { MODEL_CHANGE_EVENTS_TOPIC } from './lib/events';
export type { ConfigChangeEvent, ConfigChangeListener } from './lib/events';
export * from './lib/tree-store';
export { LAYOUT_VERSION } from './lib/blob-index';
export type { RevisionBlob, ChunkBlob, StoredSlot } from './lib/blob-index';
export {
  ConfigRoot,
  DEFAULT_HISTORY_SIZE,
  DEFAULT_TRANSACTION_IDLE_TIMEOUT_MS
} from './lib/config-root';
export type { ConfigRootOptions, ConfigTreeLogger, GetOptions, MutationResult } from './lib/config-root';
export { createProtoSchema, ProtoReflectionSchema, ACCESS_READ_ONLY } from './lib/proto-schema';
export type { ProtoSchemaSources, TsProtoCodec } from './lib/proto-schema';
export { volthaSchema } from './lib/voltha-schema';
