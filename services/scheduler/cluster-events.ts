/**
 * Informer events → the scheduler's snapshot and queue. Runs on every instance, leader or not, so
 * a standby's picture is warm when it takes over.
 *
 * Pods (informer over every pod not Succeeded/Failed):
 * - bound (`spec.nodeName` set) → counted on that node in the snapshot (confirming an assumption),
 *   out of the queue;
 * - pending and ours (unbound, not being deleted, our `schedulerName`) → queued; an update
 *   requeues only when what decides placement changed (spec, labels), so the scheduler's own
 *   status writes do not retrigger it;
 * - anything else (another scheduler's pod, being deleted) → out of the queue;
 * - gone (deleted, or finished and so out of the informer's selection) → out of snapshot and
 *   queue; if it held room on a node, unschedulable pods are retried.
 * Nodes: added → retry unschedulable pods; changed in a way that can change where pods fit
 * (labels, taints, unschedulable, allocatable, Ready) → retry; heartbeat-only changes → nothing;
 * deleted → out of the snapshot (its pods stay counted under its name until they go).
 */
import type { Node, Pod } from '../../shared/api/core.js';
import { objectKey } from '../../shared/api/meta.js';
import type { EventHandler } from '../../shared/informer/informer.js';
import { isPending, podInfo, schedulerNameOf } from './pod-info.js';
import type { SchedulingQueue } from './queue.js';
import type { Snapshot } from './snapshot.js';
import { isNodeReady } from './plugins/node-state.js';

export interface ClusterState {
  snapshot: Snapshot;
  queue: SchedulingQueue;
  schedulerName: string;
}

function isFinished(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function placementInputs(pod: Pod): string {
  return JSON.stringify([pod.spec, pod.metadata.labels ?? {}]);
}

function nodeFitInputs(node: Node): string {
  const spec = node.spec ?? {};
  return JSON.stringify([node.metadata.labels ?? {}, spec.taints ?? [], spec.unschedulable === true, node.status?.allocatable ?? node.status?.capacity ?? {}, isNodeReady(node)]);
}

export function podEvents(s: ClusterState): EventHandler<Pod> {
  const gone = (pod: Pod): void => {
    const key = objectKey(pod);
    s.queue.delete(key);
    if (s.snapshot.removePod(key) !== undefined) s.queue.moveAll();
  };
  const seen = (old: Pod | undefined, pod: Pod): void => {
    const key = objectKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      s.queue.delete(key);
      if (isFinished(pod)) gone(pod);
      else s.snapshot.addPod(podInfo(pod), nodeName);
      return;
    }
    if (!isPending(pod) || schedulerNameOf(pod) !== s.schedulerName) {
      s.queue.delete(key);
      return;
    }
    if (!old || !isPending(old) || !s.queue.has(key) || placementInputs(old) !== placementInputs(pod)) s.queue.add(key);
  };
  return {
    onAdd: (pod) => seen(undefined, pod),
    onUpdate: (old, pod) => seen(old, pod),
    onDelete: gone,
  };
}

export function nodeEvents(s: ClusterState): EventHandler<Node> {
  return {
    onAdd(node) {
      s.snapshot.setNode(node);
      s.queue.moveAll();
    },
    onUpdate(old, node) {
      s.snapshot.setNode(node);
      if (nodeFitInputs(old) !== nodeFitInputs(node)) s.queue.moveAll();
    },
    onDelete(node) {
      s.snapshot.removeNode(node.metadata.name ?? '');
    },
  };
}
