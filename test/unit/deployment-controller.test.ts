import { afterEach, describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../../shared/api/apps.js';
import { controllerOf } from '../../shared/api/meta.js';
import { DEPLOYMENTS, kubiaDeployment, REPLICASETS, startDeploymentHarness, type DeploymentHarness } from '../support/deployment-harness.js';
import { PODS } from '../support/controller-harness.js';

let h: DeploymentHarness | undefined;
afterEach(() => h?.stop());

const REVISION = 'deployment.kubernetes.io/revision';
const size = (rs: ReplicaSet): number => rs.spec.replicas ?? 1;
const image = (rs: ReplicaSet): string | undefined => rs.spec.template?.spec.containers[0]?.image;

async function start(): Promise<DeploymentHarness> {
  h = await startDeploymentHarness();
  await h.advance(50);
  return h;
}

async function setImage(name: string, img: string): Promise<void> {
  const d = await h!.deployment(name);
  const template = structuredClone(d.spec.template);
  template.spec.containers[0].image = img;
  await h!.patchSpec(name, { template });
}

describe('deployment controller: the new ReplicaSet', () => {
  it('creates <name>-<hash> with the hash in its labels, selector and template, controlled by the Deployment', async () => {
    await start();
    const d = await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia'));
    await h!.converge();
    const [rs, ...rest] = await h!.replicaSets('kubia');
    expect(rest).toEqual([]);
    const hash = rs.metadata.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(rs.metadata.name).toBe(`kubia-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: 'kubia', 'pod-template-hash': hash });
    expect(rs.spec.template?.metadata?.labels).toEqual({ app: 'kubia', 'pod-template-hash': hash });
    expect(controllerOf(rs)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'kubia', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true });
    expect(size(rs)).toBe(3);
    expect(rs.metadata.annotations).toMatchObject({ [REVISION]: '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    expect((await h!.deployment('kubia')).metadata.annotations?.[REVISION]).toBe('1');
    expect(await h!.scalingEvents()).toEqual([`Scaled up replica set kubia-${hash} to 3 from 0`]);
  });

  it('reports status and the conditions kubectl rollout status reads', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia'));
    await h!.converge({ available: () => 1 });
    const d1 = await h!.deployment('kubia');
    const rsName = (await h!.replicaSets('kubia'))[0].metadata.name;
    expect(d1.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 2 });
    const cond = (type: string) => d1.status?.conditions?.find((c) => c.type === type);
    expect(cond('Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    expect(cond('Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` });
    await h!.converge();
    const d2 = await h!.deployment('kubia');
    expect(d2.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 });
    expect(d2.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`],
    ]);
  });

  it('copies kubernetes.io/change-cause but not kubectl bookkeeping onto the ReplicaSet', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia', { annotations: { 'kubernetes.io/change-cause': 'first', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }));
    await h!.converge();
    const [rs] = await h!.replicaSets('kubia');
    expect(rs.metadata.annotations?.['kubernetes.io/change-cause']).toBe('first');
    expect(rs.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
  });
});

describe('deployment controller: RollingUpdate', () => {
  it('rolls v1 → v2 with maxSurge 1 / maxUnavailable 0 without ever dropping below 3 available pods', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await h!.converge();
    await h!.advance(1000);
    await setImage('kubia', 'luksa/kubia:v2');
    const check = (rss: ReplicaSet[]): void => {
      const total = rss.reduce((n, rs) => n + size(rs), 0);
      const available = rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
      expect(total).toBeLessThanOrEqual(4);
      expect(available).toBeGreaterThanOrEqual(3);
    };
    await h!.converge({ deployment: 'kubia', check });
    const [v1, v2] = await h!.replicaSets('kubia');
    expect([image(v1), size(v1), v1.metadata.annotations?.[REVISION]]).toEqual(['luksa/kubia:v1', 0, '1']);
    expect([image(v2), size(v2), v2.metadata.annotations?.[REVISION]]).toEqual(['luksa/kubia:v2', 3, '2']);
    const d = await h!.deployment('kubia');
    expect(d.metadata.annotations?.[REVISION]).toBe('2');
    expect(d.status).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    const [n1, n2] = [v1.metadata.name, v2.metadata.name];
    expect(await h!.scalingEvents()).toEqual([
      `Scaled up replica set ${n1} to 3 from 0`,
      `Scaled up replica set ${n2} to 1 from 0`,
      `Scaled down replica set ${n1} to 2 from 3`,
      `Scaled up replica set ${n2} to 2 from 1`,
      `Scaled down replica set ${n1} to 1 from 2`,
      `Scaled up replica set ${n2} to 3 from 2`,
      `Scaled down replica set ${n1} to 0 from 1`,
    ]);
  });

  it('does not scale old pods down while the new ones are not available', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await h!.converge();
    await h!.advance(1000);
    await setImage('kubia', 'luksa/kubia:v2');
    await h!.converge({ available: (rs) => (image(rs) === 'luksa/kubia:v2' ? 0 : size(rs)) });
    const [v1, v2] = await h!.replicaSets('kubia');
    expect([size(v1), size(v2)]).toEqual([3, 1]);
    const d = await h!.deployment('kubia');
    expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 1, availableReplicas: 3 });
  });

  it('with the default 25 % / 25 % takes one old pod down first (surge rounds up, unavailability down)', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('web', { replicas: 4 }));
    await h!.converge();
    await h!.advance(1000);
    await setImage('web', 'luksa/kubia:v2');
    await h!.converge({ available: (rs) => (image(rs) === 'luksa/kubia:v2' ? 0 : size(rs)) });
    const [v1, v2] = await h!.replicaSets('web');
    // maxSurge 1 → 5 pods at most; maxUnavailable 1 → one old pod may go while the new ones start.
    expect([size(v1), size(v2)]).toEqual([3, 2]);
  });

  it('an unavailable old ReplicaSet is scaled down first, as it serves nothing', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }));
    await h!.converge();
    await h!.advance(1000);
    await setImage('kubia', 'luksa/kubia:broken');
    await h!.converge({ available: (rs) => (image(rs) === 'luksa/kubia:broken' ? 0 : size(rs)) });
    expect((await h!.replicaSets('kubia')).map(size)).toEqual([2, 1]);
    await h!.advance(1000);
    await setImage('kubia', 'luksa/kubia:v2');
    await h!.converge();
    const rss = await h!.replicaSets('kubia');
    expect(rss.map((rs) => [image(rs), size(rs)])).toEqual([
      ['luksa/kubia:v1', 0],
      ['luksa/kubia:broken', 0],
      ['luksa/kubia:v2', 3],
    ]);
  });

  it('going back to an earlier template reuses its ReplicaSet with the next revision and keeps the old number in revision-history', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia'));
    await h!.converge();
    await h!.advance(1000);
    await setImage('kubia', 'luksa/kubia:v2');
    await h!.converge();
    await h!.advance(1000);
    await setImage('kubia', 'luksa/kubia:v1'); // what `kubectl rollout undo` sends
    await h!.converge();
    const rss = await h!.replicaSets('kubia');
    expect(rss.map((rs) => [image(rs), size(rs), rs.metadata.annotations?.[REVISION], rs.metadata.annotations?.['deployment.kubernetes.io/revision-history']])).toEqual([
      ['luksa/kubia:v2', 0, '2', undefined],
      ['luksa/kubia:v1', 3, '3', '1'],
    ]);
    expect((await h!.deployment('kubia')).metadata.annotations?.[REVISION]).toBe('3');
  });
});

describe('deployment controller: Recreate', () => {
  it('scales the old ReplicaSet to 0 and starts the new one only once the old pods are gone', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia', { strategy: { type: 'Recreate' } }));
    await h!.converge();
    const [v1] = await h!.replicaSets('kubia');
    // One old pod still terminating (the ReplicaSet controller would have made it).
    await h!.api.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${v1.metadata.name}-abcde`, labels: v1.spec.template?.metadata?.labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: v1.metadata.name!, uid: v1.metadata.uid!, controller: true }] },
      spec: { containers: [{ name: 'nodejs', image: 'luksa/kubia:v1' }] },
      status: { phase: 'Running' },
    });
    await h!.advance(1000);
    await setImage('kubia', 'luksa/kubia:v2');
    await h!.converge();
    expect((await h!.replicaSets('kubia')).map((rs) => [image(rs), size(rs)])).toEqual([['luksa/kubia:v1', 0]]);
    await h!.api.delete(PODS, 'default', `${v1.metadata.name}-abcde`);
    await h!.converge();
    expect((await h!.replicaSets('kubia')).map((rs) => [image(rs), size(rs)])).toEqual([
      ['luksa/kubia:v1', 0],
      ['luksa/kubia:v2', 3],
    ]);
  });
});

describe('deployment controller: scaling, pausing, history', () => {
  it('a scale during a rollout is spread over the ReplicaSets in proportion', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('web', { replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await h!.converge();
    await h!.advance(1000);
    await setImage('web', 'luksa/kubia:broken');
    await h!.converge({ available: (rs) => (image(rs) === 'luksa/kubia:broken' ? 0 : size(rs)) });
    expect((await h!.replicaSets('web')).map(size)).toEqual([8, 5]);
    await h!.patchSpec('web', { replicas: 15 });
    await h!.converge({ available: (rs) => (image(rs) === 'luksa/kubia:broken' ? 0 : size(rs)) });
    // Planned for 10 + 3 surge = 13, now 15 + 3 = 18: 8 → 11, 5 → 7 (the example in Kubernetes' docs).
    expect((await h!.replicaSets('web')).map(size)).toEqual([11, 7]);
  });

  it('does not roll out while paused, but scaling still applies; resuming rolls out', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia'));
    await h!.converge();
    await h!.patchSpec('kubia', { paused: true });
    await h!.converge();
    const paused = await h!.deployment('kubia');
    expect(paused.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    await h!.advance(1000);
    await setImage('kubia', 'luksa/kubia:v2');
    await h!.patchSpec('kubia', { replicas: 5 });
    await h!.converge();
    expect((await h!.replicaSets('kubia')).map((rs) => [image(rs), size(rs)])).toEqual([['luksa/kubia:v1', 5]]);
    await h!.patchSpec('kubia', { paused: false });
    await h!.converge();
    expect((await h!.replicaSets('kubia')).map((rs) => [image(rs), size(rs)])).toEqual([
      ['luksa/kubia:v1', 0],
      ['luksa/kubia:v2', 5],
    ]);
    const d = await h!.deployment('kubia');
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('deletes old ReplicaSets beyond revisionHistoryLimit, oldest revision first', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia', { revisionHistoryLimit: 1 }));
    await h!.converge();
    for (const v of ['v2', 'v3']) {
      await h!.advance(1000);
      await setImage('kubia', `luksa/kubia:${v}`);
      await h!.converge();
    }
    expect((await h!.replicaSets('kubia')).map((rs) => [image(rs), rs.metadata.annotations?.[REVISION]])).toEqual([
      ['luksa/kubia:v2', '2'],
      ['luksa/kubia:v3', '3'],
    ]);
  });

  it('marks the rollout ProgressDeadlineExceeded when no progress is made in progressDeadlineSeconds', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia', { progressDeadlineSeconds: 30 }));
    await h!.converge({ available: () => 0 });
    await h!.advance(32_000, 500);
    const d = await h!.deployment('kubia');
    const rsName = (await h!.replicaSets('kubia'))[0].metadata.name;
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rsName}" has timed out progressing.`,
    });
  });
});

describe('deployment controller: ownership', () => {
  it('adopts a matching orphan ReplicaSet and releases one whose labels stop matching', async () => {
    await start();
    const orphan = kubiaDeployment('kubia');
    await h!.api.create(REPLICASETS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'kubia-orphan', labels: { app: 'kubia' } },
      spec: { replicas: 0, selector: { matchLabels: { app: 'kubia' } }, template: { ...orphan.spec.template, spec: { containers: [{ name: 'nodejs', image: 'luksa/kubia:old' }] } } },
    });
    const d = await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia'));
    await h!.converge();
    const adopted = await h!.api.get<ReplicaSet>(REPLICASETS, 'default', 'kubia-orphan');
    expect(controllerOf(adopted)?.uid).toBe(d.metadata.uid);
    await h!.api.update(REPLICASETS, { ...adopted, metadata: { ...adopted.metadata, labels: { app: 'other' } } });
    await h!.converge();
    expect(controllerOf(await h!.api.get<ReplicaSet>(REPLICASETS, 'default', 'kubia-orphan'))).toBeUndefined();
  });

  it('counts a name taken by a foreign ReplicaSet as a hash collision and picks a new name', async () => {
    await start();
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia', { replicas: 0 }));
    await h!.converge();
    const [first] = await h!.replicaSets('kubia');
    await h!.api.delete(DEPLOYMENTS, 'default', 'kubia');
    await h!.api.delete(REPLICASETS, 'default', first.metadata.name!);
    // Someone else's ReplicaSet squats the name the template hashes to.
    await h!.api.create(REPLICASETS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: first.metadata.name, labels: { app: 'squatter' } },
      spec: { replicas: 0, selector: { matchLabels: { app: 'squatter' } }, template: { metadata: { labels: { app: 'squatter' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await h!.api.create(DEPLOYMENTS, 'default', kubiaDeployment('kubia'));
    await h!.converge();
    const d = await h!.deployment('kubia');
    expect(d.status?.collisionCount).toBe(1);
    const [rs] = await h!.replicaSets('kubia');
    expect(rs.metadata.name).not.toBe(first.metadata.name);
    expect(size(rs)).toBe(3);
  });
});
