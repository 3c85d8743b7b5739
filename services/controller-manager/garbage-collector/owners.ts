/**
 * What each owner reference of an object amounts to (Kubernetes' classification of references),
 * always by uid:
 *
 * - **solid**: the owner exists and is not waiting for its dependents' deletion;
 * - **waiting**: the owner exists and is being deleted in the foreground (deletionTimestamp +
 *   `foregroundDeletion`), so its dependents must go;
 * - **dangling**: no object with that uid exists — it was seen deleted, or the API answers NotFound
 *   for the name, or has another object (another uid) under it. A namespaced owner is looked for in
 *   the dependent's namespace only, so a reference across namespaces dangles;
 * - **unresolved**: the owner's existence cannot be decided — its kind is not one kubemu serves, or
 *   a cluster-scoped object names a namespaced owner. These count like solid ones: an object is
 *   never collected on a guess.
 *
 * The graph answers for owners it has observed (the informers' view); only an owner it has not
 * observed costs a GET to the API (a cache that lags never gets anything deleted), and an owner
 * found missing is remembered in the graph as gone. Errors other than NotFound are thrown.
 */
import { isStatusError } from '../../../shared/api/errors.js';
import type { KubeObject, OwnerReference } from '../../../shared/api/meta.js';
import { resourceForKind } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import { deletingDependents, type GraphNode, type OwnerGraph } from './graph.js';

export interface OwnerClasses {
  solid: OwnerReference[];
  waiting: OwnerReference[];
  dangling: OwnerReference[];
  unresolved: OwnerReference[];
}

type Verdict = keyof OwnerClasses;

export async function classifyOwners(api: ApiClient, graph: OwnerGraph, node: GraphNode): Promise<OwnerClasses> {
  const out: OwnerClasses = { solid: [], waiting: [], dangling: [], unresolved: [] };
  for (const ref of node.meta.ownerReferences ?? []) out[await verdict(api, graph, node, ref)].push(ref);
  return out;
}

async function verdict(api: ApiClient, graph: OwnerGraph, node: GraphNode, ref: OwnerReference): Promise<Verdict> {
  const dependentNs = node.meta.namespace;
  const owner = graph.get(ref.uid);
  if (owner && (!owner.resource.namespaced || owner.meta.namespace === dependentNs)) {
    return deletingDependents(owner.meta) ? 'waiting' : 'solid';
  }
  if (graph.isGone(ref.uid)) return 'dangling';
  const r = resourceForKind(ref.apiVersion, ref.kind);
  if (!r || (r.namespaced && !dependentNs)) return 'unresolved';
  let live: KubeObject;
  try {
    live = await api.get(r, r.namespaced ? dependentNs : undefined, ref.name);
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
    graph.markGone(ref.uid);
    return 'dangling';
  }
  if (live.metadata.uid !== ref.uid) {
    graph.markGone(ref.uid);
    return 'dangling';
  }
  return deletingDependents(live.metadata) ? 'waiting' : 'solid';
}
