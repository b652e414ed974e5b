const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000
};

/**
 * Parse a Go duration string ("15s", "1.5s", "500ms", "1m30s") into milliseconds.
 * Returns undefined when the text is not a duration.
 */
export function parseGoDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') {
    return 0;
  }
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(trimmed)) !== null) {
    const [whole, amount, unit] = match;
    const factor = unit === undefined ? undefined : UNIT_MS[unit];
    if (amount === undefined || factor === undefined) {
      return undefined;
    }
    total += Number(amount) * factor;
    consumed += whole.length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}

/** Format milliseconds the way Consul prints session TTLs ("10s", "1.5s", "250ms"). */
export function formatDuration(ms: number): string {
  if (ms % 1000 === 0) {
    return `${ms / 1000}s`;
  }
  if (ms >= 1000) {
    return `${ms / 1000}s`;
  }
  return `${ms}ms`;
}
