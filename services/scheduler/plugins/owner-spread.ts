/**
 * Spreading replicas of one owner across nodes (kube-scheduler's SelectorSpread, and what its
 * default PodTopologySpread constraint on `kubernetes.io/hostname` achieves): a node scores higher
 * the fewer pods of the same controlling owner (ownerReference with `controller: true`, same uid)
 * it already holds, assumed pods included — so the replicas of a ReplicationController land on
 * different nodes while there are nodes without one. Raw score: that count; normalized reversed
 * against the busiest feasible node (all equal → 100 everywhere). Pods without a controller
 * score 100 everywhere (no preference).
 *
 * Weight 2, as kube-scheduler gives PodTopologySpread, so spreading outweighs a resource score
 * difference of up to 100 points.
 */
import type { PodInfo } from '../pod-info.js';
import type { NodeInfo } from '../snapshot.js';
import { normalizeToMax, type ScorePlugin } from './types.js';

export const ownerSpreadScore: ScorePlugin = {
  name: 'OwnerSpread',
  weight: 2,
  score: (pod: PodInfo, node: NodeInfo) => (pod.ownerUid ? node.owners.get(pod.ownerUid) ?? 0 : 0),
  normalize: (scores) => normalizeToMax(scores, true),
};
