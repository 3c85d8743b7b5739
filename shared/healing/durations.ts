/**
 * How the healing report, the chaos summary and the dashboard write durations and instants, so
 * all three read the same: `850ms`, `4.2s`, `1m05s`, `2h03m`; clock times `12:04:05.123` (UTC,
 * as the stream's timestamps). No imports: loaded in the browser too (./messages.ts).
 */

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)}s`;
  if (a < 3_600_000) {
    const s = Math.round(a / 1000);
    return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  }
  const m = Math.round(a / 60_000);
  return `${sign}${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `+4.2s`: an offset from the start of a failure. */
export function formatOffset(ms: number): string {
  return ms < 0 ? formatDuration(ms) : `+${formatDuration(ms)}`;
}

/** `12:04:05.123` (UTC) of an epoch-ms instant. */
export function clockTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(11, 23) : '?';
}
