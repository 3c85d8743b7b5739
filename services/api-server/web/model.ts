/**
 * What the dashboard knows about the cluster, built only from stream messages: the Nodes, the
 * Pods (by namespace/name), the controllers (ReplicationControllers, ReplicaSets, Deployments),
 * the resourceVersion to resume from, and which nodes this page partitioned (the API cannot show a
 * partition: the node just goes silent).
 *
 * `apply` takes one message and returns the log lines it makes (Kubernetes Events, node
 * transitions). Each object's resourceVersion only moves forward, so a message seen twice (a
 * replay that overlaps) changes nothing. Until the stream says `caughtUp` the messages are the
 * initial state: nodes appearing then are not news. `reset` forgets everything (before a fresh
 * replay after a 410). Pure: no DOM, no clock.
 *
 * Like every dashboard module it imports from shared/ only types: the browser loads this tree
 * from /ui/, where shared code exists only under /ui/lib/ (see main.ts for the one module loaded
 * from there).
 */
import type { Event, Node, Pod } from '../../../shared/api/core.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import type { StreamChange, StreamMessage } from '../../../shared/api/stream.js';
import { eventEntry, nodeEntry, type LogEntry } from './log-entries.js';

/** What the page asks the stream for. */
export const STREAM_KINDS = ['nodes', 'pods', 'events', 'replicationcontrollers', 'replicasets', 'deployments'];
const CONTROLLER_KINDS = new Set(['ReplicationController', 'ReplicaSet', 'Deployment']);

/** The key of node lanes for pods with no node, or a node the page does not know. */
export const UNSCHEDULED = '';

function keyOf(m: StreamChange): string {
  return `${m.kind}/${m.namespace ?? ''}/${m.name}`;
}

export class ClusterModel {
  readonly nodes = new Map<string, Node>();
  readonly pods = new Map<string, Pod>();
  readonly controllers = new Map<string, KubeObject>();
  readonly partitioned = new Set<string>();
  /** The newest version seen (change or bookmark): where a reconnect resumes. */
  resourceVersion: string | undefined;
  caughtUp = false;
  private readonly versions = new Map<string, number>();

  apply(m: StreamMessage): LogEntry[] {
    if (m.type === 'BOOKMARK') {
      this.advance(m.resourceVersion);
      if (m.caughtUp) this.caughtUp = true;
      return [];
    }
    if (m.type !== 'ADDED' && m.type !== 'MODIFIED' && m.type !== 'DELETED') return [];
    this.advance(m.resourceVersion);
    const key = keyOf(m);
    const rv = Number(m.resourceVersion);
    if ((this.versions.get(key) ?? -1) >= rv) return [];
    this.versions.set(key, rv);
    const obj = m.object;
    if (m.type === 'DELETED') this.versions.delete(key);
    switch (m.kind) {
      case 'Node':
        return this.applyNode(m, obj as Node | undefined);
      case 'Pod':
        this.put(this.pods, `${m.namespace}/${m.name}`, m, obj as Pod | undefined);
        return [];
      case 'Event':
        return m.type !== 'DELETED' && obj ? [eventEntry(obj as Event, m.time)] : [];
      default:
        if (CONTROLLER_KINDS.has(m.kind)) this.put(this.controllers, key, m, obj);
        return [];
    }
  }

  reset(): void {
    this.nodes.clear();
    this.pods.clear();
    this.controllers.clear();
    this.versions.clear();
    this.resourceVersion = undefined;
    this.caughtUp = false;
  }

  /** Node name → its pods by name; pods with no (known) node under UNSCHEDULED. */
  podsByNode(): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>([...this.nodeNames()].map((n) => [n, []]));
    out.set(UNSCHEDULED, []);
    for (const pod of this.pods.values()) {
      const node = pod.spec?.nodeName;
      (out.get(node && this.nodes.has(node) ? node : UNSCHEDULED) ?? []).push(pod);
    }
    for (const list of out.values()) list.sort((a, b) => naturalCompare(a.metadata.name ?? '', b.metadata.name ?? ''));
    return out;
  }

  /** Node names in natural order (node-2 before node-10). */
  nodeNames(): string[] {
    return [...this.nodes.keys()].sort(naturalCompare);
  }

  private applyNode(m: StreamChange, node: Node | undefined): LogEntry[] {
    const before = this.nodes.get(m.name);
    this.put(this.nodes, m.name, m, node);
    if (m.type === 'DELETED') this.partitioned.delete(m.name);
    if (!this.caughtUp && m.type === 'ADDED') return [];
    const entry = nodeEntry(before, m.type === 'DELETED' ? undefined : this.nodes.get(m.name), m.time);
    return entry ? [entry] : [];
  }

  /** Objects come with the change (the page never asks for `objects=false`); without one, only a DELETE can be applied. */
  private put<T>(map: Map<string, T>, key: string, m: StreamChange, obj: T | undefined): void {
    if (m.type === 'DELETED') map.delete(key);
    else if (obj) map.set(key, obj);
  }

  private advance(rv: string): void {
    if (this.resourceVersion === undefined || Number(rv) > Number(this.resourceVersion)) this.resourceVersion = rv;
  }
}

export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
