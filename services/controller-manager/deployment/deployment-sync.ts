/**
 * One reconcile of one Deployment: the state it works on and the writes it makes, shared by the
 * rolling, recreate and scaling paths.
 *
 * - `d` is always the latest version of the Deployment this reconcile knows (every write replaces
 *   it), `rsList` its claimed ReplicaSets, kept current the same way (`fresh(rs)` gives the latest
 *   version of one). Every write is conditional on the resourceVersion read, so a stale cache can
 *   only cause a Conflict (the key is retried), never a wrong write.
 * - `replicaSets(create)` finds the new ReplicaSet and the old ones and brings the revision
 *   bookkeeping up to date (./history.ts): the new ReplicaSet's annotations and minReadySeconds,
 *   the Deployment's revision annotation, a first `Progressing` condition. With `create`, a missing
 *   new ReplicaSet is created: `<deployment>-<hash>`, the hash added to its labels, selector and
 *   template, controlled by the Deployment, sized by the strategy, with a `ScalingReplicaSet` Event
 *   ("Scaled up replica set x to 3 from 0"). A name taken by a ReplicaSet that is not ours with
 *   this template is a hash collision: `status.collisionCount` goes up (a new name next time).
 * - The Deployment's annotations live in the main resource and its status in the status
 *   subresource, so saving may take two writes (annotations first).
 * - `scaleReplicaSet` sets replicas and the desired/max-replicas annotations in one write and
 *   records `Scaled up|down replica set x to N from M` when the size changed.
 */
import type { Deployment, ReplicaSet } from '../../../shared/api/apps.js';
import { isStatusError } from '../../../shared/api/errors.js';
import { controllerOf } from '../../../shared/api/meta.js';
import { resourceByPlural } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import type { EventRecorder } from '../../../shared/client/event-recorder.js';
import type { ReconcileResult } from '../../../shared/controller/controller.js';
import { isoTime, type Clock } from '../../../shared/runtime/clock.js';
import type { Logger } from '../../../shared/runtime/logger.js';
import { ownerRefTo } from './claim.js';
import { hasProgressDeadline, maxSurge, minReadySecondsOf, replicasOf } from './deployment-spec.js';
import { replicasAnnotationsNeedUpdate, replicaSetsToCleanUp, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations } from './history.js';
import {
  calculateStatus, getCondition, newCondition, pausedCondition, progressCheckAfterMs, PROGRESSING, REASON, rolloutStatus, setCondition, type DeploymentStatus,
} from './progress.js';
import { findNewReplicaSet, maxRevision, oldReplicaSets, REVISION, specReplicas } from './replica-sets.js';
import { newRSNewReplicas } from './rolling.js';
import { computeHash, equalIgnoringHash, POD_TEMPLATE_HASH, sameContent } from './template-hash.js';

export const DEPLOYMENTS = resourceByPlural('deployments');
export const REPLICASETS = resourceByPlural('replicasets');

export interface SyncDeps {
  api: ApiClient;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
}

export interface ReplicaSetsOf<New extends ReplicaSet | undefined = ReplicaSet | undefined> {
  newRS: New;
  oldRSs: ReplicaSet[];
}

const clone = <T>(v: T): T => structuredClone(v);

export class DeploymentSync {
  d: Deployment;
  rsList: ReplicaSet[];

  constructor(private readonly deps: SyncDeps, d: Deployment, rsList: readonly ReplicaSet[]) {
    this.d = clone(d);
    this.rsList = rsList.map(clone);
  }

  get now(): string {
    return isoTime(this.deps.clock);
  }

  /** The latest version of `rs` this reconcile has seen. */
  fresh<T extends ReplicaSet | undefined>(rs: T): T {
    if (!rs) return rs;
    return (this.rsList.find((x) => x.metadata.uid === rs.metadata.uid) ?? rs) as T;
  }

  freshAll(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
    return rss.filter((rs): rs is ReplicaSet => rs !== undefined).map((rs) => this.fresh(rs));
  }

  private remember(rs: ReplicaSet): ReplicaSet {
    const i = this.rsList.findIndex((x) => x.metadata.uid === rs.metadata.uid);
    if (i >= 0) this.rsList[i] = rs;
    else this.rsList.push(rs);
    return rs;
  }

  async replicaSets(create: true): Promise<ReplicaSetsOf<ReplicaSet>>;
  async replicaSets(create: false): Promise<ReplicaSetsOf>;
  async replicaSets(create: boolean): Promise<ReplicaSetsOf> {
    const existing = findNewReplicaSet(this.d, this.rsList);
    const oldRSs = oldReplicaSets(this.rsList, existing);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) return { newRS: await this.syncExisting(existing, newRevision), oldRSs };
    if (!create) return { newRS: undefined, oldRSs };
    return { newRS: await this.createNew(oldRSs, newRevision), oldRSs };
  }

  private async syncExisting(existing: ReplicaSet, newRevision: number): Promise<ReplicaSet> {
    const rs = clone(existing);
    const annotated = setNewReplicaSetAnnotations(this.d, rs, newRevision, true, 0, 0);
    if (annotated || (rs.spec.minReadySeconds ?? 0) !== minReadySecondsOf(this.d)) {
      rs.spec.minReadySeconds = minReadySecondsOf(this.d);
      // The Deployment's revision follows on the next pass, from the updated ReplicaSet.
      return this.remember(await this.deps.api.update<ReplicaSet>(REPLICASETS, rs));
    }
    const next = clone(this.d);
    let changed = setDeploymentRevision(next, rs.metadata.annotations?.[REVISION]);
    if (hasProgressDeadline(next) && !getCondition(next.status, PROGRESSING)) {
      next.status ??= {};
      setCondition(next.status, newCondition(PROGRESSING, 'True', REASON.foundNewRS, `Found new replica set "${rs.metadata.name}"`, this.now));
      changed = true;
    }
    if (changed) await this.save(next);
    return rs;
  }

  private async createNew(oldRSs: ReplicaSet[], newRevision: number): Promise<ReplicaSet> {
    const d = this.d;
    const hash = computeHash(d.spec.template, d.status?.collisionCount);
    const template = clone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
    const selector = clone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const name = `${d.metadata.name}-${hash}`;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [ownerRefTo(d)],
      },
      spec: { replicas: 0, minReadySeconds: minReadySecondsOf(d), selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    const desired = replicasOf(d);
    setNewReplicaSetAnnotations(d, rs, newRevision, false, desired, desired + maxSurge(d));
    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.deps.api.create<ReplicaSet>(REPLICASETS, d.metadata.namespace, rs);
    } catch (err) {
      if (!isStatusError(err, 'AlreadyExists')) return this.failedCreate(name, err);
      const found = await this.deps.api.get<ReplicaSet>(REPLICASETS, d.metadata.namespace, name);
      if (controllerOf(found)?.uid !== d.metadata.uid || !equalIgnoringHash(d.spec.template, found.spec.template)) {
        const next = clone(d);
        next.status = { ...(next.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
        await this.save(next);
        this.deps.log.info({ deployment: d.metadata.name, replicaSet: name, collisionCount: next.status.collisionCount }, 'pod-template hash collision; a new name next time');
        throw err;
      }
      created = found;
      alreadyExists = true;
    }
    this.remember(created);
    if (!alreadyExists && specReplicas(created) > 0) this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} to ${specReplicas(created)} from 0`);
    const next = clone(this.d);
    let changed = setDeploymentRevision(next, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(next)) {
      next.status ??= {};
      setCondition(next.status, newCondition(PROGRESSING, 'True', REASON.newRSCreated, `Created new replica set "${name}"`, this.now));
      changed = true;
    }
    if (changed) await this.save(next);
    return created;
  }

  private async failedCreate(name: string, err: unknown): Promise<never> {
    const msg = `Failed to create new replica set "${name}": ${(err as Error).message}`;
    if (hasProgressDeadline(this.d)) {
      const next = clone(this.d);
      next.status ??= {};
      setCondition(next.status, newCondition(PROGRESSING, 'False', REASON.failedRSCreate, msg, this.now));
      await this.save(next).catch(() => undefined);
    }
    this.event('Warning', REASON.failedRSCreate, msg);
    throw err;
  }

  /** Writes what changed in `next` against `this.d`: annotations (main resource), then status. */
  async save(next: Deployment): Promise<void> {
    const { api } = this.deps;
    if (!sameContent(next.metadata.annotations, this.d.metadata.annotations)) {
      this.d = await api.update<Deployment>(DEPLOYMENTS, { ...next, metadata: { ...next.metadata, resourceVersion: this.d.metadata.resourceVersion }, status: this.d.status });
    }
    if (!sameContent(next.status, this.d.status)) {
      this.d = await api.update<Deployment>(DEPLOYMENTS, { ...this.d, status: next.status }, 'status');
    }
  }

  async writeStatus(status: DeploymentStatus): Promise<void> {
    await this.save({ ...this.d, status });
  }

  async scaleReplicaSetAndRecordEvent(rs: ReplicaSet, newScale: number): Promise<boolean> {
    const current = this.fresh(rs);
    if (specReplicas(current) === newScale) return false;
    return this.scaleReplicaSet(current, newScale, specReplicas(current) < newScale ? 'up' : 'down');
  }

  async scaleReplicaSet(rs: ReplicaSet, newScale: number, operation: string): Promise<boolean> {
    const current = this.fresh(rs);
    const desired = replicasOf(this.d);
    const max = desired + maxSurge(this.d);
    const resize = specReplicas(current) !== newScale;
    if (!resize && !replicasAnnotationsNeedUpdate(current, desired, max)) return false;
    const next = clone(current);
    next.spec.replicas = newScale;
    setReplicasAnnotations(next, desired, max);
    const updated = this.remember(await this.deps.api.update<ReplicaSet>(REPLICASETS, next));
    if (resize) this.event('Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${updated.metadata.name} to ${newScale} from ${specReplicas(current)}`);
    return resize;
  }

  /** Deletes old ReplicaSets beyond the revision history limit. */
  async cleanup(oldRSs: readonly ReplicaSet[]): Promise<void> {
    for (const rs of replicaSetsToCleanUp(this.freshAll(oldRSs), this.d)) {
      try {
        await this.deps.api.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name ?? '', { preconditions: { uid: rs.metadata.uid } });
        this.deps.log.info({ deployment: this.d.metadata.name, replicaSet: rs.metadata.name }, 'deleted old replica set beyond the revision history limit');
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
      }
    }
  }

  /** Counts and Available only (paused, scaling, deleting). */
  async syncDeploymentStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = calculateStatus(this.freshAll(allRSs), this.fresh(newRS), this.d, this.now);
    if (!sameContent(status, this.d.status)) await this.writeStatus(status);
  }

  /** Counts, Available and Progressing; asks to be looked at again when a deadline may pass unnoticed. */
  async syncRolloutStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<ReconcileResult | void> {
    const nowMs = this.deps.clock.now();
    const status = rolloutStatus(this.freshAll(allRSs), this.fresh(newRS), this.d, nowMs);
    if (!sameContent(status, this.d.status)) return this.writeStatus(status);
    const after = progressCheckAfterMs(this.d, status, nowMs);
    return after === undefined ? undefined : { requeueAfterMs: after };
  }

  /** Records the Progressing condition a pause or a resume calls for. */
  async checkPausedConditions(): Promise<void> {
    const cond = pausedCondition(this.d, this.now);
    if (!cond) return;
    const status = clone(this.d.status ?? {});
    setCondition(status, cond);
    await this.writeStatus(status);
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.record(this.d, type, reason, message);
  }
}
