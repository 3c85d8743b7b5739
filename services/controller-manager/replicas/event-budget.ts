/**
 * How many Events the replica manager records about one owner: what client-go's event spam filter
 * lets through for one source and object, per event type — a bucket of 25 that refills by one every
 * 5 minutes; an Event beyond it is dropped. Scaling a ReplicaSet to 1,000 pods thus records 25
 * `SuccessfulCreate` Events, not 1,000 API writes competing with the pods themselves, exactly as a
 * Kubernetes cluster shows it. (The shared EventRecorder only aggregates identical repeats; the
 * replica manager is the only recorder of Events on its owners, so the filter can live here.)
 *
 * In memory, on the injected clock; at most `capacity` buckets are kept (least recently used go).
 */
import type { Clock } from '../../../shared/runtime/clock.js';

export const EVENT_BURST = 25;
export const EVENT_REFILL_MS = 300_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class EventBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly burst = EVENT_BURST,
    private readonly refillMs = EVENT_REFILL_MS,
    private readonly capacity = 4096,
  ) {}

  /** True (and one token spent) when an Event under `key` may be recorded now. */
  take(key: string): boolean {
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const refilled = Math.min(this.burst, b.tokens + (now - b.at) / this.refillMs);
    const ok = refilled >= 1;
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: ok ? refilled - 1 : refilled, at: now });
    if (this.buckets.size > this.capacity) this.buckets.delete(this.buckets.keys().next().value as string);
    return ok;
  }
}
