/**
 * The scheduling loop: the part that runs only on the leader (a manager runnable with
 * `needLeaderElection`). It pops one pod at a time and schedules it:
 *
 *   pending pod → findNode (in memory) → assume in the snapshot → bind (async) → Scheduled event
 *                                      ↘ no fit → FailedScheduling event + PodScheduled=False,
 *                                        the pod waits as unschedulable in the queue
 *
 * The choice is synchronous and reads only the snapshot, so consecutive pods see each other's
 * assumptions; only bindings are asynchronous, up to `bindConcurrency` at once (the loop waits for
 * a free slot). A bound pod leaves the queue; an unschedulable one goes back only once its
 * PodScheduled=False condition is written; a binding that failed drops its assumption and the
 * pod is retried after its back-off (a 409 too: if the pod really was bound elsewhere or is being
 * deleted, the informer removes it from the queue first and the retry never happens).
 *
 * Before its first pod the loop waits for the informers to sync. When leadership ends the loop
 * stops taking pods and waits for its bindings in flight before returning, so a later term never
 * overlaps one that is still writing.
 */
import type { Pod } from '../../shared/api/core.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Binder } from './binder.js';
import { findNode } from './find-node.js';
import { isPending, podInfo, schedulerNameOf, type PodInfo } from './pod-info.js';
import type { PluginSet } from './plugins/index.js';
import type { Popped, SchedulingQueue } from './queue.js';
import type { Snapshot } from './snapshot.js';

export interface LoopDeps {
  pods: SharedInformer<Pod>;
  synced: (signal: AbortSignal) => Promise<void>;
  snapshot: Snapshot;
  queue: SchedulingQueue;
  binder: Binder;
  plugins: PluginSet;
  schedulerName: string;
  bindConcurrency: number;
  random: () => number;
  log: Logger;
}

export class SchedulingLoop {
  readonly name = 'scheduling-loop';
  readonly needLeaderElection = true;
  private readonly inFlight = new Set<Promise<void>>();
  private scheduled = 0;
  private unschedulableAttempts = 0;

  constructor(private readonly d: LoopDeps) {}

  get counts(): { scheduled: number; unschedulableAttempts: number; binding: number } {
    return { scheduled: this.scheduled, unschedulableAttempts: this.unschedulableAttempts, binding: this.inFlight.size };
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.d.synced(signal);
    } catch {
      return;
    }
    this.d.log.info({ pending: this.d.queue.stats() }, 'scheduling');
    try {
      while (!signal.aborted) {
        if (this.inFlight.size >= this.d.bindConcurrency) {
          await Promise.race(this.inFlight);
          continue;
        }
        const popped = await this.d.queue.pop(signal);
        if (!popped) break;
        this.scheduleOne(popped);
      }
    } finally {
      await this.drain();
      this.d.log.info('stopped scheduling');
    }
  }

  /** Resolves when every binding and report started so far has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** One attempt for one popped pod; synchronous up to the API writes it starts. */
  scheduleOne({ key }: Popped): void {
    const { queue, snapshot } = this.d;
    const pod = this.d.pods.lister.get(key);
    if (!pod || !isPending(pod) || schedulerNameOf(pod) !== this.d.schedulerName) return queue.delete(key);
    if (snapshot.nodeOf(key) !== undefined) return queue.done(key);
    const info = podInfo(pod);
    const decision = findNode(info, snapshot.nodes(), this.d.plugins, this.d.random);
    if (!decision.fit) {
      this.unschedulableAttempts++;
      this.d.log.debug({ pod: key, reason: decision.message }, 'unschedulable');
      // The pod stays in flight until its condition is written, so a retry that binds it can
      // never be overtaken by this attempt's PodScheduled=False (a cluster change meanwhile still
      // counts: the queue sends the pod to back-off instead of parking it).
      this.track(this.d.binder.unschedulable(pod, decision.message).finally(() => queue.failed(key, 'unschedulable')));
      return;
    }
    snapshot.assume(info, decision.nodeName);
    this.track(this.bind(info, decision.nodeName));
  }

  private async bind(info: PodInfo, nodeName: string): Promise<void> {
    const { queue, snapshot, binder, log } = this.d;
    const outcome = await binder.bind(info.pod, nodeName);
    if (outcome.kind === 'bound') {
      this.scheduled++;
      queue.done(info.key);
      binder.scheduled(info.pod, nodeName);
      return;
    }
    snapshot.forget(info.key);
    queue.failed(info.key, 'error');
    const detail = { pod: info.key, node: nodeName, err: outcome.error.message };
    if (outcome.kind === 'error') log.warn(detail, 'binding failed; retrying after back-off');
    else log.debug(detail, 'binding refused');
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.d.log.error({ err }, 'scheduling write failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}
