/**
 * The `paths` of one group-version's OpenAPI document, generated from the resource table: for
 * every resource its collection path (namespaced and, for namespaced kinds, across all
 * namespaces), its item path and its subresource paths, each with the operations its verbs allow.
 *
 * Every operation carries `x-kubernetes-action` and `x-kubernetes-group-version-kind` (an object,
 * as kubectl reads it on operations; definitions carry arrays). kubectl relies on two details:
 * - `explain` finds a resource's kind through the GVK of an operation on
 *   `<prefix>/<plural>`, `…/{name}`, `…/namespaces/{namespace}/<plural>` or `…/{name}`;
 * - create/apply look for the kind's PATCH operation and its `fieldValidation` parameter (every
 *   PATCH of a kind, subresources included, must have it: kubectl judges by the first it meets),
 *   and apply computes its patch from the schemas only when that PATCH accepts
 *   `application/strategic-merge-patch+json`.
 *
 * Only what kubemu routes is published (no deprecated `/watch/` paths, no `pretty`).
 * Pure; imports only shared/ and this folder.
 */
import type { GroupVersionKind } from '../../../shared/api/schema/dsl.js';
import { schemaForKind } from '../../../shared/api/schema/registry.js';
import { RESOURCES, type ResourceInfo, type Subresource } from '../../../shared/api/resources.js';
import { groupVersionPath } from '../../../shared/api/paths.js';
import { PATCH_CONTENT_TYPES } from '../../../shared/client/api.js';
import { refTo, type OpenApiSchema } from './schema-objects.js';
import {
  DELETE_COLLECTION_PARAMETERS,
  DELETE_PARAMETERS,
  EXEC_PARAMETERS,
  LIST_PARAMETERS,
  LOG_PARAMETERS,
  NAMESPACE_PARAMETER,
  PORT_FORWARD_PARAMETERS,
  WRITE_PARAMETERS,
  nameParameter,
  type OpenApiParameter,
} from './parameters.js';

type Content = Record<string, { schema: OpenApiSchema }>;

export interface OpenApiOperation {
  description: string;
  operationId: string;
  tags: string[];
  parameters?: OpenApiParameter[];
  requestBody?: { content: Content; required?: boolean };
  responses: Record<string, { description: string; content?: Content }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

export type HttpVerb = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type OpenApiPathItem = { parameters?: OpenApiParameter[] } & Partial<Record<HttpVerb, OpenApiOperation>>;

/** Subresources that upgrade the connection (kube-apiserver's "connect" action). */
const CONNECT = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** The patch media types kubemu's api-server applies (server-side apply is not served). */
const PATCH_TYPES = [PATCH_CONTENT_TYPES.json, PATCH_CONTENT_TYPES.merge, PATCH_CONTENT_TYPES.strategic];

const PATCH_BODY: OpenApiSchema = { type: 'object', description: 'A patch, in the format its Content-Type names.' };
const TEXT: OpenApiSchema = { type: 'string' };
const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

function gvkOf(r: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): GroupVersionKind {
  return { group: r.group, version: r.version, kind: r.kind };
}

/** A `$ref` to the kind's definition, or a plain string when kubemu has no schema for it. */
function kindSchema(g: GroupVersionKind): OpenApiSchema {
  const def = schemaForKind(g.group, g.version, g.kind);
  return def ? { $ref: refTo(def.name) } : TEXT;
}

function json(schema: OpenApiSchema): Content {
  return { 'application/json': { schema } };
}

function responses(schema: OpenApiSchema, codes: readonly string[], content: (s: OpenApiSchema) => Content = json): OpenApiOperation['responses'] {
  const text: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  return Object.fromEntries(codes.map((c) => [c, { description: text[c] ?? c, content: content(schema) }]));
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `CoreV1`, `AppsV1`, `CoordinationV1` — the group-version word of kube-apiserver's operation ids. */
function gvWord(r: ResourceInfo): string {
  return upperFirst(r.group ? r.group.split('.')[0]! : 'core') + upperFirst(r.version);
}

function tagOf(r: ResourceInfo): string {
  return `${r.group ? r.group.split('.')[0] : 'core'}_${r.version}`;
}

interface OpOptions {
  verb: string; // operationId verb: read, list, create, replace, patch, delete, connectGet, …
  action: string;
  description: string;
  gvk: GroupVersionKind;
  responses: OpenApiOperation['responses'];
  parameters?: readonly OpenApiParameter[];
  body?: Content;
  /** Words around the kind in the operation id: `Collection`, `Status`, `ForAllNamespaces`. */
  collection?: boolean;
  suffix?: string;
  allNamespaces?: boolean;
}

function operation(r: ResourceInfo, o: OpOptions): OpenApiOperation {
  const scope = r.namespaced && !o.allNamespaces ? 'Namespaced' : '';
  const id = `${o.verb}${gvWord(r)}${o.collection ? 'Collection' : ''}${scope}${r.kind}${o.suffix ?? ''}${o.allNamespaces ? 'ForAllNamespaces' : ''}`;
  const op: OpenApiOperation = {
    description: o.description,
    operationId: id,
    tags: [tagOf(r)],
    responses: o.responses,
    'x-kubernetes-action': o.action,
    'x-kubernetes-group-version-kind': o.gvk,
  };
  if (o.parameters && o.parameters.length > 0) op.parameters = [...o.parameters];
  if (o.body) op.requestBody = { content: o.body, required: true };
  return op;
}

function collectionItem(r: ResourceInfo, allNamespaces: boolean): OpenApiPathItem {
  const item: OpenApiPathItem = {};
  const g = gvkOf(r);
  const list = kindSchema({ ...g, kind: r.listKind });
  const where = allNamespaces ? ' in every namespace' : r.namespaced ? ' in the namespace' : '';
  if (r.verbs.includes('list')) {
    item.get = operation(r, { verb: 'list', action: 'list', description: `Lists or watches ${r.kind} objects${where}.`, gvk: g, responses: responses(list, ['200']), parameters: LIST_PARAMETERS, allNamespaces });
  }
  if (allNamespaces) return item;
  const kind = kindSchema(g);
  if (r.verbs.includes('create')) {
    item.post = operation(r, { verb: 'create', action: 'post', description: `Creates a ${r.kind}.`, gvk: g, responses: responses(kind, ['200', '201', '202']), parameters: WRITE_PARAMETERS, body: json(kind) });
  }
  if (r.verbs.includes('deletecollection')) {
    const options = json({ $ref: refTo(`${META_V1}DeleteOptions`) });
    item.delete = operation(r, {
      verb: 'delete',
      action: 'deletecollection',
      description: `Deletes every ${r.kind} the selectors match${where}; answers with the deleted objects.`,
      gvk: g,
      responses: responses(list, ['200']),
      parameters: DELETE_COLLECTION_PARAMETERS,
      body: options,
      collection: true,
    });
  }
  return item;
}

function objectItem(r: ResourceInfo): OpenApiPathItem {
  const item: OpenApiPathItem = {};
  const g = gvkOf(r);
  const kind = kindSchema(g);
  if (r.verbs.includes('get')) item.get = operation(r, { verb: 'read', action: 'get', description: `Reads the ${r.kind}.`, gvk: g, responses: responses(kind, ['200']) });
  if (r.verbs.includes('update')) {
    item.put = operation(r, { verb: 'replace', action: 'put', description: `Replaces the ${r.kind}.`, gvk: g, responses: responses(kind, ['200', '201']), parameters: WRITE_PARAMETERS, body: json(kind) });
  }
  if (r.verbs.includes('patch')) item.patch = patchOperation(r, g, kind, `Partially updates the ${r.kind}.`);
  if (r.verbs.includes('delete')) {
    item.delete = operation(r, {
      verb: 'delete',
      action: 'delete',
      description: `Deletes the ${r.kind}; with finalizers or a grace period it stays, marked for deletion, until they are done.`,
      gvk: g,
      responses: responses(kind, ['200', '202']),
      parameters: DELETE_PARAMETERS,
      body: json({ $ref: refTo(`${META_V1}DeleteOptions`) }),
    });
  }
  return item;
}

function patchOperation(r: ResourceInfo, g: GroupVersionKind, result: OpenApiSchema, description: string, suffix?: string): OpenApiOperation {
  const body = Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: PATCH_BODY }]));
  return operation(r, { verb: 'patch', action: 'patch', description, gvk: g, responses: responses(result, ['200', '201']), parameters: WRITE_PARAMETERS, body, suffix });
}

function subresourceItem(r: ResourceInfo, s: Subresource): OpenApiPathItem {
  const item: OpenApiPathItem = {};
  const suffix = upperFirst(s.name);
  const g = s.kind ?? gvkOf(r);
  const target = kindSchema(g);
  const of = `the ${s.name} of the ${r.kind}`;
  if (CONNECT.has(s.name)) {
    const params = s.name === 'exec' ? EXEC_PARAMETERS : s.name === 'portforward' ? PORT_FORWARD_PARAMETERS : [];
    const what = s.name === 'exec' ? 'Runs a command in a container of the Pod' : `Connects to ${of}`;
    for (const [verb, method] of [['get', 'Get'], ['create', 'Post']] as const) {
      if (!s.verbs.includes(verb)) continue;
      const http = verb === 'get' ? 'get' : 'post';
      item[http] = operation(r, {
        verb: `connect${method}`,
        action: 'connect',
        description: `${what}, over an upgraded connection (WebSocket or SPDY).`,
        gvk: g,
        responses: responses(TEXT, ['200'], (x) => ({ '*/*': { schema: x } })),
        parameters: params,
        suffix,
      });
    }
    return item;
  }
  if (s.name === 'log') {
    item.get = operation(r, {
      verb: 'read',
      action: 'get',
      description: 'Reads the log of a container of the Pod, as plain text.',
      gvk: g,
      responses: responses(TEXT, ['200'], (x) => ({ 'text/plain': { schema: x } })),
      parameters: LOG_PARAMETERS,
      suffix,
    });
    return item;
  }
  if (s.verbs.includes('get')) item.get = operation(r, { verb: 'read', action: 'get', description: `Reads ${of}.`, gvk: g, responses: responses(target, ['200']), suffix });
  if (s.verbs.includes('update')) {
    item.put = operation(r, { verb: 'replace', action: 'put', description: `Replaces ${of}.`, gvk: g, responses: responses(target, ['200', '201']), parameters: WRITE_PARAMETERS, body: json(target), suffix });
  }
  if (s.verbs.includes('patch')) item.patch = patchOperation(r, g, target, `Partially updates ${of}.`, suffix);
  if (s.verbs.includes('create')) {
    item.post = operation(r, { verb: 'create', action: 'post', description: `Creates ${of}.`, gvk: g, responses: responses(target, ['200', '201', '202']), parameters: WRITE_PARAMETERS, body: json(target), suffix });
  }
  return item;
}

function withParameters(item: OpenApiPathItem, parameters: OpenApiParameter[]): OpenApiPathItem {
  return parameters.length > 0 ? { parameters, ...item } : item;
}

/** Every path of a group-version, keyed by its templated URL (`/api/v1/namespaces/{namespace}/pods/{name}`). */
export function pathsForGroupVersion(group: string, version: string): Record<string, OpenApiPathItem> {
  const paths: Record<string, OpenApiPathItem> = {};
  const prefix = groupVersionPath(group, version);
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const scoped = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    const scope = r.namespaced ? [NAMESPACE_PARAMETER] : [];
    const named = [nameParameter(r.kind), ...scope];
    paths[scoped] = withParameters(collectionItem(r, false), scope);
    if (r.namespaced && r.verbs.includes('list')) paths[`${prefix}/${r.plural}`] = collectionItem(r, true);
    paths[`${scoped}/{name}`] = withParameters(objectItem(r), named);
    for (const s of r.subresources) paths[`${scoped}/{name}/${s.name}`] = withParameters(subresourceItem(r, s), named);
  }
  return paths;
}
