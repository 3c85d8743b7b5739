/**
 * The scheduler's configuration: one object, defaults from the timing profile, `validate()` before
 * anything runs.
 *
 * Queue timings per profile (kube-scheduler's real defaults under `kubernetes`: back-off 1 s → 10 s,
 * unschedulable pods retried at least every 5 min, checked every 30 s; the default profile is made
 * for watching things happen: 100 ms → 1 s, and at least every 5 s). Leader election uses the
 * profile's lease timings on the Lease `kube-system/kube-scheduler`, as kube-scheduler does.
 */
import type { LeaderElectionTimings } from '../../shared/controller/leader-election.js';
import type { Profile } from '../../shared/runtime/profile.js';
import type { QueueTimings } from './queue.js';

export interface SchedulerConfig {
  /** Pods whose `spec.schedulerName` is this are ours; others are left alone. */
  schedulerName: string;
  /** This instance in leader election (holderIdentity) and logs. */
  identity: string;
  queue: QueueTimings;
  /** Bindings in flight at once (each is one API request). */
  bindConcurrency: number;
  /** Lease timings; `false` runs without leader election (always scheduling). */
  leaderElection: LeaderElectionTimings | false;
  leaseNamespace: string;
  leaseName: string;
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export function queueTimingsFor(profile: Pick<Profile, 'name'>): QueueTimings {
  return profile.name === 'kubernetes'
    ? { initialBackoffMs: 1000, maxBackoffMs: 10_000, maxUnschedulableMs: 300_000, flushIntervalMs: 30_000 }
    : { initialBackoffMs: 100, maxBackoffMs: 1000, maxUnschedulableMs: 5000, flushIntervalMs: 1000 };
}

export function schedulerConfig(profile: Profile, overrides: Partial<SchedulerConfig> & { identity: string }): SchedulerConfig {
  const cfg: SchedulerConfig = {
    schedulerName: DEFAULT_SCHEDULER_NAME,
    queue: queueTimingsFor(profile),
    bindConcurrency: 64,
    leaderElection: profile.leaderElection,
    leaseNamespace: 'kube-system',
    leaseName: 'kube-scheduler',
    ...overrides,
  };
  validate(cfg);
  return cfg;
}

export function validate(cfg: SchedulerConfig): void {
  const problems: string[] = [];
  if (!cfg.schedulerName) problems.push('scheduler name must not be empty');
  if (!cfg.identity) problems.push('identity must not be empty');
  if (!(cfg.bindConcurrency >= 1)) problems.push('bind concurrency must be at least 1');
  const q = cfg.queue;
  if (!(q.initialBackoffMs > 0 && q.maxBackoffMs >= q.initialBackoffMs)) problems.push('back-off must satisfy 0 < initial <= max');
  if (!(q.maxUnschedulableMs > 0 && q.flushIntervalMs > 0)) problems.push('unschedulable retry timings must be positive');
  if (problems.length) throw new Error(`invalid scheduler configuration: ${problems.join('; ')}`);
}
