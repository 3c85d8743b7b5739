/**
 * Filters on the node's own state: NodeUnschedulable, NodeName and NodeReady.
 *
 * - NodeUnschedulable (kube-scheduler's): a cordoned node (`spec.unschedulable`) takes no pods
 *   unless the pod tolerates the `node.kubernetes.io/unschedulable:NoSchedule` taint —
 *   `node(s) were unschedulable`.
 * - NodeName (kube-scheduler's): a pod that names a node fits only that node —
 *   `node(s) didn't match the requested node name`. (Pods that name a node are never in the
 *   scheduler's queue; the filter keeps the plugin set complete.)
 * - NodeReady (kubemu's; Kubernetes' old CheckNodeCondition predicate): a node whose Ready
 *   condition is not True takes no pods — `node(s) were not ready`. Modern Kubernetes relies on the
 *   node lifecycle controller's `not-ready` / `unreachable` NoSchedule taints instead; this filter
 *   runs after TaintToleration, so when those taints are there, their message is the one shown.
 *
 * All three failures are unresolvable: evicting pods does not change them.
 */
import type { Node } from '../../../shared/api/core.js';
import type { PodInfo } from '../pod-info.js';
import type { NodeInfo } from '../snapshot.js';
import { tolerated } from './taint-toleration.js';
import { unresolvable, type FilterPlugin } from './types.js';

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

export const nodeUnschedulableFilter: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(pod: PodInfo, node: NodeInfo) {
    if (!node.node?.spec?.unschedulable) return undefined;
    if (tolerated(pod.pod.spec?.tolerations, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' })) return undefined;
    return unresolvable('node(s) were unschedulable');
  },
};

export const nodeNameFilter: FilterPlugin = {
  name: 'NodeName',
  filter(pod: PodInfo, node: NodeInfo) {
    const wanted = pod.pod.spec?.nodeName;
    return !wanted || wanted === node.name ? undefined : unresolvable("node(s) didn't match the requested node name");
  },
};

export function isNodeReady(node: Node | undefined): boolean {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export const nodeReadyFilter: FilterPlugin = {
  name: 'NodeReady',
  filter(_pod: PodInfo, node: NodeInfo) {
    return isNodeReady(node.node) ? undefined : unresolvable('node(s) were not ready');
  },
};
