/**
 * The OpenAPI v3 documents are what kubectl needs from them: a root index over every served
 * group-version with stable hashed URLs; per group-version documents whose references all resolve,
 * whose kinds carry their GVK and a PATCH operation with `fieldValidation`, whose schemas give
 * `kubectl explain` the Kubernetes type names and required markers and give `kubectl apply` the
 * merge keys of every list; and the handler's caching and error answers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { RESOURCES, servedGroups, type ResourceInfo } from '../../shared/api/resources.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { StatusError } from '../../shared/api/errors.js';
import type { ApiRequest } from '../../shared/client/api.js';
import { buildOpenApiDocuments, groupVersionKey, type OpenApiDocuments } from '../../services/api-server/openapi/documents.js';
import { createOpenApiHandler } from '../../services/api-server/openapi/handler.js';
import { WireReader } from '../../services/api-server/protobuf/wire.js';
import { definitionForKind, resolve, resolveRef, typeGuess, unknownFields } from '../support/openapi-walk.js';

const docs: OpenApiDocuments = buildOpenApiDocuments();
const docOf = (group: string, version: string): any => JSON.parse(docs.byKey.get(groupVersionKey(group, version))!.body);
const coreV1 = docOf('', 'v1');
const appsV1 = docOf('apps', 'v1');
const gvk = (r: Pick<ResourceInfo, 'group' | 'version' | 'kind'>) => ({ group: r.group, version: r.version, kind: r.kind });
const groupVersions = servedGroups().flatMap((g) => g.versions.map((version) => ({ group: g.group, version })));
const MANIFESTS = join(import.meta.dirname, '../fixtures/manifests');

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

function operations(doc: any): { path: string; method: string; op: any }[] {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    ['get', 'post', 'put', 'patch', 'delete'].filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
  );
}

/** The property schema at a dotted path from a kind's root, stepping through lists like explain does. */
function field(doc: any, kind: { group: string; version: string; kind: string }, path: string): any {
  let schema = definitionForKind(doc, kind);
  let prop: any;
  for (const step of path.split('.')) {
    prop = schema.properties[step];
    expect(prop, `${kind.kind}.${path}: ${step}`).toBeDefined();
    let next = prop;
    while (next.items) next = next.items;
    schema = resolve(next, doc);
  }
  return prop;
}

describe('OpenAPI v3 root index', () => {
  it('points at every served group-version with a hashed URL', () => {
    const root = JSON.parse(docs.root);
    expect(Object.keys(root.paths).sort()).toEqual(groupVersions.map((g) => groupVersionKey(g.group, g.version)).sort());
    expect(root.paths['api/v1'].serverRelativeURL).toBe(`/openapi/v3/api/v1?hash=${docs.byKey.get('api/v1')!.hash}`);
    expect(root.paths['apis/apps/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  });

  it('hashes the same documents to the same bytes and hashes on every build, and differently per group-version', () => {
    const again = buildOpenApiDocuments();
    expect(again.root).toBe(docs.root);
    for (const [key, d] of docs.byKey) {
      expect(again.byKey.get(key)!.body).toBe(d.body);
      expect(again.byKey.get(key)!.hash).toBe(d.hash);
    }
    expect(new Set([...docs.byKey.values()].map((d) => d.hash)).size).toBe(docs.byKey.size);
  });
});

describe.each(groupVersions)('OpenAPI v3 document of $group/$version', ({ group, version }) => {
  const doc = docOf(group, version);
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);

  it('is an OpenAPI 3.0 document whose every $ref resolves', () => {
    expect(doc.openapi).toBe('3.0.0');
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolveRef(ref, doc), ref).toBeDefined();
  });

  it('gives every patchable kind a PATCH operation tagged with its GVK, taking fieldValidation and strategic merge patches', () => {
    for (const r of resources.filter((x) => x.verbs.includes('patch'))) {
      const patches = operations(doc).filter((o) => o.method === 'patch' && JSON.stringify(o.op['x-kubernetes-group-version-kind']) === JSON.stringify(gvk(r)));
      expect(patches.length, r.kind).toBeGreaterThan(0);
      for (const { op } of patches) {
        expect(op['x-kubernetes-action']).toBe('patch');
        expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
        expect(Object.keys(op.requestBody.content)).toContain('application/strategic-merge-patch+json');
      }
    }
  });

  it('tags every operation with an action and a single GVK object', () => {
    for (const { path, method, op } of operations(doc)) {
      expect(op['x-kubernetes-action'], `${method} ${path}`).toMatch(/^(get|list|post|put|patch|delete|deletecollection|connect)$/);
      expect(Array.isArray(op['x-kubernetes-group-version-kind'])).toBe(false);
      expect(Object.keys(op['x-kubernetes-group-version-kind']).sort()).toEqual(['group', 'kind', 'version']);
      expect(op.operationId).toMatch(/^[a-z][A-Za-z0-9]+$/);
    }
    const ids = operations(doc).map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('publishes the operations each resource verb allows on the paths kubectl explain searches', () => {
    const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
    for (const r of resources) {
      const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
      expect(doc.paths[collection].get?.['x-kubernetes-action']).toBe(r.verbs.includes('list') ? 'list' : undefined);
      expect(doc.paths[collection].post?.['x-kubernetes-action']).toBe(r.verbs.includes('create') ? 'post' : undefined);
      expect(doc.paths[collection].delete?.['x-kubernetes-action']).toBe(r.verbs.includes('deletecollection') ? 'deletecollection' : undefined);
      const item = doc.paths[`${collection}/{name}`];
      expect(item.put?.['x-kubernetes-action']).toBe(r.verbs.includes('update') ? 'put' : undefined);
      expect(item.delete?.['x-kubernetes-action']).toBe(r.verbs.includes('delete') ? 'delete' : undefined);
      expect(item.parameters.map((p: any) => p.name)).toEqual(r.namespaced ? ['name', 'namespace'] : ['name']);
      if (r.namespaced) expect(doc.paths[`${prefix}/${r.plural}`].get['x-kubernetes-group-version-kind']).toEqual(gvk(r));
      for (const s of r.subresources) expect(doc.paths[`${collection}/{name}/${s.name}`], `${r.plural}/${s.name}`).toBeDefined();
    }
  });

  it('holds a schema carrying the GVK array for every kind and list kind', () => {
    for (const r of resources) {
      for (const kind of [r.kind, r.listKind]) {
        const def = definitionForKind(doc, { group, version, kind });
        expect(def, kind).toBeDefined();
        expect(def.type).toBe('object');
        expect(Array.isArray(def['x-kubernetes-group-version-kind'])).toBe(true);
      }
    }
  });

  it('describes every definition and every property', () => {
    for (const [name, def] of Object.entries<any>(doc.components.schemas)) {
      expect(def.description, name).toBeTruthy();
      for (const [prop, s] of Object.entries<any>(def.properties ?? {})) expect(s.description, `${name}.${prop}`).toBeTruthy();
    }
  });
});

describe('OpenAPI v3 schemas as kubectl explain shows them', () => {
  const pod = { group: '', version: 'v1', kind: 'Pod' };

  it('names nested objects after their definitions and scalars after their types', () => {
    expect(typeGuess(field(coreV1, pod, 'spec'), coreV1)).toBe('PodSpec');
    expect(typeGuess(field(coreV1, pod, 'metadata'), coreV1)).toBe('ObjectMeta');
    expect(typeGuess(field(coreV1, pod, 'spec.containers'), coreV1)).toBe('[]Container');
    expect(typeGuess(field(coreV1, pod, 'spec.containers.image'), coreV1)).toBe('string');
    expect(typeGuess(field(coreV1, pod, 'spec.containers.ports.containerPort'), coreV1)).toBe('integer');
    expect(typeGuess(field(coreV1, pod, 'metadata.labels'), coreV1)).toBe('map[string]string');
    expect(typeGuess(field(coreV1, pod, 'metadata.creationTimestamp'), coreV1)).toBe('string');
    expect(typeGuess(field(coreV1, pod, 'spec.containers.resources.limits'), coreV1)).toBe('map[string]Quantity');
    expect(typeGuess(field(coreV1, pod, 'spec.containers.args'), coreV1)).toBe('[]string');
    expect(typeGuess(field(coreV1, { group: '', version: 'v1', kind: 'Service' }, 'spec.ports.targetPort'), coreV1)).toBe('IntOrString');
    expect(typeGuess(field(appsV1, { group: 'apps', version: 'v1', kind: 'Deployment' }, 'spec.strategy'), appsV1)).toBe('DeploymentStrategy');
    expect(typeGuess(field(appsV1, { group: 'apps', version: 'v1', kind: 'Deployment' }, 'spec.template.spec'), appsV1)).toBe('PodSpec');
  });

  it('marks required fields and keeps enums', () => {
    expect(resolve(field(coreV1, pod, 'spec'), coreV1).required).toContain('containers');
    expect(resolve(field(coreV1, pod, 'spec.containers').items, coreV1).required).toEqual(['name']);
    expect(field(coreV1, pod, 'spec.restartPolicy').enum).toEqual(['Always', 'Never', 'OnFailure']);
  });

  it('publishes IntOrString and Quantity as unions and the free-form types as preserving unknown fields', () => {
    const s = coreV1.components.schemas;
    expect(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string', 'x-kubernetes-int-or-string': true, oneOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type).toBeUndefined();
    expect(s['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf).toEqual([{ type: 'string' }, { type: 'number' }]);
    expect(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(s['io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1']['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(field(coreV1, pod, 'metadata.generation')).toMatchObject({ type: 'integer', format: 'int64' });
    expect(field(coreV1, pod, 'spec.containers.ports.containerPort')).toMatchObject({ type: 'integer', format: 'int32' });
  });

  it('finds the kind of every resource through the paths explain searches', () => {
    for (const r of RESOURCES) {
      const doc = docOf(r.group, r.version);
      const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const candidates = [`${prefix}/${r.plural}`, `${prefix}/${r.plural}/{name}`, `${prefix}/namespaces/{namespace}/${r.plural}`, `${prefix}/namespaces/{namespace}/${r.plural}/{name}`];
      const found = candidates
        .map((p) => doc.paths[p])
        .filter(Boolean)
        .flatMap((item: any) => ['get', 'post', 'put', 'patch', 'delete'].map((m) => item[m]?.['x-kubernetes-group-version-kind']))
        .find(Boolean);
      expect(found, r.plural).toEqual(gvk(r));
      expect(definitionForKind(doc, found), r.kind).toBeDefined();
    }
  });
});

describe('OpenAPI v3 schemas as kubectl apply computes patches from them', () => {
  it('carries the merge keys and strategies of the lists strategic merge patch merges', () => {
    const pod = { group: '', version: 'v1', kind: 'Pod' };
    expect(field(coreV1, pod, 'spec.containers')).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });
    expect(field(coreV1, pod, 'spec.containers.ports')).toMatchObject({ 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] });
    expect(field(coreV1, pod, 'spec.containers.volumeMounts')['x-kubernetes-patch-merge-key']).toBe('mountPath');
    expect(field(coreV1, pod, 'spec.volumes')['x-kubernetes-patch-strategy']).toBe('merge,retainKeys');
    expect(field(coreV1, pod, 'spec.nodeSelector')['x-kubernetes-map-type']).toBe('atomic');
    expect(field(appsV1, { group: 'apps', version: 'v1', kind: 'Deployment' }, 'spec.strategy')['x-kubernetes-patch-strategy']).toBe('retainKeys');
  });

  // `*-unknown-field.yaml` carries an unknown field on purpose (the strict-validation e2e test).
  it.each(readdirSync(MANIFESTS).filter((f) => f.endsWith('.yaml') && !f.includes('unknown-field')))('knows every field of the sample manifest %s', (file) => {
    for (const obj of yaml.loadAll(readFileSync(join(MANIFESTS, file), 'utf8')) as any[]) {
      const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
      const doc = docOf(group, version);
      const root = definitionForKind(doc, { group, version, kind: obj.kind });
      expect(root, obj.kind).toBeDefined();
      expect(unknownFields(root, obj, doc)).toEqual([]);
    }
  });

  it('reports a field the schema lacks, as apply would', () => {
    const root = definitionForKind(coreV1, { group: '', version: 'v1', kind: 'Pod' });
    expect(unknownFields(root, { spec: { containers: [{ name: 'a', bogus: 1 }] } }, coreV1)).toEqual(['spec.containers[0].bogus']);
  });
});

describe('OpenAPI handler', () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 25, 12, 0, 0));
  const handler = createOpenApiHandler({ clock, version: 'v1.32.0-test' });
  const get = (path: string, query: Record<string, string> = {}, accept = 'application/json'): ApiRequest => ({ method: 'GET', path, query, accept });
  const statusOf = (fn: () => unknown): number => {
    try {
      fn();
    } catch (err) {
      return (err as StatusError).status.code;
    }
    return 0;
  };

  it('serves the root index with an ETag and no immutable caching', () => {
    const res = handler.handle(get('/openapi/v3', {}, 'application/json, */*'), '/openapi/v3');
    expect(res.code).toBe(200);
    expect(res.contentType).toBe('application/json');
    expect(JSON.parse(res.body as string).paths['api/v1']).toBeDefined();
    expect(res.headers?.ETag).toMatch(/^"[0-9A-F]{128}"$/);
    expect(res.headers?.['Cache-Control']).toBeUndefined();
  });

  it('serves a document at its current hash as immutable for a year', () => {
    const d = handler.documents().byKey.get('apis/apps/v1')!;
    const res = handler.handle(get('/openapi/v3/apis/apps/v1', { hash: d.hash }), '/openapi/v3/apis/apps/v1');
    expect(res.code).toBe(200);
    expect(res.body).toBe(d.body);
    expect(res.headers).toMatchObject({ ETag: `"${d.hash}"`, Vary: 'Accept', 'Cache-Control': 'public, immutable', Expires: 'Thu, 25 Nov 2027 12:00:00 GMT' });
  });

  it('serves a document without a hash uncached, and redirects a stale hash to the current URL', () => {
    const plain = handler.handle(get('/openapi/v3/api/v1'), '/openapi/v3/api/v1');
    expect(plain.code).toBe(200);
    expect(plain.headers?.['Cache-Control']).toBeUndefined();
    const stale = handler.handle(get('/openapi/v3/api/v1', { hash: 'ABC' }), '/openapi/v3/api/v1');
    expect(stale.code).toBe(301);
    expect(stale.headers?.Location).toBe(`/openapi/v3/api/v1?hash=${handler.documents().byKey.get('api/v1')!.hash}`);
  });

  it('builds the documents once', () => {
    expect(handler.documents()).toBe(handler.documents());
  });

  it('serves OpenAPI v2 as an empty Swagger 2.0 document: protobuf (gnostic Document) when asked, JSON otherwise', () => {
    const pb = handler.handle(get('/openapi/v2', {}, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), '/openapi/v2');
    expect(pb.code).toBe(200);
    expect(pb.contentType).toBe('application/octet-stream');
    const fields = (bytes: Uint8Array): Map<number, Uint8Array> => {
      const r = new WireReader(bytes);
      const out = new Map<number, Uint8Array>();
      while (!r.eof) out.set(r.tag().field, r.bytesField());
      return out;
    };
    const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
    const doc = fields(pb.body as Uint8Array);
    expect([...doc.keys()]).toEqual([1, 2, 8, 9]);
    expect(text(doc.get(1))).toBe('2.0');
    const info = fields(doc.get(2)!);
    expect(text(info.get(1))).toBe('Kubernetes');
    expect(text(info.get(2))).toBe('v1.32.0-test');
    expect(doc.get(8)!.length + doc.get(9)!.length).toBe(0); // no paths, no definitions
    const json = handler.handle(get('/openapi/v2'), '/openapi/v2');
    expect(JSON.parse(json.body as string)).toEqual({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0-test' }, paths: {}, definitions: {} });
    expect(statusOf(() => handler.handle({ method: 'POST', path: '/openapi/v2' }, '/openapi/v2'))).toBe(405);
  });

  it('answers 404 for unknown group-versions, 405 for writes and 406 when JSON is not acceptable', () => {
    expect(statusOf(() => handler.handle(get('/openapi/v3/apis/batch/v1'), '/openapi/v3/apis/batch/v1'))).toBe(404);
    expect(statusOf(() => handler.handle({ method: 'POST', path: '/openapi/v3' }, '/openapi/v3'))).toBe(405);
    expect(statusOf(() => handler.handle(get('/openapi/v3/api/v1', {}, 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf'), '/openapi/v3/api/v1'))).toBe(406);
  });
});
