/** Column gap of the tables (as voltctl's tabwriter output). */
const GAP = 4;

/**
 * A left-aligned text table: a header row, then one row per item, columns separated by at least
 * four spaces, no trailing spaces. Cells are single-line (newlines and tabs become spaces).
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const clean = (s: string): string => s.replace(/[\r\n\t]+/g, ' ');
  const all = [headers, ...rows].map((r) => r.map(clean));
  const widths = headers.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return (
    all
      .map((r) =>
        headers
          .map((_, c) => (c === headers.length - 1 ? (r[c] ?? '') : (r[c] ?? '').padEnd(widths[c] + GAP)))
          .join('')
          .trimEnd()
      )
      .join('\n') + '\n'
  );
}
