/** The message of anything thrown (duck-typed: errors from other realms fail `instanceof Error`). */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message } = error as { message: unknown };
    if (typeof message === 'string') {
      return message;
    }
  }
  return String(error);
}
