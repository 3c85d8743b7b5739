/**
 * Ages as kubectl prints them (apimachinery's HumanDuration): about two to three significant
 * figures, coarser the older the thing is —
 *
 *   < 2m  "45s"      < 10m "3m20s" / "5m"   < 3h "95m"     < 8h "5h12m" / "5h"
 *   < 48h "30h"      < 8d  "3d4h" / "3d"    < 2y "300d"    < 8y "3y20d" / "3y"    else "9y"
 *
 * A small negative duration (clock skew between machines, down to -1 s) reads "0s"; anything more
 * negative is "<invalid>". Timestamps that are absent or unparsable read "<unknown>", as the real
 * printers do for a zero time. Every value truncates toward zero, like Go's integer conversions.
 *
 * Pure: "now" comes from the caller's Clock, never from the wall clock.
 */
import type { Clock } from '../../../shared/runtime/clock.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** `ms` milliseconds as kubectl's HumanDuration writes it. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 8 * 24) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 2 * 365 * 24) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 8 * 365 * 24) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp; undefined when absent or unparsable. */
export function parseTime(t: string | null | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** How long ago `t` was, as an age cell ("<unknown>" for a missing time). */
export function since(t: string | null | undefined, clock: Clock): string {
  const ms = parseTime(t);
  return ms === undefined ? '<unknown>' : humanDuration(clock.now() - ms);
}
