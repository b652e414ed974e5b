import type { JsonValue } from '@voltha/proto';

/**
 * A small YAML emitter for JSON data (block style, two-space indent). Strings are written plain
 * when YAML 1.1 and 1.2 both read them back as the same string, double-quoted (JSON escapes)
 * otherwise, so "18446744073709551615", "true", "00:11:22:33:44:55" and "" stay strings.
 */

const RESERVED = /^(~|null|true|false|yes|no|on|off|y|n|\.nan|\.inf|-\.inf|\+\.inf)$/i;
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@+:()-]*( [A-Za-z0-9_./@+:()-]+)*$/;

function isPlain(s: string): boolean {
  return PLAIN.test(s) && !RESERVED.test(s) && !/:( |$)/.test(s) && !/^[0-9+.-]/.test(s);
}

export function yamlString(s: string): string {
  return isPlain(s) ? s : JSON.stringify(s);
}

function scalar(value: JsonValue): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') {
    return typeof value === 'number' && !Number.isFinite(value)
      ? JSON.stringify(String(value))
      : String(value);
  }
  if (typeof value === 'string') return yamlString(value);
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (!Array.isArray(value) && Object.keys(value).length === 0) return '{}';
  return undefined;
}

function lines(value: JsonValue, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      const s = scalar(item);
      if (s !== undefined) {
        out.push(`${indent}- ${s}`);
        continue;
      }
      // A nested block: its first line goes after the dash, the others are indented to match.
      const inner: string[] = [];
      lines(item, `${indent}  `, inner);
      out.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
    }
    return;
  }
  for (const [key, v] of Object.entries(value as { [key: string]: JsonValue })) {
    const k = yamlString(key);
    const s = scalar(v);
    if (s !== undefined) out.push(`${indent}${k}: ${s}`);
    else if (Array.isArray(v)) {
      out.push(`${indent}${k}:`);
      lines(v, indent, out);
    } else {
      out.push(`${indent}${k}:`);
      lines(v, `${indent}  `, out);
    }
  }
}

/** The YAML document of a JSON value, ending with a newline. */
export function toYaml(value: JsonValue): string {
  const s = scalar(value);
  if (s !== undefined) return `${s}\n`;
  const out: string[] = [];
  lines(value, '', out);
  return out.join('\n') + '\n';
}
