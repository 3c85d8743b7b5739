/**
 * The scheduler's picture of the cluster: every Node and, per node name, the pods bound to it with
 * the sums the filters and scores read (requested and non-zero requested cpu/memory, pod count,
 * host ports in use, pods per controlling owner). Kept up to date from informer events, never
 * re-listed, so scheduling one pod costs no API call.
 *
 * Assume-then-confirm (as kube-scheduler's cache): when the scheduler picks a node it `assume`s the
 * pod there at once, so the next pod sees the resources and ports as taken even though the binding
 * is still in flight; the informer's view of the bound pod then replaces the assumption (`addPod`),
 * a failed binding drops it (`forget`), and a deleted pod removes it either way. A pod is counted on
 * at most one node at any time.
 *
 * Pods may name a node the snapshot does not have (yet, or any more): they are kept under that
 * name, so a node that (re)appears starts with its real load. `nodes()` lists only nodes with a
 * Node object, in the order they were first seen. Single-threaded: no method awaits.
 */
import type { Node } from '../../shared/api/core.js';
import { intValueOrZero, milliValueOrZero } from '../../shared/api/quantity.js';
import { ANY_IP, type PodInfo, type Resources } from './pod-info.js';

export interface Allocatable extends Resources {
  pods: number;
}

export interface NodeInfo {
  readonly name: string;
  node?: Node;
  allocatable: Allocatable;
  requested: Resources;
  nonZeroRequested: Resources;
  pods: Map<string, PodInfo>;
  /** `PROTOCOL/port` → host IP → how many pods hold it. */
  usedPorts: Map<string, Map<string, number>>;
  /** controller uid → pods of it on this node. */
  owners: Map<string, number>;
}

export function newNodeInfo(name: string, node?: Node): NodeInfo {
  const info: NodeInfo = {
    name,
    allocatable: { milliCpu: 0, memory: 0, pods: 0 },
    requested: { milliCpu: 0, memory: 0 },
    nonZeroRequested: { milliCpu: 0, memory: 0 },
    pods: new Map(),
    usedPorts: new Map(),
    owners: new Map(),
  };
  if (node) setNode(info, node);
  return info;
}

/** Allocatable (capacity when allocatable is absent), as kube-scheduler reads it. */
export function setNode(info: NodeInfo, node: Node): void {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  info.node = node;
  info.allocatable = { milliCpu: milliValueOrZero(list.cpu), memory: intValueOrZero(list.memory), pods: intValueOrZero(list.pods) };
}

export function addPodTo(info: NodeInfo, pod: PodInfo): void {
  if (info.pods.has(pod.key)) removePodFrom(info, pod.key);
  info.pods.set(pod.key, pod);
  count(info, pod, 1);
}

export function removePodFrom(info: NodeInfo, key: string): void {
  const pod = info.pods.get(key);
  if (!pod) return;
  info.pods.delete(key);
  count(info, pod, -1);
}

function count(info: NodeInfo, pod: PodInfo, sign: 1 | -1): void {
  info.requested.milliCpu += sign * pod.requests.milliCpu;
  info.requested.memory += sign * pod.requests.memory;
  info.nonZeroRequested.milliCpu += sign * pod.nonZero.milliCpu;
  info.nonZeroRequested.memory += sign * pod.nonZero.memory;
  for (const hp of pod.hostPorts) bump(info.usedPorts, `${hp.protocol}/${hp.port}`, hp.ip || ANY_IP, sign);
  if (pod.ownerUid) {
    const n = (info.owners.get(pod.ownerUid) ?? 0) + sign;
    if (n > 0) info.owners.set(pod.ownerUid, n);
    else info.owners.delete(pod.ownerUid);
  }
}

function bump(ports: Map<string, Map<string, number>>, key: string, ip: string, sign: 1 | -1): void {
  let ips = ports.get(key);
  if (!ips) ports.set(key, (ips = new Map()));
  const n = (ips.get(ip) ?? 0) + sign;
  if (n > 0) ips.set(ip, n);
  else ips.delete(ip);
  if (ips.size === 0) ports.delete(key);
}

interface Placement {
  nodeName: string;
  assumed: boolean;
}

export class Snapshot {
  private readonly infos = new Map<string, NodeInfo>();
  private readonly placements = new Map<string, Placement>();
  private nodeList?: NodeInfo[];

  /** Nodes that have a Node object, in first-seen order. */
  nodes(): NodeInfo[] {
    this.nodeList ??= [...this.infos.values()].filter((i) => i.node);
    return this.nodeList;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.infos.get(name);
  }

  setNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const info = this.infos.get(name);
    if (info) {
      if (!info.node) this.nodeList = undefined;
      setNode(info, node);
    } else {
      this.infos.set(name, newNodeInfo(name, node));
      this.nodeList = undefined;
    }
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
    this.nodeList = undefined;
    if (info.pods.size === 0) this.infos.delete(name);
    else info.node = undefined;
  }

  /** A pod the API says is bound to `nodeName` (confirms an assumption, or moves the pod). */
  addPod(pod: PodInfo, nodeName: string): void {
    this.place(pod, nodeName, false);
  }

  /** A pod the scheduler has just chosen `nodeName` for, before the binding is confirmed. */
  assume(pod: PodInfo, nodeName: string): void {
    this.place(pod, nodeName, true);
  }

  /** Drops an assumption (binding failed); a confirmed pod stays. */
  forget(key: string): void {
    if (this.placements.get(key)?.assumed) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.placements.get(key)?.assumed === true;
  }

  /** The node a pod is counted on, if any. */
  nodeOf(key: string): string | undefined {
    return this.placements.get(key)?.nodeName;
  }

  /** Removes a pod wherever it is counted; answers the node it was on. */
  removePod(key: string): string | undefined {
    const p = this.placements.get(key);
    if (!p) return undefined;
    this.placements.delete(key);
    const info = this.infos.get(p.nodeName);
    if (info) {
      removePodFrom(info, key);
      if (!info.node && info.pods.size === 0) this.infos.delete(p.nodeName);
    }
    return p.nodeName;
  }

  private place(pod: PodInfo, nodeName: string, assumed: boolean): void {
    const prev = this.placements.get(pod.key);
    if (prev && prev.nodeName !== nodeName) this.removePod(pod.key);
    let info = this.infos.get(nodeName);
    if (!info) this.infos.set(nodeName, (info = newNodeInfo(nodeName)));
    addPodTo(info, pod);
    this.placements.set(pod.key, { nodeName, assumed });
  }
}
