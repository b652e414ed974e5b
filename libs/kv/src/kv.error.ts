import { errorMessage } from './util/error-message';

/** Base of every error the KV layer throws. `cause` carries the backend's own error, if any. */
export class KvError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A failure that may go away by itself (connection refused/reset, timeout, 5xx, no leader).
 * Retried with backoff; callers only see `KvUnavailableError` once retries are exhausted.
 */
export class TransientKvError extends KvError {}

/** One attempt did not finish within the request timeout. */
export class KvTimeoutError extends TransientKvError {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number
  ) {
    super(`kv ${operation} timed out after ${timeoutMs}ms`);
  }
}

/** Retries of a transient failure were exhausted (attempts or time budget). */
export class KvUnavailableError extends KvError {
  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    cause: unknown
  ) {
    super(`kv ${operation} failed after ${attempts} attempt(s) in ${elapsedMs}ms: ${errorMessage(cause)}`, {
      cause
    });
  }
}

/** A failure that retrying cannot fix. Never retried. */
export class PermanentKvError extends KvError {}

/** A value (Consul 413, etcd "request is too large") or transaction payload is over the backend's limit. */
export class ValueTooLargeError extends PermanentKvError {
  constructor(
    message: string,
    readonly key?: string,
    options?: { cause?: unknown }
  ) {
    super(message, options);
  }
}

/** More checks + ops than the driver's `maxTxnOps`: split the batch. */
export class TxnTooLargeError extends PermanentKvError {
  constructor(
    readonly size: number,
    readonly maxTxnOps: number
  ) {
    super(`transaction has ${size} checks/ops, more than this backend's limit of ${maxTxnOps}: split it`);
  }
}

/** The backend refused the credentials (Consul 403 / ACL, etcd auth). */
export class PermissionDeniedError extends PermanentKvError {}

/** A transaction check failed; nothing was applied. */
export class CasConflictError extends PermanentKvError {
  constructor(
    message: string,
    /** The key whose check failed, when the backend tells. */
    readonly key?: string,
    /**
     * True when an earlier attempt of this transaction timed out and was retried: the earlier
     * attempt may have committed, and this conflict may be caused by our own write. Re-read.
     */
    readonly mayHaveApplied = false,
    options?: { cause?: unknown }
  ) {
    super(message, options);
  }
}

/** A fenced transaction found that its lock is no longer held; nothing was applied. Step down. */
export class LockLostError extends PermanentKvError {
  constructor(
    readonly lockKey: string,
    detail: string
  ) {
    super(`lock "${lockKey}" is no longer held: ${detail}`);
  }
}

/** A malformed request: bad key, lock from another store, unsupported option, 400 from the server. */
export class InvalidKvRequestError extends PermanentKvError {}

/** The store was closed. */
export class KvClosedError extends PermanentKvError {
  constructor(operation: string) {
    super(`kv ${operation}: store is closed`);
  }
}

/** Waiting for a lock was given up (timeout, abort signal, or store closed). */
export class LockWaitAbortedError extends KvError {
  constructor(
    readonly lockKey: string,
    readonly reason: 'timeout' | 'aborted' | 'closed'
  ) {
    super(`waiting for lock "${lockKey}" stopped: ${reason}`);
  }
}
