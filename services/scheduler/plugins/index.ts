/**
 * The plugin set kubemu's scheduler runs, in kube-scheduler's default order. Filters run in this
 * order and the first one that fails a node decides that node's reasons (as the framework does);
 * scores are weighted and summed.
 *
 *   filters: NodeUnschedulable, NodeName, TaintToleration, NodeReady, NodeAffinity, NodePorts,
 *            NodeResourcesFit
 *   scores:  TaintToleration ×3, NodeAffinity ×2, OwnerSpread ×2, LeastAllocated ×1,
 *            BalancedAllocation ×1
 */
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.js';
import { nodePortsFilter } from './node-ports.js';
import { nodeNameFilter, nodeReadyFilter, nodeUnschedulableFilter } from './node-state.js';
import { ownerSpreadScore } from './owner-spread.js';
import { balancedAllocationScore, leastAllocatedScore, resourcesFitFilter } from './resources-fit.js';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration.js';
import type { FilterPlugin, ScorePlugin } from './types.js';

export interface PluginSet {
  filters: readonly FilterPlugin[];
  scores: readonly ScorePlugin[];
}

export const DEFAULT_PLUGINS: PluginSet = {
  filters: [
    nodeUnschedulableFilter,
    nodeNameFilter,
    taintTolerationFilter,
    nodeReadyFilter,
    nodeAffinityFilter,
    nodePortsFilter,
    resourcesFitFilter,
  ],
  scores: [taintTolerationScore, nodeAffinityScore, ownerSpreadScore, leastAllocatedScore, balancedAllocationScore],
};

export type { FilterFailure, FilterPlugin, ScorePlugin, FailureCode } from './types.js';
