/**
 * TaintToleration, as kube-scheduler's plugin of that name.
 *
 * Filter: the node's first taint with effect NoSchedule or NoExecute that no toleration of the pod
 * tolerates fails the node, unresolvably, with `node(s) had untolerated taint {key: value}`.
 * Score: fewer untolerated PreferNoSchedule taints is better (normalized, reversed).
 *
 * Matching is `tolerates` of shared/api/tolerations.ts (the taint manager uses the same rules).
 * `tolerationSeconds` does not matter for scheduling (it limits how long a NoExecute taint is
 * tolerated once the pod runs, which is the taint manager's business).
 */
import type { Taint, Toleration } from '../../../shared/api/core.js';
import { tolerates } from '../../../shared/api/tolerations.js';
import type { PodInfo } from '../pod-info.js';
import type { NodeInfo } from '../snapshot.js';
import { normalizeToMax, unresolvable, type FilterPlugin, type ScorePlugin } from './types.js';

export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod: PodInfo, node: NodeInfo) {
    const tolerations = pod.pod.spec?.tolerations;
    for (const taint of node.node?.spec?.taints ?? []) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerated(tolerations, taint)) return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    }
    return undefined;
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  score(pod: PodInfo, node: NodeInfo) {
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return (node.node?.spec?.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !tolerated(tolerations, t)).length;
  },
  normalize: (scores) => normalizeToMax(scores, true),
};
