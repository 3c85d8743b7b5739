/**
 * Scaling a Deployment without rolling it (Kubernetes' `sync`): used while paused and whenever the
 * Deployment's `replicas` differ from what its active ReplicaSets were sized for (the
 * `desired-replicas` annotation) — a scaling event, e.g. `kubectl scale deploy`, or an HPA.
 *
 * - One active ReplicaSet (or none): it (or the newest) simply gets `replicas`.
 * - The new ReplicaSet already saturated (sized and available at `replicas`): old ones go to 0.
 * - Mid-rollout (RollingUpdate, several active): the change is spread proportionally, so the
 *   rollout's shape is kept — each ReplicaSet gets its share of replicas + maxSurge in the ratio of
 *   its size to the size it was planned for (`max-replicas`), rounded; leftovers go to the largest
 *   (newest among equals when adding, oldest when removing); nothing drops below 0.
 * Then, if paused, old ReplicaSets beyond the history limit are deleted; the status (counts and
 * Available, no Progressing change) is written.
 */
import type { Deployment, ReplicaSet } from '../../../shared/api/apps.js';
import type { DeploymentSync } from './deployment-sync.js';
import { isRollingUpdate, maxSurge, replicasOf } from './deployment-spec.js';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from './history.js';
import { activeOrLatest, activeReplicaSets, bySizeNewer, bySizeOlder, replicaCount, sorted, specReplicas } from './replica-sets.js';

/** Replicas to add to (or, negative, take from) `rs` for its share of the change. */
function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) fraction = -specReplicas(rs);
  else {
    const planned = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
    const target = replicasOf(d) + maxSurge(d);
    fraction = planned === 0 ? 0 : Math.round((specReplicas(rs) * target) / planned) - specReplicas(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** The sizes proportional scaling gives each active ReplicaSet (pure; exported for tests). */
export function proportionalSizes(d: Deployment, active: readonly ReplicaSet[]): { sizes: Map<string, number>; operation: string } {
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(active);
  const order = toAdd > 0 ? sorted(active, bySizeNewer) : toAdd < 0 ? sorted(active, bySizeOlder) : [...active];
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of order) {
    const p = proportion(rs, d, toAdd, added);
    sizes.set(rs.metadata.uid ?? '', specReplicas(rs) + p);
    added += p;
  }
  if (toAdd !== 0 && order.length) {
    const first = order[0].metadata.uid ?? '';
    sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  }
  return { sizes, operation: toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : '' };
}

function saturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = replicasOf(d);
  return desiredReplicasAnnotation(rs) === want && specReplicas(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

export async function scale(s: DeploymentSync, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const d = s.d;
  const only = activeOrLatest(s.fresh(newRS), s.freshAll(oldRSs));
  if (only) {
    if (specReplicas(only) !== replicasOf(d)) await s.scaleReplicaSetAndRecordEvent(only, replicasOf(d));
    return;
  }
  if (saturated(d, s.fresh(newRS))) {
    for (const rs of activeReplicaSets(s.freshAll(oldRSs))) await s.scaleReplicaSetAndRecordEvent(rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const active = activeReplicaSets(s.freshAll([...oldRSs, newRS]));
  const { sizes, operation } = proportionalSizes(d, active);
  for (const rs of active) await s.scaleReplicaSet(rs, sizes.get(rs.metadata.uid ?? '') ?? specReplicas(rs), operation);
}

/** True when an active ReplicaSet was sized for a different `replicas` than the Deployment's now. */
export async function isScalingEvent(s: DeploymentSync): Promise<boolean> {
  const { newRS, oldRSs } = await s.replicaSets(false);
  return activeReplicaSets(s.freshAll([...oldRSs, newRS])).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== replicasOf(s.d);
  });
}

/** Scale (and, while paused, clean up), then write counts and Available. */
export async function syncScaling(s: DeploymentSync): Promise<void> {
  const { newRS, oldRSs } = await s.replicaSets(false);
  await scale(s, newRS, oldRSs);
  if (s.d.spec.paused) await s.cleanup(oldRSs);
  await s.syncDeploymentStatus([...oldRSs, newRS], newRS);
}
