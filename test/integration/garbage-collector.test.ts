/**
 * Deletion propagation through a real api-server (real nats-server, store process, api-server):
 * what each policy leaves on the owner (finalizers, deletionTimestamp), the per-kind defaults, and
 * the garbage collector of a real controller-manager (built in-process from the registry) finishing
 * the job — including dependents whose owner was deleted while no controller-manager ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import type { KubeObject, OwnerReference } from '../../shared/api/meta.js';
import { resourceByPlural, type ResourceInfo } from '../../shared/api/resources.js';
import type { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { PROFILES } from '../../shared/runtime/profile.js';
import { createControllerManager } from '../../services/controller-manager/controller-manager.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { namespace, pod, rc } from '../support/builders.js';
import { readyNode } from '../support/controller-harness.js';
import { eventually } from '../support/eventually.js';

const PODS = resourceByPlural('pods');
const NODES = resourceByPlural('nodes');
const NAMESPACES = resourceByPlural('namespaces');
const RCS = resourceByPlural('replicationcontrollers');
const RSS = resourceByPlural('replicasets');
const DEPLOYMENTS = resourceByPlural('deployments');
const CONFIGMAPS = resourceByPlural('configmaps');

let c: ApiCluster;
let api: NatsApiClient;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  c = await startApiCluster();
  api = c.client('gc-test');
  await api.create(NODES, undefined, readyNode('node-1', realClock));
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await c?.dispose();
});

function startControllerManager(controllers: string): void {
  const cm = createControllerManager(
    { identity: 'gc-test', profile: PROFILES.default, controllers, leaderElect: false },
    { bus: c.bus, api: c.client('controller-manager'), clock: realClock, log: silentLogger() },
  );
  const abort = new AbortController();
  const done = cm.run(abort.signal);
  stops.push(async () => {
    abort.abort();
    await done;
  });
}

function refTo(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

async function dependent(name: string, owner: KubeObject, ns = 'default'): Promise<Pod> {
  const p = pod(name, { labels: { owner: owner.metadata.name! } });
  p.metadata.ownerReferences = [refTo(owner)];
  return api.create<Pod>(PODS, ns, p);
}

async function find(r: ResourceInfo, name: string, ns: string | undefined = 'default'): Promise<KubeObject | undefined> {
  try {
    return await api.get(r, ns, name);
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return undefined;
    throw err;
  }
}

describe('deletion propagation in the api-server', () => {
  it('marks a Foreground delete with foregroundDeletion and an Orphan one with orphan; a later delete swaps them; dryRun stores nothing', async () => {
    await api.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', finalizers: ['example.com/keep'] } });
    const dry = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/owner?dryRun=All&propagationPolicy=Foreground');
    expect(dry.status).toBe(200);
    expect((await find(CONFIGMAPS, 'owner'))?.metadata.deletionTimestamp).toBeUndefined();

    const fg = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/owner', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    expect(fg.json.metadata.finalizers).toEqual(['example.com/keep', 'foregroundDeletion']);
    expect(fg.json.metadata.deletionTimestamp).toBeDefined();
    const plain = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/owner');
    expect(plain.json.metadata.finalizers).toEqual(['example.com/keep', 'foregroundDeletion']);
    const orphan = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/owner?propagationPolicy=Orphan');
    expect(orphan.json.metadata.finalizers).toEqual(['example.com/keep', 'orphan']);
    const bg = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/owner?propagationPolicy=Background');
    expect(bg.json.metadata.finalizers).toEqual(['example.com/keep']);
    await api.patch(CONFIGMAPS, 'default', 'owner', 'merge', { metadata: { finalizers: null } });
    expect(await find(CONFIGMAPS, 'owner')).toBeUndefined();
  });

  it('orphans by default only for core/v1 ReplicationControllers; orphanDependents=false means Background', async () => {
    await api.create(RCS, 'default', rc('legacy'));
    const byDefault = await c.http('DELETE', '/api/v1/namespaces/default/replicationcontrollers/legacy');
    expect(byDefault.json.metadata.finalizers).toEqual(['orphan']);
    await api.patch(RCS, 'default', 'legacy', 'merge', { metadata: { finalizers: [] } });
    expect(await find(RCS, 'legacy')).toBeUndefined();

    await api.create(RCS, 'default', rc('legacy'));
    const explicit = await c.http('DELETE', '/api/v1/namespaces/default/replicationcontrollers/legacy', { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false });
    expect(explicit.status).toBe(200);
    expect(await find(RCS, 'legacy')).toBeUndefined();

    await api.create(RSS, 'default', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'modern' }, spec: { selector: { matchLabels: { app: 'm' } }, template: { metadata: { labels: { app: 'm' } }, spec: { containers: [{ name: 'c', image: 'luksa/kubia' }] } } } });
    await c.http('DELETE', '/apis/apps/v1/namespaces/default/replicasets/modern');
    expect(await find(RSS, 'modern')).toBeUndefined();
  });

  it('keeps a foreground-deleted pod after its kubelet confirms, until its finalizer is removed', async () => {
    await api.create(PODS, 'default', pod('fg-pod', { nodeName: 'node-1' }));
    const marked = await c.http('DELETE', '/api/v1/namespaces/default/pods/fg-pod?propagationPolicy=Foreground');
    expect(marked.json.metadata.deletionGracePeriodSeconds).toBe(30);
    await api.delete(PODS, 'default', 'fg-pod', { gracePeriodSeconds: 0 }); // the kubelet's confirmation
    const waiting = await find(PODS, 'fg-pod');
    expect(waiting?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(waiting?.metadata.deletionGracePeriodSeconds).toBe(0);
    await api.patch(PODS, 'default', 'fg-pod', 'merge', { metadata: { finalizers: null } });
    expect(await find(PODS, 'fg-pod')).toBeUndefined();
  });

  it('empties a deleted namespace without leaving its ReplicationControllers waiting for an orphaning', async () => {
    await api.create(NAMESPACES, undefined, namespace('doomed'));
    await api.create(RCS, 'doomed', rc('kubia'));
    await c.http('DELETE', '/api/v1/namespaces/doomed');
    await eventually(async () => expect(await find(NAMESPACES, 'doomed', undefined)).toBeUndefined(), { timeoutMs: 15_000 });
  });
});

describe('the garbage collector of a controller-manager', () => {
  it('deletes dependents whose owner was deleted while it was not running, and keeps the others', async () => {
    const dead = await api.create(RCS, 'default', rc('dead', 0));
    const alive = await api.create(RCS, 'default', rc('alive', 0));
    await dependent('dead-1', dead);
    await dependent('dead-2', dead);
    await dependent('alive-1', alive);
    await api.delete(RCS, 'default', 'dead', { propagationPolicy: 'Background' });
    expect(await find(PODS, 'dead-1')).toBeDefined();

    startControllerManager('garbage-collector,replicaset');
    await eventually(async () => {
      expect(await find(PODS, 'dead-1')).toBeUndefined();
      expect(await find(PODS, 'dead-2')).toBeUndefined();
    }, { timeoutMs: 15_000 });
    expect(await find(PODS, 'alive-1')).toBeDefined();
  });

  it('cascades a foreground Deployment deletion through its ReplicaSet (whose manager made the pods) to the pods', async () => {
    const deploy = await api.create(DEPLOYMENTS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'luksa/kubia' }] } } },
    });
    await api.create(RSS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1', ownerReferences: [refTo(deploy)] },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'luksa/kubia' }] } } },
    });
    await eventually(async () => expect((await api.list<Pod>(PODS, 'default', { labelSelector: 'app=web' })).items).toHaveLength(2), { timeoutMs: 15_000 });
    await api.delete(DEPLOYMENTS, 'default', 'web', { propagationPolicy: 'Foreground' });
    await eventually(async () => expect(await find(DEPLOYMENTS, 'web')).toBeUndefined(), { timeoutMs: 15_000 });
    expect(await find(RSS, 'web-1')).toBeUndefined();
    expect((await api.list<Pod>(PODS, 'default', { labelSelector: 'app=web' })).items).toEqual([]);
  });
});
