/**
 * The `scale` subresource of replicationcontrollers, replicasets and deployments: an
 * `autoscaling/v1` Scale view of `spec.replicas` (status: current replicas and the selector as a
 * string), what `kubectl scale` and the HPA read and write. GET answers the view; PUT and PATCH
 * (merge, JSON or strategic — a Scale has no lists, so strategic is merge) change only
 * `spec.replicas`, with the Scale's resourceVersion as a precondition when given.
 */
import { badRequest, conflict, MODIFIED_CONFLICT, unsupportedMediaType } from '../../../shared/api/errors.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import type { Scale } from '../../../shared/api/apps.js';
import type { ApiRequest, ApiResponse } from '../../../shared/client/api.js';
import { labelSelectorToString, selectorFromSet } from '../../../shared/selectors/labels.js';
import type { Registry } from '../registry/registry.js';
import type { SubresourceHandler } from '../resource-handler.js';
import { decodeBody, mediaType } from '../body.js';
import { jsonPatch, mergePatch } from '../patch/json-patches.js';
import { dryRun, ok } from '../request.js';

type Scalable = KubeObject & { spec?: { replicas?: number; selector?: unknown }; status?: { replicas?: number } };

export function scaleOf(obj: KubeObject): Scale {
  const o = obj as Scalable;
  const sel = o.spec?.selector;
  const selector = !sel ? '' : 'matchLabels' in (sel as object) || 'matchExpressions' in (sel as object) ? labelSelectorToString(sel as never) : selectorFromSet(sel as Record<string, string>).toString();
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector },
  };
}

function replicasOf(scale: unknown): number {
  const r = (scale as { spec?: { replicas?: unknown } } | undefined)?.spec?.replicas;
  if (r === undefined) return 0;
  if (typeof r !== 'number' || !Number.isInteger(r)) throw badRequest('Scale.spec.replicas must be an integer');
  if (r < 0) throw badRequest('Scale.spec.replicas must be greater than or equal to 0');
  return r;
}

export function scaleSubresource(registry: Registry): SubresourceHandler {
  return async (req: ApiRequest, t): Promise<ApiResponse> => {
    const r = t.resource;
    if (req.method === 'GET') return ok(scaleOf(await registry.get(r, t.namespace, t.name)));
    if (req.method !== 'PUT' && req.method !== 'PATCH') throw badRequest(`${req.method} is not supported on ${r.plural}/scale`);
    const body = decodeBody(req.body, req.contentType);
    const updated = await registry.guaranteedUpdate(r, t.namespace, t.name, (current) => {
      const view = scaleOf(current);
      let next: unknown;
      if (req.method === 'PUT') next = body;
      else {
        const type = mediaType(req.contentType);
        if (type === 'application/json-patch+json') next = jsonPatch(view, body);
        else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') next = mergePatch(view, body);
        else throw unsupportedMediaType(type);
      }
      const rv = (next as Scale | undefined)?.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw conflict(r.plural, t.name, MODIFIED_CONFLICT, r.group);
      (current as Scalable).spec = { ...((current as Scalable).spec ?? {}), replicas: replicasOf(next) };
      return current;
    }, { dryRun: dryRun(req) });
    return ok(scaleOf(updated));
  };
}
