export type AdapterErrorCode =
  'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'FAILED_PRECONDITION' | 'UNIMPLEMENTED' | 'CANCELLED';

/**
 * An error raised by an adapter or by the AdapterAgent port. `code` names the gRPC status a service
 * answers with (the adapter-agent service maps it at its boundary).
 */
export class AdapterError extends Error {
  public constructor(
    message: string,
    public readonly code: AdapterErrorCode
  ) {
    super(message);
    this.name = 'AdapterError';
  }
}

export const invalidArgument = (message: string): AdapterError =>
  new AdapterError(message, 'INVALID_ARGUMENT');
export const notFound = (message: string): AdapterError => new AdapterError(message, 'NOT_FOUND');
export const alreadyExists = (message: string): AdapterError => new AdapterError(message, 'ALREADY_EXISTS');
export const failedPrecondition = (message: string): AdapterError =>
  new AdapterError(message, 'FAILED_PRECONDITION');
export const unimplemented = (message: string): AdapterError => new AdapterError(message, 'UNIMPLEMENTED');

export function isAdapterError(error: unknown, code?: AdapterErrorCode): error is AdapterError {
  return error instanceof AdapterError && (code === undefined || error.code === code);
}

/** The value of `promise`, or undefined when it rejects with NOT_FOUND. */
export async function unlessNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (isAdapterError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}
