/**
 * How fast unhealthy nodes may be given a NoExecute taint (which is what evicts their pods): a
 * token bucket of `ratePerSecond` with a burst of one, on the injected clock, as kube-controller-
 * manager's `--node-eviction-rate` (0.1 nodes/s in a healthy zone). `ratePerSecond` 0 means
 * unlimited (kubemu's default profile: a dead node is evicted at once).
 *
 * `tryTake()` spends a token if one is there; otherwise it says how long until the next one;
 * `giveBack()` returns one whose write failed. The bucket starts full, so the first unhealthy node
 * is never delayed.
 */
import type { Clock } from '../../shared/runtime/clock.js';

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export class EvictionLimiter {
  private tokens = 1;
  private last: number;

  constructor(
    private readonly clock: Clock,
    readonly ratePerSecond: number,
  ) {
    if (!(ratePerSecond >= 0)) throw new Error(`eviction rate must be ≥ 0, got ${ratePerSecond}`);
    this.last = clock.now();
  }

  tryTake(): TakeResult {
    if (this.ratePerSecond === 0) return { ok: true };
    const now = this.clock.now();
    this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000) };
  }

  /** Returns a token taken for a write that failed. */
  giveBack(): void {
    if (this.ratePerSecond > 0) this.tokens = Math.min(1, this.tokens + 1);
  }
}
