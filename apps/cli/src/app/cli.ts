import { arch, platform } from 'node:os';

import { describeApiError, isApiError } from '../lib/api';
import type { DecomposerApi, VolthaApi } from '../lib/api';
import { commandName, helpText, parseArgv, synopsis } from '../lib/args';
import type { CommandSpec } from '../lib/args';
import {
  commandTree,
  DEFAULT_DECOMPOSER,
  DEFAULT_SERVER,
  DEFAULT_TIMEOUT_MS,
  GLOBAL_FLAGS
} from '../lib/commands';
import type { CommandContext, Handler } from '../lib/context';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from '../lib/errors';
import { createDecomposerApi, createGrpcApi } from '../lib/grpc-client';
import { parseDecomposer, parseServer } from '../lib/validate';
import packageJson from '../../package.json';

/** Where the CLI reads and writes; main.ts binds it to the process, tests capture it. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Calls `handler` on Ctrl-C; returns a function that stops doing so. */
  onInterrupt?(handler: () => void): () => void;
  /** Makes the API client (default: gRPC to `server`). */
  connect?(server: string, timeoutMs: number): VolthaApi;
  /** Makes the flow-decomposer client (default: gRPC to `decomposer`). */
  connectDecomposer?(decomposer: string, timeoutMs: number): DecomposerApi;
}

export const CLIENT_INFO = {
  version: packageJson.version,
  node: process.version,
  os: platform(),
  arch: arch()
};

const ROOT: CommandSpec<Handler> = commandTree(CLIENT_INFO);

/** The command path named by help words (`device create`); unknown words are a UsageError. */
function resolve(words: readonly string[]): CommandSpec<Handler>[] {
  const path = [ROOT];
  for (const w of words) {
    const sub = path[path.length - 1].subcommands?.find((s) => s.name === w || (s.aliases ?? []).includes(w));
    if (sub === undefined) throw new UsageError(`unknown command '${w}'`, synopsis(path));
    path.push(sub);
  }
  return path;
}

function usageLine(e: UsageError, fallback: string): string {
  return `voltha: ${e.message}; usage: ${e.synopsis ?? fallback}\n`;
}

/**
 * Runs one command line (argv without the node and script words) and returns the exit code:
 * 0 success, 1 failure (one line on stderr), 2 bad command line (one line with the usage).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgv(argv, ROOT, GLOBAL_FLAGS);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(usageLine(e, synopsis([ROOT])));
      return EXIT_USAGE;
    }
    throw e;
  }
  if (parsed.kind === 'help') {
    io.stdout(helpText(parsed.path, GLOBAL_FLAGS));
    return EXIT_OK;
  }
  const { command, path, args, flags } = parsed;

  let server: string;
  try {
    server =
      (flags.server as string | undefined) ?? (io.env.VOLTHA ? parseServer(io.env.VOLTHA) : DEFAULT_SERVER);
  } catch (e) {
    io.stderr(`voltha: bad value of $VOLTHA: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  let decomposer: string;
  try {
    decomposer =
      (flags.decomposer as string | undefined) ??
      (io.env.VOLTHA_DECOMPOSER ? parseDecomposer(io.env.VOLTHA_DECOMPOSER) : DEFAULT_DECOMPOSER);
  } catch (e) {
    io.stderr(`voltha: bad value of $VOLTHA_DECOMPOSER: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  const timeoutMs = (flags.timeout as number | undefined) ?? DEFAULT_TIMEOUT_MS;

  let api: VolthaApi | undefined;
  let decomposerApi: DecomposerApi | undefined;
  let interrupt: () => void = () => undefined;
  const interrupted = new Promise<void>((r) => (interrupt = r));
  const stopListening = io.onInterrupt?.(() => interrupt());
  const connect = io.connect ?? ((s: string, t: number) => createGrpcApi(s, { timeoutMs: t }));
  const connectDecomposer =
    io.connectDecomposer ?? ((d: string, t: number) => createDecomposerApi(d, { timeoutMs: t }));
  const ctx: CommandContext = {
    args,
    flags,
    server,
    timeoutMs,
    api: () => (api ??= connect(server, timeoutMs)),
    decomposer,
    decomposerApi: () => (decomposerApi ??= connectDecomposer(decomposer, timeoutMs)),
    out: (text) => io.stdout(text),
    err: (text) => io.stderr(text),
    interrupted,
    help: (words) => helpText(resolve(words), GLOBAL_FLAGS)
  };

  try {
    const handler = command.handler;
    if (handler === undefined) throw new CliError(`'${commandName(path)}' cannot run`);
    return (await handler(ctx)) ?? EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(usageLine(e, synopsis(path)));
      return EXIT_USAGE;
    }
    if (e instanceof CliError) io.stderr(`voltha: ${e.message}\n`);
    else if (isApiError(e)) io.stderr(`voltha: ${describeApiError(e, timeoutMs)}\n`);
    else io.stderr(`voltha: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILURE;
  } finally {
    stopListening?.();
    api?.close();
    decomposerApi?.close();
  }
}
