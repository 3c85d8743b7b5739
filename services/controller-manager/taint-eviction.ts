/**
 * Taint-based eviction (Kubernetes' taint eviction controller, once the taint manager): pods bound
 * to a node with NoExecute taints they do not tolerate are deleted.
 *
 * Reconciles one pod by key (level-based; a node change enqueues the pods bound to it while it has,
 * or just lost, NoExecute taints):
 * - a taint no toleration matches (./tolerations.ts) → evicted now;
 * - all tolerated → evicted when the shortest `tolerationSeconds` of the tolerations used runs out
 *   (0 = now; none set = never), counted from when the pod was exposed: the earliest `timeAdded` of
 *   the node's NoExecute taints, but not before the pod was bound (a pod placed on an already
 *   tainted node gets its full toleration). Counting from the taint, not from when this process
 *   noticed it, keeps the deadline across controller restarts and leader changes. Until then the
 *   key is requeued for that instant;
 * - the taints went away (or are now tolerated forever) before the deadline → the pending eviction
 *   is cancelled with a `TaintManagerEviction` "Cancelling deletion of Pod ns/name" Event.
 *
 * Evicting is what Kubernetes does: the pod gets a `DisruptionTarget` condition (reason
 * `DeletionByTaintManager`), a `TaintManagerEviction` Event "Marking for deletion Pod ns/name", and
 * is deleted through the API with its normal grace period (uid precondition, so a new pod of the
 * same name is never hit). On an unreachable node it then stays Terminating until its kubelet comes
 * back and confirms, or the node is deleted (pod GC); its controller replaces it meanwhile. Pods
 * already being deleted are left alone. No rate limit here: the node lifecycle controller limits
 * how fast nodes get NoExecute taints.
 */
import type { Node, Pod, Taint } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import { objectKey } from '../../shared/api/meta.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { EventRecorder } from '../../shared/client/event-recorder.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../shared/controller/controller.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { isoTime, type Clock } from '../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import { NODE_NAME_INDEX, type ControllerContext } from './context.js';
import { PODS, podCondition, withCondition, writePodStatus } from './pod-conditions.js';
import { matchingTolerations, minTolerationSeconds, noExecuteTaints } from '../../shared/api/tolerations.js';

export interface TaintEvictionOptions {
  api: ApiClient;
  pods: SharedInformer<Pod>;
  nodes: SharedInformer<Node>;
  recorder: EventRecorder;
  clock: Clock;
  log?: Logger;
}

function parseTime(s: string | null | undefined): number | undefined {
  const t = s ? Date.parse(s) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

export class TaintEviction implements Reconciler {
  /** Pod key → the instant its eviction is due (only future ones; for the cancel Event). */
  private readonly scheduled = new Map<string, number>();
  private readonly log: Logger;

  constructor(private readonly o: TaintEvictionOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'taint-eviction' });
  }

  startTerm(): void {
    this.scheduled.clear();
  }

  /** A Conflict thrown here (someone wrote the object first) is requeued quietly by the controller. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const pod = this.o.pods.lister.get(key);
    if (!pod || !pod.spec?.nodeName || pod.metadata.deletionTimestamp) {
      this.scheduled.delete(key);
      return;
    }
    const node = this.o.nodes.lister.get(pod.spec.nodeName);
    const taints = noExecuteTaints(node?.spec?.taints);
    if (taints.length === 0) return this.cancel(key, pod);
    const { allTolerated, used } = matchingTolerations(taints, pod.spec.tolerations);
    if (!allTolerated) return this.evict(key, pod, taints);
    const seconds = minTolerationSeconds(used);
    if (seconds === Infinity) return this.cancel(key, pod);
    const now = this.o.clock.now();
    const due = this.exposedSince(pod, taints, now) + seconds * 1000;
    if (now >= due) return this.evict(key, pod, taints);
    this.scheduled.set(key, due);
    return { requeueAfterMs: due - now };
  }

  private exposedSince(pod: Pod, taints: Taint[], now: number): number {
    const added = taints.map((t) => parseTime(t.timeAdded)).filter((t): t is number => t !== undefined);
    const tainted = added.length ? Math.min(...added) : now;
    const bound = parseTime(podCondition(pod, 'PodScheduled')?.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp) ?? tainted;
    return Math.max(tainted, bound);
  }

  private cancel(key: string, pod: Pod): void {
    if (!this.scheduled.delete(key)) return;
    this.o.recorder.record(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private async evict(key: string, pod: Pod, taints: Taint[]): Promise<void> {
    const { api, recorder, clock } = this.o;
    this.scheduled.delete(key);
    const status = withCondition(
      pod.status,
      { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' },
      isoTime(clock),
    );
    if (status && !(await writePodStatus(api, pod, status))) return;
    recorder.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const { namespace, name, uid } = pod.metadata;
    try {
      await api.delete(PODS, namespace, name ?? '', { preconditions: { uid } });
      this.log.info({ pod: key, node: pod.spec.nodeName, taints: taints.map((t) => t.key) }, 'evicted pod from tainted node');
    } catch (err) {
      // Gone already, or replaced by a new pod of the same name (uid precondition): nothing to do.
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }
}

/** A node change concerns its pods only while the node has (or, on the old object, had) NoExecute taints. */
function nodeToPods(pods: SharedInformer<Pod>): (node: Node) => string[] {
  return (node) => (noExecuteTaints(node.spec?.taints).length ? pods.lister.byIndex(NODE_NAME_INDEX, node.metadata.name ?? '').map(objectKey) : []);
}

export function taintEvictionController(ctx: ControllerContext): Runnable {
  const pods = ctx.pods();
  const nodes = ctx.nodes();
  const reconciler = new TaintEviction({ api: ctx.api, pods, nodes, recorder: ctx.recorder('taint-eviction-controller'), clock: ctx.clock, log: ctx.log });
  const controller = new Controller({ name: 'taint-eviction', reconciler, clock: ctx.clock, log: ctx.log, workers: 8 })
    .watch(pods)
    .watch(nodes, nodeToPods(pods));
  return {
    name: controller.name,
    needLeaderElection: true,
    run(signal) {
      reconciler.startTerm();
      return controller.run(signal);
    },
  };
}
