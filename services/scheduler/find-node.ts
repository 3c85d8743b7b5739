/**
 * Choosing a node for one pod, in memory: filter every node, score the feasible ones, pick the
 * best (kube-scheduler's schedulePod). Pure: the snapshot's nodes and the plugin set in, a
 * decision out; the caller assumes, binds and reports.
 *
 * - Filters run in the plugin set's order and stop at a node's first failure.
 * - No feasible node → the FailedScheduling message (./fit-error.ts) and each node's failure.
 * - One feasible node → it, without scoring (as kube-scheduler).
 * - Several → each score plugin rates every feasible node, normalizes if it has to, and the
 *   weighted sums decide; ties are broken uniformly at random (`random` is injected, so tests can
 *   pin it) the way kube-scheduler's selectHost does, by reservoir sampling.
 */
import type { PodInfo } from './pod-info.js';
import type { NodeInfo } from './snapshot.js';
import type { FilterFailure, PluginSet } from './plugins/index.js';
import { failedSchedulingMessage } from './fit-error.js';

export type Decision =
  | { fit: true; nodeName: string; feasibleNodes: number }
  | { fit: false; message: string; failures: Map<string, FilterFailure> };

export function runFilters(pod: PodInfo, node: NodeInfo, plugins: PluginSet): FilterFailure | undefined {
  for (const f of plugins.filters) {
    const failure = f.filter(pod, node);
    if (failure) return failure;
  }
  return undefined;
}

/** Weighted sum of every score plugin, one total per node (same order as `nodes`). */
export function scoreNodes(pod: PodInfo, nodes: readonly NodeInfo[], plugins: PluginSet): number[] {
  const totals = new Array<number>(nodes.length).fill(0);
  for (const plugin of plugins.scores) {
    const scores = nodes.map((n) => plugin.score(pod, n));
    plugin.normalize?.(scores);
    for (let i = 0; i < nodes.length; i++) totals[i] += plugin.weight * scores[i];
  }
  return totals;
}

export function findNode(pod: PodInfo, nodes: readonly NodeInfo[], plugins: PluginSet, random: () => number = Math.random): Decision {
  const feasible: NodeInfo[] = [];
  const failures = new Map<string, FilterFailure>();
  for (const node of nodes) {
    const failure = runFilters(pod, node, plugins);
    if (failure) failures.set(node.name, failure);
    else feasible.push(node);
  }
  if (feasible.length === 0) return { fit: false, message: failedSchedulingMessage(pod, nodes.length, [...failures.values()]), failures };
  if (feasible.length === 1) return { fit: true, nodeName: feasible[0].name, feasibleNodes: 1 };
  const totals = scoreNodes(pod, feasible, plugins);
  let best = 0;
  let ties = 1;
  for (let i = 1; i < feasible.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return { fit: true, nodeName: feasible[best].name, feasibleNodes: feasible.length };
}
