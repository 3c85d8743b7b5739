import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import type { ReplicaSet } from '../../shared/api/apps.js';
import { statusError } from '../../shared/api/errors.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { isoTime } from '../../shared/runtime/clock.js';
import { replicaManagerController } from '../../services/controller-manager/replicas/replica-manager.js';
import { rcAdapter } from '../../services/controller-manager/replicas/rc-adapter.js';
import { rsAdapter } from '../../services/controller-manager/replicas/rs-adapter.js';
import type { ReplicaOwner } from '../../services/controller-manager/replicas/replica-owner.js';
import { PODS, startHarness, type Harness } from '../support/controller-harness.js';
import { pod, rc } from '../support/builders.js';
import { advanceUntil, settle } from '../support/settle.js';

const RCS = resourceByPlural('replicationcontrollers');
const RSS = resourceByPlural('replicasets');

let h: Harness;
afterEach(() => h?.stop());

async function start(opts: { rs?: boolean } = {}): Promise<Harness> {
  h = await startHarness();
  h.run(replicaManagerController(opts.rs ? rsAdapter : rcAdapter)(h.ctx));
  return h;
}

const until = <T>(fn: () => Promise<T>): Promise<T> => advanceUntil(h.clock, fn);

async function activePods(app = 'kubia'): Promise<Pod[]> {
  const list = await h.api.list<Pod>(PODS, 'default', { labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

/** Waits until exactly `n` pods with `app=kubia` are active, and answers them. */
function podsWhen(n: number): Promise<Pod[]> {
  return until(async () => {
    const p = await activePods();
    expect(p).toHaveLength(n);
    return p;
  });
}

async function rcStatus(name = 'kubia'): Promise<ReplicaOwner['status']> {
  return (await h.api.get<ReplicaOwner>(RCS, 'default', name)).status;
}

/** Like `until`, but without letting fake time pass (no timer, hence no rate-limited retry, fires). */
async function untilSettled<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    try {
      return await fn();
    } catch {
      await settle();
    }
  }
  return fn();
}

/** Binds a pod to a node and reports it Running (and Ready, if asked) as a kubelet would. */
async function runOn(name: string, node: string, ready: boolean): Promise<void> {
  await h.api.create(PODS, 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } }, 'binding', name);
  const p = await h.api.get<Pod>(PODS, 'default', name);
  const conditions = [{ type: 'Ready', status: ready ? ('True' as const) : ('False' as const), lastTransitionTime: isoTime(h.clock) }];
  await h.api.update(PODS, { ...p, status: { phase: 'Running', conditions } }, 'status');
}

describe('replication controller manager', () => {
  it('creates the missing pods from the template, owned by the RC, and reports them in its status', async () => {
    await start();
    const created = await h.api.create<ReplicaOwner>(RCS, 'default', rc('kubia', 3));
    const pods = await podsWhen(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^kubia-[a-z0-9]{5}$/);
      expect(p.metadata.generateName).toBe('kubia-');
      expect(p.metadata.labels).toEqual({ app: 'kubia' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'ReplicationController', name: 'kubia', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.spec.containers[0].image).toBe('luksa/kubia');
    }
    await until(async () => expect(await rcStatus()).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 }));
    const events = await h.events('SuccessfulCreate');
    expect(events.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(events[0]).toMatchObject({ type: 'Normal', source: { component: 'replication-controller' }, involvedObject: { kind: 'ReplicationController', name: 'kubia' } });
  });

  it('follows kubectl scale up and down, deleting unassigned and not-ready pods before ready ones', async () => {
    await start();
    await h.api.create(RCS, 'default', rc('kubia', 3));
    const [a, b] = await podsWhen(3);
    await h.api.patch(RCS, 'default', 'kubia', 'merge', { spec: { replicas: 5 } }, 'scale');
    await until(async () => expect(await activePods()).toHaveLength(5));
    await runOn(a.metadata.name!, 'node-1', true);
    await runOn(b.metadata.name!, 'node-1', false);
    await h.api.patch(RCS, 'default', 'kubia', 'merge', { spec: { replicas: 1 } }, 'scale');
    const left = await podsWhen(1);
    expect(left[0].metadata.name).toBe(a.metadata.name);
    await until(async () => expect(await rcStatus()).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 }));
    expect((await rcStatus())?.observedGeneration).toBe((await h.api.get(RCS, 'default', 'kubia')).metadata.generation);
    expect(await h.events('SuccessfulDelete')).toHaveLength(4);
  });

  it('replaces a deleted pod, and a pod evicted from a dead node as soon as it is Terminating', async () => {
    await start();
    await h.api.create(RCS, 'default', rc('kubia', 2));
    const [first, second] = await podsWhen(2);
    await h.api.delete(PODS, 'default', first.metadata.name!);
    await until(async () => expect((await activePods()).map((p) => p.metadata.name)).not.toContain(first.metadata.name));
    await until(async () => expect(await activePods()).toHaveLength(2));

    await runOn(second.metadata.name!, 'node-2', true);
    await h.api.delete(PODS, 'default', second.metadata.name!); // graceful: its kubelet is gone and never confirms
    expect((await h.pod(second.metadata.name!)).metadata.deletionTimestamp).toBeDefined();
    const now = await podsWhen(2);
    expect(now.map((p) => p.metadata.name)).not.toContain(second.metadata.name);
  });

  it('releases a pod whose labels stop matching and makes a new one (the relabelled pod lives on)', async () => {
    await start();
    await h.api.create(RCS, 'default', rc('kubia', 3));
    const [victim] = await podsWhen(3);
    await h.api.patch(PODS, 'default', victim.metadata.name!, 'merge', { metadata: { labels: { app: 'foo' } } });
    await until(async () => expect((await h.pod(victim.metadata.name!)).metadata.ownerReferences ?? []).toEqual([]));
    const kubia = await podsWhen(3);
    expect(kubia.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    expect((await h.pod(victim.metadata.name!)).metadata.deletionTimestamp).toBeUndefined();
  });

  it('adopts matching orphans instead of creating pods, and leaves pods of other owners and other labels alone', async () => {
    await start();
    await h.api.create(PODS, 'default', pod('orphan-1', { labels: { app: 'kubia' } }));
    await h.api.create(PODS, 'default', pod('orphan-2', { labels: { app: 'kubia' } }));
    await h.api.create(PODS, 'default', pod('other-labels', { labels: { app: 'foo' } }));
    const foreign = pod('foreign', { labels: { app: 'kubia' } });
    foreign.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'someone-else', controller: true }];
    await h.api.create(PODS, 'default', foreign);
    const created = await h.api.create<ReplicaOwner>(RCS, 'default', rc('kubia', 3));
    await until(async () => {
      const mine = (await activePods()).filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === created.metadata.uid));
      expect(mine).toHaveLength(3);
    });
    expect((await h.pod('orphan-1')).metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicationController', uid: created.metadata.uid, controller: true });
    expect((await h.pod('orphan-2')).metadata.ownerReferences?.[0]?.uid).toBe(created.metadata.uid);
    expect((await h.pod('other-labels')).metadata.ownerReferences).toBeUndefined();
    expect((await h.pod('foreign')).metadata.ownerReferences?.[0]?.uid).toBe('someone-else');
    expect(await h.events('SuccessfulCreate')).toHaveLength(1);
  });

  it('neither creates, adopts nor releases while the RC is being deleted', async () => {
    await start();
    await h.api.create(RCS, 'default', rc('kubia', 2));
    const [a, b] = await podsWhen(2);
    await h.api.delete(RCS, 'default', 'kubia', { propagationPolicy: 'Orphan' });
    await h.api.delete(PODS, 'default', a.metadata.name!);
    await h.api.patch(PODS, 'default', b.metadata.name!, 'merge', { metadata: { labels: { app: 'foo' } } });
    await h.api.create(PODS, 'default', pod('orphan', { labels: { app: 'kubia' } }));
    await h.advance(500);
    expect((await activePods()).map((p) => p.metadata.name)).toEqual(['orphan']);
    expect((await h.pod('orphan')).metadata.ownerReferences).toBeUndefined();
    expect((await h.pod(b.metadata.name!)).metadata.ownerReferences).toHaveLength(1);
  });

  it('counts pods available only after minReadySeconds and looks again when they become so', async () => {
    await start();
    await h.api.create(RCS, 'default', { ...rc('kubia', 2), spec: { ...rc('kubia', 2).spec, minReadySeconds: 10 } });
    const pods = await podsWhen(2);
    for (const p of pods) await runOn(p.metadata.name!, 'node-1', true);
    await until(async () => expect(await rcStatus()).toMatchObject({ replicas: 2, readyReplicas: 2 }));
    expect((await rcStatus())?.availableReplicas).toBeUndefined();
    await h.advance(10_500, 500);
    await until(async () => expect(await rcStatus()).toMatchObject({ readyReplicas: 2, availableReplicas: 2 }));
  });

  it('creates in slow-start batches, stops at a failing batch with FailedCreate and ReplicaFailure, and clears it once creates work', async () => {
    await start();
    const outcomes: string[] = [];
    let failing = true;
    h.api.reactor((call) => {
      if (call.verb !== 'create' || call.resource !== PODS || call.subresource) return;
      const fail = failing && outcomes.length >= 3;
      outcomes.push(fail ? 'fail' : 'ok');
      if (fail) throw statusError('Forbidden', 'pods "kubia-" is forbidden: exceeded quota: compute-resources');
    });
    await h.api.create(RCS, 'default', rc('kubia', 10));
    await untilSettled(async () => expect((await rcStatus())?.conditions?.[0]).toMatchObject({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }));
    // The first pass sent batches of 1, 2 and 4 (concurrently); the third failed, so the last 3 were never sent.
    expect(outcomes.slice(0, 7)).toEqual(['ok', 'ok', 'ok', 'fail', 'fail', 'fail', 'fail']);
    expect((await activePods()).length).toBe(3);
    const failed = await h.events('FailedCreate');
    expect(failed[0]).toMatchObject({ type: 'Warning', message: 'Error creating: pods "kubia-" is forbidden: exceeded quota: compute-resources' });
    failing = false;
    await until(async () => expect(await activePods()).toHaveLength(10));
    await until(async () => expect((await rcStatus())?.conditions).toBeUndefined());
  });
});

describe('events about an owner', () => {
  it('are limited as client-go limits them: 25 at once per owner and type, then one per 5 minutes', async () => {
    await start();
    await h.api.create(RCS, 'default', rc('kubia', 30));
    await until(async () => expect(await activePods()).toHaveLength(30));
    expect(await h.events('SuccessfulCreate')).toHaveLength(25);
    await h.api.patch(RCS, 'default', 'kubia', 'merge', { spec: { replicas: 28 } }, 'scale');
    await until(async () => expect(await activePods()).toHaveLength(28));
    expect(await h.events('SuccessfulDelete')).toHaveLength(0);
    await h.advance(300_000, 60_000);
    await h.api.patch(RCS, 'default', 'kubia', 'merge', { spec: { replicas: 26 } }, 'scale');
    await until(async () => expect(await activePods()).toHaveLength(26));
    expect(await h.events('SuccessfulDelete')).toHaveLength(1);
  });
});

describe('replica set manager', () => {
  it('keeps a ReplicaSet with set-based selectors at its replicas, reporting as replicaset-controller', async () => {
    await start({ rs: true });
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'kubia' },
      spec: {
        replicas: 2,
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['kubia'] }] },
        template: { metadata: { labels: { app: 'kubia', tier: 'web' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }] } },
      },
    };
    const created = await h.api.create<KubeObject>(RSS, 'default', rs);
    const pods = await podsWhen(2);
    expect(pods[0].metadata.ownerReferences?.[0]).toEqual({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'kubia', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true });
    // A pod with only the selector's label is adopted but not fully labelled.
    await h.api.create(PODS, 'default', pod('partial', { labels: { app: 'kubia' } }));
    await h.api.patch(RSS, 'default', 'kubia', 'merge', { spec: { replicas: 3 } });
    await until(async () => expect((await h.api.get<ReplicaOwner>(RSS, 'default', 'kubia')).status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 2 }));
    expect((await h.events('SuccessfulCreate'))[0].source?.component).toBe('replicaset-controller');
  });
});
