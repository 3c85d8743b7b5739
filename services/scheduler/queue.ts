/**
 * The scheduling queue, after kube-scheduler's: pending pods (by key) wait in one of three places.
 *
 * - **active**: ready to be tried, first in first out (kubemu has no priority classes, so
 *   kube-scheduler's priority order reduces to arrival order);
 * - **backoff**: tried and failed recently; back in active after `initialBackoffMs × 2^(attempts−1)`
 *   (capped at `maxBackoffMs`) from the last attempt;
 * - **unschedulable**: no node fits; they stay until something changes in the cluster
 *   (`moveAll`: a node added or changed, a bound pod gone), or at most `maxUnschedulableMs`, then
 *   move to backoff (if their back-off has not run out yet) or active.
 *
 * A popped pod is *in flight* until the scheduler calls `done` (bound), `failed` (no fit, or an
 * error) or `delete` (the pod is no longer pending). A pod that failed to fit goes to unschedulable
 * only if nothing happened meanwhile that could make it fit: if `moveAll` was called or the pod
 * itself changed while it was in flight, it goes to backoff instead, so no cluster event is missed
 * (kube-scheduler's moveRequestCycle). Errors (the API failed) always go to backoff.
 *
 * Every operation is idempotent and ignores keys it does not know; a key is in at most one place.
 * Time comes from the injected Clock; timers exist only while pods wait (back-off, parked), so an
 * idle queue holds none. `close()` stops them and releases waiting `pop`s.
 */
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';

export interface QueueTimings {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Longest an unschedulable pod waits for a cluster event before it is retried anyway. */
  maxUnschedulableMs: number;
  /** How often unschedulable pods are checked against `maxUnschedulableMs`. */
  flushIntervalMs: number;
}

export interface Popped {
  key: string;
  /** The scheduling cycle of this attempt. */
  cycle: number;
}

export interface QueueStats {
  active: number;
  backoff: number;
  unschedulable: number;
  inFlight: number;
}

export class SchedulingQueue {
  private readonly active = new Set<string>();
  private readonly backoff = new Map<string, TimerHandle>();
  private readonly unschedulable = new Map<string, number>();
  private readonly inFlight = new Map<string, { cycle: number; changed: boolean }>();
  private readonly attempts = new Map<string, { count: number; lastMs: number }>();
  private waiters: ((p: Popped | undefined) => void)[] = [];
  private cycle = 0;
  private moveRequestCycle = -1;
  private flushTimer?: TimerHandle;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly timings: QueueTimings,
  ) {}

  /** A pod that is pending (new, or changed in a way that may change where it fits). */
  add(key: string): void {
    if (this.closed) return;
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.changed = true;
      return;
    }
    if (this.active.has(key) || this.backoff.has(key)) return;
    this.unschedulable.delete(key);
    this.requeue(key);
  }

  /** The pod is no longer pending (bound, deleted, finished, another scheduler's): forget it. */
  delete(key: string): void {
    this.active.delete(key);
    this.backoff.get(key)?.cancel();
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
    this.attempts.delete(key);
  }

  /** The next pod to try; waits for one. Resolves undefined when `signal` aborts or the queue closes. */
  pop(signal?: AbortSignal): Promise<Popped | undefined> {
    const next = this.take();
    if (next || this.closed || signal?.aborted) return Promise.resolve(next);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      const waiter = (p: Popped | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(p);
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The in-flight pod was bound: it leaves the queue and its back-off is forgotten. */
  done(key: string): void {
    this.inFlight.delete(key);
    this.attempts.delete(key);
  }

  /** The in-flight pod could not be placed (`unschedulable`) or the attempt failed (`error`). */
  failed(key: string, why: 'unschedulable' | 'error'): void {
    const flying = this.inFlight.get(key);
    if (!flying) return;
    this.inFlight.delete(key);
    const prev = this.attempts.get(key);
    this.attempts.set(key, { count: (prev?.count ?? 0) + 1, lastMs: this.clock.now() });
    if (why === 'unschedulable' && !flying.changed && this.moveRequestCycle < flying.cycle) this.park(key);
    else this.requeue(key);
  }

  /** Something changed that may let unschedulable pods fit: retry them all (after their back-off). */
  moveAll(): void {
    this.moveRequestCycle = this.cycle;
    for (const key of [...this.unschedulable.keys()]) {
      this.unschedulable.delete(key);
      this.requeue(key);
    }
  }

  /** The back-off a pod with `attempts` failed attempts waits before its next try. */
  backoffMs(attempts: number): number {
    if (attempts <= 0) return 0;
    return Math.min(this.timings.maxBackoffMs, this.timings.initialBackoffMs * 2 ** Math.min(attempts - 1, 30));
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  isUnschedulable(key: string): boolean {
    return this.unschedulable.has(key);
  }

  stats(): QueueStats {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flushTimer?.cancel();
    for (const t of this.backoff.values()) t.cancel();
    this.backoff.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** To active, or to backoff until the pod's back-off since its last attempt has passed. */
  private requeue(key: string): void {
    const a = this.attempts.get(key);
    const wait = a ? a.lastMs + this.backoffMs(a.count) - this.clock.now() : 0;
    if (wait <= 0) return this.activate(key);
    const timer = this.clock.setTimeout(() => {
      if (this.backoff.get(key) !== timer) return;
      this.backoff.delete(key);
      this.activate(key);
    }, wait);
    this.backoff.set(key, timer);
  }

  private activate(key: string): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.start(key));
    else this.active.add(key);
  }

  private take(): Popped | undefined {
    const key = this.active.values().next().value as string | undefined;
    if (key === undefined) return undefined;
    this.active.delete(key);
    return this.start(key);
  }

  private start(key: string): Popped {
    const cycle = ++this.cycle;
    this.inFlight.set(key, { cycle, changed: false });
    return { key, cycle };
  }

  /** Unschedulable until a cluster change; the flush timer runs only while some pod is parked. */
  private park(key: string): void {
    this.unschedulable.set(key, this.clock.now());
    this.flushTimer ??= this.clock.setInterval(() => this.flushUnschedulable(), this.timings.flushIntervalMs);
  }

  private flushUnschedulable(): void {
    if (this.unschedulable.size === 0) {
      this.flushTimer?.cancel();
      this.flushTimer = undefined;
      return;
    }
    const now = this.clock.now();
    for (const [key, since] of [...this.unschedulable]) {
      if (now - since < this.timings.maxUnschedulableMs) continue;
      this.unschedulable.delete(key);
      this.requeue(key);
    }
  }
}
