import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { configMap, namespace, pod, rc } from '../support/builders.js';

const MERGE = { 'Content-Type': 'application/merge-patch+json' };

describe('api-server: scale, namespaces, system services, dry runs', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster({ systemObjectsIntervalMs: 200 });
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('serves the scale subresource of RCs, ReplicaSets and Deployments (what kubectl scale sends)', async () => {
    await c.http('POST', '/api/v1/namespaces/default/replicationcontrollers', rc('kubia', 3));
    const s = await c.http('GET', '/api/v1/namespaces/default/replicationcontrollers/kubia/scale');
    expect(s.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'kubia', namespace: 'default' }, spec: { replicas: 3 }, status: { replicas: 0, selector: 'app=kubia' } });
    const p = await c.http('PATCH', '/api/v1/namespaces/default/replicationcontrollers/kubia/scale', { spec: { replicas: 5 } }, MERGE);
    expect(p.status).toBe(200);
    expect(p.json.spec.replicas).toBe(5);
    expect((await c.http('GET', '/api/v1/namespaces/default/replicationcontrollers/kubia')).json.spec.replicas).toBe(5);
    const put = await c.http('PUT', '/api/v1/namespaces/default/replicationcontrollers/kubia/scale', { ...p.json, spec: { replicas: 1 } });
    expect(put.json.spec.replicas).toBe(1);
    const stale = await c.http('PUT', '/api/v1/namespaces/default/replicationcontrollers/kubia/scale', { ...p.json, spec: { replicas: 2 } });
    expect(stale.status).toBe(409);
    expect((await c.http('PATCH', '/api/v1/namespaces/default/replicationcontrollers/kubia/scale', { spec: { replicas: -1 } }, MERGE)).status).toBe(400);
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    };
    await c.http('POST', '/apis/apps/v1/namespaces/default/deployments', dep);
    const ds = await c.http('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 4 } }, MERGE);
    expect(ds.json).toMatchObject({ spec: { replicas: 4 }, status: { selector: 'app=web' } });
  });

  it('deletes a namespace through Terminating: content removed, new content refused, then gone', async () => {
    await c.http('POST', '/api/v1/namespaces', namespace('doomed'));
    await c.http('POST', '/api/v1/namespaces/doomed/configmaps', configMap('a'));
    await c.http('POST', '/api/v1/namespaces/doomed/configmaps', { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await c.http('POST', '/api/v1/namespaces/doomed/pods', pod('p'));
    const d = await c.http('DELETE', '/api/v1/namespaces/doomed', { propagationPolicy: 'Background' });
    expect(d.status).toBe(200);
    expect(d.json.status.phase).toBe('Terminating');
    expect(d.json.metadata.deletionTimestamp).toBeDefined();
    const refused = await c.http('POST', '/api/v1/namespaces/doomed/configmaps', configMap('late'));
    expect(refused.status).toBe(403);
    expect(refused.json.reason).toBe('Forbidden');
    expect(refused.json.message).toBe('configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    await eventually(async () => expect((await c.http('GET', '/api/v1/namespaces/doomed/configmaps')).json.items.map((i: any) => i.metadata.name)).toEqual(['held']));
    expect((await c.http('GET', '/api/v1/namespaces/doomed')).json.status.phase).toBe('Terminating');
    await eventually(async () => {
      const conds = (await c.http('GET', '/api/v1/namespaces/doomed')).json.status.conditions ?? [];
      const by = Object.fromEntries(conds.map((x: any) => [x.type, x]));
      expect(by.NamespaceContentRemaining).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
      expect(by.NamespaceFinalizersRemaining).toMatchObject({ status: 'True', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    });
    await c.http('PATCH', '/api/v1/namespaces/doomed/configmaps/held', { metadata: { finalizers: null } }, MERGE);
    await eventually(async () => expect((await c.http('GET', '/api/v1/namespaces/doomed')).status).toBe(404));
  });

  it('refuses to delete default, kube-system and kube-public', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = await c.http('DELETE', `/api/v1/namespaces/${ns}`);
      expect(r.status).toBe(403);
      expect(r.json.message).toBe(`namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    }
  });

  it('has the kubernetes Service, its endpoints, and the kube-dns and dashboard cluster services; brings them back when deleted', async () => {
    const svc = await c.http('GET', '/api/v1/namespaces/default/services/kubernetes');
    expect(svc.json.spec).toMatchObject({ type: 'ClusterIP', clusterIP: '127.64.0.1', clusterIPs: ['127.64.0.1'] });
    const eps = await c.http('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
    expect(eps.json.subsets[0].ports[0].port).toBe(Number(new URL(c.baseUrl).port));
    const slices = await c.http('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes');
    expect(slices.json.items).toHaveLength(1);
    const cs = await c.http('GET', '/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue');
    expect(cs.json.items.map((s: any) => [s.metadata.name, s.metadata.labels['kubernetes.io/name'], s.spec.ports[0].name])).toEqual([
      ['kube-dns', 'CoreDNS', 'dns'],
      ['kubemu-dashboard', 'Dashboard', 'http'],
    ]);
    await c.http('DELETE', '/api/v1/namespaces/default/services/kubernetes');
    await eventually(async () => expect((await c.http('GET', '/api/v1/namespaces/default/services/kubernetes')).status).toBe(200));
  });

  it('allocates ClusterIPs and NodePorts, refuses taken ones, keeps them on update', async () => {
    const mk = (name: string, extra: object = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...extra } });
    const a = (await c.http('POST', '/api/v1/namespaces/default/services', mk('a'))).json;
    expect(a.spec.clusterIP).toMatch(/^127\.64\.\d+\.\d+$/);
    const np = (await c.http('POST', '/api/v1/namespaces/default/services', mk('np', { type: 'NodePort' }))).json;
    expect(np.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(np.spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    const lb = (await c.http('POST', '/api/v1/namespaces/default/services', mk('lb', { type: 'LoadBalancer' }))).json;
    expect(lb.spec.ports[0].nodePort).not.toBe(np.spec.ports[0].nodePort);
    expect(lb.spec.clusterIP).not.toBe(a.spec.clusterIP);
    const headless = (await c.http('POST', '/api/v1/namespaces/default/services', mk('h', { clusterIP: 'None' }))).json;
    expect(headless.spec.clusterIP).toBe('None');
    const taken = await c.http('POST', '/api/v1/namespaces/default/services', mk('dup', { clusterIP: a.spec.clusterIP }));
    expect(taken.status).toBe(422);
    expect(taken.json.message).toContain('provided IP is already allocated');
    const outside = await c.http('POST', '/api/v1/namespaces/default/services', mk('out', { clusterIP: '10.0.0.1' }));
    expect(outside.status).toBe(422);
    const relabelled = await c.http('PATCH', '/api/v1/namespaces/default/services/np', { metadata: { labels: { x: 'y' } } }, MERGE);
    expect(relabelled.json.spec.clusterIP).toBe(np.spec.clusterIP);
    expect(relabelled.json.spec.ports[0].nodePort).toBe(np.spec.ports[0].nodePort);
  });

  it('dry runs check everything and store nothing', async () => {
    const r = await c.http('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', configMap('dry'));
    expect(r.status).toBe(201);
    expect(r.json.metadata.uid).toBeDefined();
    expect((await c.http('GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    const bad = await c.http('POST', '/api/v1/namespaces/default/pods?dryRun=All', pod('Bad_Name'));
    expect(bad.status).toBe(422);
    await c.http('POST', '/api/v1/namespaces/default/configmaps', configMap('real'));
    expect((await c.http('DELETE', '/api/v1/namespaces/default/configmaps/real?dryRun=All')).status).toBe(200);
    expect((await c.http('GET', '/api/v1/namespaces/default/configmaps/real')).status).toBe(200);
    const p = await c.http('PATCH', '/api/v1/namespaces/default/configmaps/real?dryRun=All', { data: { x: '1' } }, MERGE);
    expect(p.json.data).toEqual({ x: '1' });
    expect((await c.http('GET', '/api/v1/namespaces/default/configmaps/real')).json.data).toEqual({});
    expect((await c.http('POST', '/api/v1/namespaces/default/configmaps?dryRun=Some', configMap('x'))).status).toBe(400);
  });
});
