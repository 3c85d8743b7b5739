/**
 * `POST …/pods/{name}/binding` — how the scheduler assigns a pod to a node (and `eviction`, how a
 * pod is evicted through the API).
 *
 * Binding: the body is a v1 Binding whose `target` names a Node; the pod gets `spec.nodeName` and a
 * `PodScheduled=True` condition in one write, as kube-apiserver does. A pod already assigned → 409
 * Conflict (`pod x is already assigned to node y`), a pod being deleted → 409, a target that is not
 * a Node → 400. Answers 201 with a Success Status.
 *
 * Eviction: deletes the pod with the eviction's DeleteOptions (graceful), answering 201 with a
 * Success Status. (kubemu has no PodDisruptionBudgets, so nothing can refuse it.)
 */
import { badRequest, conflict, methodNotAllowed, successStatus } from '../../../shared/api/errors.js';
import type { Pod, PodCondition } from '../../../shared/api/core.js';
import type { ApiRequest, ApiResponse, DeleteOptions } from '../../../shared/client/api.js';
import { isoTime, type Clock } from '../../../shared/runtime/clock.js';
import type { Registry } from '../registry/registry.js';
import type { SubresourceHandler } from '../resource-handler.js';
import { decodeObject } from '../body.js';
import { deleteObject } from '../registry/delete.js';
import { ok } from '../request.js';

interface Binding {
  metadata?: { name?: string };
  target?: { kind?: string; name?: string; apiVersion?: string };
}

export function bindingSubresource(registry: Registry, clock: Clock): SubresourceHandler {
  return async (req: ApiRequest, t): Promise<ApiResponse> => {
    if (req.method !== 'POST') throw methodNotAllowed();
    const b = decodeObject(req.body, req.contentType) as Binding;
    const node = b.target?.name;
    if (!node || (b.target?.kind && b.target.kind !== 'Node')) throw badRequest('binding target must be a Node with a name');
    if (b.metadata?.name && b.metadata.name !== t.name) throw badRequest(`the name of the binding (${b.metadata.name}) does not match the pod (${t.name})`);
    await registry.guaranteedUpdate(t.resource, t.namespace, t.name, (obj) => {
      const pod = obj as Pod;
      if (pod.metadata.deletionTimestamp) throw conflict('pods/binding', t.name, `pod ${t.name} is being deleted, cannot be assigned to a host`);
      if (pod.spec.nodeName) throw conflict('pods/binding', t.name, `pod ${t.name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec.nodeName = node;
      const now = isoTime(clock);
      const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now };
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      pod.status = { ...(pod.status ?? {}), conditions: [...conditions, scheduled] };
      return pod;
    }, { subresource: 'binding' });
    return ok(successStatus(), 201);
  };
}

export function evictionSubresource(registry: Registry, clock: Clock): SubresourceHandler {
  return async (req: ApiRequest, t): Promise<ApiResponse> => {
    if (req.method !== 'POST') throw methodNotAllowed();
    const e = decodeObject(req.body, req.contentType) as { deleteOptions?: DeleteOptions };
    await deleteObject(registry, clock, t.resource, t.namespace, t.name, e.deleteOptions ?? {});
    return ok(successStatus(), 201);
  };
}
