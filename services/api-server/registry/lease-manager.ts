/**
 * Store leases for objects that expire (Events, after `--event-ttl`, one hour by default, as in
 * Kubernetes). Like kube-apiserver's lease manager, one lease is shared by all writes within a
 * reuse window (60 s), granted with TTL = ttl + window, so a burst of events costs one lease, and
 * every object still lives at least `ttl` (the window shrinks to `ttl` for TTLs under a minute). When the lease expires the store deletes its keys
 * through the normal write path, so watchers see the DELETED events.
 */
import type { StoreClient } from '../../../shared/client/store.js';
import type { Clock } from '../../../shared/runtime/clock.js';

export class LeaseManager {
  private current: { id: number; ttl: number; grantedAt: number } | undefined;
  private pending: Promise<number> | undefined;

  constructor(
    private readonly store: StoreClient,
    private readonly clock: Clock,
    private readonly reuseSeconds = 60,
  ) {}

  /** A lease id under which an object lives at least `ttlSeconds`. */
  async leaseFor(ttlSeconds: number): Promise<number> {
    const now = this.clock.now();
    const reuse = Math.min(this.reuseSeconds, ttlSeconds);
    const c = this.current;
    if (c && c.ttl === ttlSeconds + reuse && now - c.grantedAt < reuse * 1000) return c.id;
    if (this.pending) return this.pending;
    this.pending = (async () => {
      try {
        const ttl = ttlSeconds + reuse;
        const { id } = await this.store.leaseGrant(ttl);
        this.current = { id, ttl, grantedAt: now };
        return id;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }
}
