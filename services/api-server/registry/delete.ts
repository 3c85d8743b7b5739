/**
 * Deletion as Kubernetes does it:
 * - preconditions (uid, resourceVersion) → 409 Conflict when they do not hold;
 * - graceful deletion (pods on a node): `deletionTimestamp` = now + grace and
 *   `deletionGracePeriodSeconds` are set, and the kubelet finishes the job; a later delete may only
 *   shorten the grace; grace 0 removes the object at once;
 * - finalizers (`metadata.finalizers`, and a namespace's `spec.finalizers`): the object is marked
 *   with `deletionTimestamp` and stays until the last finalizer is removed (the registry deletes it
 *   on that update);
 * - propagation (./propagation.ts): `Orphan` adds the `orphan` finalizer and `Foreground` the
 *   `foregroundDeletion` finalizer, for the garbage collector to act on; `Background` (and the
 *   default of most kinds) adds none. A repeated delete with another policy swaps them;
 * - otherwise the object is removed from the store with its expected revision.
 * The answer is the object: its last state when removed, its marked state while it waits.
 */
import { conflict, type Status } from '../../../shared/api/errors.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import type { ResourceInfo } from '../../../shared/api/resources.js';
import type { DeleteOptions } from '../../../shared/client/api.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { Registry } from './registry.js';
import { strategyFor } from './strategies/index.js';
import { propagationFinalizers } from './propagation.js';

export interface DeleteResult {
  object: KubeObject;
  /** True when the object is gone from the store; false while it waits for grace or finalizers. */
  removed: boolean;
}

function secondsLater(clock: Clock, s: number): string {
  return new Date(clock.now() + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hasFinalizers(r: ResourceInfo, obj: KubeObject, finalizers: readonly string[] = obj.metadata.finalizers ?? []): boolean {
  if (finalizers.length > 0) return true;
  return r.plural === 'namespaces' && r.group === '' && ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0;
}

function checkPreconditions(r: ResourceInfo, obj: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  const name = obj.metadata.name ?? '';
  if (p?.uid && p.uid !== obj.metadata.uid) {
    throw conflict(r.plural, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata.uid}`, r.group);
  }
  if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(r.plural, name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`, r.group);
  }
}

export async function deleteObject(
  registry: Registry,
  clock: Clock,
  r: ResourceInfo,
  namespace: string | undefined,
  name: string,
  opts: DeleteOptions = {},
  onMark?: (obj: KubeObject) => KubeObject,
): Promise<DeleteResult> {
  const strategy = strategyFor(r);
  for (;;) {
    const current = await registry.get(r, namespace, name);
    checkPreconditions(r, current, opts);
    strategy.beforeDelete?.(current);
    const grace = strategy.gracePeriod?.(current, opts.gracePeriodSeconds) ?? 0;
    const marked = !!current.metadata.deletionTimestamp;
    const propagation = propagationFinalizers(strategy, current.metadata.finalizers, opts);
    const finalizers = hasFinalizers(r, current, propagation.finalizers);

    const dryRun = (opts.dryRun ?? []).includes('All');
    if (dryRun && !finalizers && grace === 0) return { object: current, removed: true };
    if (!finalizers && grace === 0) {
      try {
        await registry.remove(r, current);
        return { object: current, removed: true };
      } catch (err) {
        if ((err as { reason?: string }).reason === 'Conflict' && !opts.preconditions?.resourceVersion) continue;
        throw err;
      }
    }

    // Already being deleted: only a shorter grace period (or another propagation policy) changes anything.
    const prevGrace = current.metadata.deletionGracePeriodSeconds;
    if (marked && prevGrace !== undefined && grace >= prevGrace && !propagation.changed) return { object: current, removed: false };

    const object = await registry.guaranteedUpdate(
      r,
      namespace,
      name,
      (obj) => {
        checkPreconditions(r, obj, opts);
        const next = propagationFinalizers(strategy, obj.metadata.finalizers, opts);
        if (next.changed && next.finalizers.length) obj.metadata.finalizers = next.finalizers;
        else if (next.changed) delete obj.metadata.finalizers;
        const shortens = grace < (obj.metadata.deletionGracePeriodSeconds ?? Infinity);
        if (strategy.gracePeriod && (!obj.metadata.deletionTimestamp || shortens)) {
          obj.metadata.deletionGracePeriodSeconds = grace;
          obj.metadata.deletionTimestamp = secondsLater(clock, grace);
        } else if (!obj.metadata.deletionTimestamp) {
          obj.metadata.deletionTimestamp = secondsLater(clock, 0);
          obj.metadata.deletionGracePeriodSeconds = 0;
        }
        strategy.markDeleting?.(obj);
        return onMark ? onMark(obj) : obj;
      },
      { setsDeletion: true, dryRun },
    );
    // The registry removes an object whose grace is 0 and whose last finalizer is gone on this write.
    const removed = !hasFinalizers(r, object) && (object.metadata.deletionGracePeriodSeconds ?? 0) === 0;
    return { object, removed };
  }
}

/** The Status kube-apiserver answers for kinds that return a Status on delete. */
export function deletedStatus(r: ResourceInfo, obj: KubeObject): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: obj.metadata.name, group: r.group, kind: r.plural, uid: obj.metadata.uid },
    code: 200,
  };
}
