/**
 * The ReplicationController and ReplicaSet managers and the garbage collector against a real
 * api-server (real nats-server, store process, api-server), driven by the real kubectl through the
 * study notes' flow: create the kubia RC, scale it, delete a pod, relabel a pod, delete the RC with
 * and without its pods, adopt orphans. The kubelets' part is played by a small controller in this
 * file: every pod is bound to one of three nodes and reported Running and Ready at once, and a
 * terminating pod is confirmed gone (unless the test holds terminations back).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceByPlural, type ResourceInfo } from '../../shared/api/resources.js';
import type { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { Controller } from '../../shared/controller/controller.js';
import { isoTime, realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { PROFILES } from '../../shared/runtime/profile.js';
import { createContext } from '../../services/controller-manager/context.js';
import { HeartbeatTracker } from '../../services/controller-manager/heartbeats.js';
import { garbageCollectorController } from '../../services/controller-manager/garbage-collector/collector.js';
import { replicaManagerController } from '../../services/controller-manager/replicas/replica-manager.js';
import { rcAdapter } from '../../services/controller-manager/replicas/rc-adapter.js';
import { rsAdapter } from '../../services/controller-manager/replicas/rs-adapter.js';
import type { ReplicaOwner } from '../../services/controller-manager/replicas/replica-owner.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { apiKubectl, type ApiKubectl } from '../support/api-kubectl.js';
import { readyNode } from '../support/controller-harness.js';
import { eventually } from '../support/eventually.js';
import { parseTable } from '../support/kubectl-output.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RC_YAML = join(ROOT, 'test/fixtures/manifests/rc.yaml');
const PODS = resourceByPlural('pods');
const NODES = resourceByPlural('nodes');
const RCS = resourceByPlural('replicationcontrollers');
const RSS = resourceByPlural('replicasets');

let c: ApiCluster;
let api: NatsApiClient;
let kubectl: ApiKubectl;
const abort = new AbortController();
/** While true, terminating pods stay Terminating (their kubelet does not confirm). */
let holdTermination = false;
let bound = 0;

/** Plays the kubelets: binds each new pod to a node, reports it Running and Ready, confirms deletions. */
function fakeKubelets(ctx: ReturnType<typeof createContext>): Controller {
  const pods = ctx.pods();
  return new Controller({
    name: 'fake-kubelets',
    needLeaderElection: false,
    workers: 4,
    reconciler: {
      async reconcile(key) {
        const pod = pods.lister.get(key);
        if (!pod) return;
        const { namespace, name = '', uid } = pod.metadata;
        try {
          if (pod.metadata.deletionTimestamp) {
            if (!holdTermination) await api.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } });
            return holdTermination ? { requeueAfterMs: 100 } : undefined;
          }
          if (!pod.spec.nodeName) {
            const node = `node-${(bound++ % 3) + 1}`;
            await api.create(PODS, namespace, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } }, 'binding', name);
            return;
          }
          if (pod.status?.phase !== 'Running') {
            const now = isoTime(realClock);
            const conditions = ['Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True' as const, lastTransitionTime: now }));
            await api.update<Pod>(PODS, { ...structuredClone(pod), status: { ...pod.status, phase: 'Running', conditions: [...(pod.status?.conditions ?? []), ...conditions] } }, 'status');
          }
        } catch (err) {
          if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
        }
      },
    },
  }).watch(pods);
}

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await kubectl.run(args, input);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** Pods with `app=<app>` that are not terminating. */
async function running(app = 'kubia'): Promise<Pod[]> {
  const list = await api.list<Pod>(PODS, 'default', { labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
}

async function waitForRunning(n: number, app = 'kubia'): Promise<Pod[]> {
  return eventually(
    async () => {
      const pods = await running(app);
      expect(pods).toHaveLength(n);
      return pods;
    },
    { timeoutMs: 15_000, message: `${n} running ${app} pods` },
  );
}

async function gone(r: ResourceInfo, name: string): Promise<boolean> {
  try {
    await api.get(r, 'default', name);
    return false;
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return true;
    throw err;
  }
}

beforeAll(async () => {
  c = await startApiCluster({ defaultTolerationSeconds: 0 });
  api = c.client('replicas-test');
  kubectl = apiKubectl(c.baseUrl);
  for (const n of ['node-1', 'node-2', 'node-3']) await api.create(NODES, undefined, readyNode(n, realClock));
  const ctx = createContext({ api, clock: realClock, log: silentLogger(), profile: PROFILES.default, heartbeats: new HeartbeatTracker(realClock) });
  for (const runnable of [replicaManagerController(rcAdapter)(ctx), replicaManagerController(rsAdapter)(ctx), garbageCollectorController(ctx)]) void runnable.run(abort.signal);
  void fakeKubelets(ctx).run(abort.signal);
  ctx.informers.start(abort.signal);
  await ctx.informers.waitForSync();
});

afterAll(async () => {
  abort.abort();
  await c?.dispose();
  kubectl?.dispose();
});

describe('ReplicationControllers with the real kubectl (the notes flow)', () => {
  it('runs three kubia pods for `kubectl create -f rc.yaml`, spread over the nodes, and shows them in `kubectl get rc`', async () => {
    expect(await kubectlOk(['create', '-f', RC_YAML])).toBe('replicationcontroller/kubia created\n');
    const pods = await waitForRunning(3);
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3);
    for (const p of pods) expect(p.metadata.name).toMatch(/^kubia-[a-z0-9]{5}$/);
    await eventually(async () => {
      const table = parseTable(await kubectlOk(['get', 'rc', 'kubia']));
      expect(table.rows[0]).toMatchObject({ NAME: 'kubia', DESIRED: '3', CURRENT: '3', READY: '3' });
    });
    const describe = await kubectlOk(['describe', 'rc', 'kubia']);
    expect(describe).toMatch(/Pods Status:\s+3 Running/);
    expect(describe).toMatch(/SuccessfulCreate\s+.*Created pod: kubia-/);
  });

  it('scales with `kubectl scale rc kubia --replicas=5` and back', async () => {
    expect(await kubectlOk(['scale', 'rc', 'kubia', '--replicas=5'])).toBe('replicationcontroller/kubia scaled\n');
    await waitForRunning(5);
    await eventually(async () => expect((await api.get<ReplicaOwner>(RCS, 'default', 'kubia')).status).toMatchObject({ replicas: 5, readyReplicas: 5, availableReplicas: 5, observedGeneration: 2 }));
  });

  it('replaces a pod deleted with `kubectl delete po`', async () => {
    const [victim] = await running();
    await kubectlOk(['delete', 'po', victim.metadata.name!]);
    const now = await waitForRunning(5);
    expect(now.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
  });

  it('lets a relabelled pod leave the RC and makes a new one (`kubectl label pod … app=foo --overwrite`)', async () => {
    const [victim] = await running();
    await kubectlOk(['label', 'pod', victim.metadata.name!, 'app=foo', '--overwrite']);
    const now = await waitForRunning(5);
    expect(now.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    const released = await api.get<Pod>(PODS, 'default', victim.metadata.name!);
    expect(released.metadata.ownerReferences ?? []).toEqual([]);
    expect(released.metadata.deletionTimestamp).toBeUndefined();
    await kubectlOk(['delete', 'po', victim.metadata.name!]);
  });

  it('keeps the pods of an RC deleted with --cascade=orphan, and a new RC adopts them (scaling down to its replicas)', async () => {
    await kubectlOk(['delete', 'rc', 'kubia', '--cascade=orphan']);
    await eventually(() => gone(RCS, 'kubia'));
    const orphans = await waitForRunning(5);
    for (const p of orphans) expect(p.metadata.ownerReferences ?? []).toEqual([]);

    await kubectlOk(['create', '-f', RC_YAML]);
    const rc = await api.get<ReplicaOwner>(RCS, 'default', 'kubia');
    const adopted = await waitForRunning(3);
    for (const p of adopted) {
      expect(orphans.map((o) => o.metadata.name)).toContain(p.metadata.name);
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicationController', uid: rc.metadata.uid, controller: true });
    }
  });

  it('deletes the pods with the RC on a plain `kubectl delete rc kubia`', async () => {
    await kubectlOk(['delete', 'rc', 'kubia']);
    await eventually(async () => expect((await api.list<Pod>(PODS, 'default', { labelSelector: 'app=kubia' })).items).toEqual([]), { timeoutMs: 15_000 });
  });

  it('keeps a foreground-deleted RC until its pods are gone', async () => {
    await kubectlOk(['create', '-f', RC_YAML]);
    await waitForRunning(3);
    holdTermination = true;
    try {
      await kubectlOk(['delete', 'rc', 'kubia', '--cascade=foreground', '--wait=false']);
      await eventually(async () => expect(await running()).toEqual([]));
      const waiting = await api.get<ReplicaOwner>(RCS, 'default', 'kubia');
      expect(waiting.metadata.finalizers).toEqual(['foregroundDeletion']);
      expect(waiting.metadata.deletionTimestamp).toBeDefined();
    } finally {
      holdTermination = false;
    }
    await eventually(() => gone(RCS, 'kubia'), { timeoutMs: 15_000 });
    expect((await api.list<Pod>(PODS, 'default', { labelSelector: 'app=kubia' })).items).toEqual([]);
  });
});

describe('ReplicaSets and API defaults', () => {
  it('keeps a ReplicaSet at its replicas and deletes its pods with it by default (apps/v1 is Background)', async () => {
    const rs = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: kubia-rs
spec:
  replicas: 2
  selector:
    matchExpressions:
    - key: app
      operator: In
      values: [kubia-rs]
  template:
    metadata:
      labels:
        app: kubia-rs
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
`;
    expect(await kubectlOk(['create', '-f', '-'], rs)).toBe('replicaset.apps/kubia-rs created\n');
    await waitForRunning(2, 'kubia-rs');
    await eventually(async () => expect(parseTable(await kubectlOk(['get', 'rs', 'kubia-rs'])).rows[0]).toMatchObject({ DESIRED: '2', CURRENT: '2', READY: '2' }));
    const res = await c.http('DELETE', '/apis/apps/v1/namespaces/default/replicasets/kubia-rs');
    expect(res.status).toBe(200);
    await eventually(() => gone(RSS, 'kubia-rs'));
    await eventually(async () => expect((await api.list<Pod>(PODS, 'default', { labelSelector: 'app=kubia-rs' })).items).toEqual([]), { timeoutMs: 15_000 });
  });

  it('orphans the pods of a v1 ReplicationController deleted without a policy, as Kubernetes keeps it for compatibility', async () => {
    await kubectlOk(['create', '-f', RC_YAML]);
    const pods = await waitForRunning(3);
    const res = await c.http('DELETE', '/api/v1/namespaces/default/replicationcontrollers/kubia');
    expect(res.status).toBe(200);
    expect((res.json as KubeObject).metadata.finalizers).toEqual(['orphan']);
    await eventually(() => gone(RCS, 'kubia'));
    const left = await waitForRunning(3);
    expect(left.map((p) => p.metadata.name).sort()).toEqual(pods.map((p) => p.metadata.name).sort());
    for (const p of left) expect(p.metadata.ownerReferences ?? []).toEqual([]);
    await kubectlOk(['delete', 'po', '-l', 'app=kubia']);
  });
});
