import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import type { KubeObject, OwnerReference } from '../../shared/api/meta.js';
import { resourceByPlural, type ResourceInfo } from '../../shared/api/resources.js';
import { garbageCollectorController } from '../../services/controller-manager/garbage-collector/collector.js';
import { collectableResources } from '../../services/controller-manager/garbage-collector/graph.js';
import { LEASES, NODES, PODS, readyNode, startHarness, type Harness } from '../support/controller-harness.js';
import { pod, rc } from '../support/builders.js';
import { advanceUntil } from '../support/settle.js';

const RCS = resourceByPlural('replicationcontrollers');
const RSS = resourceByPlural('replicasets');
const DEPLOYMENTS = resourceByPlural('deployments');

let h: Harness;
afterEach(() => h?.stop());

async function start(): Promise<Harness> {
  h = await startHarness();
  h.run(garbageCollectorController(h.ctx));
  return h;
}

const until = <T>(fn: () => Promise<T>): Promise<T> => advanceUntil(h.clock, fn);

function refTo(owner: KubeObject, block = true): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: block };
}

async function dependentPod(name: string, owners: OwnerReference[], node?: string): Promise<Pod> {
  const p = pod(name, { labels: { app: 'kubia' }, nodeName: node });
  p.metadata.ownerReferences = owners;
  return h.api.create<Pod>(PODS, 'default', p);
}

async function exists(r: ResourceInfo, name: string, ns: string | undefined = 'default'): Promise<KubeObject | undefined> {
  try {
    return await h.api.get(r, ns, name);
  } catch {
    return undefined;
  }
}

const podNames = async (): Promise<string[]> => (await h.api.list<Pod>(PODS, 'default')).items.map((p) => p.metadata.name!).sort();

/** What a kubelet does for a terminating pod on its node: confirm the deletion. */
async function kubeletConfirms(name: string): Promise<void> {
  await h.api.delete(PODS, 'default', name, { gracePeriodSeconds: 0 });
}

describe('garbage collector', () => {
  it('watches every kind it can list, watch and delete, once per kind, without Events', () => {
    const plurals = collectableResources().map((r) => `${r.group}/${r.plural}`);
    expect(plurals).toEqual(expect.arrayContaining(['/pods', '/replicationcontrollers', 'apps/replicasets', 'apps/deployments', 'coordination.k8s.io/leases', '/nodes']));
    expect(plurals).not.toContain('/events');
    expect(new Set(plurals).size).toBe(plurals.length);
  });

  it('deletes the dependents of an owner deleted in the background', async () => {
    await start();
    const owner = await h.api.create(RCS, 'default', rc('kubia'));
    await dependentPod('kubia-a', [refTo(owner)]);
    await dependentPod('kubia-b', [refTo(owner)]);
    await h.api.create(PODS, 'default', pod('unrelated'));
    await h.advance(100);
    expect(await podNames()).toEqual(['kubia-a', 'kubia-b', 'unrelated']);
    await h.api.delete(RCS, 'default', 'kubia', { propagationPolicy: 'Background' });
    await until(async () => expect(await podNames()).toEqual(['unrelated']));
  });

  it('keeps a foreground-deleted owner until its blocking dependents are gone, Terminating ones included', async () => {
    await start();
    await h.api.create(NODES, undefined, readyNode('node-1', h.clock));
    const owner = await h.api.create(RCS, 'default', rc('kubia'));
    await dependentPod('kubia-a', [refTo(owner)], 'node-1');
    await dependentPod('kubia-b', [refTo(owner, false)], 'node-1');
    await h.api.delete(RCS, 'default', 'kubia', { propagationPolicy: 'Foreground' });
    await until(async () => {
      for (const name of ['kubia-a', 'kubia-b']) expect((await h.pod(name)).metadata.deletionTimestamp).toBeDefined();
    });
    await h.advance(200);
    const waiting = await exists(RCS, 'kubia');
    expect(waiting?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(waiting?.metadata.deletionTimestamp).toBeDefined();
    await kubeletConfirms('kubia-b'); // not blocking: the owner does not wait for it
    await h.advance(200);
    expect(await exists(RCS, 'kubia')).toBeDefined();
    await kubeletConfirms('kubia-a');
    await until(async () => expect(await exists(RCS, 'kubia')).toBeUndefined());
  });

  it('orphans the dependents of an owner deleted with Orphan, then lets the owner go', async () => {
    await start();
    const owner = await h.api.create(RCS, 'default', rc('kubia'));
    const other = await h.api.create(RCS, 'default', rc('other'));
    await dependentPod('kubia-a', [refTo(owner)]);
    await dependentPod('shared', [refTo(owner), { ...refTo(other), controller: false }]);
    await h.api.delete(RCS, 'default', 'kubia', { propagationPolicy: 'Orphan' });
    await until(async () => expect(await exists(RCS, 'kubia')).toBeUndefined());
    expect(await podNames()).toEqual(['kubia-a', 'shared']);
    expect((await h.pod('kubia-a')).metadata.ownerReferences ?? []).toEqual([]);
    expect((await h.pod('shared')).metadata.ownerReferences?.map((r) => r.name)).toEqual(['other']);
  });

  it('deletes dependents whose owners vanished while it was not running, matched by uid', async () => {
    h = await startHarness();
    const owner = await h.api.create(RCS, 'default', rc('kubia'));
    await dependentPod('live-owner', [refTo(owner)]);
    await dependentPod('never-existed', [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'ghost', uid: 'uid-ghost', controller: true }]);
    await dependentPod('recreated-owner', [{ ...refTo(owner), uid: 'uid-of-an-older-kubia' }]);
    await dependentPod('unknown-kind', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'uid-w' }]);
    h.run(garbageCollectorController(h.ctx));
    await until(async () => expect(await podNames()).toEqual(['live-owner', 'unknown-kind']));
  });

  it('keeps a dependent that still has a live owner, dropping the reference to the one that is gone', async () => {
    await start();
    const a = await h.api.create(RCS, 'default', rc('a'));
    const b = await h.api.create(RCS, 'default', rc('b'));
    await dependentPod('shared', [refTo(a), { ...refTo(b), controller: false }]);
    await h.api.delete(RCS, 'default', 'a', { propagationPolicy: 'Background' });
    await until(async () => expect((await h.pod('shared')).metadata.ownerReferences?.map((r) => r.name)).toEqual(['b']));
    expect((await h.pod('shared')).metadata.deletionTimestamp).toBeUndefined();
  });

  it('follows cluster-scoped owners: deleting a Node deletes its Lease', async () => {
    await start();
    const node = await h.api.create(NODES, undefined, readyNode('node-1', h.clock));
    await h.api.create(LEASES, 'kube-node-lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1', ownerReferences: [{ ...refTo(node), controller: false }] }, spec: {} });
    await h.advance(100);
    expect(await exists(LEASES, 'node-1', 'kube-node-lease')).toBeDefined();
    await h.api.delete(NODES, undefined, 'node-1');
    await until(async () => expect(await exists(LEASES, 'node-1', 'kube-node-lease')).toBeUndefined());
  });

  it('cascades a foreground deletion through a chain: Deployment → ReplicaSet → pods', async () => {
    await start();
    const deploy = await h.api.create(DEPLOYMENTS, 'default', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'kubia' }, spec: { selector: { matchLabels: { app: 'kubia' } } } });
    const rs = await h.api.create(RSS, 'default', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'kubia-1', ownerReferences: [refTo(deploy)] }, spec: { selector: { matchLabels: { app: 'kubia' } } } });
    await dependentPod('kubia-1-a', [refTo(rs)]);
    await dependentPod('kubia-1-b', [refTo(rs)]);
    await h.api.delete(DEPLOYMENTS, 'default', 'kubia', { propagationPolicy: 'Foreground' });
    await until(async () => expect(await exists(DEPLOYMENTS, 'kubia')).toBeUndefined());
    expect(await exists(RSS, 'kubia-1')).toBeUndefined();
    expect(await podNames()).toEqual([]);
  });
});
