/**
 * How the nodes' health changed over time, as a watcher of the Node objects sees it: every change
 * of a node's Ready condition or of its `node.kubernetes.io/unreachable` / `not-ready` NoExecute
 * taints is logged with its arrival time on the monotonic clock (`process.hrtime.bigint()`, ns).
 *
 * The healing benchmark asks it, for the node it killed at t0, when the node was first seen not
 * Ready after t0 (the node lifecycle controller set Ready=Unknown) and when it first carried a
 * NoExecute taint after t0 (what makes its pods evicted).
 */
import type { Node } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient, ApiWatch } from '../../shared/client/api.js';

export interface NodeState {
  at: bigint;
  node: string;
  /** The Ready condition's status ('' when the node has none yet). */
  ready: string;
  /** Carries a not-ready or unreachable NoExecute taint. */
  noExecute: boolean;
}

const NODES = resourceByPlural('nodes');
const EVICTING_TAINTS = ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'];

export function nodeState(node: Node, at: bigint): NodeState {
  return {
    at,
    node: node.metadata.name ?? '',
    ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '',
    noExecute: (node.spec?.taints ?? []).some((t) => t.effect === 'NoExecute' && EVICTING_TAINTS.includes(t.key)),
  };
}

export class NodeTimeline {
  private readonly log: NodeState[] = [];
  private watch?: ApiWatch;

  static async open(api: ApiClient): Promise<NodeTimeline> {
    const t = new NodeTimeline();
    t.watch = await api.watch<Node>(NODES, undefined, {}, {
      onEvent: (e) => {
        if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
        const s = nodeState(e.object, process.hrtime.bigint());
        const last = t.current(s.node);
        if (!last || last.ready !== s.ready || last.noExecute !== s.noExecute) t.log.push(s);
      },
      onError: () => undefined,
    });
    return t;
  }

  current(node: string): NodeState | undefined {
    for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i].node === node) return this.log[i];
    return undefined;
  }

  /** The first logged state of `node` at or after `t0` that satisfies `pred`. */
  firstAfter(node: string, t0: bigint, pred: (s: NodeState) => boolean): NodeState | undefined {
    return this.log.find((s) => s.node === node && s.at >= t0 && pred(s));
  }

  async close(): Promise<void> {
    await this.watch?.stop();
  }
}
