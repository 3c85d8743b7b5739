/**
 * Which ReplicaSets belong to a Deployment (Kubernetes' controller-ref manager, for ReplicaSets):
 *
 * - controlled by this Deployment (controller ownerReference with its uid) and matching its
 *   selector → ours;
 * - controlled by it but no longer matching → released (our ownerReference removed), unless the
 *   Deployment is being deleted (then it is left as it is);
 * - controlled by anything else → never touched;
 * - not controlled at all, matching, not being deleted → adopted (our controller ownerReference
 *   added, `blockOwnerDeletion: true`), but only after a fresh read confirms the Deployment still
 *   exists with the same uid and is not being deleted (a stale cache must not adopt for a dead owner).
 *
 * Writes are updates conditional on the ReplicaSet's resourceVersion; one that vanished meanwhile
 * is skipped. Returns the claimed ReplicaSets (adopted ones in their updated form).
 */
import type { Deployment, ReplicaSet } from '../../../shared/api/apps.js';
import { isStatusError } from '../../../shared/api/errors.js';
import { controllerOf, type OwnerReference } from '../../../shared/api/meta.js';
import { resourceByPlural } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import type { Selector } from '../../../shared/selectors/labels.js';

const REPLICASETS = resourceByPlural('replicasets');

export interface ClaimDeps {
  api: ApiClient;
  /** A fresh read of the Deployment (not from the cache), or undefined if it is gone. */
  recheck(): Promise<Deployment | undefined>;
}

/** The controller reference a Deployment puts on its ReplicaSets. */
export function ownerRefTo(d: Deployment): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

async function writeOwners(api: ApiClient, rs: ReplicaSet, owners: OwnerReference[]): Promise<ReplicaSet | undefined> {
  const next = structuredClone(rs);
  if (owners.length) next.metadata.ownerReferences = owners;
  else delete next.metadata.ownerReferences;
  try {
    return await api.update<ReplicaSet>(REPLICASETS, next);
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return undefined;
    throw err;
  }
}

export async function claimReplicaSets(deps: ClaimDeps, d: Deployment, selector: Selector, candidates: readonly ReplicaSet[]): Promise<ReplicaSet[]> {
  const claimed: ReplicaSet[] = [];
  const uid = d.metadata.uid;
  const deleting = Boolean(d.metadata.deletionTimestamp);
  let adoptable: boolean | undefined;
  for (const rs of candidates) {
    const ref = controllerOf(rs);
    const matches = selector.matches(rs.metadata.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches || deleting) {
        if (matches) claimed.push(rs);
        continue;
      }
      await writeOwners(deps.api, rs, (rs.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid));
      continue;
    }
    if (!matches || deleting || rs.metadata.deletionTimestamp) continue;
    if (adoptable === undefined) {
      const fresh = await deps.recheck();
      adoptable = Boolean(fresh && fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp);
    }
    if (!adoptable) continue;
    const adopted = await writeOwners(deps.api, rs, [...(rs.metadata.ownerReferences ?? []), ownerRefTo(d)]);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}
