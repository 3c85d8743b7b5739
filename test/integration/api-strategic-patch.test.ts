/**
 * Strategic merge patch through the real api-server (HTTP and NATS), with the bodies kubectl
 * sends: `apply` (research/kubectl-protocol.md §5, byte for byte), `set image`, a deployment
 * strategy switch with $retainKeys, finalizers, and malformed patches answered as 400 Status.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceByPlural } from '../../shared/api/resources.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { configMap } from '../support/builders.js';

const PODS = '/api/v1/namespaces/default/pods';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
const SMP = { 'Content-Type': 'application/strategic-merge-patch+json' };
const APPLY_QUERY = '?fieldManager=kubectl-client-side-apply&fieldValidation=Strict';

function manifest(name: string): any {
  return yaml.load(readFileSync(fileURLToPath(new URL(`../fixtures/manifests/${name}`, import.meta.url)), 'utf8'));
}

/** What kubectl put in the annotation when applying kubia-manual-mod.yaml (research §5). */
const LAST_APPLIED =
  '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"env":"prod"},"name":"kubia-manual","namespace":"default"},"spec":{"containers":[{"image":"luksa/kubia","name":"kubia","ports":[{"containerPort":8081,"protocol":"TCP"}]}]}}\n';

/** The PATCH body kubectl 1.32 sent for `apply -f kubia-manual-mod.yaml` onto kubia-manual.yaml. */
const APPLY_BODY = JSON.stringify({
  metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': LAST_APPLIED }, labels: { env: 'prod' } },
  spec: {
    '$setElementOrder/containers': [{ name: 'kubia' }],
    containers: [{ '$setElementOrder/ports': [{ containerPort: 8081 }], name: 'kubia', ports: [{ containerPort: 8081, protocol: 'TCP' }, { $patch: 'delete', containerPort: 8080 }] }],
  },
});

describe('api-server: strategic merge patch', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster();
    expect((await c.http('POST', `${PODS}?fieldManager=kubectl-create&fieldValidation=Strict`, { ...manifest('kubia-manual.yaml'), metadata: { name: 'kubia-manual', namespace: 'default' } })).status).toBe(201);
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('merges the exact kubectl apply body and then refuses the port change on a pod, as Kubernetes does', async () => {
    const before = (await c.http('GET', `${PODS}/kubia-manual`)).json;
    const r = await c.http('PATCH', `${PODS}/kubia-manual${APPLY_QUERY}`, APPLY_BODY, SMP);
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(r.json.message).toContain('Pod "kubia-manual" is invalid: spec: Forbidden: pod updates may not change fields other than');
    const after = (await c.http('GET', `${PODS}/kubia-manual`)).json;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('applies the label part of an apply patch and keeps the defaulted spec', async () => {
    const before = (await c.http('GET', `${PODS}/kubia-manual`)).json;
    const body = { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': LAST_APPLIED }, labels: { env: 'prod' } } };
    const r = await c.http('PATCH', `${PODS}/kubia-manual${APPLY_QUERY}`, JSON.stringify(body), SMP);
    expect(r.status).toBe(200);
    expect(r.json.metadata.labels).toEqual({ env: 'prod' });
    expect(r.json.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(LAST_APPLIED);
    expect(r.json.spec).toEqual(before.spec);
    expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
  });

  it('changes only the image for a `kubectl set image` patch, keeping ports and defaults', async () => {
    const r = await c.http('PATCH', `${PODS}/kubia-manual?fieldManager=kubectl-set`, '{"spec":{"containers":[{"image":"luksa/kubia:v2","name":"kubia"}]}}', SMP);
    expect(r.status).toBe(200);
    const ctr = r.json.spec.containers[0];
    expect(ctr).toMatchObject({ name: 'kubia', image: 'luksa/kubia:v2', ports: [{ containerPort: 8080, protocol: 'TCP' }], imagePullPolicy: 'Always' });
    expect(ctr.terminationMessagePath).toBe('/dev/termination-log');
  });

  it('merges the same apply patch into a deployment template: new port in, old port out, nothing else lost', async () => {
    const d = manifest('deploy.yaml');
    d.spec.template.spec.containers = [{ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] }];
    expect((await c.http('POST', DEPLOYS, d)).status).toBe(201);
    const body = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'kubia' }],
            containers: [{ '$setElementOrder/ports': [{ containerPort: 8081 }], name: 'kubia', ports: [{ containerPort: 8081, protocol: 'TCP' }, { $patch: 'delete', containerPort: 8080 }] }],
          },
        },
      },
    };
    const r = await c.http('PATCH', `${DEPLOYS}/x${APPLY_QUERY}`, JSON.stringify(body), SMP);
    expect(r.status).toBe(200);
    expect(r.json.spec.template.spec.containers).toEqual([
      expect.objectContaining({ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8081, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] }),
    ]);
    expect(r.json.metadata.generation).toBe(2);
  });

  it('switches a deployment from RollingUpdate to Recreate with $retainKeys, which a plain merge cannot', async () => {
    const current = (await c.http('GET', `${DEPLOYS}/x`)).json;
    expect(current.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    const plain = await c.http('PATCH', `${DEPLOYS}/x`, '{"spec":{"strategy":{"type":"Recreate"}}}', SMP);
    expect(plain.status).toBe(422);
    expect(plain.json.message).toContain('spec.strategy.rollingUpdate');
    const r = await c.http('PATCH', `${DEPLOYS}/x${APPLY_QUERY}`, '{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}', SMP);
    expect(r.status).toBe(200);
    expect(r.json.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('unions finalizers and removes them with $deleteFromPrimitiveList', async () => {
    const cms = '/api/v1/namespaces/default/configmaps';
    expect((await c.http('POST', cms, { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/a'] } })).status).toBe(201);
    const added = await c.http('PATCH', `${cms}/held`, '{"metadata":{"finalizers":["example.com/a","example.com/b"]}}', SMP);
    expect(added.json.metadata.finalizers).toEqual(['example.com/a', 'example.com/b']);
    const removed = await c.http('PATCH', `${cms}/held`, '{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a","example.com/b"]}}', SMP);
    expect(removed.status).toBe(200);
    expect(removed.json.metadata.finalizers ?? []).toEqual([]);
    expect((await c.http('DELETE', `${cms}/held`)).status).toBe(200);
  });

  it('answers malformed patches with a 400 Status that says what is wrong', async () => {
    const cases: Array<[string, string]> = [
      ['[{"op":"add","path":"/x","value":1}]', 'must be a JSON object'],
      ['{"spec":{"containers":[{"image":"x"}]}}', 'merge key "name"'],
      ['{"spec":{"$patch":"frobnicate"}}', 'unknown $patch directive "frobnicate"'],
      ['{"metadata":{"$frob":[1]}}', 'unknown directive "$frob"'],
      ['{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a"},{"name":"b"}]}}', '$setElementOrder/containers'],
    ];
    for (const [body, text] of cases) {
      const r = await c.http('PATCH', `${PODS}/kubia-manual`, body, SMP);
      expect(r.status, body).toBe(400);
      expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
      expect(r.json.message).toContain(text);
    }
  });

  it('serves the same patch to in-cluster components over NATS', async () => {
    const client = c.client('smp-test');
    const patched = await client.patch(resourceByPlural('pods'), 'default', 'kubia-manual', 'strategic', { spec: { containers: [{ name: 'kubia', image: 'luksa/kubia:v3' }] } });
    expect(patched.spec).toMatchObject({ containers: [{ name: 'kubia', image: 'luksa/kubia:v3', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] });
  });
});
