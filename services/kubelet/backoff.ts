/**
 * Per-key exponential back-off with the kubelet's semantics (client-go's flowcontrol.Backoff), used
 * for container restarts (CrashLoopBackOff) and image pulls (ImagePullBackOff).
 *
 * - `next(key, eventMs)` records an attempt: the first (or the first after a quiet spell of twice
 *   the maximum) gets `initialMs`, every later one doubles, up to `maxMs`.
 * - `inBackOffSince(key, eventMs)`: still waiting if less than the current back-off has passed since
 *   `eventMs` (a restart measures from the container's finish time, so the first restart after a
 *   crash is immediate and only the next ones wait 1×, 2×, 4× …).
 * - `inBackOffSinceUpdate(key, nowMs)`: still waiting if less than the back-off has passed since the
 *   last recorded attempt (image pulls: ErrImagePull, then ImagePullBackOff until the next try).
 *
 * Defaults: Kubernetes waits 10 s doubling to 5 min; kubemu's default profile 1 s doubling to 30 s
 * (`backoffFor`). Time comes from the injected Clock.
 */
import type { Clock } from '../../shared/runtime/clock.js';

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

export function backoffFor(profile: 'default' | 'kubernetes'): BackoffSettings {
  return profile === 'kubernetes' ? { initialMs: 10_000, maxMs: 300_000 } : { initialMs: 1000, maxMs: 30_000 };
}

interface Entry {
  backoffMs: number;
  lastUpdateMs: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    readonly settings: BackoffSettings,
  ) {}

  /** Records an attempt at `eventMs` and returns the back-off now in force. */
  next(key: string, eventMs: number = this.clock.now()): number {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventMs)) {
      this.entries.set(key, { backoffMs: this.settings.initialMs, lastUpdateMs: eventMs });
      return this.settings.initialMs;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.settings.maxMs);
    e.lastUpdateMs = eventMs;
    return e.backoffMs;
  }

  /** The back-off in force for `key` (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** How long until `key` may go again, counted from `eventMs` (0 = now). */
  remainingSince(key: string, eventMs: number): number {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventMs)) return 0;
    return Math.max(0, eventMs + e.backoffMs - this.clock.now());
  }

  inBackOffSince(key: string, eventMs: number): boolean {
    return this.remainingSince(key, eventMs) > 0;
  }

  /** How long until `key` may go again, counted from its last recorded attempt. */
  remainingSinceUpdate(key: string): number {
    const e = this.entries.get(key);
    const now = this.clock.now();
    if (!e || this.expired(e, now)) return 0;
    return Math.max(0, e.lastUpdateMs + e.backoffMs - now);
  }

  inBackOffSinceUpdate(key: string): boolean {
    return this.remainingSinceUpdate(key) > 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key with this prefix (a pod's keys when the pod goes). */
  resetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private expired(e: Entry, atMs: number): boolean {
    return atMs - e.lastUpdateMs > 2 * this.settings.maxMs;
  }
}

/** `10s`, `1m20s`, `5m0s`: Go's time.Duration form, as the kubelet's back-off messages print it. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  if (m < 60) return `${m}m${Number.isInteger(rest) ? rest : rest.toFixed(3).replace(/0+$/, '')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${m - h * 60}m${Math.round(rest)}s`;
}
