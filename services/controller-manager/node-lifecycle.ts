/**
 * The node lifecycle controller: decides whether each Node is alive and says so in the API.
 *
 * Reconciles one Node by name (level-based; requeued for the instant its silence would become too
 * long, and on any change of the Node or of a pod bound to an unreachable node):
 *
 * 1. Liveness: evidence that the node is alive is a heartbeat heard on the bus (./heartbeats.ts) or
 *    a new `lastHeartbeatTime` in its Ready condition (the kubelet posted status), both timed on
 *    this process's clock when noticed. Past `nodeMonitorGraceMs` without evidence, Ready,
 *    MemoryPressure, DiskPressure and PIDPressure become `Unknown` (./node-health.ts), written
 *    through `nodes/status`. A node never heard from since this term began is judged by
 *    `probeDeadline` with the startup grace, so a new leader does not condemn every node at once.
 * 2. Transitions of Ready seen by this controller are recorded as Events on the Node
 *    (`NodeNotReady` / `NodeReady`: "Node node-2 status is now: NodeNotReady"); a node seen for the
 *    first time in a term gets `RegisteredNode`, a node that disappears `RemovingNode`.
 * 3. Pods: while a node is Unknown its kubelet cannot report, so every pod bound to it gets
 *    `Ready=False` (Kubernetes' MarkPodsNotReady, with a `NodeNotReady` Warning on the pod), and
 *    Services stop routing to them. When the kubelet itself reports Ready=False the pods are marked
 *    once, on that transition (the kubelet is alive and owns its pods' status afterwards).
 * 4. Taints (./node-health.ts `controllerTaints`): NoExecute `unreachable` / `not-ready` while
 *    Ready is Unknown / False — a fresh one only when the eviction limiter (./eviction-limiter.ts)
 *    allows, a swap between the two at once — the condition NoSchedule taints, and none of its
 *    NoExecute taints once Ready is True again (setting Ready back is the kubelet's job).
 *
 * Writes carry the cached resourceVersion; a Conflict is retried by the work queue with the fresh
 * object. In-memory state (transitions seen, status heartbeats noticed) belongs to one leadership
 * term and is dropped when the term ends, so a new term re-learns everything from the objects.
 */
import type { Lease } from '../../shared/api/apps.js';
import type { Node, Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { EventRecorder } from '../../shared/client/event-recorder.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../shared/controller/controller.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { isoTime, type Clock } from '../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import { NODE_LEASE_NAMESPACE, NODE_NAME_INDEX, type ControllerContext } from './context.js';
import { EvictionLimiter } from './eviction-limiter.js';
import type { HeartbeatTracker } from './heartbeats.js';
import { condition, controllerTaints, probeDeadline, readyStatus, unknownConditions } from './node-health.js';
import { podCondition, withCondition, writePodStatus } from './pod-conditions.js';

const NODES = resourceByPlural('nodes');

export interface NodeLifecycleOptions {
  api: ApiClient;
  nodes: SharedInformer<Node>;
  pods: SharedInformer<Pod>;
  leases: SharedInformer<Lease>;
  heartbeats: HeartbeatTracker;
  recorder: EventRecorder;
  clock: Clock;
  log?: Logger;
  graceMs: number;
  startupGraceMs: number;
  /** Nodes per second given a fresh NoExecute taint; 0 = unlimited. */
  evictionRate: number;
}

interface StatusBeat {
  lastHeartbeatTime?: string;
  /** When this controller noticed it change (undefined: only seen once, not evidence yet). */
  noticedAt?: number;
}

export class NodeLifecycle implements Reconciler {
  private judgingSince = 0;
  private limiter: EvictionLimiter;
  private readonly known = new Map<string, Node>();
  private readonly lastReady = new Map<string, string | undefined>();
  private readonly statusBeats = new Map<string, StatusBeat>();
  /** Nodes whose pods still have to be marked not ready after a True → False transition. */
  private readonly markPending = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly o: NodeLifecycleOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'node-lifecycle' });
    this.limiter = new EvictionLimiter(o.clock, o.evictionRate);
    this.startTerm();
  }

  /** Forget what the last term learned; judge from the objects again. */
  startTerm(): void {
    this.judgingSince = this.o.clock.now();
    this.limiter = new EvictionLimiter(this.o.clock, this.o.evictionRate);
    this.known.clear();
    this.lastReady.clear();
    this.statusBeats.clear();
    this.markPending.clear();
  }

  /** A Conflict thrown here (someone wrote the object first) is requeued quietly by the controller. */
  async reconcile(name: string): Promise<ReconcileResult | void> {
    const { o } = this;
    const node = o.nodes.lister.get(name);
    if (!node) return this.forget(name);
    if (!this.known.has(name)) o.recorder.record(node, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    this.known.set(name, node);

    const now = o.clock.now();
    const nowIso = isoTime(o.clock);
    const deadline = this.deadline(node, now);
    let current = node;
    if (now >= deadline) {
      const conditions = unknownConditions(node, nowIso);
      if (conditions) {
        current = await o.api.update<Node>(NODES, { ...structuredClone(node), status: { ...node.status, conditions } }, 'status');
        this.log.info({ node: name, silentForMs: now - (deadline - o.graceMs) }, 'node stopped posting status; Ready is Unknown');
      }
    }

    const status = readyStatus(current);
    if (this.transition(current, status)) this.markPending.add(name);
    if (status === 'True') this.markPending.delete(name);
    if (status === 'Unknown' || this.markPending.has(name)) {
      await this.markPodsNotReady(name, nowIso);
      this.markPending.delete(name);
    }

    let retryAfterMs: number | undefined;
    let plan = controllerTaints(current, nowIso, true);
    if (plan.freshNoExecute) {
      const token = this.limiter.tryTake();
      if (!token.ok) {
        plan = controllerTaints(current, nowIso, false);
        retryAfterMs = token.retryAfterMs;
      }
    }
    if (plan.changed) {
      try {
        await o.api.update<Node>(NODES, { ...structuredClone(current), spec: { ...current.spec, taints: plan.taints } });
      } catch (err) {
        if (plan.freshNoExecute) this.limiter.giveBack(); // the node was not tainted: the token is not spent
        throw err;
      }
      this.log.info({ node: name, taints: plan.taints.map((t) => `${t.key}:${t.effect}`), deferred: plan.deferred }, 'updated node taints');
    }

    const waits = [now < deadline ? deadline - now + 1 : undefined, retryAfterMs].filter((x): x is number => x !== undefined);
    return waits.length ? { requeueAfterMs: Math.min(...waits) } : undefined;
  }

  /** The deadline of silence, from heartbeats, noticed status posts and (at first) the objects. */
  private deadline(node: Node, now: number): number {
    const name = node.metadata.name ?? '';
    const hbTime = condition(node, 'Ready')?.lastHeartbeatTime;
    const seen = this.statusBeats.get(name);
    if (!seen) this.statusBeats.set(name, { lastHeartbeatTime: hbTime });
    else if (hbTime && hbTime !== seen.lastHeartbeatTime) {
      if (seen.lastHeartbeatTime !== undefined) seen.noticedAt = now;
      seen.lastHeartbeatTime = hbTime;
    }
    const evidence = [this.o.heartbeats.lastHeard(name), this.statusBeats.get(name)?.noticedAt].filter((t): t is number => t !== undefined);
    return probeDeadline({
      node,
      lease: this.o.leases.lister.get(`${NODE_LEASE_NAMESPACE}/${name}`),
      heardAt: evidence.length ? Math.max(...evidence) : undefined,
      judgingSince: this.judgingSince,
      graceMs: this.o.graceMs,
      startupGraceMs: this.o.startupGraceMs,
    });
  }

  /** Records Ready transitions seen in this term; true when pods must be marked not ready once. */
  private transition(node: Node, status: string | undefined): boolean {
    const name = node.metadata.name ?? '';
    const seenBefore = this.lastReady.has(name);
    const prev = this.lastReady.get(name);
    this.lastReady.set(name, status);
    if (!seenBefore || prev === status) return false;
    if (status === 'True') {
      this.o.recorder.record(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
      return false;
    }
    if (prev !== 'True') return false;
    this.o.recorder.record(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    return true;
  }

  private async markPodsNotReady(name: string, nowIso: string): Promise<void> {
    const pods = this.o.pods.lister.byIndex(NODE_NAME_INDEX, name);
    const results = await Promise.allSettled(
      pods.map(async (pod) => {
        if (!podCondition(pod, 'Ready')) return;
        const status = withCondition(pod.status, { type: 'Ready', status: 'False' }, nowIso);
        if (!status) return;
        if (await writePodStatus(this.o.api, pod, status)) this.o.recorder.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private forget(name: string): void {
    const last = this.known.get(name);
    if (last) this.o.recorder.record(last, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    this.known.delete(name);
    this.lastReady.delete(name);
    this.statusBeats.delete(name);
    this.markPending.delete(name);
  }
}

/** Pods of a node matter to this controller only while their node is unreachable. */
function podToNode(nodes: SharedInformer<Node>): (pod: Pod) => string | undefined {
  return (pod) => {
    const name = pod.spec?.nodeName;
    const node = name ? nodes.lister.get(name) : undefined;
    return node && readyStatus(node) !== 'True' ? name : undefined;
  };
}

export function nodeLifecycleController(ctx: ControllerContext): Runnable {
  const nodes = ctx.nodes();
  const pods = ctx.pods();
  const reconciler = new NodeLifecycle({
    api: ctx.api,
    nodes,
    pods,
    leases: ctx.nodeLeases(),
    heartbeats: ctx.heartbeats,
    recorder: ctx.recorder('node-controller'),
    clock: ctx.clock,
    log: ctx.log,
    graceMs: ctx.profile.nodeMonitorGraceMs,
    startupGraceMs: ctx.profile.nodeStartupGraceMs,
    evictionRate: ctx.profile.nodeEvictionRate,
  });
  const controller = new Controller({ name: 'node-lifecycle', reconciler, clock: ctx.clock, log: ctx.log, workers: 4 })
    .watch(nodes)
    .watch(pods, podToNode(nodes));
  return {
    name: controller.name,
    needLeaderElection: true,
    run(signal) {
      reconciler.startTerm();
      return controller.run(signal);
    },
  };
}
