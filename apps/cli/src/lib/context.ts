import type { FlagValue } from './args';
import type { DecomposerApi, VolthaApi } from './api';
import type { OutputFormat } from './format/output';

/** What a command handler gets: its arguments and flags, the API, and where to write. */
export interface CommandContext {
  args: readonly string[];
  flags: Readonly<Record<string, FlagValue>>;
  /** host:port of core-config. */
  server: string;
  timeoutMs: number;
  /** The API client, connected on first use. */
  api(): VolthaApi;
  /** host:port of flow-decomposer. */
  decomposer: string;
  /** The flow-decomposer client, connected on first use. */
  decomposerApi(): DecomposerApi;
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the user interrupts the command (Ctrl-C). */
  interrupted: Promise<void>;
  /** The help text of a command path (`help` uses it). */
  help(words: readonly string[]): string;
}

/** Runs a command; returns the exit code (0 when nothing is returned). */
export type Handler = (ctx: CommandContext) => Promise<number | void>;

export function outputFormat(ctx: CommandContext): OutputFormat {
  return (ctx.flags.output as OutputFormat | undefined) ?? 'table';
}

export function quiet(ctx: CommandContext): boolean {
  return ctx.flags.quiet === true;
}

export function stringFlag(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return v === undefined ? undefined : String(v);
}
