/**
 * Expectations, as Kubernetes' controllers keep them: after a controller asks the API for N pod
 * creations or for the deletion of some pods, it must not act on that owner again until its
 * informer has shown those changes, or a burst of creates would be repeated from a stale cache.
 *
 * Per owner key:
 * - `expectCreations(key, uid, n)` before issuing n creates; every pod of that owner the informer
 *   adds lowers the count (`creationObserved`); a create that failed is given back with
 *   `creationObserved` too.
 * - `expectDeletions(key, uid, podKeys)` before deleting those pods; each is crossed off when the
 *   informer shows it gone or terminating (`deletionObserved`), or when its delete failed.
 * - `satisfied(key, uid)`: nothing pending, or the record is older than the timeout (5 minutes, as
 *   Kubernetes: a watch event that never comes must not wedge an owner forever), or the record is
 *   for another incarnation of the owner (a new uid under the same name), or there is none.
 * - `pendingFor(key)`: how long until the record times out, for a requeue.
 * - `forget(key)` when the owner is gone; `reset()` when a new leadership term starts.
 *
 * In memory only; times on the injected clock.
 */
import type { Clock } from '../../../shared/runtime/clock.js';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Pending {
  uid: string;
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly records = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  expectCreations(key: string, uid: string, n: number): void {
    this.records.set(key, { uid, adds: n, deletes: new Set(), at: this.clock.now() });
  }

  expectDeletions(key: string, uid: string, podKeys: readonly string[]): void {
    this.records.set(key, { uid, adds: 0, deletes: new Set(podKeys), at: this.clock.now() });
  }

  creationObserved(key: string, count = 1): void {
    const r = this.records.get(key);
    if (r) r.adds -= count;
  }

  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.deletes.delete(podKey);
  }

  satisfied(key: string, uid: string | undefined): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.uid !== uid) {
      this.records.delete(key);
      return true;
    }
    return (r.adds <= 0 && r.deletes.size === 0) || this.expired(r);
  }

  /** Milliseconds until an unsatisfied record times out (undefined when nothing is pending). */
  pendingFor(key: string): number | undefined {
    const r = this.records.get(key);
    if (!r || (r.adds <= 0 && r.deletes.size === 0)) return undefined;
    return Math.max(0, r.at + this.timeoutMs - this.clock.now());
  }

  forget(key: string): void {
    this.records.delete(key);
  }

  reset(): void {
    this.records.clear();
  }

  private expired(r: Pending): boolean {
    return this.clock.now() - r.at > this.timeoutMs;
  }
}
