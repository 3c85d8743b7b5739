import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../shared/api/apps.js';
import { pausedCondition, progressCheckAfterMs, rolloutStatus } from '../../services/controller-manager/deployment/progress.js';
import { proportionalSizes } from '../../services/controller-manager/deployment/scale.js';
import { kubiaDeployment } from '../support/deployment-harness.js';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function rs(name: string, replicas: number, available: number, annotations: Record<string, string> = {}, created = 0): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, uid: name, annotations, creationTimestamp: iso(T0 + created * 1000) },
    spec: { replicas, selector: {} },
    status: { replicas, readyReplicas: available, availableReplicas: available },
  };
}

function deployment(status: Deployment['status'], opts: Parameters<typeof kubiaDeployment>[1] = {}): Deployment {
  const d = kubiaDeployment('web', opts);
  d.metadata.generation = 2;
  d.status = status;
  return d;
}

const progressing = (d: Deployment['status']) => d?.conditions?.find((c) => c.type === 'Progressing');

describe('deployment rollout status', () => {
  it('counts pods over all ReplicaSets and the new one apart', () => {
    const s = rolloutStatus([rs('old', 2, 2), rs('new', 2, 1)], rs('new', 2, 1), deployment({}), T0);
    expect(s).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 });
  });

  it('refreshes lastUpdateTime on progress but keeps lastTransitionTime', () => {
    const before = { type: 'Progressing', status: 'True' as const, reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: iso(T0), lastTransitionTime: iso(T0) };
    const d = deployment({ replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: [before] });
    const s = rolloutStatus([rs('old', 2, 2), rs('new', 2, 1)], rs('new', 2, 1), d, T0 + 5000);
    expect(progressing(s)).toMatchObject({ reason: 'ReplicaSetUpdated', message: 'ReplicaSet "new" is progressing.', lastUpdateTime: iso(T0 + 5000), lastTransitionTime: iso(T0) });
  });

  it('times out only after progressDeadlineSeconds without progress, and asks to be looked at then', () => {
    const cond = { type: 'Progressing', status: 'True' as const, reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: iso(T0), lastTransitionTime: iso(T0) };
    const stuck = { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, conditions: [cond] };
    const d = deployment(stuck, { progressDeadlineSeconds: 60 });
    const rss = [rs('old', 3, 3), rs('new', 1, 0)];
    expect(progressing(rolloutStatus(rss, rss[1], d, T0 + 59_000))?.reason).toBe('ReplicaSetUpdated');
    expect(progressCheckAfterMs(d, rolloutStatus(rss, rss[1], d, T0 + 20_000), T0 + 20_000)).toBe(41_000);
    expect(progressing(rolloutStatus(rss, rss[1], d, T0 + 61_000))).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "new" has timed out progressing.' });
  });

  it('keeps no Progressing condition without a deadline (MaxInt32)', () => {
    const d = deployment({ conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] }, { progressDeadlineSeconds: 2 ** 31 - 1 });
    expect(progressing(rolloutStatus([rs('new', 3, 0)], rs('new', 3, 0), d, T0))).toBeUndefined();
  });

  it('says paused and resumed, but never hides a timeout', () => {
    const d = deployment({});
    d.spec.paused = true;
    expect(pausedCondition(d, iso(T0))).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    d.status = { conditions: [pausedCondition(d, iso(T0))!] };
    expect(pausedCondition(d, iso(T0))).toBeUndefined();
    d.spec.paused = false;
    expect(pausedCondition(d, iso(T0))).toMatchObject({ status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' });
    d.spec.paused = true;
    d.status = { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] };
    expect(pausedCondition(d, iso(T0))).toBeUndefined();
  });
});

describe('proportional scaling', () => {
  const planned = (n: number) => ({ 'deployment.kubernetes.io/max-replicas': String(n) });

  it('spreads a scale-up by size and gives leftovers to the largest, newer first among equals', () => {
    const d = kubiaDeployment('web', { replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    const { sizes, operation } = proportionalSizes(d, [rs('a', 1, 1, planned(3), 0), rs('b', 1, 0, planned(3), 1), rs('c', 1, 0, planned(3), 2)]);
    expect(operation).toBe('up');
    // 3 planned → 4: each 1 * 4/3 = 1.33 → 1; the one leftover goes to the newest of the equals.
    expect(Object.fromEntries(sizes)).toEqual({ a: 1, b: 1, c: 2 });
  });

  it('takes a scale-down proportionally, leftovers from the largest, older first among equals', () => {
    const d = kubiaDeployment('web', { replicas: 5, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    const { sizes, operation } = proportionalSizes(d, [rs('old', 6, 6, planned(11), 0), rs('new', 5, 0, planned(11), 1)]);
    expect(operation).toBe('down');
    // 11 → 6: old 6*6/11 = 3.27 → 3, new 5*6/11 = 2.7 → 3.
    expect(Object.fromEntries(sizes)).toEqual({ old: 3, new: 3 });
  });

  it('scales everything to 0 with the Deployment', () => {
    const d = kubiaDeployment('web', { replicas: 0 });
    expect(Object.fromEntries(proportionalSizes(d, [rs('a', 3, 3, planned(4)), rs('b', 1, 0, planned(4), 1)]).sizes)).toEqual({ a: 0, b: 0 });
  });
});
