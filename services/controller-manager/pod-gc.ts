/**
 * Pod garbage collection (Kubernetes' podgc): removes pods nobody else will ever finish.
 *
 * Every `podGcPeriodMs` (and at once when a Node is deleted), from the informer caches:
 * - **orphaned**: pods bound to a node that does not exist — missing from the cache for at least
 *   the quarantine time *and* confirmed NotFound by the API (a cache that lags must not kill pods).
 *   This includes pods left Terminating on a node that was deleted. A pod not yet finished first
 *   gets phase `Failed` and a `DisruptionTarget` condition (`DeletionByPodGC`, "PodGC: node no
 *   longer exists"); then it is force-deleted (grace 0).
 * - **terminating on an out-of-service node**: pods being deleted on a node that is not Ready and
 *   carries the `node.kubernetes.io/out-of-service` taint are force-deleted (the admin said the
 *   node is gone for good).
 * - **unscheduled terminating**: pods being deleted that were never bound are force-deleted.
 * - **terminated over the threshold**: when more than `terminatedPodGcThreshold` pods have
 *   finished (Succeeded / Failed), the oldest by creation time beyond the threshold are deleted
 *   (0 disables it).
 * Deletes carry the pod's uid as a precondition and run a bounded number at a time; NotFound and
 * uid Conflicts (already gone / replaced) are not errors. A failed pass is logged and retried next
 * period. Needs leadership.
 */
import type { Node, Pod } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import { objectKey } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { isoTime, type Clock } from '../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import type { ControllerContext } from './context.js';
import { readyStatus } from './node-health.js';
import { PODS, withCondition, writePodStatus } from './pod-conditions.js';
import { TAINT_OUT_OF_SERVICE } from '../../shared/api/tolerations.js';

const NODES = resourceByPlural('nodes');
const PARALLEL = 20;

export interface PodGcOptions {
  api: ApiClient;
  pods: SharedInformer<Pod>;
  nodes: SharedInformer<Node>;
  clock: Clock;
  log?: Logger;
  periodMs: number;
  terminatedThreshold: number;
  quarantineMs: number;
}

export interface GcReport {
  orphaned: string[];
  terminating: string[];
  unscheduled: string[];
  terminated: string[];
}

const finished = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class PodGc implements Runnable {
  readonly name = 'pod-gc';
  readonly needLeaderElection = true;
  private readonly log: Logger;
  /** Node name → when the cache was first seen without it. */
  private readonly missingSince = new Map<string, number>();
  private wake?: () => void;

  constructor(private readonly o: PodGcOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'pod-gc' });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await Promise.all([this.o.pods.waitForSync(signal), this.o.nodes.waitForSync(signal)]);
    } catch {
      return;
    }
    const reg = this.o.nodes.addEventHandler({ onDelete: () => this.wake?.() });
    this.missingSince.clear();
    try {
      while (!signal.aborted) {
        await this.gcOnce().catch((err: unknown) => this.log.error({ err }, 'pod GC pass failed'));
        await this.pause(signal);
      }
    } finally {
      reg.remove();
    }
  }

  /** One pass over every rule; returns the keys of the pods it removed. */
  async gcOnce(): Promise<GcReport> {
    const pods = this.o.pods.lister.list();
    const report: GcReport = { orphaned: await this.gcOrphaned(pods), terminating: [], unscheduled: [], terminated: [] };
    report.terminating = await this.forceDelete(pods.filter((p) => p.metadata.deletionTimestamp && this.outOfService(p.spec?.nodeName)));
    report.unscheduled = await this.forceDelete(pods.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName));
    report.terminated = await this.gcTerminated(pods);
    for (const [rule, keys] of Object.entries(report)) if (keys.length) this.log.info({ rule, pods: keys }, 'garbage-collected pods');
    return report;
  }

  private async gcOrphaned(pods: Pod[]): Promise<string[]> {
    const now = this.o.clock.now();
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (!node || this.o.nodes.lister.get(node)) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), p]);
    }
    for (const node of this.missingSince.keys()) if (!byNode.has(node)) this.missingSince.delete(node);
    const removed: string[] = [];
    for (const [node, orphans] of byNode) {
      const since = this.missingSince.get(node) ?? now;
      this.missingSince.set(node, since);
      if (now - since < this.o.quarantineMs || (await this.nodeExists(node))) continue;
      removed.push(...(await this.forceDelete(orphans, 'PodGC: node no longer exists')));
    }
    return removed;
  }

  private async gcTerminated(pods: Pod[]): Promise<string[]> {
    const limit = this.o.terminatedThreshold;
    if (limit <= 0) return [];
    const done = pods.filter(finished);
    if (done.length <= limit) return [];
    const oldest = done.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || objectKey(a).localeCompare(objectKey(b)));
    return this.forceDelete(oldest.slice(0, done.length - limit));
  }

  private outOfService(nodeName: string | undefined): boolean {
    const node = nodeName ? this.o.nodes.lister.get(nodeName) : undefined;
    if (!node || readyStatus(node) === 'True') return false;
    return (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE && t.effect === 'NoExecute');
  }

  private async nodeExists(name: string): Promise<boolean> {
    try {
      await this.o.api.get(NODES, undefined, name);
      return true;
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return false;
      throw err;
    }
  }

  /** Force-deletes `pods` (failing unfinished ones first when `failMessage` is given); returns the keys removed. */
  private async forceDelete(pods: Pod[], failMessage?: string): Promise<string[]> {
    const removed: string[] = [];
    for (let i = 0; i < pods.length; i += PARALLEL) {
      await Promise.all(
        pods.slice(i, i + PARALLEL).map(async (pod) => {
          if (failMessage && !(await this.markFailed(pod, failMessage))) return;
          if (await this.deleteNow(pod)) removed.push(objectKey(pod));
        }),
      );
    }
    return removed;
  }

  private async markFailed(pod: Pod, message: string): Promise<boolean> {
    const cond = { type: 'DisruptionTarget', status: 'True' as const, reason: 'DeletionByPodGC', message };
    const status = withCondition(pod.status, cond, isoTime(this.o.clock));
    const phase = finished(pod) ? pod.status?.phase : 'Failed';
    if (!status && phase === pod.status?.phase) return true;
    return writePodStatus(this.o.api, pod, { ...(status ?? pod.status), phase });
  }

  private async deleteNow(pod: Pod): Promise<boolean> {
    const { namespace, name, uid } = pod.metadata;
    try {
      await this.o.api.delete(PODS, namespace, name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
      return true;
    } catch (err) {
      if (isStatusError(err, 'NotFound') || isStatusError(err, 'Conflict')) return false;
      throw err;
    }
  }

  private pause(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = this.o.clock.setTimeout(done, this.o.periodMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
      function done(): void {
        timer.cancel();
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}

export function podGcController(ctx: ControllerContext): Runnable {
  const { settings } = ctx;
  return new PodGc({
    api: ctx.api,
    pods: ctx.pods(),
    nodes: ctx.nodes(),
    clock: ctx.clock,
    log: ctx.log,
    periodMs: settings.podGcPeriodMs,
    terminatedThreshold: settings.terminatedPodGcThreshold,
    quarantineMs: settings.podGcQuarantineMs,
  });
}
