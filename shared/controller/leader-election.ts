/**
 * Leader election over a `coordination.k8s.io/v1` Lease, through the ApiClient, as client-go's
 * leaderelection does it:
 *
 * - Acquire when the lease is absent, free (empty holderIdentity) or expired
 *   (renewTime + leaseDurationSeconds ≤ now); retry every `retryPeriodMs` (+ up to `jitter` of it).
 * - While leading, renew every `retryPeriodMs`; if no renewal succeeds within `renewDeadlineMs` of
 *   the last one (or another holder shows up), leadership is lost.
 * - A takeover from another holder bumps `leaseTransitions` and resets `acquireTime`; renewing keeps both.
 * - On a graceful stop the lease is released (holderIdentity "", leaseDurationSeconds 1), so another
 *   candidate takes over at its next attempt instead of waiting for expiry.
 * - Optimistic concurrency: every write carries the resourceVersion read (create-if-absent for the
 *   first), so two candidates racing for the same lease cannot both win: one gets Conflict /
 *   AlreadyExists. `renewDeadlineMs < leaseDurationMs` is what keeps an old leader from overlapping a
 *   new one: it gives up before its lease can expire in others' eyes.
 *
 * Callbacks: `onStartedLeading(signal)` when elected (the signal aborts when leadership ends; a
 * returned promise is awaited before the lease is released or re-contested, so one process never
 * runs two terms at once); `onStoppedLeading()` after a term ended (lost or stopped);
 * `onNewLeader(identity)` when the observed holder changes. `run(signal)` campaigns again after a
 * lost term, until the signal aborts.
 *
 * Expiry is judged from the lease's renewTime against the local clock, so candidates' clocks must
 * roughly agree (true on one machine; client-go instead times how long a record stays unchanged).
 */
import type { ApiClient } from '../client/api.js';
import type { Lease } from '../api/apps.js';
import { resourceByPlural } from '../api/resources.js';
import { isStatusError } from '../api/errors.js';
import { microTime, realClock, type Clock } from '../runtime/clock.js';
import { silentLogger, type Logger } from '../runtime/logger.js';

export interface LeaderElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** Kubernetes' defaults (kube-controller-manager, kube-scheduler). */
export const KUBERNETES_TIMINGS: LeaderElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
/** kubemu's fast profile: a failed leader is replaced within about 5 s. */
export const FAST_TIMINGS: LeaderElectionTimings = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 1_000 };

export interface LeaderElectionConfig extends Partial<LeaderElectionTimings> {
  api: ApiClient;
  namespace: string;
  name: string;
  identity: string;
  clock?: Clock;
  log?: Logger;
  /** Fraction of retryPeriod added at random to acquire retries (default 0.2). */
  jitter?: number;
  random?: () => number;
  /** Release the lease on a graceful stop (default true). */
  releaseOnCancel?: boolean;
}

export interface LeaderCallbacks {
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  onNewLeader?(identity: string): void;
}

const LEASES = resourceByPlural('leases');

export class LeaderElector {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timings: LeaderElectionTimings;
  private leading = false;
  private observedHolder = '';
  /** Clock time written as renewTime by our last successful write (what others judge expiry by). */
  private renewedAt = 0;

  constructor(
    private readonly cfg: LeaderElectionConfig,
    private readonly callbacks: LeaderCallbacks,
  ) {
    this.clock = cfg.clock ?? realClock;
    this.log = (cfg.log ?? silentLogger()).child({ lease: `${cfg.namespace}/${cfg.name}`, identity: cfg.identity });
    this.timings = { ...FAST_TIMINGS, ...definedTimings(cfg) };
    const { leaseDurationMs: lease, renewDeadlineMs: renew, retryPeriodMs: retry } = this.timings;
    if (!cfg.identity) throw new Error('leader election: identity must not be empty');
    if (lease <= renew) throw new Error('leader election: leaseDuration must be greater than renewDeadline');
    if (renew <= retry * (1 + (cfg.jitter ?? 0.2))) throw new Error('leader election: renewDeadline must be greater than retryPeriod * (1 + jitter)');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the lease ('' when free or not read yet). */
  get leader(): string {
    return this.observedHolder;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) return;
      this.leading = true;
      this.log.info('became leader');
      const term = new AbortController();
      const work = Promise.resolve()
        .then(() => this.callbacks.onStartedLeading(term.signal))
        .catch((err: unknown) => this.log.error({ err }, 'onStartedLeading failed'));
      const outcome = await this.renewLoop(signal);
      this.leading = false;
      term.abort(new Error(outcome === 'stopped' ? 'leader election stopped' : 'leadership lost'));
      await work;
      if (outcome === 'stopped' && this.cfg.releaseOnCancel !== false) await this.release();
      this.log.info(outcome === 'stopped' ? 'stopped leading' : 'lost leadership');
      this.callbacks.onStoppedLeading?.();
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    const jitter = this.cfg.jitter ?? 0.2;
    const random = this.cfg.random ?? Math.random;
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        if (!signal.aborted) return true;
        await this.release(); // won just as we were told to stop
        return false;
      }
      try {
        await this.clock.sleep(this.timings.retryPeriodMs * (1 + jitter * random()), signal);
      } catch {
        return false;
      }
    }
    return false;
  }

  private async renewLoop(signal: AbortSignal): Promise<'stopped' | 'lost'> {
    const { retryPeriodMs, renewDeadlineMs } = this.timings;
    for (;;) {
      try {
        await this.clock.sleep(retryPeriodMs, signal);
      } catch {
        return 'stopped';
      }
      const deadline = this.renewedAt + renewDeadlineMs;
      const ok = await this.withDeadline(this.tryAcquireOrRenew(), deadline - this.clock.now());
      if (signal.aborted) return 'stopped';
      if (ok) continue;
      const takenOver = this.observedHolder !== this.cfg.identity && this.observedHolder !== '';
      if (takenOver || this.clock.now() >= deadline) return 'lost';
    }
  }

  /** One read-modify-write of the lease; false on any failure (including losing a race). */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace, name, identity } = this.cfg;
    const nowMs = this.clock.now();
    const now = microTime(this.clock);
    const leaseDurationSeconds = Math.ceil(this.timings.leaseDurationMs / 1000);
    try {
      let lease: Lease;
      try {
        lease = await api.get<Lease>(LEASES, namespace, name);
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
        const spec = { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
        await api.create<Lease>(LEASES, namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec });
        this.renewedAt = nowMs;
        this.observe(identity);
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      this.observe(holder);
      if (holder && holder !== identity && !this.expired(lease)) return false;
      const mine = holder === identity;
      const next: Lease = {
        ...lease,
        spec: {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds,
          renewTime: now,
          acquireTime: mine ? spec.acquireTime ?? now : now,
          leaseTransitions: mine ? spec.leaseTransitions ?? 0 : (spec.leaseTransitions ?? 0) + 1,
        },
      };
      await api.update<Lease>(LEASES, next);
      this.renewedAt = nowMs;
      this.observe(identity);
      return true;
    } catch (err) {
      if (!isStatusError(err, 'Conflict') && !isStatusError(err, 'AlreadyExists')) {
        this.log.warn({ err: (err as Error).message }, 'lease request failed');
      }
      return false;
    }
  }

  private expired(lease: Lease): boolean {
    const renew = Date.parse(lease.spec?.renewTime ?? '');
    if (!Number.isFinite(renew)) return true;
    return renew + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 <= this.clock.now();
  }

  private async release(): Promise<void> {
    const { api, namespace, name, identity } = this.cfg;
    try {
      const lease = await api.get<Lease>(LEASES, namespace, name);
      if ((lease.spec?.holderIdentity ?? '') !== identity) return;
      const now = microTime(this.clock);
      await api.update<Lease>(LEASES, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      });
      this.observe('');
      this.log.info('released the lease');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not release the lease; it will expire');
    }
  }

  private observe(holder: string): void {
    if (holder === this.observedHolder) return;
    this.observedHolder = holder;
    if (holder) this.callbacks.onNewLeader?.(holder);
  }

  /** Resolves false if `p` has not settled within `ms` (the request is abandoned, not cancelled). */
  private withDeadline(p: Promise<boolean>, ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), ms);
      void p.then((ok) => {
        timer.cancel();
        resolve(ok);
      });
    });
  }
}

function definedTimings(cfg: Partial<LeaderElectionTimings>): Partial<LeaderElectionTimings> {
  const out: Partial<LeaderElectionTimings> = {};
  if (cfg.leaseDurationMs !== undefined) out.leaseDurationMs = cfg.leaseDurationMs;
  if (cfg.renewDeadlineMs !== undefined) out.renewDeadlineMs = cfg.renewDeadlineMs;
  if (cfg.retryPeriodMs !== undefined) out.retryPeriodMs = cfg.retryPeriodMs;
  return out;
}
