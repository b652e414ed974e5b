import { toJsonWithDefaults } from '@voltha/proto';
import type { JsonValue, UnknownMessage } from '@voltha/proto';

import { renderTable } from './table';
import { toYaml } from './yaml';

export type OutputFormat = 'table' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

export interface Column<T> {
  header: string;
  value(item: T): string;
}

/** How a kind of object shows as a table: its columns and its id (for `-q`). */
export interface View<T> {
  columns: readonly Column<T>[];
  id(item: T): string;
}

/** Proto3 JSON of a message: proto field names, every field (defaults too), enum names, 64-bit as strings. */
export function messageJson(message: UnknownMessage): JsonValue {
  return toJsonWithDefaults(message);
}

/** JSON text (two-space indent) of a value, ending with a newline. */
export function renderJson(value: JsonValue): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** A JSON value as JSON or YAML text. */
export function renderData(value: JsonValue, format: 'json' | 'yaml'): string {
  return format === 'json' ? renderJson(value) : toYaml(value);
}

/** A list of messages: a table (or ids only with `quiet`), a JSON array, or a YAML sequence. */
export function renderList<T extends UnknownMessage>(
  items: readonly T[],
  view: View<T>,
  format: OutputFormat,
  quiet = false
): string {
  if (quiet) return items.map((i) => `${view.id(i)}\n`).join('');
  if (format === 'table') {
    return renderTable(
      view.columns.map((c) => c.header),
      items.map((i) => view.columns.map((c) => c.value(i)))
    );
  }
  return renderData(items.map(messageJson), format);
}

/** One message: a one-row table, a JSON object or a YAML mapping. */
export function renderOne<T extends UnknownMessage>(item: T, view: View<T>, format: OutputFormat): string {
  if (format === 'table') return renderList([item], view, format);
  return renderData(messageJson(item), format);
}
