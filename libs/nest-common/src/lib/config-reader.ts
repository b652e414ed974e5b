/**
 * A small validated reader for a service's settings: every option has a command-line flag
 * (`--backend embedded` or `--backend=embedded`), an environment variable (`BACKEND`) and a default.
 * A flag wins over the environment, the environment over the default. All problems are collected
 * and reported together in one ConfigError.
 */
export interface OptionSpec<T> {
  flag: string;
  env: string;
  description: string;
  default: T;
  parse(raw: string): T;
  /** Shown in help text instead of the default value (e.g. for secrets). */
  show?: string;
}

export class ConfigError extends Error {
  public constructor(public readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Specs = Record<string, OptionSpec<unknown>>;
export type ConfigOf<S extends Specs> = { [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never };

export function readConfig<S extends Specs>(
  specs: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>
): ConfigOf<S> {
  const problems: string[] = [];
  const flags = new Map<string, string>();
  const known = new Map(Object.values(specs).map((s) => [s.flag, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument '${arg}'`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!known.has(name)) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined) problems.push(`flag --${name} needs a value`);
    else flags.set(name, value);
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const raw = flags.get(spec.flag) ?? env[spec.env];
    if (raw === undefined || raw === '') {
      out[key] = spec.default;
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (e) {
      const source = flags.has(spec.flag) ? `--${spec.flag}` : spec.env;
      problems.push(`${source}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** Help text listing every flag, its environment variable, default and meaning. */
export function describeOptions(specs: Specs): string {
  return Object.values(specs)
    .map((s) => {
      const def = s.show ?? (s.default === '' ? '(empty)' : JSON.stringify(s.default));
      return `  --${s.flag.padEnd(22)} ${s.env.padEnd(26)} default ${def}\n      ${s.description}`;
    })
    .join('\n');
}

export const str = (flag: string, env: string, def: string, description: string): OptionSpec<string> => ({
  flag,
  env,
  description,
  default: def,
  parse: (raw) => raw
});

function numeric(
  pattern: RegExp,
  what: string
): (
  flag: string,
  env: string,
  def: number,
  description: string,
  range?: { min?: number; max?: number }
) => OptionSpec<number> {
  return (flag, env, def, description, range = {}) => ({
    flag,
    env,
    description,
    default: def,
    parse(raw) {
      const text = raw.trim();
      if (!pattern.test(text)) throw new Error(`'${raw}' is not ${what}`);
      const n = Number(text);
      if (range.min !== undefined && n < range.min) throw new Error(`${n} is below the minimum ${range.min}`);
      if (range.max !== undefined && n > range.max) throw new Error(`${n} is above the maximum ${range.max}`);
      return n;
    }
  });
}

/** An integer option, optionally bounded. */
export const int = numeric(/^-?\d+$/, 'an integer');

/** A non-negative decimal number option (e.g. a time scale factor), optionally bounded. */
export const decimal = numeric(/^\d+(\.\d+)?$/, 'a non-negative number');

export const port = (flag: string, env: string, def: number, description: string): OptionSpec<number> =>
  int(flag, env, def, description, { min: 0, max: 65535 });

export const bool = (flag: string, env: string, def: boolean, description: string): OptionSpec<boolean> => ({
  flag,
  env,
  description,
  default: def,
  parse(raw) {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error(`'${raw}' is not a boolean (true/false)`);
  }
});

export function oneOf<T extends string>(
  flag: string,
  env: string,
  def: T,
  choices: readonly T[],
  description: string
): OptionSpec<T> {
  return {
    flag,
    env,
    description: `${description} (${choices.join(' | ')})`,
    default: def,
    parse(raw) {
      if (!(choices as readonly string[]).includes(raw)) {
        throw new Error(`'${raw}' is not one of ${choices.join(', ')}`);
      }
      return raw as T;
    }
  };
}

/** host:port with a port in range; returns the text unchanged. */
export const hostPort = (
  flag: string,
  env: string,
  def: string,
  description: string
): OptionSpec<string> => ({
  flag,
  env,
  description,
  default: def,
  parse(raw) {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(raw.trim());
    if (!m || Number(m[2]) > 65535) throw new Error(`'${raw}' is not host:port`);
    return raw.trim();
  }
});

/** Comma-separated host:port list (Kafka brokers, etcd endpoints); empty means "not configured". */
export const hostPortList = (
  flag: string,
  env: string,
  def: string[],
  description: string
): OptionSpec<string[]> => ({
  flag,
  env,
  description,
  default: def,
  parse(raw) {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const parse = hostPort(flag, env, '', '').parse;
    return items.map((i) => parse(i));
  }
});
