export * from './lib/errors';
export * from './lib/journal';
export * from './lib/kv-tree-store';
export * from './lib/layout';
export * from './lib/merge-batches';
export * from './lib/txn-plan';
