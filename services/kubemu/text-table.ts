/**
 * Plain-text tables for people at a terminal, as kubectl prints them: one row per line, columns
 * left-aligned and separated by three spaces, no trailing blanks. The first row is the header.
 * Pure formatting; it never measures the terminal or truncates a cell.
 */

export function textTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
