/**
 * A Deployment's rollout history, kept where Kubernetes keeps it (and where `kubectl rollout
 * history|undo` reads it): annotations on its ReplicaSets.
 *
 * - `deployment.kubernetes.io/revision`: each new template gets the highest revision so far + 1;
 *   an older ReplicaSet brought back (rollback, or a template changed back by hand) gets the next
 *   number too, and its earlier numbers move to `deployment.kubernetes.io/revision-history`
 *   (comma list, at most 2000 characters, oldest dropped first). A revision is never lowered.
 *   The Deployment carries its new ReplicaSet's revision.
 * - The Deployment's own annotations are copied onto the new ReplicaSet (so `kubernetes.io/
 *   change-cause` becomes that revision's CHANGE-CAUSE), except kubectl's last-applied
 *   configuration and the controller's own bookkeeping annotations. Copying only adds or changes.
 * - `desired-replicas` / `max-replicas` record the Deployment's replicas and replicas + maxSurge
 *   when a ReplicaSet was last sized: they tell a scaling event from a rollout, and let proportional
 *   scaling know the size the ReplicaSets were planned for.
 * - Clean-up: old ReplicaSets beyond `revisionHistoryLimit`, lowest revision first, are deleted —
 *   only those scaled to 0, without pods, whose latest spec their controller has observed and that
 *   are not already being deleted.
 *
 * Pure functions; the mutating ones change only the object they are given and say whether they did.
 */
import type { Deployment, ReplicaSet } from '../../../shared/api/apps.js';
import { byRevision, REVISION, sorted, specReplicas } from './replica-sets.js';
import { revisionHistoryLimitOf } from './deployment-spec.js';

export { REVISION };
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const ROLLBACK_TO = 'deprecated.deployment.rollback.to';
const NOT_COPIED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);
const MAX_HISTORY_CHARS = 2000;

function annotations(obj: { metadata: { annotations?: Record<string, string> } }): Record<string, string> {
  return (obj.metadata.annotations ??= {});
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const raw = rs.metadata.annotations?.[key];
  return raw !== undefined && /^-?\d+$/.test(raw) ? Number(raw) : undefined;
}

export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, DESIRED_REPLICAS);
export const maxReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, MAX_REPLICAS);

export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || rs.metadata.annotations?.[k] === v) continue;
    annotations(rs)[k] = v;
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  return rs.metadata.annotations?.[DESIRED_REPLICAS] !== String(desired) || rs.metadata.annotations?.[MAX_REPLICAS] !== String(max);
}

export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  Object.assign(annotations(rs), { [DESIRED_REPLICAS]: String(desired), [MAX_REPLICAS]: String(max) });
  return true;
}

function appendRevisionHistory(rs: ReplicaSet, oldRevision: string): void {
  const existing = rs.metadata.annotations?.[REVISION_HISTORY] ?? '';
  let revisions = existing ? existing.split(',') : [];
  revisions.push(oldRevision);
  while (revisions.join(',').length > MAX_HISTORY_CHARS && revisions.length > 1) revisions = revisions.slice(1);
  if (revisions.join(',').length <= MAX_HISTORY_CHARS) annotations(rs)[REVISION_HISTORY] = revisions.join(',');
}

/**
 * Brings the new ReplicaSet's annotations up to date for `newRevision`; `exists` false means it is
 * about to be created and also gets its replica annotations.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, desired: number, max: number): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const oldRaw = rs.metadata.annotations?.[REVISION];
  if (oldRaw !== undefined && !/^\d+$/.test(oldRaw)) return changed; // not ours to fix (Kubernetes leaves it too)
  const oldRevision = oldRaw === undefined ? 0 : Number(oldRaw);
  if (oldRevision < newRevision) {
    annotations(rs)[REVISION] = String(newRevision);
    changed = true;
    if (oldRaw !== undefined) appendRevisionHistory(rs, oldRaw);
  }
  if (!exists && setReplicasAnnotations(rs, desired, max)) changed = true;
  return changed;
}

export function setDeploymentRevision(d: Deployment, revision: string | undefined): boolean {
  if (revision === undefined || d.metadata.annotations?.[REVISION] === revision) return false;
  annotations(d)[REVISION] = revision;
  return true;
}

/** The old ReplicaSets `revisionHistoryLimit` says to delete now. */
export function replicaSetsToCleanUp(oldRSs: readonly ReplicaSet[], d: Deployment): ReplicaSet[] {
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const excess = alive.length - revisionHistoryLimitOf(d);
  if (excess <= 0) return [];
  return sorted(alive, byRevision)
    .slice(0, excess)
    .filter((rs) => specReplicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
