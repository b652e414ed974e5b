/**
 * A version of one key: Consul ModifyIndex, etcd mod_revision, or the store revision counter of
 * the memory and embedded drivers. Decimal integer text; compare with `===` only (versions of
 * different drivers are not comparable, and a version says nothing about values).
 */
export type KvVersion = string;

/** A stored value and its version. `value` is never null: an empty value is an empty array. */
export interface KvEntry {
  readonly value: Uint8Array;
  readonly version: KvVersion;
}

/** A write inside a transaction. Keys are relative to the store prefix. */
export type KvOp =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: string };

/** A condition of a transaction (compare-and-set). */
export type KvCheck =
  /** The key exists and has exactly this version. */
  | { readonly type: 'version'; readonly key: string; readonly version: KvVersion }
  /** The key does not exist. */
  | { readonly type: 'absent'; readonly key: string };

export interface KvTxnRequest {
  /** Conditions checked atomically with the writes; any failure aborts the whole transaction. */
  readonly checks?: readonly KvCheck[];
  /** Writes applied in order, all or nothing. Several ops on one key: the last one wins. */
  readonly ops: readonly KvOp[];
  /**
   * Fencing: only commit while this lock (taken from the same store) is still held, checked by the
   * backend atomically with the writes. Failing fails the transaction with `LockLostError`.
   */
  readonly fence?: KvLock;
}

export interface KvTxnResult {
  /** New version of every key put by the transaction (deleted keys are absent). */
  readonly versions: ReadonlyMap<string, KvVersion>;
}

/** Why a lock stopped being held. */
export type KvLockEndReason =
  /** `release()` was called. */
  | 'released'
  /** The session/lease expired or was revoked, or the lock key was deleted or taken over. */
  | 'lost'
  /** The store was closed while the lock was held. */
  | 'closed';

export interface KvLockEnd {
  readonly reason: KvLockEndReason;
  /** What was observed, for logs (e.g. "session invalidated", "lease keepalive failed"). */
  readonly detail: string;
}

/** A held lock. */
export interface KvLock {
  /** The lock key, relative to the store prefix. */
  readonly key: string;
  /**
   * Fencing token: strictly increasing across successive acquisitions of the same key on one
   * backend (Consul ModifyIndex of the acquisition, etcd create revision, a process counter for
   * memory/embedded). Decimal integer text; compare as BigInt.
   */
  readonly token: string;
  /** Consul session ID, etcd lease ID (decimal), or an in-process id. */
  readonly sessionId: string;
  /** False once the lock ended for any reason. */
  readonly held: boolean;
  /**
   * Resolves once when the lock stops being held, whatever the reason; never rejects. A holder
   * typically races its work against it and steps down unless `reason === 'released'`.
   */
  readonly ended: Promise<KvLockEnd>;
  /** Give the lock up (idempotent). A waiting standby acquires it next. */
  release(): Promise<void>;
}

export interface KvLockOptions {
  /** Give up waiting after this many ms (rejects with `LockWaitAbortedError`). Default: wait forever. */
  readonly waitTimeoutMs?: number;
  /** Abort the wait (rejects with `LockWaitAbortedError`). */
  readonly signal?: AbortSignal;
  /** Stored in the lock key (Consul/etcd) to show who holds it. Default: `pid@hostname`. */
  readonly owner?: string;
}

/** Static limits of a driver, so that callers can split batches. */
export interface KvLimits {
  /** Most checks + ops (+1 for a fence) in one `txn` (Consul 64, etcd 128). */
  readonly maxTxnOps: number;
  /** Largest single value the backend accepts (advisory for etcd/Consul: the server decides). */
  readonly maxValueBytes: number;
  /**
   * Largest transaction payload the backend accepts, in bytes of values and keys (Consul's whole
   * request body including base64 is limited to 512 KiB by default). Advisory.
   */
  readonly maxTxnBytes: number;
}

export type KvBackendName = 'memory' | 'embedded' | 'etcd' | 'consul';

/**
 * A byte-safe key/value store for one prefix. Every method retries transient failures with
 * exponential backoff (bounded), honours a per-attempt timeout, and rejects with a typed `KvError`:
 * `PermanentKvError` subclasses (never retried) or `KvUnavailableError` (retries exhausted).
 *
 * Keys are relative to the store prefix, non-empty, and must not start with "/".
 */
export interface KvStore {
  readonly backend: KvBackendName;
  /** The prefix every key lives under (no trailing slash), e.g. "service/voltha/data/core/0001". */
  readonly prefix: string;
  readonly limits: KvLimits;
  /** Shorthand for `limits.maxTxnOps`. */
  readonly maxTxnOps: number;

  /** The value and version of `key`, or undefined if it does not exist. */
  get(key: string): Promise<KvEntry | undefined>;
  /** Several keys at once (batched where the backend allows); missing keys are absent from the map. */
  getMany(keys: readonly string[]): Promise<Map<string, KvEntry>>;
  /** Keys under `prefix` (relative to the store prefix, "" for all), sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Store `value` under `key`; resolves with the new version. */
  put(key: string, value: Uint8Array): Promise<KvVersion>;
  /** Delete `key` (no error if it does not exist). */
  delete(key: string): Promise<void>;
  /**
   * One atomic transaction: every check holds and every op is applied, or nothing is
   * (`CasConflictError`, `LockLostError`). More than `maxTxnOps` checks + ops rejects with
   * `TxnTooLargeError` before anything is sent: the caller splits.
   */
  txn(request: KvTxnRequest): Promise<KvTxnResult>;
  /** Wait until the lock on `key` is ours (blocking query / watch, no polling loop). */
  lock(key: string, options?: KvLockOptions): Promise<KvLock>;
  /** Take the lock on `key` if it is free right now, else undefined. */
  tryLock(key: string, options?: Pick<KvLockOptions, 'owner'>): Promise<KvLock | undefined>;
  /** Release held locks (their `ended` resolves with 'closed'), abort waits, free connections. */
  close(): Promise<void>;
}
