/**
 * Nodes and pods in the shapes the scheduler reads, for its unit and integration tests: a Ready
 * node with capacity (4 cpu, 8Gi, 110 pods by default), and a pod with optional requests,
 * selectors, tolerations, host ports and a controlling owner.
 */
import type { Affinity, Node, Pod, Taint, Toleration } from '../../shared/api/core.js';
import { podInfo } from '../../services/scheduler/pod-info.js';
import { addPodTo, newNodeInfo, type NodeInfo } from '../../services/scheduler/snapshot.js';

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  ready?: boolean | 'Unknown';
  unschedulable?: boolean;
}

export function testNode(name: string, o: NodeOptions = {}): Node {
  const capacity = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110) };
  const ready = o.ready === undefined ? 'True' : o.ready === 'Unknown' ? 'Unknown' : o.ready ? 'True' : 'False';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'NodeStatusUnknown' }],
    },
  };
}

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostPort?: number;
  hostIP?: string;
  owner?: { uid: string; name?: string };
  schedulerName?: string;
  preemptionPolicy?: string;
  labels?: Record<string, string>;
}

export function testPod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.owner
        ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: o.owner.name ?? 'rc', uid: o.owner.uid, controller: true }] }
        : {}),
    },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'luksa/kubia',
          ...(Object.keys(requests).length ? { resources: { requests } } : {}),
          ...(o.hostPort ? { ports: [{ containerPort: 8080, hostPort: o.hostPort, ...(o.hostIP ? { hostIP: o.hostIP } : {}) }] } : {}),
        },
      ],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
      ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}),
    },
    status: { phase: 'Pending' },
  };
}

/** A NodeInfo for `node` holding `pods` (as the snapshot would after seeing them bound there). */
export function testNodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  const info = newNodeInfo(node.metadata.name ?? '', node);
  for (const p of pods) addPodTo(info, podInfo(p));
  return info;
}
