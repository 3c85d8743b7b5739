import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { pod } from '../support/builders.js';

const PODS = '/api/v1/namespaces/default/pods';

describe('api-server: bad input gets a clear Status and loses nothing', () => {
  let c: ApiCluster;
  let before: string[];
  beforeAll(async () => {
    c = await startApiCluster();
    expect((await c.http('POST', PODS, pod('keeper'))).status).toBe(201);
    before = (await c.http('GET', '/api/v1/pods')).json.items.map((p: any) => p.metadata.name);
  });
  afterAll(async () => {
    // Whatever was thrown at it, the server is alive and nothing partial was stored.
    const after = (await c.http('GET', '/api/v1/pods')).json.items.map((p: any) => p.metadata.name);
    expect(after).toEqual(before);
    await c?.dispose();
  });

  function expectStatus(r: { status: number; json: any }, code: number, reason: string): void {
    expect(r.status).toBe(code);
    expect(r.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
    expect(typeof r.json.message).toBe('string');
  }

  it('malformed JSON → 400 BadRequest saying where', async () => {
    const r = await c.http('POST', PODS, '{"apiVersion": "v1", "kind": "Pod", "metadata": {', { 'Content-Type': 'application/json' });
    expectStatus(r, 400, 'BadRequest');
    expect(r.json.message).toMatch(/^the request body is not valid JSON: /);
  });

  it('malformed YAML → 400 BadRequest with the line', async () => {
    const r = await c.http('POST', PODS, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n', { 'Content-Type': 'application/yaml' });
    expectStatus(r, 400, 'BadRequest');
    expect(r.json.message).toMatch(/not valid YAML.*line \d+/);
  });

  it('a body that is not an object → 400', async () => {
    expectStatus(await c.http('POST', PODS, '[1,2,3]', { 'Content-Type': 'application/json' }), 400, 'BadRequest');
    expectStatus(await c.http('POST', PODS, '', { 'Content-Type': 'application/json' }), 400, 'BadRequest');
  });

  it('wrong kind or apiVersion for the path → 400', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } };
    const k = await c.http('POST', PODS, svc);
    expectStatus(k, 400, 'BadRequest');
    expect(k.json.message).toBe('the kind in the data (Service) does not match the expected kind (Pod) for the resource pods');
    const v = await c.http('POST', PODS, { ...pod('x'), apiVersion: 'apps/v1' });
    expectStatus(v, 400, 'BadRequest');
    expect(v.json.message).toBe('the API version in the data (apps/v1) does not match the expected API version (v1)');
  });

  it('a namespace in the body that differs from the path → 400', async () => {
    const r = await c.http('POST', PODS, pod('x', { namespace: 'kube-system' }));
    expectStatus(r, 400, 'BadRequest');
  });

  it('an invalid name → 422 Invalid with the field path, as kubectl prints it', async () => {
    const r = await c.http('POST', PODS, pod('Kubia_Manual'));
    expectStatus(r, 422, 'Invalid');
    expect(r.json.message).toMatch(/^Pod "Kubia_Manual" is invalid: metadata\.name: Invalid value: "Kubia_Manual": a lowercase RFC 1123 subdomain/);
    expect(r.json.details).toMatchObject({ name: 'Kubia_Manual', kind: 'Pod' });
    expect(r.json.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
  });

  it('missing required fields → 422 listing each', async () => {
    const r = await c.http('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: {} });
    expectStatus(r, 422, 'Invalid');
    expect(r.json.message).toBe('Pod "empty" is invalid: spec.containers: Required value');
    const noName = await c.http('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: pod('x').spec });
    expect(noName.json.message).toContain('metadata.name: Required value: name or generateName is required');
    const badLabel = await c.http('POST', PODS, pod('x', { labels: { 'bad key!': 'v' } }));
    expectStatus(badLabel, 422, 'Invalid');
    expect(badLabel.json.details.causes[0].field).toBe('metadata.labels');
  });

  it('wrong JSON types → 400 in the decoder`s words, at any depth', async () => {
    const bad = pod('typed');
    bad.spec.containers[0].ports[0].containerPort = '8080';
    const r = await c.http('POST', PODS, bad);
    expectStatus(r, 400, 'BadRequest');
    expect(r.json.message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    );
    const notList = { ...pod('typed2'), spec: { containers: { name: 'x' } } };
    expectStatus(await c.http('POST', PODS, notList), 400, 'BadRequest');
  });

  it('unknown fields: refused under fieldValidation=Strict (what kubectl sends), dropped with a warning by default', async () => {
    const extra = { ...pod('extra'), spec: { ...pod('extra').spec, foo: 'bar' } };
    const strict = await c.http('POST', `${PODS}?fieldValidation=Strict`, extra);
    expectStatus(strict, 400, 'BadRequest');
    expect(strict.json.message).toBe('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"');
    const warn = await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'warned' }, dta: {} });
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"dta\\""');
    expect(warn.json.dta).toBeUndefined();
    expectStatus(await c.http('POST', `${PODS}?fieldValidation=Sometimes`, pod('x')), 400, 'BadRequest');
  });

  it('a body over 3 MiB → 413 before it is read', async () => {
    const big = JSON.stringify({ ...pod('big'), metadata: { name: 'big', annotations: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } } });
    expectStatus(await c.http('POST', PODS, big), 413, 'RequestEntityTooLarge');
  });

  it('an object over 1.5 MiB but under the body limit → 413 from storage', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { blob: 'x'.repeat(1600 * 1024) } };
    const r = await c.http('POST', '/api/v1/namespaces/default/configmaps', cm);
    expectStatus(r, 413, 'RequestEntityTooLarge');
    expect((await c.http('GET', '/api/v1/namespaces/default/configmaps/huge')).status).toBe(404);
  });

  it('unknown resources, groups and versions → 404 with kubectl`s wording', async () => {
    for (const path of ['/api/v1/namespaces/default/foos', '/apis/nothere.io/v1/things', '/api/v2/pods', '/apis/apps/v1/namespaces/default/deployments/x/nosub', '/nothing']) {
      const r = await c.http('GET', path);
      expectStatus(r, 404, 'NotFound');
      expect(r.json.message).toBe('the server could not find the requested resource');
    }
  });

  it('a method the resource does not allow → 405', async () => {
    expectStatus(await c.http('PUT', PODS, pod('x')), 405, 'MethodNotAllowed');
    expectStatus(await c.http('POST', `${PODS}/keeper`, pod('keeper')), 405, 'MethodNotAllowed');
    expectStatus(await c.http('DELETE', '/api/v1/namespaces'), 405, 'MethodNotAllowed');
  });

  it('an unknown content type → 415', async () => {
    const r = await c.http('POST', PODS, 'name=x', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expectStatus(r, 415, 'UnsupportedMediaType');
    const p = await c.http('PATCH', `${PODS}/keeper`, '{}', { 'Content-Type': 'text/plain' });
    expectStatus(p, 415, 'UnsupportedMediaType');
  });

  it('creating in a namespace that does not exist → 404 namespaces "x" not found', async () => {
    const r = await c.http('POST', '/api/v1/namespaces/nowhere/pods', pod('x'));
    expectStatus(r, 404, 'NotFound');
    expect(r.json.message).toBe('namespaces "nowhere" not found');
  });

  it('a resourceVersion on create → 400', async () => {
    const r = await c.http('POST', PODS, { ...pod('x'), metadata: { name: 'x', resourceVersion: '5' } });
    expectStatus(r, 400, 'BadRequest');
  });

  it('bad selectors and query values → 400', async () => {
    expectStatus(await c.http('GET', `${PODS}?labelSelector=${encodeURIComponent('env in (prod')}`), 400, 'BadRequest');
    expectStatus(await c.http('GET', `${PODS}?fieldSelector=${encodeURIComponent('spec.foo=bar')}`), 400, 'BadRequest');
    expectStatus(await c.http('GET', `${PODS}?limit=abc`), 400, 'BadRequest');
    expectStatus(await c.http('GET', `${PODS}?continue=notatoken`), 400, 'BadRequest');
    expectStatus(await c.http('DELETE', `${PODS}/keeper?gracePeriodSeconds=soon`), 400, 'BadRequest');
  });

  it('a name in the body that differs from the URL on PUT → 400', async () => {
    const cur = (await c.http('GET', `${PODS}/keeper`)).json;
    const r = await c.http('PUT', `${PODS}/keeper`, { ...cur, metadata: { ...cur.metadata, name: 'other' } });
    expectStatus(r, 400, 'BadRequest');
    expect(r.json.message).toBe('the name of the object (other) does not match the name on the URL (keeper)');
  });
});
