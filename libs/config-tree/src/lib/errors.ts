/**
 * Typed errors of the config tree.
 *
 * Every error carries `kind`, the error class VOLTHA 1.x raised in the same situation (tests assert on it),
 * and `code`, a gRPC status code name the service layer maps to a status without inspecting messages.
 */

/** gRPC status code names used by the config tree. */
export type ConfigErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'ABORTED'
  | 'FAILED_PRECONDITION'
  | 'UNIMPLEMENTED'
  | 'DATA_LOSS'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** The 1.x (Python) error kind. */
export type ConfigErrorKind =
  | 'KeyError'
  | 'ValueError'
  | 'LookupError'
  | 'NotImplementedError'
  | 'AssertionError'
  | 'MergeConflictError'
  | 'ClosedTransactionError'
  | 'StoreError';

export abstract class ConfigTreeError extends Error {
  abstract readonly kind: ConfigErrorKind;
  readonly code: ConfigErrorCode;

  protected constructor(message: string, code: ConfigErrorCode) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Unknown path field, key, revision hash, tag or transaction id (1.x KeyError). */
export class ConfigKeyError extends ConfigTreeError {
  readonly kind = 'KeyError' as const;
  constructor(message: string, code: ConfigErrorCode = 'NOT_FOUND') {
    super(message, code);
  }
}

/** Bad input: wrong type, duplicate key, key change, bad path shape, read-only violation (1.x ValueError). */
export class ConfigValueError extends ConfigTreeError {
  readonly kind = 'ValueError' as const;
  constructor(message: string, code: ConfigErrorCode = 'INVALID_ARGUMENT') {
    super(message, code);
  }
}

/** A read indexing into a container that has no key (1.x LookupError). */
export class ConfigLookupError extends ConfigTreeError {
  readonly kind = 'LookupError' as const;
  constructor(message: string, code: ConfigErrorCode = 'INVALID_ARGUMENT') {
    super(message, code);
  }
}

/**
 * Unsupported schema construct (UNIMPLEMENTED) or update data carrying child-node fields
 * ("Cannot update external children", INVALID_ARGUMENT: the client sent a bad message).
 */
export class ConfigNotImplementedError extends ConfigTreeError {
  readonly kind = 'NotImplementedError' as const;
  constructor(message: string, code: ConfigErrorCode = 'UNIMPLEMENTED') {
    super(message, code);
  }
}

/** A precondition of the API was violated by the caller, e.g. a proxy write path not starting with '/'. */
export class ConfigAssertionError extends ConfigTreeError {
  readonly kind = 'AssertionError' as const;
  constructor(message: string, code: ConfigErrorCode = 'INVALID_ARGUMENT') {
    super(message, code);
  }
}

/** A transaction commit found a conflicting change on the committed branch (1.x MergeConflictException). */
export class MergeConflictError extends ConfigTreeError {
  readonly kind = 'MergeConflictError' as const;
  constructor(message: string) {
    super(message, 'ABORTED');
  }
}

/** Use of a committed, cancelled or expired transaction, or of a closed tree. */
export class ClosedTransactionError extends ConfigTreeError {
  readonly kind = 'ClosedTransactionError' as const;
  constructor(message = 'transaction is closed') {
    super(message, 'FAILED_PRECONDITION');
  }
}

/** The persisted data is inconsistent (e.g. a blob is missing) or the store failed. */
export class ConfigStoreError extends ConfigTreeError {
  readonly kind = 'StoreError' as const;
  constructor(message: string, code: ConfigErrorCode = 'DATA_LOSS') {
    super(message, code);
  }
}

/** The tree has been closed; no further mutation is accepted. */
export class ConfigTreeClosedError extends ConfigTreeError {
  readonly kind = 'AssertionError' as const;
  constructor() {
    super('config tree is closed', 'FAILED_PRECONDITION');
  }
}
