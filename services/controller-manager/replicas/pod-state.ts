/**
 * What the replica manager reads from a pod, as Kubernetes' pod utilities define it. Pure
 * functions of the pod (and, for availability, of `now`); nothing here writes.
 *
 * - active: not being deleted and not finished (phase neither Succeeded nor Failed). Only active
 *   pods count toward `replicas`, so a pod evicted from a dead node (Terminating) is replaced at
 *   once, without waiting for its kubelet to confirm.
 * - ready: the `Ready` condition is True; it became ready at that condition's lastTransitionTime.
 * - available: ready for strictly more than `minReadySeconds` (0 → ready is enough).
 * - restarts: the highest restartCount among the pod's containers.
 */
import type { Pod } from '../../../shared/api/core.js';

export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** When the pod became ready (ms since the epoch); undefined when not ready or unknown. */
export function podReadySince(pod: Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  const t = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/**
 * When a ready pod that is not yet available will become so (ms since the epoch), so the owner
 * can be looked at again then; undefined when that does not apply.
 */
export function podAvailableAt(pod: Pod, minReadySeconds: number): number | undefined {
  if (minReadySeconds <= 0 || !isPodReady(pod)) return undefined;
  const since = podReadySince(pod);
  return since === undefined ? undefined : since + minReadySeconds * 1000 + 1;
}

export function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

export function creationTime(pod: Pod): number | undefined {
  const t = pod.metadata.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isFinite(t) ? t : undefined;
}
