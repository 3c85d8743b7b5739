/**
 * The shape of a scheduling plugin, after kube-scheduler's framework (filter and score extension
 * points only): pure functions of the pod being scheduled and one node's picture (`NodeInfo`).
 *
 * A filter answers `undefined` when the node fits, else a failure with the reasons Kubernetes
 * prints (several for NodeResourcesFit) and a code: `Unschedulable` when evicting other pods could
 * make room (resources, ports), `UnschedulableAndUnresolvable` when nothing about other pods helps
 * (labels, taints, a cordoned or not-ready node). The code decides the preemption part of the
 * FailedScheduling message.
 *
 * A score plugin rates a feasible node 0–100 (higher is better), either directly or as a raw value
 * that `normalize` turns into 0–100 across all feasible nodes (spreading, preferences); the
 * scheduler multiplies by the plugin's weight and sums. Plugins never mutate their inputs.
 */
import type { NodeInfo } from '../snapshot.js';
import type { PodInfo } from '../pod-info.js';

export type FailureCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterFailure {
  code: FailureCode;
  reasons: string[];
}

export interface FilterPlugin {
  readonly name: string;
  filter(pod: PodInfo, node: NodeInfo): FilterFailure | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  score(pod: PodInfo, node: NodeInfo): number;
  /** Turns raw scores (one per feasible node, same order) into 0–100, in place. */
  normalize?(scores: number[]): void;
}

export const MAX_NODE_SCORE = 100;

export function unresolvable(...reasons: string[]): FilterFailure {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export function unschedulable(...reasons: string[]): FilterFailure {
  return { code: 'Unschedulable', reasons };
}

/** Scales raw scores so the highest becomes 100 (all 0 stays 0); `reverse` makes the lowest best. */
export function normalizeToMax(scores: number[], reverse: boolean): void {
  const max = Math.max(0, ...scores);
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) scores[i] = reverse ? MAX_NODE_SCORE : 0;
    else {
      const s = Math.floor((MAX_NODE_SCORE * scores[i]) / max);
      scores[i] = reverse ? MAX_NODE_SCORE - s : s;
    }
  }
}
