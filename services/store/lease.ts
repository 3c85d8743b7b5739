/**
 * Leases (etcd's lessor): grant with a TTL, keep alive, revoke, time-to-live, and expiry.
 *
 * - A lease is durable once granted (its record — id and TTL — is in the meta bucket before the
 *   grant is answered). After a store restart every lease gets its full TTL again, as in etcd.
 * - Keys are attached by writing them with `{lease}`; the attachment is learned from committed
 *   events (`onCommit`), so it always matches the index.
 * - Revoke and expiry delete the attached keys **through the normal write path** (the writer), so
 *   watchers see DELETE events, then forget the record. A lease being revoked is already gone for
 *   keepalive and for new writes. If the deletes fail (the log is away), the sweep retries.
 * - A key attached to a lease id nobody knows (its record was lost, or the lease vanished between
 *   a write's check and its commit) is treated as attached to an expired lease and deleted.
 *
 * Time comes from the injected Clock; the sweep runs every `sweepMs` (default 250 ms).
 */
import { randomInt } from 'node:crypto';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { StoreEvent } from '../../shared/client/store.js';
import { badRequest, isStatusError, statusError } from '../../shared/api/errors.js';

export interface LeaseRecord {
  id: number;
  ttl: number;
}

export interface LeaseStore {
  save(rec: LeaseRecord): Promise<void>;
  remove(id: number): Promise<void>;
}

export interface LeaseDeps {
  clock: Clock;
  log: Logger;
  records: LeaseStore;
  /** Deletes `key` if its modRevision is still `modRevision` (through the writer). */
  deleteKey(key: string, modRevision: number): Promise<void>;
  /** Current modRevision and lease of a key, from the index (undefined when absent). */
  currentKey(key: string): { modRevision: number; lease: number } | undefined;
  sweepMs?: number;
  newId?: () => number;
}

interface Lease {
  id: number;
  ttl: number;
  expiresAt: number;
  keys: Set<string>;
  revoking: boolean;
  /** Known only from keys: no record, due at once. */
  orphan: boolean;
}

/** Largest TTL accepted (seconds): 10 years. */
const MAX_TTL = 10 * 365 * 24 * 3600;

export function leaseNotFound(id: number): Error {
  return statusError('NotFound', `requested lease not found: ${id}`);
}

export class LeaseManager {
  private readonly leases = new Map<number, Lease>();
  private sweeper: TimerHandle | undefined;
  private sweeping = false;

  constructor(private readonly deps: LeaseDeps) {}

  get size(): number {
    let n = 0;
    for (const l of this.leases.values()) if (!l.orphan && !l.revoking) n++;
    return n;
  }

  /** Restores leases at start-up: every record with its full TTL, then the keys' attachments. */
  restore(records: LeaseRecord[], attached: Array<{ key: string; lease: number }>): void {
    const now = this.deps.clock.now();
    for (const r of records) {
      this.leases.set(r.id, { id: r.id, ttl: r.ttl, expiresAt: now + r.ttl * 1000, keys: new Set(), revoking: false, orphan: false });
    }
    for (const a of attached) this.attach(a.key, a.lease);
  }

  start(): void {
    this.sweeper = this.deps.clock.setInterval(() => void this.sweep(), this.deps.sweepMs ?? 250);
  }

  stop(): void {
    this.sweeper?.cancel();
  }

  exists(id: number): boolean {
    const l = this.leases.get(id);
    return !!l && !l.revoking && !l.orphan;
  }

  async grant(ttl: number): Promise<{ id: number; ttl: number }> {
    if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_TTL) throw badRequest(`lease ttl must be an integer between 1 and ${MAX_TTL} seconds`);
    let id = this.newId();
    while (this.leases.has(id)) id = this.newId();
    await this.deps.records.save({ id, ttl });
    this.leases.set(id, { id, ttl, expiresAt: this.deps.clock.now() + ttl * 1000, keys: new Set(), revoking: false, orphan: false });
    return { id, ttl };
  }

  keepAlive(id: number): { ttl: number } {
    const l = this.live(id);
    l.expiresAt = this.deps.clock.now() + l.ttl * 1000;
    return { ttl: l.ttl };
  }

  timeToLive(id: number): { id: number; ttl: number; grantedTtl: number; keys: string[] } {
    const l = this.live(id);
    const ttl = Math.max(0, Math.ceil((l.expiresAt - this.deps.clock.now()) / 1000));
    return { id, ttl, grantedTtl: l.ttl, keys: [...l.keys].sort() };
  }

  /** Deletes the lease's keys through the write path, then forgets it. */
  async revoke(id: number): Promise<void> {
    const l = this.live(id);
    l.revoking = true;
    await this.finish(l);
  }

  /** Keeps the key → lease attachment in step with committed events. */
  onCommit(event: StoreEvent): void {
    const before = event.prevKv?.lease ?? 0;
    const after = event.type === 'PUT' ? event.kv.lease : 0;
    if (before === after) return;
    if (before !== 0) this.leases.get(before)?.keys.delete(event.kv.key);
    if (after !== 0) this.attach(event.kv.key, after);
  }

  /** Revokes every lease that is due (and retries revokes that failed). */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const now = this.deps.clock.now();
      for (const l of [...this.leases.values()]) {
        if (l.expiresAt > now && !l.revoking) continue;
        l.revoking = true;
        if (!l.orphan) this.deps.log.info({ lease: l.id, keys: l.keys.size }, 'lease expired');
        await this.finish(l).catch((err) => this.deps.log.warn({ err, lease: l.id }, 'lease revoke failed; will retry'));
      }
    } finally {
      this.sweeping = false;
    }
  }

  private attach(key: string, id: number): void {
    let l = this.leases.get(id);
    if (!l) {
      l = { id, ttl: 0, expiresAt: this.deps.clock.now(), keys: new Set(), revoking: false, orphan: true };
      this.leases.set(id, l);
    }
    l.keys.add(key);
  }

  private live(id: number): Lease {
    const l = this.leases.get(id);
    if (!l || l.revoking || l.orphan) throw leaseNotFound(id);
    return l;
  }

  private async finish(l: Lease): Promise<void> {
    const deletes = [...l.keys].map(async (key) => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const cur = this.deps.currentKey(key);
        if (!cur || cur.lease !== l.id) return;
        try {
          await this.deps.deleteKey(key, cur.modRevision);
          return;
        } catch (err) {
          // Changed under us (still ours? try again) or already gone: anything else is a real failure.
          if (isStatusError(err, 'NotFound')) return;
          if (!isStatusError(err, 'Conflict')) throw err;
        }
      }
    });
    const results = await Promise.allSettled(deletes);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (!l.orphan) await this.deps.records.remove(l.id);
    this.leases.delete(l.id);
    // A write decided before the revoke may have attached a key meanwhile: the sweep deletes it.
    if (l.keys.size > 0) this.leases.set(l.id, { ...l, orphan: true, revoking: false, expiresAt: this.deps.clock.now() });
  }

  private newId(): number {
    return this.deps.newId ? this.deps.newId() : randomInt(1, 2 ** 47);
  }
}
