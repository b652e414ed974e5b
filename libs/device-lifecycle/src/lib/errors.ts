export type LifecycleErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION';

/** A device request that breaks a rule; `code` names the gRPC status the API answers with. */
export class LifecycleError extends Error {
  public constructor(
    message: string,
    public readonly code: LifecycleErrorCode
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}

export const invalid = (message: string): LifecycleError => new LifecycleError(message, 'INVALID_ARGUMENT');
export const precondition = (message: string): LifecycleError =>
  new LifecycleError(message, 'FAILED_PRECONDITION');
