/**
 * kubectl 1.32's protobuf bodies through the real HTTP server: every captured generator body
 * (test/fixtures/protobuf) is POSTed to the URL kubectl used, with its headers, and creates the
 * same object kubectl 1.31's JSON creates; answers are JSON; kinds without descriptors get 415 and
 * broken bodies 400, with nothing stored.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/protobuf');
const PROTOBUF = { 'Content-Type': 'application/vnd.kubernetes.protobuf', Accept: 'application/vnd.kubernetes.protobuf,application/json' };

interface Capture {
  name: string;
  url: string;
  body: Uint8Array;
  json: any;
}

function capture(name: string): Capture {
  const lines = readFileSync(path.join(FIXTURES, `${name}.hex`), 'utf8').split('\n');
  const url = lines[0].replace(/^# POST /, '');
  const body = Buffer.from(lines.filter((l) => l && !l.startsWith('#')).join(''), 'hex');
  return { name, url, body: new Uint8Array(body), json: JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) };
}

/** Creation order: the namespace first, later captures go into it. */
const SERVED = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.hex'))
  .map((f) => f.slice(0, -4))
  .filter((n) => n !== 'job' && n !== 'autoscale')
  .sort((a, b) => Number(b === 'namespace') - Number(a === 'namespace'));

describe('api-server: protobuf request bodies from kubectl 1.32', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster();
  });
  afterAll(async () => {
    await c?.dispose();
  });

  function expectStatus(r: { status: number; json: any }, code: number, reason: string): void {
    expect(r.status).toBe(code);
    expect(r.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  }

  it.each(SERVED)('%s: POSTed as kubectl sends it → 201 with the object kubectl 1.31 would have created', async (name) => {
    const cap = capture(name);
    const r = await c.http('POST', cap.url, cap.body, PROTOBUF);
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const sent = cap.json;
    expect(r.json).toMatchObject({ kind: sent.kind, apiVersion: sent.apiVersion, metadata: { name: sent.metadata.name } });
    expect(r.json.metadata.uid).toBeTruthy();
    for (const field of ['data', 'binaryData', 'stringData', 'type']) if (sent[field] !== undefined) expect(r.json[field]).toEqual(sent[field]);
    if (sent.metadata.labels) expect(r.json.metadata.labels).toEqual(sent.metadata.labels);
    if (sent.spec?.replicas !== undefined) expect(r.json.spec.replicas).toBe(sent.spec.replicas);
    if (sent.spec?.ports) expect(r.json.spec.ports).toMatchObject(sent.spec.ports);
    if (sent.spec?.template) expect(r.json.spec.template.spec.containers).toMatchObject(sent.spec.template.spec.containers);
    if (sent.spec?.externalName) expect(r.json.spec.externalName).toBe(sent.spec.externalName);
  });

  it('stores a Deployment created with --replicas=0 with zero replicas, not the default one', async () => {
    const r = await c.http('GET', '/apis/apps/v1/namespaces/default/deployments/zero');
    expect(r.status).toBe(200);
    expect(r.json.spec.replicas).toBe(0);
  });

  it('a kind without protobuf descriptors → 415 naming it, nothing stored', async () => {
    const job = capture('job');
    const r = await c.http('POST', '/api/v1/namespaces/default/configmaps', job.body, PROTOBUF);
    expectStatus(r, 415, 'UnsupportedMediaType');
    expect(r.json.message).toContain('Job in batch/v1');
    expect((await c.http('GET', '/api/v1/namespaces/default/configmaps/j')).status).toBe(404);
  });

  it('a protobuf body of another kind than the path → 400 as for JSON', async () => {
    const r = await c.http('POST', '/api/v1/namespaces/default/services', capture('configmap-literal').body, PROTOBUF);
    expectStatus(r, 400, 'BadRequest');
    expect(r.json.message).toContain('does not match the expected kind');
  });

  it('a truncated or foreign body → 400 saying it is malformed, and the server keeps serving', async () => {
    const sa = capture('serviceaccount');
    const cut = await c.http('POST', sa.url, sa.body.subarray(0, sa.body.length - 20), PROTOBUF);
    expectStatus(cut, 400, 'BadRequest');
    expect(cut.json.message).toMatch(/protobuf request body is malformed/);
    expectStatus(await c.http('POST', sa.url, '{"kind":"ServiceAccount"}', PROTOBUF), 400, 'BadRequest');
    expect((await c.http('GET', '/api/v1/namespaces/default/serviceaccounts/sa')).status).toBe(200);
  });
});
