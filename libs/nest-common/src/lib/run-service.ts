import type { Logger as Pino } from 'pino';

import { ConfigError, describeOptions, readConfig } from './config-reader';
import type { ConfigOf, OptionSpec } from './config-reader';
import { createPinoLogger } from './logger';
import type { LogLevelName } from './logger';

export interface ServiceDefinition<
  S extends Record<string, OptionSpec<unknown>>,
  R extends { close(): Promise<void> }
> {
  /** Process name, used in messages and logs. */
  readonly name: string;
  /** The service's settings: every flag, environment variable and default (with a `logLevel`). */
  readonly options: S;
  /** Starts the service; it should give up cleanly (throw) when `signal` is aborted. */
  start(config: ConfigOf<S>, log: Pino, signal: AbortSignal): Promise<R>;
}

export interface ServiceIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  exit: (code: number) => void;
  onSignal: (signal: NodeJS.Signals, handler: () => void) => void;
}

const processIo = (): ServiceIo => ({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  exit: (code) => process.exit(code),
  onSignal: (signal, handler) => process.on(signal, handler)
});

/**
 * The entry point every service shares: `--help` prints the settings; invalid settings exit 2 with
 * every problem listed; the service starts with structured logs; the first SIGINT/SIGTERM stops it
 * gracefully (also while it is still starting), a second one exits at once. Exit codes: 0 stopped,
 * 1 failed to start or to stop, 2 bad settings.
 */
export async function runService<
  S extends Record<string, OptionSpec<unknown>>,
  R extends { close(): Promise<void> }
>(def: ServiceDefinition<S, R>, io: ServiceIo = processIo()): Promise<void> {
  const help = (): string => `usage: ${def.name} [flags]\n\n${describeOptions(def.options)}\n`;
  if (io.argv.includes('--help') || io.argv.includes('-h')) {
    io.stdout(help());
    return;
  }
  let config: ConfigOf<S>;
  try {
    config = readConfig(def.options, io.argv, io.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.stderr(`${def.name}: ${e.message}\n\n${help()}`);
    io.exit(2);
    return;
  }
  const log = createPinoLogger(
    def.name,
    ((config as { logLevel?: LogLevelName }).logLevel ?? 'info') as LogLevelName
  );
  const aborter = new AbortController();
  let running: R | undefined;
  let stopping = false;
  const shutdown = (service: R): void => {
    service.close().then(
      () => {
        log.info('stopped');
        io.exit(0);
      },
      (e: Error) => {
        log.error({ error: e.message }, 'shutdown-failed');
        io.exit(1);
      }
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second-signal-exiting-now');
      io.exit(1);
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting-down');
    aborter.abort();
    if (running) shutdown(running); // else the start notices the abort
  };
  io.onSignal('SIGINT', () => onSignal('SIGINT'));
  io.onSignal('SIGTERM', () => onSignal('SIGTERM'));
  try {
    running = await def.start(config, log, aborter.signal);
  } catch (e) {
    if (aborter.signal.aborted) {
      log.info('stopped');
      io.exit(0);
      return;
    }
    log.fatal({ error: (e as Error).message, stack: (e as Error).stack }, 'start-failed');
    io.exit(1);
    return;
  }
  if (stopping) shutdown(running);
}
