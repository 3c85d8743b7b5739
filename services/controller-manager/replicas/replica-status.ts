/**
 * An owner's status as the replica manager reports it, through the `status` subresource:
 *
 * - `replicas`: the active pods it controls; `fullyLabeledReplicas`: those carrying every label of
 *   the pod template; `readyReplicas`: those Ready; `availableReplicas`: those Ready for longer than
 *   `minReadySeconds`; `observedGeneration`: the generation this status was computed for.
 * - The `ReplicaFailure` condition (reason `FailedCreate` / `FailedDelete`, the error as message)
 *   is set when managing the pods failed and removed once it succeeds again; other conditions are
 *   kept as they are.
 * - Zero counts are left out of the JSON, as Kubernetes' omitempty fields are (`replicas` always
 *   stays).
 *
 * `writeStatus` writes only when something changed (counts, conditions, or a generation not yet
 * observed), with the cached resourceVersion; on Conflict it reads the owner again and retries once.
 */
import type { Pod } from '../../../shared/api/core.js';
import { isStatusError } from '../../../shared/api/errors.js';
import type { ApiClient } from '../../../shared/client/api.js';
import { selectorFromSet } from '../../../shared/selectors/labels.js';
import { isPodAvailable, isPodReady } from './pod-state.js';
import { minReadySeconds, type ReplicaAdapter, type ReplicaCondition, type ReplicaOwner, type ReplicaStatus } from './replica-owner.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

export interface StatusInput {
  owner: ReplicaOwner;
  /** The active pods the owner controls. */
  pods: readonly Pod[];
  /** The error managing pods failed with this pass, if any, and in which direction. */
  failure?: { reason: 'FailedCreate' | 'FailedDelete'; message: string };
  now: number;
  nowIso: string;
}

export function calculateStatus({ owner, pods, failure, now, nowIso }: StatusInput): ReplicaStatus {
  const templateLabels = selectorFromSet(owner.spec?.template?.metadata?.labels);
  const minReady = minReadySeconds(owner);
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata.labels)) fully++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  let conditions = [...(owner.status?.conditions ?? [])];
  const hasFailure = conditions.some((c) => c.type === REPLICA_FAILURE);
  if (failure && !hasFailure) {
    const cond: ReplicaCondition = { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: nowIso, reason: failure.reason, message: failure.message };
    conditions.push(cond);
  } else if (!failure && hasFailure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaStatus = { replicas: pods.length };
  if (fully) status.fullyLabeledReplicas = fully;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (owner.status?.observedGeneration) status.observedGeneration = owner.status.observedGeneration;
  if (conditions.length) status.conditions = conditions;
  return status;
}

function unchanged(owner: ReplicaOwner, next: ReplicaStatus): boolean {
  const cur = owner.status ?? { replicas: 0 };
  return (
    (cur.replicas ?? 0) === next.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (owner.metadata.generation ?? 0) === (cur.observedGeneration ?? 0) &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(next.conditions ?? [])
  );
}

/** Writes `next` as the owner's status when it differs; answers the owner as stored afterwards. */
export async function writeStatus(api: ApiClient, adapter: ReplicaAdapter, owner: ReplicaOwner, next: ReplicaStatus): Promise<ReplicaOwner> {
  if (unchanged(owner, next)) return owner;
  const status: ReplicaStatus = { ...next };
  // The generation this status was computed from (the cached one), even when retrying on a fresher copy.
  if (owner.metadata.generation) status.observedGeneration = owner.metadata.generation;
  let current = owner;
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.update<ReplicaOwner>(adapter.resource, { ...current, status }, 'status');
    } catch (err) {
      if (!isStatusError(err, 'Conflict') || attempt >= 1) throw err;
    }
    current = await api.get<ReplicaOwner>(adapter.resource, owner.metadata.namespace, owner.metadata.name ?? '');
    if (current.metadata.uid !== owner.metadata.uid) return current;
  }
}
