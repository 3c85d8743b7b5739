/**
 * Durations on the command line: `30s`, `5m`, `1h`, `1500ms`, `1m30s`, or a bare number of
 * seconds (`20`), as `kubemu chaos --every 20s --for 5m` and `partition --for 30s` take them.
 * Anything else is a UsageError naming the flag, never a guess.
 */
import { UsageError } from './args.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of `raw`; `flag` names it in the error. */
export function parseDuration(raw: string, flag: string): number {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`--${flag} takes a duration such as 30s, 5m, 1h or 1500ms, not "${raw}"`);
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]], 0));
}

/** `--name` as milliseconds: the flag's string value parsed, at least `minMs`. */
export function durationFlag(value: unknown, flag: string, minMs = 0): number {
  const ms = parseDuration(String(value), flag);
  if (ms < minMs) throw new UsageError(`--${flag} must be at least ${minMs} ms, not ${ms} ms`);
  return ms;
}
