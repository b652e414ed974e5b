/** Errors of the persistence layer; `code` names the gRPC status the service answers with. */
export class PersistenceError extends Error {
  public constructor(
    message: string,
    public readonly code: 'UNAVAILABLE' | 'FAILED_PRECONDITION' | 'DATA_LOSS' | 'INTERNAL',
    options?: { cause?: unknown }
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The write queue is full: the KV store does not keep up (or is down). Retry later. */
export class WriteQueueFullError extends PersistenceError {
  public constructor(limit: number) {
    super(`write queue full: ${limit} mutations are waiting for the KV store; retry later`, 'UNAVAILABLE');
  }
}

/**
 * This instance may no longer write the store: its lock was lost or another writer changed the root
 * pointer. Nothing more is written; the process must step down.
 */
export class StoreFencedError extends PersistenceError {
  public constructor(reason: string) {
    super(`this instance no longer owns the store: ${reason}`, 'UNAVAILABLE');
  }
}

/** The store is closed (shutting down). */
export class StoreClosedError extends PersistenceError {
  public constructor() {
    super('the store is closed', 'UNAVAILABLE');
  }
}
