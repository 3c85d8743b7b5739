/**
 * A Deployment's status and conditions, computed as Kubernetes computes them (pure functions; the
 * time is passed in). `kubectl rollout status` reads exactly these fields.
 *
 * - Counts: `replicas` / `readyReplicas` / `availableReplicas` sum the ReplicaSets' status,
 *   `updatedReplicas` is the new ReplicaSet's pods, `unavailableReplicas` is desired pods (spec)
 *   minus available (never below 0); `observedGeneration` is the generation acted upon.
 * - `Available`: True / MinimumReplicasAvailable "Deployment has minimum availability." while at
 *   least replicas − maxUnavailable pods are available, else False / MinimumReplicasUnavailable.
 * - `Progressing` (only with a progress deadline, which apps/v1 always has unless set to MaxInt32): True / NewReplicaSetAvailable "ReplicaSet "x" has
 *   successfully progressed." once complete; True / ReplicaSetUpdated "ReplicaSet "x" is
 *   progressing." whenever progress is seen (lastUpdateTime moves, lastTransitionTime kept);
 *   False / ProgressDeadlineExceeded "ReplicaSet "x" has timed out progressing." when
 *   `progressDeadlineSeconds` pass after the last progress. Paused / resumed Deployments get
 *   Unknown / DeploymentPaused "Deployment is paused" and DeploymentResumed "Deployment is resumed"
 *   (so the time spent paused never counts against the deadline); a timeout is never overwritten by them.
 * - A condition whose status and reason do not change is left as it is (times included); a changed
 *   reason with the same status keeps lastTransitionTime.
 * - `ReplicaFailure` is copied from the new ReplicaSet's (else any ReplicaSet's) condition of that type.
 */
import type { Deployment, DeploymentCondition, ReplicaSet } from '../../../shared/api/apps.js';
import { hasProgressDeadline, maxUnavailable, progressDeadlineSecondsOf, replicasOf } from './deployment-spec.js';
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, replicaCount } from './replica-sets.js';

export type DeploymentStatus = NonNullable<Deployment['status']>;

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';
export const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
  minAvailable: 'MinimumReplicasAvailable',
  minUnavailable: 'MinimumReplicasUnavailable',
} as const;

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: string): DeploymentCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: string): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicaCount(allRSs) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', REASON.minAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', REASON.minUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every pod updated, existing and available, for the generation asked for. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Something moved since the last recorded status: more updated, ready or available pods, or fewer old ones. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  const cond = getCondition(s, PROGRESSING);
  if (!hasProgressDeadline(d) || !cond || cond.reason === REASON.newRSAvailable) return false;
  if (cond.reason === REASON.timedOut) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + progressDeadlineSecondsOf(d) * 1000 < nowMs;
}

/** The status a rollout step ends with: counts, Available, Progressing (complete / progressing / timed out), ReplicaFailure. */
export function rolloutStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
  const current = getCondition(d.status, PROGRESSING);
  const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.newRSAvailable;
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition(PROGRESSING, 'True', REASON.newRSAvailable, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime even when the reason stays ReplicaSetUpdated.
      const cond = newCondition(PROGRESSING, 'True', REASON.rsUpdated, `${subject} is progressing.`, now);
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, PROGRESSING);
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setCondition(status, newCondition(PROGRESSING, 'False', REASON.timedOut, `${subject} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, { ...failure, lastUpdateTime: failure.lastTransitionTime });
  else removeCondition(status, REPLICA_FAILURE);
  return status;
}

type RSCondition = { type?: string; status?: DeploymentCondition['status']; reason?: string; message?: string; lastTransitionTime?: string };

function replicaFailure(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const failureOf = (rs: ReplicaSet | undefined): RSCondition | undefined => (rs?.status?.conditions as RSCondition[] | undefined)?.find((c) => c?.type === REPLICA_FAILURE);
  const c = failureOf(newRS) ?? allRSs.map(failureOf).find(Boolean);
  return c ? { type: REPLICA_FAILURE, status: c.status ?? 'True', reason: c.reason, message: c.message, lastTransitionTime: c.lastTransitionTime } : undefined;
}

/**
 * How long until this unfinished rollout should be looked at again to notice a missed deadline
 * (lastUpdateTime + deadline − now, plus a second of slack); undefined when there is nothing to wait for.
 */
export function progressCheckAfterMs(d: Deployment, s: DeploymentStatus, nowMs: number): number | undefined {
  const cond = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !cond || deploymentComplete(d, s) || cond.reason === REASON.timedOut) return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return undefined;
  const after = from + progressDeadlineSecondsOf(d) * 1000 - nowMs;
  return after < 1000 ? 1000 : after + 1000;
}

/** The Progressing condition a pause or resume calls for, if any. */
export function pausedCondition(d: Deployment, now: string): DeploymentCondition | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const cond = getCondition(d.status, PROGRESSING);
  if (cond?.reason === REASON.timedOut) return undefined;
  const pausedShown = cond?.reason === REASON.paused;
  if (d.spec.paused && !pausedShown) return newCondition(PROGRESSING, 'Unknown', REASON.paused, 'Deployment is paused', now);
  if (!d.spec.paused && pausedShown) return newCondition(PROGRESSING, 'Unknown', REASON.resumed, 'Deployment is resumed', now);
  return undefined;
}
