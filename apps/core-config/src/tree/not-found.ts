import { ConfigKeyError } from '@voltha/config-tree';

/** A missing object, answered with NOT_FOUND and a message that names it. */
export class NotFoundError extends Error {
  public readonly code = 'NOT_FOUND';

  public constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Runs a tree read and turns "no such key" into a NOT_FOUND that names the object. */
export async function orNotFound<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof ConfigKeyError) throw new NotFoundError(`${what} not found`);
    throw e;
  }
}
