/**
 * The api-server serves OpenAPI v3 over HTTP the way kubectl fetches it: the root index, then the
 * group-version document at the hashed URL it names, cacheable for a year; `/openapi/v2` is an
 * empty document, as protobuf.
 * The served schema knows every field of an object the server stores, so `kubectl apply` can diff
 * against it, and a create with `fieldValidation=Strict` (what `kubectl create -f` sends once it
 * has found the PATCH operation) refuses unknown fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { pod } from '../support/builders.js';
import { definitionForKind, unknownFields } from '../support/openapi-walk.js';

const KUBECTL_JSON = 'application/json, */*';
const DAY_MS = 24 * 3600 * 1000;

describe('api-server: OpenAPI v3 over HTTP', () => {
  let c: ApiCluster;
  let root: any;
  beforeAll(async () => {
    c = await startApiCluster();
    root = (await c.http('GET', '/openapi/v3?timeout=32s', undefined, { Accept: KUBECTL_JSON })).json;
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('serves the root index as JSON with an ETag, revalidated on every use', async () => {
    const r = await c.http('GET', '/openapi/v3', undefined, { Accept: KUBECTL_JSON });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('etag')).toMatch(/^"[0-9A-F]{128}"$/);
    expect(r.headers.get('cache-control')).toBe('no-cache, private');
    expect(Object.keys(r.json.paths).sort()).toEqual(['api/v1', 'apis/apps/v1', 'apis/autoscaling/v1', 'apis/autoscaling/v2', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/metrics.k8s.io/v1beta1']);
  });

  it('serves each hashed document as immutable JSON, its ETag being the hash', async () => {
    for (const [key, entry] of Object.entries<any>(root.paths)) {
      const url: string = entry.serverRelativeURL;
      const hash = new URL(url, c.baseUrl).searchParams.get('hash');
      const r = await c.http('GET', url, undefined, { Accept: 'application/json' });
      expect(r.status, key).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.headers.get('etag')).toBe(`"${hash}"`);
      expect(r.headers.get('cache-control')).toBe('public, immutable');
      expect(r.headers.get('vary')).toBe('Accept');
      const expires = Date.parse(r.headers.get('expires')!);
      expect(Math.abs(expires - (Date.now() + 365 * DAY_MS))).toBeLessThan(DAY_MS);
      expect(r.json.openapi).toBe('3.0.0');
    }
  });

  it('publishes the Pod PATCH operation with fieldValidation, which kubectl create -f looks for', async () => {
    const doc = (await c.http('GET', root.paths['api/v1'].serverRelativeURL)).json;
    const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    expect(patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
    const deployments = (await c.http('GET', root.paths['apis/apps/v1'].serverRelativeURL)).json;
    expect(deployments.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
  });

  it('redirects a stale hash to the current URL', async () => {
    const res = await fetch(`${c.baseUrl}/openapi/v3/api/v1?hash=0123`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(root.paths['api/v1'].serverRelativeURL);
  });

  it('serves OpenAPI v2 as protobuf bytes over HTTP (an empty document: kubectl validates a List with it), 404 for unknown group-versions', async () => {
    const res = await fetch(`${c.baseUrl}/openapi/v2`, { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 5)]).toEqual([0x0a, 3, 0x32, 0x2e, 0x30]); // field 1 (swagger): "2.0"
    expect((await c.http('GET', '/openapi/v3/apis/batch/v1')).status).toBe(404);
  });

  it('knows every field of a pod as the server stores it (defaults included), so apply can diff it', async () => {
    const created = await c.http('POST', '/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict', pod('kubia-manual'));
    expect(created.status).toBe(201);
    const stored = (await c.http('GET', '/api/v1/namespaces/default/pods/kubia-manual')).json;
    const doc = (await c.http('GET', root.paths['api/v1'].serverRelativeURL)).json;
    const schema = definitionForKind(doc, { group: '', version: 'v1', kind: 'Pod' });
    expect(unknownFields(schema, stored, doc)).toEqual([]);
  });

  it('refuses an unknown field under fieldValidation=Strict, as kubectl create -f reports it', async () => {
    const bad = pod('bad');
    bad.spec.containers[0].bogus = 1;
    const r = await c.http('POST', '/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict', bad);
    expect(r.status).toBe(400);
    expect(r.json.message).toContain('strict decoding error: unknown field "spec.containers[0].bogus"');
  });

  it('answers the same documents over NATS', async () => {
    const res = await c.client().request({ method: 'GET', path: '/openapi/v3' });
    expect(JSON.parse(res.body as string)).toEqual(root);
  });
});
