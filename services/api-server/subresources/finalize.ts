/**
 * `PUT /api/v1/namespaces/{name}/finalize`: replaces a namespace's `spec.finalizers` and nothing
 * else (what the namespace controller uses to let a Terminating namespace go). When the last
 * finalizer of a namespace being deleted goes, the registry removes the namespace.
 */
import { badRequest, methodNotAllowed } from '../../../shared/api/errors.js';
import type { Namespace } from '../../../shared/api/core.js';
import type { ApiRequest, ApiResponse } from '../../../shared/client/api.js';
import type { Registry } from '../registry/registry.js';
import type { SubresourceHandler } from '../resource-handler.js';
import { decodeObject } from '../body.js';
import { ok } from '../request.js';

export function finalizeSubresource(registry: Registry): SubresourceHandler {
  return async (req: ApiRequest, t): Promise<ApiResponse> => {
    if (req.method !== 'PUT') throw methodNotAllowed();
    const body = decodeObject(req.body, req.contentType) as Namespace;
    const finalizers = body.spec?.finalizers ?? [];
    if (!Array.isArray(finalizers) || !finalizers.every((f) => typeof f === 'string')) throw badRequest('spec.finalizers must be a list of strings');
    const updated = await registry.guaranteedUpdate(t.resource, undefined, t.name, (cur) => {
      const ns = cur as Namespace;
      ns.spec = { ...(ns.spec ?? {}), finalizers };
      return ns;
    });
    return ok(updated);
  };
}
