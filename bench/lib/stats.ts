/**
 * Numbers for the benchmarks: latency samples → percentiles, rounds → medians, and the ratio of
 * two figures measured in the same round.
 *
 * Latencies are kept in nanoseconds (from `process.hrtime.bigint()`, the machine-wide monotonic
 * clock) and reported in microseconds. Percentiles are nearest-rank on the sorted samples, so
 * p99 of 1,000 samples is the 990th — no interpolation that would invent a value nobody saw.
 */

export interface LatencySummary {
  n: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summariseNs(samplesNs: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samplesNs).sort();
  return {
    n: sorted.length,
    p50Us: percentile(sorted, 50) / 1000,
    p99Us: percentile(sorted, 99) / 1000,
    maxUs: sorted.length ? sorted[sorted.length - 1] / 1000 : NaN,
  };
}

/** Median of the finite values (NaN when there are none); the middle two are averaged. */
export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function min(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x));
  return v.length ? Math.min(...v) : NaN;
}

export function max(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x));
  return v.length ? Math.max(...v) : NaN;
}

/** a / b, NaN when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/** Elapsed nanoseconds since `t0` (a `process.hrtime.bigint()` reading), as a number. */
export function sinceNs(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0);
}

/** Human formatting: 1,234 / 12.3 / 0.123 — three significant digits below 1,000. */
export function fmt(x: number | undefined, unit = ''): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  const abs = Math.abs(x);
  let s: string;
  if (abs >= 1000) s = Math.round(x).toLocaleString('en-US');
  else if (abs >= 100) s = x.toFixed(0);
  else if (abs >= 10) s = x.toFixed(1);
  else s = x.toFixed(2);
  return unit ? `${s} ${unit}` : s;
}

/** A plain-text table: first row is the header; columns after the first are right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
