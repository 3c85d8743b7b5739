/**
 * A second real client: `@kubernetes/client-node` (1.x, the newest major that runs on Node 20)
 * against the api-server over HTTP, used the way programs use it — typed clients (list, create,
 * read, replace, patch with each patch type, delete, the scale subresource), its error shape, the
 * generic KubernetesObjectApi (which finds resources through legacy discovery), its Watch, and
 * its informer (list, then watch from the list's resourceVersion; add/update/delete callbacks, a
 * label-selected informer, resuming across an api-server restart).
 *
 * Nothing here works around the server: if the client needs something kubemu does not do, the
 * test fails and shows it.
 */
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { kubeconfigYaml } from '../../services/kubemu/kubeconfig.js';

const NS = 'default';

/** The client configured the way a program would be: from the kubeconfig `kubemu up` writes. */
function kubeConfig(server: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfigYaml({ server }));
  return kc;
}

function pod(name: string, labels: Record<string, string> = {}): k8s.V1Pod {
  return { metadata: { name, labels }, spec: { containers: [{ name: 'main', image: 'luksa/kubia', ports: [{ containerPort: 8080 }] }] } };
}

/** Records informer callbacks as `verb name` strings (with a label where the test cares). */
function recorder<T extends k8s.KubernetesObject>(inf: k8s.Informer<T>, show: (o: T) => string = (o) => o.metadata!.name!) {
  const seen: string[] = [];
  const errors: unknown[] = [];
  inf.on(k8s.ADD, (o) => seen.push(`add ${show(o)}`));
  inf.on(k8s.UPDATE, (o) => seen.push(`update ${show(o)}`));
  inf.on(k8s.DELETE, (o) => seen.push(`delete ${show(o)}`));
  inf.on(k8s.ERROR, (e) => errors.push(e));
  return { seen, errors };
}

describe('@kubernetes/client-node against kubemu', () => {
  let c: ApiCluster;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  const mergePatch = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const strategicPatch = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

  beforeAll(async () => {
    c = await startApiCluster({ historyCapacity: 40, bookmarkIntervalMs: 500 });
    kc = kubeConfig(c.baseUrl);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('loads the kubeconfig kubemu writes: context kubemu, namespace default, the plain-HTTP server', async () => {
    expect(kc.getCurrentContext()).toBe('kubemu');
    expect(kc.getContextObject('kubemu')!.namespace).toBe('default');
    expect(kc.getCurrentCluster()).toMatchObject({ server: c.baseUrl, skipTLSVerify: true });
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version).toMatchObject({ major: '1', minor: '32' });
  });

  describe('typed clients', () => {
    it('lists namespaces and the default services', async () => {
      const ns = await core.listNamespace();
      expect(ns.items.map((n) => n.metadata!.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      expect(ns.items[0]!.status!.phase).toBe('Active');
      const svcs = await core.listServiceForAllNamespaces();
      expect(svcs.items.map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`)).toEqual(['default/kubernetes', 'kube-system/kube-dns', 'kube-system/kubemu-dashboard']);
    });

    it('creates a pod and gets it back defaulted, with a real Date for its creation time', async () => {
      const created = await core.createNamespacedPod({ namespace: NS, body: pod('cn-create', { app: 'cn' }) });
      expect(created.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata!.creationTimestamp).toBeInstanceOf(Date);
      expect(created.spec!.containers[0]!.imagePullPolicy).toBe('Always');
      expect(created.spec!.containers[0]!.ports).toEqual([{ containerPort: 8080, protocol: 'TCP' }]);
      expect(created.status!.phase).toBe('Pending');
      const read = await core.readNamespacedPod({ name: 'cn-create', namespace: NS });
      expect(read.metadata!.resourceVersion).toBe(created.metadata!.resourceVersion);
      const list = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=cn' });
      expect(list.items.map((p) => p.metadata!.name)).toEqual(['cn-create']);
      expect(Number(list.metadata!.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata!.resourceVersion));
    });

    it('patches with a merge patch, a strategic merge patch and a JSON patch', async () => {
      await core.createNamespacedPod({ namespace: NS, body: pod('cn-patch') });
      const merged = await core.patchNamespacedPod({ name: 'cn-patch', namespace: NS, body: { metadata: { labels: { env: 'prod' } } } }, mergePatch());
      expect(merged.metadata!.labels).toEqual({ env: 'prod' });

      // Strategic: the containers list merges by name, so the port survives an image change.
      const strategic = await core.patchNamespacedPod({ name: 'cn-patch', namespace: NS, body: { spec: { containers: [{ name: 'main', image: 'luksa/kubia:v2' }] } } }, strategicPatch());
      expect(strategic.spec!.containers).toHaveLength(1);
      expect(strategic.spec!.containers[0]).toMatchObject({ name: 'main', image: 'luksa/kubia:v2', ports: [{ containerPort: 8080, protocol: 'TCP' }] });

      // Without a Content-Type option the client sends its default, a JSON patch.
      const json = await core.patchNamespacedPod({ name: 'cn-patch', namespace: NS, body: [{ op: 'add', path: '/metadata/annotations', value: { note: 'json-patch' } }] });
      expect(json.metadata!.annotations).toEqual({ note: 'json-patch' });
      expect(Number(json.metadata!.resourceVersion)).toBeGreaterThan(Number(strategic.metadata!.resourceVersion));
    });

    it('replaces an object, and a replace with a stale resourceVersion fails with 409 Conflict', async () => {
      const cm = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cn-replace' }, data: { a: '1' } } });
      const replaced = await core.replaceNamespacedConfigMap({ name: 'cn-replace', namespace: NS, body: { ...cm, data: { a: '2' } } });
      expect(replaced.data).toEqual({ a: '2' });
      const err = await core.replaceNamespacedConfigMap({ name: 'cn-replace', namespace: NS, body: { ...cm, data: { a: '3' } } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(k8s.ApiException);
      const e = err as k8s.ApiException<string>;
      expect(e.code).toBe(409);
      const status = JSON.parse(e.body);
      expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409, details: { name: 'cn-replace', kind: 'configmaps' } });
    });

    it('reports 404 NotFound, 409 AlreadyExists and 422 Invalid as ApiExceptions carrying a Status', async () => {
      const notFound = (await core.readNamespacedPod({ name: 'nothere', namespace: NS }).catch((e: unknown) => e)) as k8s.ApiException<string>;
      expect(notFound.code).toBe(404);
      expect(JSON.parse(notFound.body)).toMatchObject({ reason: 'NotFound', message: 'pods "nothere" not found' });
      const exists = (await core.createNamespacedPod({ namespace: NS, body: pod('cn-create') }).catch((e: unknown) => e)) as k8s.ApiException<string>;
      expect(exists.code).toBe(409);
      expect(JSON.parse(exists.body)).toMatchObject({ reason: 'AlreadyExists', message: 'pods "cn-create" already exists' });
      const invalid = (await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'cn-invalid' }, spec: { containers: [{ name: 'main' }] } } }).catch((e: unknown) => e)) as k8s.ApiException<string>;
      expect(invalid.code).toBe(422);
      const st = JSON.parse(invalid.body);
      expect(st).toMatchObject({ reason: 'Invalid', details: { name: 'cn-invalid', kind: 'Pod' } });
      expect(st.details.causes).toContainEqual(expect.objectContaining({ field: 'spec.containers[0].image', reason: 'FieldValueRequired' }));
    });

    it('deletes a pod; an unscheduled pod is gone at once', async () => {
      await core.createNamespacedPod({ namespace: NS, body: pod('cn-delete') });
      await core.deleteNamespacedPod({ name: 'cn-delete', namespace: NS });
      const gone = (await core.readNamespacedPod({ name: 'cn-delete', namespace: NS }).catch((e: unknown) => e)) as k8s.ApiException<string>;
      expect(gone.code).toBe(404);
    });

    it('creates a deployment and scales it through the scale subresource', async () => {
      const labels = { app: 'cn-web' };
      await apps.createNamespacedDeployment({
        namespace: NS,
        body: { metadata: { name: 'cn-web' }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'luksa/kubia' }] } } } },
      });
      const scale = await apps.readNamespacedDeploymentScale({ name: 'cn-web', namespace: NS });
      expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 } });
      const patched = await apps.patchNamespacedDeploymentScale({ name: 'cn-web', namespace: NS, body: { spec: { replicas: 4 } } }, mergePatch());
      expect(patched.spec!.replicas).toBe(4);
      expect((await apps.readNamespacedDeployment({ name: 'cn-web', namespace: NS })).spec!.replicas).toBe(4);
      const replaced = await apps.replaceNamespacedDeploymentScale({ name: 'cn-web', namespace: NS, body: { ...patched, spec: { replicas: 2 } } });
      expect(replaced.spec!.replicas).toBe(2);
      await apps.deleteNamespacedDeployment({ name: 'cn-web', namespace: NS });
    });
  });

  describe('the generic KubernetesObjectApi', () => {
    it('creates, reads, patches (merge and strategic) and deletes objects from the notes manifests', async () => {
      const client = k8s.KubernetesObjectApi.makeApiClient(kc);
      const [rc] = k8s.loadAllYaml(readFileSync(new URL('../fixtures/manifests/rc.yaml', import.meta.url), 'utf8')) as k8s.KubernetesObject[];
      rc!.metadata!.namespace = NS;
      const created = (await client.create(rc!)) as k8s.V1ReplicationController;
      expect(created.kind).toBe('ReplicationController');
      expect(created.spec!.replicas).toBe(3);

      const merged = (await client.patch(
        { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'kubia', namespace: NS, labels: { tier: 'web' } } },
        undefined,
        undefined,
        undefined,
        undefined,
        k8s.PatchStrategy.MergePatch,
      )) as k8s.V1ReplicationController;
      // An RC without labels took its template's labels when created (v1 defaulting); the patch adds one.
      expect(merged.metadata!.labels).toEqual({ app: 'kubia', tier: 'web' });

      const strategic = (await client.patch(
        { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'kubia', namespace: NS }, spec: { template: { spec: { containers: [{ name: 'kubia', image: 'luksa/kubia:v2' }] } } } } as k8s.KubernetesObject,
        undefined,
        undefined,
        undefined,
        undefined,
        k8s.PatchStrategy.StrategicMergePatch,
      )) as k8s.V1ReplicationController;
      expect(strategic.spec!.template!.spec!.containers).toEqual([
        expect.objectContaining({ name: 'kubia', image: 'luksa/kubia:v2', ports: [{ containerPort: 8080, protocol: 'TCP' }] }),
      ]);

      const read = (await client.read({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'kubia', namespace: NS } })) as k8s.V1ReplicationController;
      expect(read.metadata!.resourceVersion).toBe(strategic.metadata!.resourceVersion);
      const listed = await client.list('v1', 'ReplicationController', NS);
      expect(listed.items.map((o) => o.metadata!.name)).toEqual(['kubia']);

      // Without a policy a core/v1 RC orphans its pods and waits for the garbage collector (none
      // runs in this test), as in Kubernetes: ask for Background, as kubectl does.
      await client.delete({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'kubia', namespace: NS } }, undefined, undefined, undefined, undefined, 'Background');
      expect((await client.list('v1', 'ReplicationController', NS)).items).toEqual([]);
    });

    it('works for cluster-scoped and apps/v1 kinds too', async () => {
      const client = k8s.KubernetesObjectApi.makeApiClient(kc);
      await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cn-generic' } } as k8s.KubernetesObject);
      const [deploy] = k8s.loadAllYaml(readFileSync(new URL('../fixtures/manifests/deploy.yaml', import.meta.url), 'utf8')) as k8s.KubernetesObject[];
      deploy!.metadata!.namespace = 'cn-generic';
      const created = (await client.create(deploy!)) as k8s.V1Deployment;
      expect(created.metadata!.namespace).toBe('cn-generic');
      expect(created.spec!.strategy!.type).toBe('RollingUpdate');
      const ns = (await client.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cn-generic' } })) as k8s.V1Namespace;
      expect(ns.status!.phase).toBe('Active');
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cn-generic' } });
      await eventually(async () => {
        const err = (await client.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cn-generic' } }).catch((e: unknown) => e)) as k8s.ApiException<string>;
        expect(err.code).toBe(404);
      });
    });
  });

  describe('Watch', () => {
    it('streams ADDED, MODIFIED and DELETED with increasing resourceVersions', async () => {
      const list = await core.listNamespacedConfigMap({ namespace: NS });
      const events: { type: string; name: string; rv: number; data?: Record<string, string> }[] = [];
      let ended: unknown = 'open';
      const ctl = await new k8s.Watch(kc).watch(
        `/api/v1/namespaces/${NS}/configmaps`,
        { resourceVersion: list.metadata!.resourceVersion },
        (type, obj: k8s.V1ConfigMap) => events.push({ type, name: obj.metadata!.name!, rv: Number(obj.metadata!.resourceVersion), data: obj.data }),
        (err) => (ended = err),
      );
      try {
        await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cn-watch' }, data: { a: '1' } } });
        await core.patchNamespacedConfigMap({ name: 'cn-watch', namespace: NS, body: { data: { a: '2' } } }, mergePatch());
        await core.deleteNamespacedConfigMap({ name: 'cn-watch', namespace: NS });
        await eventually(() => expect(events.filter((e) => e.name === 'cn-watch').map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']));
        const mine = events.filter((e) => e.name === 'cn-watch');
        expect(mine[1]!.data).toEqual({ a: '2' });
        expect(mine[0]!.rv).toBeLessThan(mine[1]!.rv);
        expect(mine[1]!.rv).toBeLessThan(mine[2]!.rv);
        expect(ended).toBe('open');
      } finally {
        ctl.abort();
      }
    });

    it('replays the changes made after a resourceVersion, with a label selector', async () => {
      const list = await core.listNamespacedPod({ namespace: NS });
      const rv = list.metadata!.resourceVersion!;
      await core.createNamespacedPod({ namespace: NS, body: pod('cn-replay-a', { replay: 'yes' }) });
      await core.createNamespacedPod({ namespace: NS, body: pod('cn-replay-b', { replay: 'no' }) });
      await core.patchNamespacedPod({ name: 'cn-replay-a', namespace: NS, body: { metadata: { labels: { replay: 'no' } } } }, mergePatch());
      const events: string[] = [];
      const ctl = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${NS}/pods`, { resourceVersion: rv, labelSelector: 'replay=yes' }, (type, obj: k8s.V1Pod) => events.push(`${type} ${obj.metadata!.name}`), () => undefined);
      try {
        // Leaving the selector is seen as a deletion, as in Kubernetes.
        await eventually(() => expect(events).toEqual(['ADDED cn-replay-a', 'DELETED cn-replay-a']));
      } finally {
        ctl.abort();
      }
    });

    it('answers a watch from a resourceVersion older than the history with a 410 Expired ERROR event', async () => {
      const first = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cn-old' } } });
      for (let i = 0; i < 50; i++) await core.patchNamespacedConfigMap({ name: 'cn-old', namespace: NS, body: { data: { i: String(i) } } }, mergePatch());
      const events: { type: string; obj: any }[] = [];
      let ended = false;
      const ctl = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${NS}/configmaps`, { resourceVersion: first.metadata!.resourceVersion }, (type, obj) => events.push({ type, obj }), () => (ended = true));
      try {
        await eventually(() => expect(events.length).toBeGreaterThan(0));
        expect(events[0]!.type).toBe('ERROR');
        expect(events[0]!.obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
        await eventually(() => expect(ended).toBe(true));
      } finally {
        ctl.abort();
      }
    });
  });

  describe('informer', () => {
    it('lists, then sees adds, updates and deletes; its cache follows', async () => {
      await core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'cn-before' }, spec: { ports: [{ port: 80 }] } } });
      const inf = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/services`, () => core.listNamespacedService({ namespace: NS }));
      const { seen, errors } = recorder(inf);
      await inf.start();
      try {
        await eventually(() => expect(seen).toEqual(['add cn-before', 'add kubernetes']));
        await core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'cn-svc' }, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] } } });
        await core.patchNamespacedService({ name: 'cn-svc', namespace: NS, body: { metadata: { labels: { seen: 'yes' } } } }, mergePatch());
        await core.deleteNamespacedService({ name: 'cn-before', namespace: NS });
        await eventually(() => expect(seen.slice(2)).toEqual(['add cn-svc', 'update cn-svc', 'delete cn-before']));
        const cached = inf.get('cn-svc', NS) as k8s.V1Service;
        expect(cached.metadata!.labels).toEqual({ seen: 'yes' });
        expect(cached.spec!.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(cached.spec!.ports![0]!.nodePort).toBeGreaterThanOrEqual(30000);
        expect(inf.list(NS).map((s) => s.metadata!.name).sort()).toEqual(['cn-svc', 'kubernetes']);
        expect(errors).toEqual([]);
      } finally {
        await inf.stop();
      }
    });

    it('with a label selector sees only matching objects, and an object losing the label as deleted', async () => {
      const inf = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS, labelSelector: 'team=blue' }), 'team=blue');
      const { seen, errors } = recorder(inf);
      await inf.start();
      try {
        await core.createNamespacedPod({ namespace: NS, body: pod('cn-blue', { team: 'blue' }) });
        await core.createNamespacedPod({ namespace: NS, body: pod('cn-red', { team: 'red' }) });
        await core.patchNamespacedPod({ name: 'cn-red', namespace: NS, body: { metadata: { labels: { team: 'blue' } } } }, mergePatch());
        await core.patchNamespacedPod({ name: 'cn-blue', namespace: NS, body: { metadata: { labels: { team: 'green' } } } }, mergePatch());
        await eventually(() => expect(seen).toEqual(['add cn-blue', 'add cn-red', 'delete cn-blue']));
        expect(inf.list(NS).map((p) => p.metadata!.name)).toEqual(['cn-red']);
        expect(errors).toEqual([]);
      } finally {
        await inf.stop();
      }
    });

    it('keeps going across an api-server restart, resuming without losing or repeating changes', async () => {
      const inf = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/secrets`, () => core.listNamespacedSecret({ namespace: NS }));
      const { seen, errors } = recorder(inf, (s: k8s.V1Secret) => `${s.metadata!.name}=${Buffer.from(s.data?.v ?? '', 'base64').toString()}`);
      // The client stops on a connection error and leaves restarting to its user, as its README says.
      inf.on(k8s.ERROR, () => setTimeout(() => void inf.start(), 200));
      await inf.start();
      try {
        await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'cn-s' }, stringData: { v: '1' } } });
        await eventually(() => expect(seen).toEqual(['add cn-s=1']));
        await c.restartApiServer();
        await core.patchNamespacedSecret({ name: 'cn-s', namespace: NS, body: { stringData: { v: '2' } } }, mergePatch());
        await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'cn-t' }, stringData: { v: '3' } } });
        await eventually(() => expect(seen).toEqual(['add cn-s=1', 'update cn-s=2', 'add cn-t=3']), { timeoutMs: 15_000 });
        for (const e of errors) expect(String(e)).toMatch(/ECONNRESET|ECONNREFUSED|socket hang up|premature close|terminated/i);
      } finally {
        await inf.stop();
      }
    });
  });
});
