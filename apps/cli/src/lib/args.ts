import { UsageError } from './errors';

/**
 * A small, strict command-line parser for a tree of commands (no dependencies, no side effects).
 * Flags may appear anywhere after the command words that define them: `--name value`,
 * `--name=value`, `-n value`, `-nvalue`; `--` ends flag parsing. Unknown commands and flags, missing
 * values, missing or extra arguments and bad values are UsageErrors.
 */

export type FlagValue = string | number | boolean;

export interface FlagSpec {
  /** Long name without dashes (`server`). */
  name: string;
  /** One-letter short name (`s`). */
  short?: string;
  /** Placeholder of the value in help (`HOST:PORT`); absent for boolean flags. */
  valueName?: string;
  description: string;
  /** The allowed values of a string flag. */
  choices?: readonly string[];
  /** Validates and converts the raw value; throws an Error whose message explains what is wrong. */
  parse?: (raw: string) => FlagValue;
  /** The command fails without this flag. */
  required?: boolean;
  /** Shown in help as "(default ...)". */
  defaultText?: string;
}

export interface ArgSpec {
  /** Placeholder in help (`ID`). */
  name: string;
  description: string;
  optional?: boolean;
  /** Takes every remaining argument (one or more, or zero or more when optional). */
  variadic?: boolean;
  parse?: (raw: string) => string;
}

export interface CommandSpec<H = unknown> {
  name: string;
  aliases?: readonly string[];
  summary: string;
  /** Longer explanation for `--help`. */
  details?: string;
  args?: readonly ArgSpec[];
  flags?: readonly FlagSpec[];
  /** Overrides the generated synopsis (without the leading "voltha ..." path). */
  usage?: string;
  examples?: readonly string[];
  subcommands?: readonly CommandSpec<H>[];
  /** What runs the command (leaves only). */
  handler?: H;
}

export type ParseResult<H> =
  | { kind: 'help'; path: readonly CommandSpec<H>[] }
  | {
      kind: 'run';
      path: readonly CommandSpec<H>[];
      command: CommandSpec<H>;
      args: string[];
      flags: Record<string, FlagValue>;
    };

/** The flags of a command: those of every command on its path, then the global ones. */
function flagsOf<H>(path: readonly CommandSpec<H>[], globals: readonly FlagSpec[]): FlagSpec[] {
  return [...path.flatMap((c) => c.flags ?? []), ...globals];
}

/** `voltha device list` */
export function commandName<H>(path: readonly CommandSpec<H>[]): string {
  return path.map((c) => c.name).join(' ');
}

function flagSynopsis(f: FlagSpec): string {
  const name = f.short ? `-${f.short}` : `--${f.name}`;
  const text = f.valueName ? `${name} ${f.valueName}` : name;
  return f.required ? text : `[${text}]`;
}

function argSynopsis(a: ArgSpec): string {
  const text = a.variadic ? `${a.name}...` : a.name;
  return a.optional ? `[${text}]` : text;
}

/** One-line synopsis: `voltha device create -t TYPE [--extra-args ARGS]`. */
export function synopsis<H>(path: readonly CommandSpec<H>[]): string {
  const cmd = path[path.length - 1];
  const prefix = commandName(path);
  if (cmd.usage !== undefined) return `${prefix} ${cmd.usage}`;
  if (cmd.subcommands && cmd.subcommands.length > 0) {
    return `${prefix} ${path.length === 1 ? 'COMMAND' : `<${cmd.subcommands.map((s) => s.name).join('|')}>`} [flags]`;
  }
  const parts = [...(cmd.args ?? []).map(argSynopsis), ...(cmd.flags ?? []).map(flagSynopsis)];
  return [prefix, ...parts].join(' ');
}

function findFlag(
  flags: readonly FlagSpec[],
  token: string
): { spec?: FlagSpec; inline?: string; shown: string } {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    return { spec: flags.find((f) => f.name === name), inline, shown: `--${name}` };
  }
  const short = token[1];
  const spec = flags.find((f) => f.short === short);
  let inline: string | undefined;
  if (token.length > 2) inline = token[2] === '=' ? token.slice(3) : token.slice(2);
  return { spec, inline, shown: `-${short}` };
}

/** Parses argv (without the node and script words) against the command tree rooted at `root`. */
export function parseArgv<H>(
  argv: readonly string[],
  root: CommandSpec<H>,
  globals: readonly FlagSpec[]
): ParseResult<H> {
  const path: CommandSpec<H>[] = [root];
  const positionals: string[] = [];
  const flags: Record<string, FlagValue> = {};
  let help = false;
  let rest = false;
  const current = (): CommandSpec<H> => path[path.length - 1];
  const fail = (message: string): never => {
    throw new UsageError(message, synopsis(path));
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!rest && token === '--') {
      rest = true;
      continue;
    }
    if (!rest && token.startsWith('-') && token.length > 1) {
      const { spec, inline, shown } = findFlag(flagsOf(path, globals), token);
      if (spec === undefined) {
        const where = path.length > 1 ? ` for '${commandName(path)}'` : '';
        fail(`unknown flag '${shown}'${where}`);
        continue;
      }
      if (spec.name === 'help') {
        help = true;
        continue;
      }
      if (spec.valueName === undefined) {
        if (inline !== undefined) fail(`flag --${spec.name} takes no value`);
        flags[spec.name] = true;
        continue;
      }
      let raw = inline;
      if (raw === undefined) {
        if (i + 1 >= argv.length) fail(`flag --${spec.name} needs a value (${spec.valueName})`);
        raw = argv[++i];
      }
      if (spec.choices && !spec.choices.includes(raw as string)) {
        fail(`bad value '${raw}' for --${spec.name} (one of ${spec.choices.join(', ')})`);
      }
      try {
        flags[spec.name] = spec.parse ? spec.parse(raw as string) : (raw as string);
      } catch (e) {
        fail(`bad value for --${spec.name}: ${(e as Error).message}`);
      }
      continue;
    }
    const cmd = current();
    if (cmd.subcommands && cmd.subcommands.length > 0 && !rest) {
      const sub = cmd.subcommands.find((s) => s.name === token || (s.aliases ?? []).includes(token));
      if (sub === undefined) {
        const where = path.length > 1 ? ` for '${commandName(path)}'` : '';
        fail(`unknown command '${token}'${where}`);
      } else {
        path.push(sub);
      }
      continue;
    }
    positionals.push(token);
  }

  const command = current();
  if (help) return { kind: 'help', path };
  if (command.subcommands && command.subcommands.length > 0) {
    if (path.length === 1) return { kind: 'help', path };
    fail(
      `missing command for '${commandName(path)}' (one of ${command.subcommands.map((s) => s.name).join(', ')})`
    );
  }

  const specs = command.args ?? [];
  const args: string[] = [];
  let next = 0;
  for (const a of specs) {
    const values = a.variadic ? positionals.slice(next) : positionals.slice(next, next + 1);
    if (values.length === 0 && !a.optional) fail(`missing argument ${a.name}`);
    next += values.length;
    for (const v of values) {
      try {
        args.push(a.parse ? a.parse(v) : v);
      } catch (e) {
        fail(`bad ${a.name}: ${(e as Error).message}`);
      }
    }
  }
  if (next < positionals.length) fail(`unexpected argument '${positionals[next]}'`);
  for (const f of command.flags ?? []) {
    if (f.required && flags[f.name] === undefined) fail(`missing required flag --${f.name}`);
  }
  return { kind: 'run', path, command, args, flags };
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text}  ` : text.padEnd(width);
}

function flagHelpLines(flags: readonly FlagSpec[]): string[] {
  const heads = flags.map(
    (f) => `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.valueName ? ` ${f.valueName}` : ''}`
  );
  const width = Math.max(...heads.map((h) => h.length)) + 3;
  return flags.map((f, i) => {
    let text = f.description;
    if (f.choices) text += ` (${f.choices.join(', ')})`;
    if (f.defaultText) text += ` (default ${f.defaultText})`;
    if (f.required) text += ' (required)';
    return `  ${pad(heads[i], width)}${text}`;
  });
}

/** The `--help` text of a command or command group. */
export function helpText<H>(path: readonly CommandSpec<H>[], globals: readonly FlagSpec[]): string {
  const cmd = path[path.length - 1];
  const lines: string[] = [`Usage: ${synopsis(path)}`, '', cmd.summary];
  if (cmd.details) lines.push('', cmd.details);
  if (cmd.subcommands && cmd.subcommands.length > 0) {
    lines.push('', 'Commands:');
    const width = Math.max(...cmd.subcommands.map((s) => s.name.length)) + 3;
    for (const s of cmd.subcommands) lines.push(`  ${pad(s.name, width)}${s.summary}`);
  }
  const args = cmd.args ?? [];
  if (args.length > 0) {
    lines.push('', 'Arguments:');
    const width = Math.max(...args.map((a) => a.name.length)) + 3;
    for (const a of args) lines.push(`  ${pad(a.name, width)}${a.description}`);
  }
  const own = path.slice(1).flatMap((c) => c.flags ?? []);
  if (own.length > 0) lines.push('', 'Flags:', ...flagHelpLines(own));
  lines.push('', 'Global flags:', ...flagHelpLines(globals));
  if (cmd.examples && cmd.examples.length > 0) {
    lines.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e}`));
  }
  if (cmd.subcommands && cmd.subcommands.length > 0) {
    lines.push('', `Run '${commandName(path)} COMMAND --help' for the flags of a command.`);
  }
  return lines.join('\n') + '\n';
}
