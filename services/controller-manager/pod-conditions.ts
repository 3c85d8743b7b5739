/**
 * Setting one condition on a pod's status the way Kubernetes' UpdatePodCondition does, and writing
 * it through the `status` subresource with the cached resourceVersion.
 *
 * - A new condition is appended with lastTransitionTime = now; an existing one keeps its
 *   lastTransitionTime unless its status changes.
 * - Nothing is written when the condition already says the same (status, reason, message), so a
 *   level-based caller can call this on every pass.
 * - A write on a stale resourceVersion fails with Conflict (the caller's work queue retries with the
 *   fresh object); a pod that is gone meanwhile is not an error (`false` is returned).
 */
import { isStatusError } from '../../shared/api/errors.js';
import type { Pod, PodCondition, PodStatus } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';

export const PODS = resourceByPlural('pods');

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** The status with `cond` applied, or undefined when it already holds. */
export function withCondition(status: PodStatus | undefined, cond: Omit<PodCondition, 'lastTransitionTime'>, nowIso: string): PodStatus | undefined {
  const conditions = [...(status?.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? conditions[i] : undefined;
  const reason = cond.reason ?? old?.reason;
  const message = cond.message ?? old?.message;
  if (old && old.status === cond.status && old.reason === reason && old.message === message) return undefined;
  const next: PodCondition = {
    ...old,
    ...cond,
    ...(reason !== undefined ? { reason } : {}),
    ...(message !== undefined ? { message } : {}),
    lastProbeTime: old?.lastProbeTime ?? null,
    lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime ?? nowIso : nowIso,
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  return { ...status, conditions };
}

/** Writes `status` for `pod` (cached object, its resourceVersion); false when the pod is gone. */
export async function writePodStatus(api: ApiClient, pod: Pod, status: PodStatus): Promise<boolean> {
  try {
    await api.update<Pod>(PODS, { ...structuredClone(pod), status }, 'status');
    return true;
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return false;
    throw err;
  }
}
