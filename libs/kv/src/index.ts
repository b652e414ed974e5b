export type {
  KvBackendName,
  KvCheck,
  KvEntry,
  KvLimits,
  KvLock,
  KvLockEnd,
  KvLockEndReason,
  KvLockOptions,
  KvOp,
  KvStore,
  KvTxnRequest,
  KvTxnResult,
  KvVersion
} from './kv-store.interface';
export {
  CasConflictError,
  InvalidKvRequestError,
  KvClosedError,
  KvError,
  KvTimeoutError,
  KvUnavailableError,
  LockLostError,
  LockWaitAbortedError,
  PermanentKvError,
  PermissionDeniedError,
  TransientKvError,
  TxnTooLargeError,
  ValueTooLargeError
} from './kv.error';
export {
  CORE_STORE_KEY,
  DEFAULT_CORE_STORE_ID,
  VOLTHA_KV_PREFIX,
  assertValidKey,
  coreStorePrefix,
  normalizePrefix
} from './kv-prefix';
export {
  DEFAULT_CONSUL_ADDRESS,
  DEFAULT_ETCD_ADDRESS,
  parseConsulAddress,
  parseEtcdEndpoints,
  parseHostPort
} from './kv-address';
export type { HostPort } from './kv-address';
export { DEFAULT_KV_RETRY, backoffDelay, resolveRetryOptions, sleep, withRetry } from './retry/kv-retry';
export type { KvAttemptContext, KvRetryEvent, KvRetryOptions } from './retry/kv-retry';
export { BaseKvStore, DEFAULT_LOCK_TTL_MS } from './drivers/base-kv-store';
export type { FullTxn, KvStoreOptions } from './drivers/base-kv-store';
export { LockHandle } from './lock/lock-handle';
export { InProcessLockTable } from './lock/in-process-lock-table';
export {
  MEMORY_DEFAULT_MAX_TXN_OPS,
  MEMORY_DEFAULT_MAX_VALUE_BYTES,
  MemoryKvBackend,
  MemoryKvStore
} from './drivers/memory/memory-kv.driver';
export type { MemoryKvOptions } from './drivers/memory/memory-kv.driver';
export {
  EMBEDDED_DEFAULT_MAX_TXN_OPS,
  EMBEDDED_DEFAULT_MAX_VALUE_BYTES,
  EMBEDDED_DEFAULT_PATH,
  EmbeddedKvStore
} from './drivers/embedded/embedded-kv.driver';
export type { EmbeddedKvOptions } from './drivers/embedded/embedded-kv.driver';
export {
  EtcdKvStore,
  ETCD_DEFAULT_MAX_REQUEST_BYTES,
  ETCD_DEFAULT_MAX_TXN_OPS
} from './drivers/etcd/etcd-kv.driver';
export type { EtcdKvOptions, EtcdTlsOptions } from './drivers/etcd/etcd-kv.driver';
export {
  ConsulKvStore,
  CONSUL_DEFAULT_MAX_TXN_OPS,
  CONSUL_DEFAULT_MAX_VALUE_BYTES
} from './drivers/consul/consul-kv.driver';
export type { ConsulKvOptions, ConsulTlsOptions } from './drivers/consul/consul-kv.driver';
export { createKvStore } from './create-kv-store';
export type { CreateKvStoreOptions } from './create-kv-store';
