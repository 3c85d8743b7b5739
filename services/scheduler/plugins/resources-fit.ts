/**
 * NodeResourcesFit and NodeResourcesBalancedAllocation, as kube-scheduler's plugins.
 *
 * Filter: the pod must fit in the node's allocatable minus what the pods already there (assumed
 * ones included) request — `Insufficient cpu`, `Insufficient memory` — and the pod count must stay
 * within `allocatable.pods` — `Too many pods`. All reasons found are reported. A shortage is
 * resolvable (evicting pods could make room) unless the pod asks for more than the node's whole
 * allocatable, which no eviction fixes (Kubernetes ≥ 1.31). A pod that requests nothing fits
 * any node with room for one more pod.
 *
 * Scores use the non-zero requests (see ../pod-info.ts) of the pods on the node plus this pod:
 * - least allocated: per resource `(allocatable − requested) × 100 / allocatable` (0 when
 *   over-committed), cpu and memory averaged — emptier nodes score higher;
 * - balanced allocation: `(1 − |cpuFraction − memoryFraction| / 2) × 100` (the standard deviation
 *   of the two fractions, each capped at 1) — nodes whose cpu and memory would be used evenly win.
 */
import type { PodInfo } from '../pod-info.js';
import type { NodeInfo } from '../snapshot.js';
import { MAX_NODE_SCORE, type FilterFailure, type FilterPlugin, type ScorePlugin } from './types.js';

export function fitFailure(pod: PodInfo, node: NodeInfo): FilterFailure | undefined {
  const reasons: string[] = [];
  let code: FilterFailure['code'] = 'Unschedulable';
  const { allocatable: alloc, requested: used } = node;
  if (node.pods.size + 1 > alloc.pods) reasons.push('Too many pods');
  const want = pod.requests;
  if (want.milliCpu > 0 && want.milliCpu > alloc.milliCpu - used.milliCpu) {
    reasons.push('Insufficient cpu');
    if (want.milliCpu > alloc.milliCpu) code = 'UnschedulableAndUnresolvable';
  }
  if (want.memory > 0 && want.memory > alloc.memory - used.memory) {
    reasons.push('Insufficient memory');
    if (want.memory > alloc.memory) code = 'UnschedulableAndUnresolvable';
  }
  return reasons.length ? { code, reasons } : undefined;
}

export const resourcesFitFilter: FilterPlugin = { name: 'NodeResourcesFit', filter: fitFailure };

function leastRequested(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const leastAllocatedScore: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  weight: 1,
  score(pod: PodInfo, node: NodeInfo) {
    const cpu = leastRequested(node.nonZeroRequested.milliCpu + pod.nonZero.milliCpu, node.allocatable.milliCpu);
    const memory = leastRequested(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
    return Math.floor((cpu + memory) / 2);
  },
};

function fraction(requested: number, capacity: number): number {
  return capacity <= 0 ? 1 : Math.min(1, requested / capacity);
}

export const balancedAllocationScore: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(pod: PodInfo, node: NodeInfo) {
    const cpu = fraction(node.nonZeroRequested.milliCpu + pod.nonZero.milliCpu, node.allocatable.milliCpu);
    const memory = fraction(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
    return Math.floor((1 - Math.abs(cpu - memory) / 2) * MAX_NODE_SCORE);
  },
};
