import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { configMap, namespace, pod, rc } from '../support/builders.js';

const PODS = '/api/v1/namespaces/default/pods';

describe('api-server: the REST verbs', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster();
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('starts with the four system namespaces', async () => {
    const r = await c.http('GET', '/api/v1/namespaces');
    expect(r.status).toBe(200);
    expect(r.json.kind).toBe('NamespaceList');
    expect(r.json.items.map((n: any) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(r.json.items[0].status.phase).toBe('Active');
    expect(r.json.items[0].metadata.labels['kubernetes.io/metadata.name']).toBe('default');
  });

  it('creates a pod from JSON with server-set metadata and Kubernetes defaults', async () => {
    const r = await c.http('POST', PODS, pod('kubia-manual'));
    expect(r.status).toBe(201);
    const m = r.json.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    expect(m.namespace).toBe('default');
    const ctr = r.json.spec.containers[0];
    expect(ctr.ports[0].protocol).toBe('TCP');
    expect(ctr.imagePullPolicy).toBe('Always');
    expect(ctr.terminationMessagePath).toBe('/dev/termination-log');
    expect(r.json.spec.restartPolicy).toBe('Always');
    expect(r.json.spec.dnsPolicy).toBe('ClusterFirst');
    expect(r.json.spec.schedulerName).toBe('default-scheduler');
    expect(r.json.spec.terminationGracePeriodSeconds).toBe(30);
    expect(r.json.spec.serviceAccountName).toBe('default');
    expect(r.json.spec.tolerations.map((t: any) => t.key)).toEqual(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
    expect(r.json.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const got = await c.http('GET', `${PODS}/kubia-manual`);
    expect(got.status).toBe(200);
    expect(got.json.metadata.resourceVersion).toBe(m.resourceVersion);
  });

  it('creates from a YAML body', async () => {
    const yaml = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: from-yaml', '  labels:', '    env: "prod"', 'spec:', '  containers:', '  - name: main', '    image: luksa/kubia:v1', ''].join('\n');
    const r = await c.http('POST', PODS, yaml, { 'Content-Type': 'application/yaml' });
    expect(r.status).toBe(201);
    expect(r.json.metadata.labels).toEqual({ env: 'prod' });
    expect(r.json.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('generates names from generateName', async () => {
    const body = { ...pod(''), metadata: { generateName: 'kubia-' } };
    const a = await c.http('POST', PODS, body);
    const b = await c.http('POST', PODS, body);
    expect(a.status).toBe(201);
    expect(a.json.metadata.name).toMatch(/^kubia-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(b.json.metadata.name).not.toBe(a.json.metadata.name);
  });

  it('answers AlreadyExists in Kubernetes words for a duplicate create', async () => {
    const r = await c.http('POST', PODS, pod('kubia-manual'));
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'pods "kubia-manual" already exists' });
  });

  it('lists one namespace and all namespaces, sorted by namespace then name', async () => {
    expect((await c.http('POST', '/api/v1/namespaces', namespace('other'))).status).toBe(201);
    expect((await c.http('POST', '/api/v1/namespaces/other/pods', pod('kubia-manual'))).status).toBe(201);
    const one = await c.http('GET', '/api/v1/namespaces/other/pods');
    expect(one.json.items.map((p: any) => p.metadata.name)).toEqual(['kubia-manual']);
    const all = await c.http('GET', '/api/v1/pods');
    const keys = all.json.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(keys).toContain('default/kubia-manual');
    expect(keys).toContain('other/kubia-manual');
    expect([...keys].sort()).toEqual(keys);
    expect(Number(all.json.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it('paginates with limit and continue', async () => {
    for (const n of ['p1', 'p2', 'p3']) await c.http('POST', '/api/v1/namespaces/default/configmaps', configMap(n));
    const first = await c.http('GET', '/api/v1/namespaces/default/configmaps?limit=2');
    expect(first.json.items).toHaveLength(2);
    expect(first.json.metadata.remainingItemCount).toBe(1);
    const next = await c.http('GET', `/api/v1/namespaces/default/configmaps?limit=2&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    expect(next.json.items.map((i: any) => i.metadata.name)).toEqual(['p3']);
    expect(next.json.metadata.continue).toBeUndefined();
  });

  it('PUT with a stale resourceVersion is a 409 Conflict; with the current one it updates', async () => {
    const cur = (await c.http('POST', '/api/v1/namespaces/default/configmaps', configMap('cfg', { a: '1' }))).json;
    const stale = { ...cur, data: { a: '2' } };
    const ok = await c.http('PUT', '/api/v1/namespaces/default/configmaps/cfg', stale);
    expect(ok.status).toBe(200);
    expect(ok.json.data).toEqual({ a: '2' });
    expect(Number(ok.json.metadata.resourceVersion)).toBeGreaterThan(Number(cur.metadata.resourceVersion));
    const again = await c.http('PUT', '/api/v1/namespaces/default/configmaps/cfg', { ...cur, data: { a: '3' } });
    expect(again.status).toBe(409);
    expect(again.json.reason).toBe('Conflict');
    expect(again.json.message).toBe('Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again');
    const { resourceVersion: _rv, ...meta } = cur.metadata;
    const unconditional = await c.http('PUT', '/api/v1/namespaces/default/configmaps/cfg', { ...cur, metadata: meta, data: { a: '4' } });
    expect(unconditional.status).toBe(200);
    expect(unconditional.json.data).toEqual({ a: '4' });
    expect(unconditional.json.metadata.uid).toBe(cur.metadata.uid);
  });

  it('keeps status and spec apart: the status subresource changes only status, the main PUT only the rest', async () => {
    const p = (await c.http('GET', `${PODS}/kubia-manual`)).json;
    const withStatus = { ...p, status: { ...p.status, phase: 'Running', podIP: '127.1.0.5' } };
    const s = await c.http('PUT', `${PODS}/kubia-manual/status`, withStatus);
    expect(s.status).toBe(200);
    expect(s.json.status.phase).toBe('Running');
    const main = { ...s.json, metadata: { ...s.json.metadata, labels: { env: 'debug' } }, status: { phase: 'Failed' } };
    const u = await c.http('PUT', `${PODS}/kubia-manual`, main);
    expect(u.status).toBe(200);
    expect(u.json.metadata.labels).toEqual({ env: 'debug' });
    expect(u.json.status.phase).toBe('Running');
    const st = await c.http('GET', `${PODS}/kubia-manual/status`);
    expect(st.json.status.podIP).toBe('127.1.0.5');
  });

  it('refuses pod spec changes other than images, in Kubernetes words', async () => {
    const p = (await c.http('GET', `${PODS}/kubia-manual`)).json;
    const bad = { ...p, spec: { ...p.spec, restartPolicy: 'Never' } };
    const r = await c.http('PUT', `${PODS}/kubia-manual`, bad);
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    expect(r.json.message).toContain('Pod "kubia-manual" is invalid: spec: Forbidden: pod updates may not change fields other than');
    const image = { ...p, spec: { ...p.spec, containers: [{ ...p.spec.containers[0], image: 'luksa/kubia:v2' }] } };
    expect((await c.http('PUT', `${PODS}/kubia-manual`, image)).json.spec.containers[0].image).toBe('luksa/kubia:v2');
  });

  it('counts generation on spec changes of workloads only', async () => {
    const created = (await c.http('POST', '/api/v1/namespaces/default/replicationcontrollers', rc('kubia'))).json;
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toEqual({ replicas: 0 });
    const labelled = await c.http('PATCH', '/api/v1/namespaces/default/replicationcontrollers/kubia', { metadata: { labels: { a: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(labelled.json.metadata.generation).toBe(1);
    const scaled = await c.http('PATCH', '/api/v1/namespaces/default/replicationcontrollers/kubia', { spec: { replicas: 5 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(scaled.json.spec.replicas).toBe(5);
    expect(scaled.json.metadata.generation).toBe(2);
  });

  it('applies merge patches (null deletes) and JSON patches', async () => {
    const m = await c.http('PATCH', `${PODS}/kubia-manual`, { metadata: { labels: { env: null, tier: 'web' }, annotations: { 'mycompany.com/someannotation': 'foo bar' } } }, {
      'Content-Type': 'application/merge-patch+json',
    });
    expect(m.status).toBe(200);
    expect(m.json.metadata.labels).toEqual({ tier: 'web' });
    expect(m.json.metadata.annotations['mycompany.com/someannotation']).toBe('foo bar');
    const j = await c.http('PATCH', `${PODS}/kubia-manual`, [{ op: 'add', path: '/metadata/labels/x', value: 'y' }, { op: 'remove', path: '/metadata/labels/tier' }], {
      'Content-Type': 'application/json-patch+json',
    });
    expect(j.json.metadata.labels).toEqual({ x: 'y' });
    const stale = await c.http('PATCH', `${PODS}/kubia-manual`, { metadata: { resourceVersion: '1', labels: { z: '1' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(stale.status).toBe(409);
  });

  it('deletes at once what has no grace or finalizers, and answers NotFound after', async () => {
    const d = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/cfg');
    expect(d.status).toBe(200);
    expect(d.json.metadata.name).toBe('cfg');
    const g = await c.http('GET', '/api/v1/namespaces/default/configmaps/cfg');
    expect(g.status).toBe(404);
    expect(g.json).toMatchObject({ reason: 'NotFound', message: 'configmaps "cfg" not found', details: { name: 'cfg', kind: 'configmaps' } });
  });

  it('deletes a pod bound to a node gracefully: deletionTimestamp first, gone on the grace-0 delete', async () => {
    expect((await c.http('POST', PODS, pod('bound', { nodeName: 'node-1' }))).status).toBe(201);
    const d = await c.http('DELETE', `${PODS}/bound`, { propagationPolicy: 'Background' });
    expect(d.status).toBe(200);
    expect(d.json.metadata.deletionTimestamp).toBeDefined();
    expect(d.json.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await c.http('GET', `${PODS}/bound`)).status).toBe(200);
    const shorter = await c.http('DELETE', `${PODS}/bound?gracePeriodSeconds=5`);
    expect(shorter.json.metadata.deletionGracePeriodSeconds).toBe(5);
    const now = await c.http('DELETE', `${PODS}/bound`, { gracePeriodSeconds: 0 });
    expect(now.status).toBe(200);
    expect((await c.http('GET', `${PODS}/bound`)).status).toBe(404);
    const unbound = await c.http('POST', PODS, pod('unbound'));
    expect(unbound.status).toBe(201);
    await c.http('DELETE', `${PODS}/unbound`);
    expect((await c.http('GET', `${PODS}/unbound`)).status).toBe(404);
  });

  it('respects finalizers: marked on delete, removed when the last finalizer goes', async () => {
    const cm = { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } };
    expect((await c.http('POST', '/api/v1/namespaces/default/configmaps', cm)).status).toBe(201);
    const d = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/held');
    expect(d.json.metadata.deletionTimestamp).toBeDefined();
    expect((await c.http('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(200);
    const add = await c.http('PATCH', '/api/v1/namespaces/default/configmaps/held', { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(add.status).toBe(422);
    const rm = await c.http('PATCH', '/api/v1/namespaces/default/configmaps/held', { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(rm.status).toBe(200);
    expect((await c.http('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(404);
  });

  it('checks delete preconditions', async () => {
    const cm = (await c.http('POST', '/api/v1/namespaces/default/configmaps', configMap('pre'))).json;
    const r = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/pre', { preconditions: { uid: 'not-it' } });
    expect(r.status).toBe(409);
    expect(r.json.message).toContain('Precondition failed: UID in precondition: not-it');
    expect((await c.http('DELETE', '/api/v1/namespaces/default/configmaps/pre', { preconditions: { uid: cm.metadata.uid } })).status).toBe(200);
  });

  it('deletes a collection by label selector', async () => {
    for (const n of ['c1', 'c2', 'c3']) await c.http('POST', '/api/v1/namespaces/default/configmaps', configMap(n, {}, { group: n === 'c3' ? 'keep' : 'drop' }));
    const r = await c.http('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=group%3Ddrop');
    expect(r.status).toBe(200);
    expect(r.json.items.map((i: any) => i.metadata.name).sort()).toEqual(['c1', 'c2']);
    const left = await c.http('GET', '/api/v1/namespaces/default/configmaps?labelSelector=group');
    expect(left.json.items.map((i: any) => i.metadata.name)).toEqual(['c3']);
  });

  it('serves apps/v1 and coordination.k8s.io/v1 kinds and cluster-scoped nodes', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    };
    const d = await c.http('POST', '/apis/apps/v1/namespaces/default/deployments', dep);
    expect(d.status).toBe(201);
    expect(d.json.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } };
    expect((await c.http('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease)).status).toBe(201);
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } }, status: { capacity: { cpu: '2' } } };
    const n = await c.http('POST', '/api/v1/nodes', node);
    expect(n.status).toBe(201);
    expect(n.json.status.capacity.cpu).toBe('2');
    expect(n.json.metadata.namespace).toBeUndefined();
  });
});
