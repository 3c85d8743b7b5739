/**
 * The RollingUpdate strategy, one step per reconcile, as Kubernetes takes it:
 *
 * 1. Scale the new ReplicaSet up as far as `maxSurge` allows (total pods ≤ replicas + maxSurge,
 *    never beyond replicas), or down if it is above `replicas`. If that changed anything, stop here.
 * 2. Otherwise scale old ReplicaSets down as far as `maxUnavailable` allows: first the pods of old
 *    ReplicaSets that are not available (oldest ReplicaSet first; they serve nothing, so removing
 *    them costs no availability), then available ones while more than replicas − maxUnavailable
 *    pods stay available, counting the new ReplicaSet's unavailable pods against the budget.
 * 3. Once complete, old ReplicaSets beyond the revision history limit are deleted.
 * Each path ends by writing the rollout status (./progress.ts).
 *
 * Availability is the ReplicaSets' `status.availableReplicas` (their controller applies
 * `minReadySeconds`), so the old pods go only as fast as new ones become available.
 */
import type { Deployment, ReplicaSet } from '../../../shared/api/apps.js';
import type { ReconcileResult } from '../../../shared/controller/controller.js';
import type { DeploymentSync } from './deployment-sync.js';
import { isRollingUpdate, maxSurge, maxUnavailable, replicasOf } from './deployment-spec.js';
import { deploymentComplete } from './progress.js';
import { activeReplicaSets, availableReplicaCount, byCreation, replicaCount, sorted, specReplicas } from './replica-sets.js';

/** The size the new ReplicaSet may have now (Recreate: all of it at once). */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const maxTotal = replicasOf(d) + maxSurge(d);
  const current = replicaCount(allRSs);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, replicasOf(d) - specReplicas(newRS));
}

async function reconcileNewReplicaSet(s: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const want = replicasOf(s.d);
  const size = specReplicas(newRS);
  if (size === want) return false;
  if (size > want) return s.scaleReplicaSetAndRecordEvent(newRS, want);
  return s.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(s.d, allRSs, newRS));
}

/** Scales down old pods that are not available, up to `maxCleanup`; returns how many. */
async function cleanupUnhealthyReplicas(s: DeploymentSync, oldRSs: ReplicaSet[], maxCleanup: number): Promise<number> {
  let total = 0;
  for (const rs of sorted(s.freshAll(oldRSs), byCreation)) {
    if (total >= maxCleanup) break;
    const size = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size <= available) continue;
    const count = Math.min(maxCleanup - total, size - available);
    await s.scaleReplicaSetAndRecordEvent(rs, size - count);
    total += count;
  }
  return total;
}

/** Scales down available old pods while more than replicas − maxUnavailable stay available. */
async function scaleDownOldForRollingUpdate(s: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const available = availableReplicaCount(s.freshAll(allRSs));
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of sorted(s.freshAll(oldRSs), byCreation)) {
    if (total >= budget) break;
    const size = specReplicas(rs);
    if (size === 0) continue;
    const count = Math.min(size, budget - total);
    await s.scaleReplicaSetAndRecordEvent(rs, size - count);
    total += count;
  }
  return total;
}

async function reconcileOldReplicaSets(s: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (replicaCount(s.freshAll(oldRSs)) === 0) return false;
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const fresh = s.fresh(newRS);
  const newUnavailable = specReplicas(fresh) - (fresh.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(s.freshAll(allRSs)) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldForRollingUpdate(s, allRSs, oldRSs);
  return cleaned + scaledDown > 0;
}

export async function rolloutRolling(s: DeploymentSync): Promise<ReconcileResult | void> {
  const { newRS, oldRSs } = await s.replicaSets(true);
  const allRSs = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(s, allRSs, s.fresh(newRS))) return s.syncRolloutStatus(allRSs, newRS);
  if (await reconcileOldReplicaSets(s, allRSs, activeReplicaSets(s.freshAll(oldRSs)), newRS)) return s.syncRolloutStatus(allRSs, newRS);
  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(oldRSs);
  return s.syncRolloutStatus(allRSs, newRS);
}
