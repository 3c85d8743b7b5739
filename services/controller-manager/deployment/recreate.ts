/**
 * The Recreate strategy: every old pod goes before any new one starts.
 *
 * 1. Scale every active old ReplicaSet to 0 (stop here if that changed anything).
 * 2. Wait while old pods still exist: old ReplicaSets still report pods, or a pod of an old
 *    ReplicaSet is still known that has not finished (Running, Pending, Unknown — a terminating
 *    pod counts until it is gone). Pod events of a Recreate Deployment re-trigger it, so the wait
 *    is level-based, not a timer.
 * 3. Then create the new ReplicaSet if needed and scale it to `replicas` at once.
 * 4. Once complete, old ReplicaSets beyond the revision history limit are deleted.
 * Each path ends by writing the rollout status.
 */
import type { Pod } from '../../../shared/api/core.js';
import type { ReplicaSet } from '../../../shared/api/apps.js';
import type { ReconcileResult } from '../../../shared/controller/controller.js';
import type { DeploymentSync } from './deployment-sync.js';
import { replicasOf } from './deployment-spec.js';
import { deploymentComplete } from './progress.js';
import { activeReplicaSets, actualReplicaCount } from './replica-sets.js';

/** Pods of the Deployment's ReplicaSets, by the uid of the ReplicaSet controlling them. */
export type PodsByReplicaSet = ReadonlyMap<string, readonly Pod[]>;

export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], pods: PodsByReplicaSet): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, list] of pods) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (list.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

export async function rolloutRecreate(s: DeploymentSync, pods: PodsByReplicaSet): Promise<ReconcileResult | void> {
  const found = await s.replicaSets(false);
  let { newRS, oldRSs } = found;
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) if (await s.scaleReplicaSetAndRecordEvent(rs, 0)) scaledDown = true;
  if (scaledDown) return s.syncRolloutStatus([...oldRSs, newRS], newRS);
  if (oldPodsRunning(s.fresh(newRS), s.freshAll(oldRSs), pods)) return s.syncRolloutStatus([...oldRSs, newRS], newRS);
  if (!newRS) ({ newRS, oldRSs } = await s.replicaSets(true));
  await s.scaleReplicaSetAndRecordEvent(newRS, replicasOf(s.d));
  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(oldRSs);
  return s.syncRolloutStatus([...oldRSs, newRS], newRS);
}
