/**
 * Chooses the backend of each new connection to one frontend: round-robin over the current
 * backends, or — with `sessionAffinity: ClientIP` — the backend this client address last used,
 * as long as it is still a backend and the client came back within the timeout (counted from its
 * last connection, as kube-proxy's rules refresh it on every connection).
 *
 * - `update` replaces the backends without losing the round-robin position, and forgets
 *   affinities to backends that are gone.
 * - `pick(client, exclude)` skips backends already tried for this connection (the proxier retries
 *   another one when a connect is refused); an affinity to an excluded backend moves to the new one.
 * - Where a new round-robin starts is random (`random`), so a proxy that just took over a shared
 *   address does not send its first connections where the previous one did.
 * - Expired affinities are dropped lazily, and all at once when the table grows past `maxClients`.
 *
 * Time comes from the injected clock; nothing here does I/O.
 */
import type { Clock } from '../../shared/runtime/clock.js';
import type { Backend } from './rules.js';

export interface BalancerOptions {
  clock: Clock;
  /** Set for ClientIP affinity. */
  affinityTimeoutMs?: number;
  random?: () => number;
  maxClients?: number;
}

interface Affinity {
  backend: string;
  lastUsed: number;
}

export function backendKey(b: Backend): string {
  return `${b.ip}:${b.port}`;
}

export class Balancer {
  private backends: Backend[] = [];
  private keys: string[] = [];
  private next: number;
  private affinityTimeoutMs: number | undefined;
  private readonly affinities = new Map<string, Affinity>();
  private readonly maxClients: number;

  constructor(private readonly opts: BalancerOptions) {
    this.affinityTimeoutMs = opts.affinityTimeoutMs;
    this.next = Math.floor((opts.random ?? Math.random)() * 1_000_000);
    this.maxClients = opts.maxClients ?? 10_000;
  }

  get size(): number {
    return this.backends.length;
  }

  list(): readonly Backend[] {
    return this.backends;
  }

  update(backends: readonly Backend[], affinityTimeoutMs?: number): void {
    this.backends = [...backends];
    this.keys = this.backends.map(backendKey);
    if (affinityTimeoutMs === undefined) this.affinities.clear();
    this.affinityTimeoutMs = affinityTimeoutMs;
    const live = new Set(this.keys);
    for (const [client, a] of this.affinities) if (!live.has(a.backend)) this.affinities.delete(client);
  }

  pick(client: string | undefined, exclude?: ReadonlySet<string>): Backend | undefined {
    const n = this.backends.length;
    if (n === 0) return undefined;
    const timeout = this.affinityTimeoutMs;
    const now = timeout !== undefined ? this.opts.clock.now() : 0;
    if (timeout !== undefined && client) {
      const a = this.affinities.get(client);
      if (a && now - a.lastUsed <= timeout && !exclude?.has(a.backend)) {
        const i = this.keys.indexOf(a.backend);
        if (i >= 0) {
          a.lastUsed = now;
          return this.backends[i];
        }
      }
    }
    let chosen: number | undefined;
    for (let tries = 0; tries < n; tries++) {
      const i = this.next++ % n;
      if (this.next >= Number.MAX_SAFE_INTEGER) this.next = 0;
      if (!exclude?.has(this.keys[i])) {
        chosen = i;
        break;
      }
    }
    if (chosen === undefined) return undefined;
    if (timeout !== undefined && client) {
      if (this.affinities.size >= this.maxClients) this.reap(now, timeout);
      this.affinities.set(client, { backend: this.keys[chosen], lastUsed: now });
    }
    return this.backends[chosen];
  }

  /** Client addresses with a live affinity (for tests and health details). */
  affinityCount(): number {
    return this.affinities.size;
  }

  private reap(now: number, timeout: number): void {
    for (const [client, a] of this.affinities) if (now - a.lastUsed > timeout) this.affinities.delete(client);
  }
}
