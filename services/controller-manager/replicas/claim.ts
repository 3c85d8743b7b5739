/**
 * Which pods an owner controls, made true in the API (Kubernetes' pod controller-ref manager):
 * given the owner's active pods in its namespace,
 *
 * - a pod controlled by this owner (controller reference with its uid) whose labels still match the
 *   selector is kept; one whose labels no longer match is **released**: the reference is removed,
 *   so relabelling a pod takes it out of its ReplicationController and a replacement is made. While
 *   the owner is being deleted nothing is released (the garbage collector owns that moment).
 * - a pod controlled by anything else is left alone, whatever its labels.
 * - an orphan (no controller reference) that matches the selector and is not being deleted is
 *   **adopted**: the owner's controller reference is added. Adoption needs the owner to be alive:
 *   before the first adoption the owner is read fresh from the API (not the cache) and must have
 *   the same uid and no deletionTimestamp, or nothing is adopted.
 *
 * Changes go through `patchMetadata` (a merge patch guarded by the pod's resourceVersion, retried
 * on the fresh pod), a bounded number at a time. A pod that vanished meanwhile is simply not
 * claimed. Any other failure is collected: the pods claimed so far are still reported, and
 * `errors` is non-empty, so the caller can requeue instead of acting on a partial picture.
 */
import type { Pod } from '../../../shared/api/core.js';
import { conflict } from '../../../shared/api/errors.js';
import { controllerOf } from '../../../shared/api/meta.js';
import { resourceByPlural } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import type { Selector } from '../../../shared/selectors/labels.js';
import { patchMetadata } from '../metadata-patch.js';
import { controllerRefTo, type ReplicaAdapter, type ReplicaOwner } from './replica-owner.js';

const PODS = resourceByPlural('pods');
const PARALLEL = 16;

export interface ClaimResult {
  claimed: Pod[];
  adopted: string[];
  released: string[];
  errors: unknown[];
}

export async function claimPods(api: ApiClient, adapter: ReplicaAdapter, owner: ReplicaOwner, selector: Selector, pods: readonly Pod[]): Promise<ClaimResult> {
  const uid = owner.metadata.uid;
  const deleting = !!owner.metadata.deletionTimestamp;
  const result: ClaimResult = { claimed: [], adopted: [], released: [], errors: [] };
  const toRelease: Pod[] = [];
  const toAdopt: Pod[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    const matches = selector.matches(pod.metadata.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) result.claimed.push(pod);
      else if (!deleting) toRelease.push(pod);
    } else if (matches && !deleting && !pod.metadata.deletionTimestamp) {
      toAdopt.push(pod);
    }
  }

  await inParallel(toRelease, async (pod) => {
    const out = await patchMetadata(api, PODS, pod, (p) => {
      const refs = p.metadata.ownerReferences ?? [];
      return refs.some((r) => r.uid === uid) ? { ownerReferences: refs.filter((r) => r.uid !== uid) } : undefined;
    });
    if (out.status === 'patched') result.released.push(pod.metadata.name ?? '');
  }, result.errors);

  if (toAdopt.length > 0) {
    const fresh = await canAdopt(api, adapter, owner);
    if (fresh !== true) result.errors.push(fresh);
    else {
      const ref = controllerRefTo(adapter, owner);
      await inParallel(toAdopt, async (pod) => {
        const out = await patchMetadata(api, PODS, pod, (p) => {
          if (controllerOf(p) || p.metadata.deletionTimestamp || !selector.matches(p.metadata.labels)) return undefined;
          return { ownerReferences: [...(p.metadata.ownerReferences ?? []), ref] };
        });
        if (out.status === 'patched') {
          result.claimed.push(out.object);
          result.adopted.push(pod.metadata.name ?? '');
        }
      }, result.errors);
    }
  }
  return result;
}

/** True when the owner, read fresh, is the same object and not being deleted; otherwise why not. */
async function canAdopt(api: ApiClient, adapter: ReplicaAdapter, owner: ReplicaOwner): Promise<true | Error> {
  const { namespace, name = '', uid } = owner.metadata;
  let fresh: ReplicaOwner;
  try {
    fresh = await api.get<ReplicaOwner>(adapter.resource, namespace, name);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const { plural, group, kind } = adapter.resource;
  if (fresh.metadata.uid !== uid) return conflict(plural, name, `original ${kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`, group);
  if (fresh.metadata.deletionTimestamp) return conflict(plural, name, `${kind} ${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`, group);
  return true;
}

async function inParallel(pods: readonly Pod[], fn: (pod: Pod) => Promise<void>, errors: unknown[]): Promise<void> {
  for (let i = 0; i < pods.length; i += PARALLEL) {
    const results = await Promise.allSettled(pods.slice(i, i + PARALLEL).map(fn));
    for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
  }
}
