/**
 * The replica manager: Kubernetes' ReplicaSet controller, run once per kind through an adapter
 * (./rc-adapter.ts for ReplicationControllers, ./rs-adapter.ts for ReplicaSets).
 *
 * Level-based, per owner key (`namespace/name`), from the informer caches:
 * 1. the owner's active pods (./pod-state.ts) are claimed (./claim.ts): matching orphans adopted,
 *    owned pods whose labels stopped matching released;
 * 2. unless the owner is being deleted, or creations/deletions it asked for are not yet visible in
 *    the cache (./expectations.ts), the difference to `spec.replicas` is made up: missing pods are
 *    created from the template in slow-start batches, extras deleted in Kubernetes' order
 *    (./pod-ranking.ts) — at most `burstReplicas` (500) per pass;
 * 3. the status is written when it changed (./replica-status.ts), `ReplicaFailure` included.
 * A failure to manage pods is thrown after the status is written (rate-limited retry). The key is
 * looked at again when a ready pod will have been ready for `minReadySeconds`, and when pending
 * expectations time out.
 *
 * Keys come from the owners' informer and from pods: a pod maps to the owner its controller
 * reference names (if that owner, by uid, is ours), an orphan to every owner whose selector matches
 * it (old and new state on an update, so relabelling reaches both). Expectations are lowered by a
 * pod handler registered before the controller's, so they are current when the key is reconciled.
 * Per-pod work stays in memory: one cached list per pass, no reads from the API except the fresh
 * owner check before an adoption.
 */
import type { Pod } from '../../../shared/api/core.js';
import { isStatusError } from '../../../shared/api/errors.js';
import { controllerOf, objectKey } from '../../../shared/api/meta.js';
import { parseApiVersion } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import type { EventRecorder } from '../../../shared/client/event-recorder.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../../shared/controller/controller.js';
import type { Runnable } from '../../../shared/controller/manager.js';
import type { SharedInformer } from '../../../shared/informer/informer.js';
import { isoTime, type Clock } from '../../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../../shared/runtime/logger.js';
import type { Selector } from '../../../shared/selectors/labels.js';
import type { ControllerContext } from '../context.js';
import { claimPods } from './claim.js';
import { EventBudget } from './event-budget.js';
import { Expectations } from './expectations.js';
import { messageOf, PodControl, slowStartBatch } from './pod-control.js';
import { podsToDelete } from './pod-ranking.js';
import { isPodActive, podAvailableAt } from './pod-state.js';
import { desiredReplicas, minReadySeconds, type ReplicaAdapter, type ReplicaOwner } from './replica-owner.js';
import { calculateStatus, writeStatus } from './replica-status.js';

export const BURST_REPLICAS = 500;
const WORKERS = 5;

export interface ReplicaManagerOptions {
  adapter: ReplicaAdapter;
  api: ApiClient;
  owners: SharedInformer<ReplicaOwner>;
  pods: SharedInformer<Pod>;
  recorder: EventRecorder;
  clock: Clock;
  log?: Logger;
  /** Most pods created or deleted per pass (Kubernetes: 500). */
  burstReplicas?: number;
}

type Failure = { reason: 'FailedCreate' | 'FailedDelete'; message: string; error: unknown };

export class ReplicaManager implements Reconciler {
  readonly expectations: Expectations;
  private readonly log: Logger;
  private readonly podControl: PodControl;
  private readonly selectors = new WeakMap<ReplicaOwner, Selector | null>();

  constructor(private readonly o: ReplicaManagerOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: o.adapter.name });
    this.expectations = new Expectations(o.clock);
    this.podControl = new PodControl(o.api, o.recorder, new EventBudget(o.clock));
    o.pods.addEventHandler({
      onAdd: (pod) => (pod.metadata.deletionTimestamp ? this.observeDeletion(pod) : this.observeCreation(pod)),
      onUpdate: (old, pod) => {
        if (!pod.metadata.deletionTimestamp) return;
        this.observeDeletion(pod);
        if (controllerOf(old)?.uid !== controllerOf(pod)?.uid) this.observeDeletion(old);
      },
      onDelete: (pod) => this.observeDeletion(pod),
    });
  }

  /** A new leadership term knows nothing of the last one's requests. */
  startTerm(): void {
    this.expectations.reset();
  }

  /** The owner keys a pod concerns: its controller (if one of ours), or every owner that would adopt it. */
  ownerKeysOf(pod: Pod): string[] {
    const own = this.controllerKey(pod);
    if (own !== undefined) return own ? [own] : [];
    if (pod.metadata.deletionTimestamp) return [];
    const ns = pod.metadata.namespace ?? '';
    return this.o.owners.lister
      .listNamespace(ns)
      .filter((owner) => this.selectorOf(owner)?.matches(pod.metadata.labels))
      .map(objectKey);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const owner = this.o.owners.lister.get(key);
    if (!owner) {
      this.expectations.forget(key);
      return;
    }
    const selector = this.selectorOf(owner);
    if (!selector) return;
    const uid = owner.metadata.uid;
    const needsSync = this.expectations.satisfied(key, uid);
    const active = this.o.pods.lister.listNamespace(owner.metadata.namespace ?? '').filter(isPodActive);
    const claim = await claimPods(this.o.api, this.o.adapter, owner, selector, active);
    if (claim.adopted.length || claim.released.length) this.log.info({ owner: key, adopted: claim.adopted, released: claim.released }, 'claimed pods');
    if (claim.errors.length) throw claim.errors[0];

    const failure = needsSync && !owner.metadata.deletionTimestamp ? await this.manage(key, owner, claim.claimed) : undefined;
    const now = this.o.clock.now();
    const status = calculateStatus({ owner, pods: claim.claimed, failure, now, nowIso: isoTime(this.o.clock) });
    try {
      await writeStatus(this.o.api, this.o.adapter, owner, status);
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
    if (failure) throw failure.error;
    return this.nextLook(key, owner, claim.claimed, now);
  }

  /** Creates or deletes pods toward `spec.replicas`; answers the failure, if any. */
  private async manage(key: string, owner: ReplicaOwner, pods: Pod[]): Promise<Failure | undefined> {
    const { adapter } = this.o;
    const burst = this.o.burstReplicas ?? BURST_REPLICAS;
    const uid = owner.metadata.uid ?? '';
    const diff = pods.length - desiredReplicas(owner);
    if (diff < 0) {
      const want = Math.min(-diff, burst);
      this.expectations.expectCreations(key, uid, want);
      const { done, error } = await slowStartBatch(want, () => this.podControl.create(adapter, owner));
      // Creates that failed or were never sent will not show up in the informer: stop expecting them.
      if (want - done > 0) this.expectations.creationObserved(key, want - done);
      this.log.info({ owner: key, want: desiredReplicas(owner), had: pods.length, created: done }, 'created pods');
      return error === undefined ? undefined : { reason: 'FailedCreate', message: messageOf(error), error };
    }
    if (diff > 0) {
      const victims = podsToDelete(pods, this.relatedPods(owner), Math.min(diff, burst), this.o.clock.now());
      this.expectations.expectDeletions(key, uid, victims.map(objectKey));
      const results = await Promise.allSettled(victims.map((pod) => this.podControl.delete(owner, pod)));
      let error: unknown;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled' && r.value) return;
        this.expectations.deletionObserved(key, objectKey(victims[i]));
        if (r.status === 'rejected') error ??= r.reason;
      });
      this.log.info({ owner: key, want: desiredReplicas(owner), had: pods.length, deleted: victims.map((p) => p.metadata.name) }, 'deleted pods');
      return error === undefined ? undefined : { reason: 'FailedDelete', message: messageOf(error), error };
    }
    return undefined;
  }

  /** Active pods of the owner's family (the owners sharing its controller, e.g. a Deployment's ReplicaSets). */
  private relatedPods(owner: ReplicaOwner): Pod[] {
    const parent = controllerOf(owner);
    if (!parent) return [];
    const ns = owner.metadata.namespace ?? '';
    const siblings = this.o.owners.lister.listNamespace(ns).filter((o) => controllerOf(o)?.uid === parent.uid);
    const seen = new Map<string, Pod>();
    for (const pod of this.o.pods.lister.listNamespace(ns)) {
      if (seen.has(pod.metadata.uid ?? '')) continue;
      if (siblings.some((s) => this.selectorOf(s)?.matches(pod.metadata.labels))) seen.set(pod.metadata.uid ?? '', pod);
    }
    return [...seen.values()];
  }

  private nextLook(key: string, owner: ReplicaOwner, pods: Pod[], now: number): ReconcileResult | void {
    const minReady = minReadySeconds(owner);
    let at = Infinity;
    for (const pod of pods) {
      const t = podAvailableAt(pod, minReady);
      if (t !== undefined && t > now) at = Math.min(at, t);
    }
    const waits = [at - now, this.expectations.pendingFor(key) ?? Infinity].filter((ms) => Number.isFinite(ms));
    return waits.length ? { requeueAfterMs: Math.max(1, Math.min(...waits)) } : undefined;
  }

  private selectorOf(owner: ReplicaOwner): Selector | undefined {
    let s = this.selectors.get(owner);
    if (s === undefined) {
      try {
        s = this.o.adapter.selector(owner);
      } catch (err) {
        this.log.warn({ owner: objectKey(owner), err: messageOf(err) }, 'invalid selector: owner left alone');
        s = null;
      }
      this.selectors.set(owner, s);
    }
    return s ?? undefined;
  }

  /** The key of the owner controlling `pod` when it is of our kind: '' when that owner is not ours (or gone), undefined for an orphan. */
  private controllerKey(pod: Pod): string | undefined {
    const ref = controllerOf(pod);
    if (!ref) return undefined;
    const r = this.o.adapter.resource;
    if (ref.kind !== r.kind || parseApiVersion(ref.apiVersion).group !== r.group) return '';
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return this.o.owners.lister.get(key)?.metadata.uid === ref.uid ? key : '';
  }

  private observeCreation(pod: Pod): void {
    const key = this.controllerKey(pod);
    if (key) this.expectations.creationObserved(key);
  }

  private observeDeletion(pod: Pod): void {
    const key = this.controllerKey(pod);
    if (key) this.expectations.deletionObserved(key, objectKey(pod));
  }
}

/** The registry's factory for one kind: `replicaManagerController(rcAdapter)`. */
export function replicaManagerController(adapter: ReplicaAdapter, opts: { workers?: number; burstReplicas?: number } = {}): (ctx: ControllerContext) => Runnable {
  return (ctx) => {
    const owners = ctx.informer<ReplicaOwner>(adapter.resource);
    const pods = ctx.pods();
    const manager = new ReplicaManager({
      adapter,
      api: ctx.api,
      owners,
      pods,
      recorder: ctx.recorder(adapter.eventSource),
      clock: ctx.clock,
      log: ctx.log,
      burstReplicas: opts.burstReplicas,
    });
    const controller = new Controller({ name: adapter.name, reconciler: manager, clock: ctx.clock, log: ctx.log, workers: opts.workers ?? WORKERS })
      .watch(owners)
      .watch(pods, (pod) => manager.ownerKeysOf(pod));
    return {
      name: controller.name,
      needLeaderElection: true,
      run(signal) {
        manager.startTerm();
        return controller.run(signal);
      },
    };
  };
}
