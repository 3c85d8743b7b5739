/**
 * Which pods go first when a ReplicationController / ReplicaSet scales down: Kubernetes' order of
 * active pods for deletion (controller_utils' ranking), earliest = deleted first:
 *
 *  1. unassigned (no node) before assigned;
 *  2. phase Pending before Unknown before Running;
 *  3. not ready before ready;
 *  4. lower `controller.kubernetes.io/pod-deletion-cost` annotation first (absent or invalid = 0);
 *  5. more doubled up first: a higher rank (pods of the same owner family on the pod's node) first;
 *  6. both ready: ready for a shorter time first, compared in powers of two of the time since
 *     they became ready (logarithmic scale-down: pods ready 5 and 6 minutes ago tie, and the tie
 *     is broken by uid, so scale-down does not always pick the very newest);
 *  7. more container restarts first;
 *  8. newer first (creation time, same logarithmic comparison), an unknown time first.
 *
 * Pure: `rankForDeletion` sorts a copy and never touches the API.
 */
import type { Pod } from '../../../shared/api/core.js';
import { creationTime, isPodActive, isPodReady, maxRestarts, podReadySince } from './pod-state.js';

export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** The pod-deletion-cost annotation as an integer in int32 range; 0 when absent or invalid. */
export function deletionCost(pod: Pod): number {
  const raw = pod.metadata.annotations?.[DELETION_COST_ANNOTATION];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw.trim())) return 0;
  const n = Number(raw.trim());
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : 0;
}

/** floor(log2(nanoseconds since `t`)), -1 for `t` not in the past (Kubernetes ranks durations in ns). */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Negative when `a` should go before `b` by the "younger first" rule on timestamps (undefined = zero time, first). */
function youngerFirst(a: number | undefined, b: number | undefined, now: number, uidA: string, uidB: string): number {
  if (a === b) return 0;
  if (a === undefined || b === undefined) return a === undefined ? -1 : 1;
  const diff = logRank(a, now) - logRank(b, now);
  if (diff !== 0) return diff;
  return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
}

export interface RankedPod {
  pod: Pod;
  /** How many related active pods share this pod's node (higher = more doubled up). */
  rank: number;
}

export function comparePodsForDeletion(x: RankedPod, y: RankedPod, now: number): number {
  const a = x.pod;
  const b = y.pod;
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (!nodeA || !nodeB)) return nodeA ? 1 : -1;
  const phaseA = PHASE_ORDER[a.status?.phase ?? ''] ?? 0;
  const phaseB = PHASE_ORDER[b.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  if (x.rank !== y.rank) return y.rank - x.rank;
  const uidA = a.metadata.uid ?? '';
  const uidB = b.metadata.uid ?? '';
  if (readyA && readyB) {
    const r = youngerFirst(podReadySince(a), podReadySince(b), now, uidA, uidB);
    if (r !== 0) return r;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  return youngerFirst(creationTime(a), creationTime(b), now, uidA, uidB);
}

/**
 * Ranks `pods` for deletion: each pod's rank is the number of active `related` pods (the owner's
 * own and its siblings', e.g. the other ReplicaSets of one Deployment) on the same node.
 */
export function rankForDeletion(pods: readonly Pod[], related: readonly Pod[], now: number): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && isPodActive(p)) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: pod.spec?.nodeName ? perNode.get(pod.spec.nodeName) ?? 0 : 0 }));
  return ranked.sort((x, y) => comparePodsForDeletion(x, y, now)).map((r) => r.pod);
}

/** The `count` pods to delete first (all of them when there are no more than that). */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now: number): Pod[] {
  if (count >= pods.length) return [...pods];
  return rankForDeletion(pods, related, now).slice(0, count);
}
