/**
 * The REST verbs on resources: method + (name?) + (subresource?) → registry call, for every kind
 * in the table. Verbs a resource does not list give 405; subresources are dispatched by name
 * (`status` here; others are registered by the modules that own them).
 */
import { methodNotAllowed, unsupportedMediaType, conflict, MODIFIED_CONFLICT, badRequest } from '../../shared/api/errors.js';
import type { KubeList, KubeObject } from '../../shared/api/meta.js';
import { apiVersionOf, type ResourceInfo } from '../../shared/api/resources.js';
import type { ApiRequest, ApiResponse } from '../../shared/client/api.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Registry } from './registry/registry.js';
import type { WatchCache } from './watch-cache.js';
import { decodeBody, decodeObject, mediaType } from './body.js';
import { listObjects } from './list.js';
import { deleteObject } from './registry/delete.js';
import { jsonPatch, mergePatch } from './patch/json-patches.js';
import { deleteOptions, dryRun, listOptions, ok, queryValue } from './request.js';
import { decodeObject as decode, fieldValidation, warningHeader } from './decode.js';

export interface ResourceTarget {
  resource: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type PatchApplier = (r: ResourceInfo, current: KubeObject, patch: unknown) => KubeObject;

/** A subresource handler (scale, binding, log, …) registered by the module that owns it. */
export type SubresourceHandler = (req: ApiRequest, target: Required<Pick<ResourceTarget, 'name'>> & ResourceTarget) => Promise<ApiResponse>;

export interface ResourceHandlerDeps {
  registry: Registry;
  cache: WatchCache;
  clock: Clock;
  subresources: Map<string, SubresourceHandler>; // key: `<plural>/<subresource>`
  patchers: Map<string, PatchApplier>; // media type → applier (strategic merge is added by its module)
}

function requireVerb(r: ResourceInfo, verb: string): void {
  if (!r.verbs.includes(verb)) throw methodNotAllowed(`the server does not allow this method on the requested resource (${verb} ${r.plural})`);
}

function asObject(v: Record<string, unknown>): KubeObject {
  return v as unknown as KubeObject;
}

export function defaultPatchers(): Map<string, PatchApplier> {
  return new Map<string, PatchApplier>([
    ['application/merge-patch+json', (_r, cur, p) => mergePatch(cur, p) as KubeObject],
    ['application/json-patch+json', (_r, cur, p) => jsonPatch(cur, p) as KubeObject],
  ]);
}

export async function handleResource(deps: ResourceHandlerDeps, req: ApiRequest, t: ResourceTarget): Promise<ApiResponse> {
  const { registry, cache, clock } = deps;
  const r = t.resource;
  if (t.subresource && t.subresource !== 'status') {
    const h = deps.subresources.get(`${r.plural}/${t.subresource}`);
    if (!h || t.name === undefined) throw methodNotAllowed(`the server does not support ${t.subresource} on ${r.plural} yet`);
    return h(req, { ...t, name: t.name });
  }
  if (t.name === undefined) {
    switch (req.method) {
      case 'GET':
        requireVerb(r, 'list');
        return ok(await listObjects(registry, cache, r, t.namespace, listOptions(req)));
      case 'POST': {
        requireVerb(r, 'create');
        const d = decode(r, asObject(decodeObject(req.body, req.contentType)), fieldValidation(queryValue(req, 'fieldValidation')));
        return withWarnings(ok(await registry.create(r, t.namespace, d.object, { dryRun: dryRun(req) }), 201), d.warnings);
      }
      case 'DELETE':
        requireVerb(r, 'deletecollection');
        return ok(await deleteCollection(deps, req, t));
      default:
        throw methodNotAllowed();
    }
  }
  const name = t.name;
  switch (req.method) {
    case 'GET':
      requireVerb(r, 'get');
      return ok(await registry.get(r, t.namespace, name));
    case 'PUT': {
      requireVerb(r, 'update');
      const d = decode(r, asObject(decodeObject(req.body, req.contentType)), fieldValidation(queryValue(req, 'fieldValidation')));
      return withWarnings(ok(await registry.update(r, t.namespace, name, d.object, t.subresource, { dryRun: dryRun(req) })), d.warnings);
    }
    case 'PATCH': {
      requireVerb(r, 'patch');
      const warnings: string[] = [];
      return withWarnings(ok(await patchObject(deps, req, t, name, warnings)), warnings);
    }
    case 'DELETE': {
      requireVerb(r, 'delete');
      const res = await deleteObject(registry, clock, r, t.namespace, name, deleteOptions(req));
      return ok(res.object, 200);
    }
    default:
      throw methodNotAllowed();
  }
}

function withWarnings(res: ApiResponse, warnings: string[]): ApiResponse {
  const h = warningHeader([...new Set(warnings)]);
  return h ? { ...res, headers: { ...(res.headers ?? {}), ...h } } : res;
}

async function patchObject(deps: ResourceHandlerDeps, req: ApiRequest, t: ResourceTarget, name: string, warnings: string[]): Promise<KubeObject> {
  const policy = fieldValidation(queryValue(req, 'fieldValidation'));
  const type = mediaType(req.contentType);
  const apply = deps.patchers.get(type);
  if (!apply) throw unsupportedMediaType(type);
  const patch = decodeBody(req.body, req.contentType);
  if (patch === undefined) throw badRequest('the patch is empty');
  const r = t.resource;
  return deps.registry.guaranteedUpdate(r, t.namespace, name, (current) => {
    const patched = apply(r, current, patch);
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) throw badRequest('the patch did not produce an object');
    const rv = patched.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(r.plural, name, MODIFIED_CONFLICT, r.group);
    if (patched.metadata?.name && patched.metadata.name !== name) throw badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
    const d = decode(r, patched, policy);
    warnings.push(...d.warnings);
    return deps.registry.merge(r, current, d.object, t.subresource);
  }, { dryRun: dryRun(req) });
}

async function deleteCollection(deps: ResourceHandlerDeps, req: ApiRequest, t: ResourceTarget): Promise<KubeList> {
  const r = t.resource;
  const opts = deleteOptions(req);
  const list = await listObjects(deps.registry, deps.cache, r, t.namespace, listOptions(req));
  const items: KubeObject[] = [];
  for (const obj of list.items) {
    try {
      items.push((await deleteObject(deps.registry, deps.clock, r, obj.metadata.namespace, obj.metadata.name!, opts)).object);
    } catch (err) {
      if ((err as { reason?: string }).reason !== 'NotFound') throw err;
    }
  }
  return { kind: r.listKind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(deps.cache.revision) }, items };
}
