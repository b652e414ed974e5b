/** Exit codes of the CLI. */
export const EXIT_OK = 0;
/** The command ran and failed (not found, rejected, unreachable server...). */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong (unknown command or flag, missing or bad argument). */
export const EXIT_USAGE = 2;

/** A wrong command line: printed as one line, `voltha: <message>; usage: <synopsis>`, exit 2. */
export class UsageError extends Error {
  public constructor(
    message: string,
    /** One-line synopsis of the command concerned, e.g. `voltha device list [-o FORMAT] [-q]`. */
    public readonly synopsis?: string
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failed command: printed as one line, `voltha: <message>`, exit 1. */
export class CliError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
