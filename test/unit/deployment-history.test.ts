import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../../shared/api/apps.js';
import { replicaSetsToCleanUp, setDeploymentRevision, setNewReplicaSetAnnotations } from '../../services/controller-manager/deployment/history.js';
import { kubiaDeployment } from '../support/deployment-harness.js';

const rs = (name: string, annotations: Record<string, string> = {}, replicas = 0, extra: Partial<ReplicaSet['status']> = {}): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'default', uid: name, generation: 1, annotations, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { replicas, selector: { matchLabels: { app: 'kubia' } } },
  status: { replicas: 0, observedGeneration: 1, ...extra },
});

describe('deployment revision history', () => {
  it('gives a new ReplicaSet the next revision, its replica annotations and the change-cause', () => {
    const d = kubiaDeployment('kubia', { replicas: 4, annotations: { 'kubernetes.io/change-cause': 'kubectl set image', 'deployment.kubernetes.io/revision': '1' } });
    const r = rs('kubia-new');
    expect(setNewReplicaSetAnnotations(d, r, 2, false, 4, 5)).toBe(true);
    expect(r.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'kubectl set image',
      'deployment.kubernetes.io/revision': '2',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });
    expect(setNewReplicaSetAnnotations(d, r, 2, true, 4, 5)).toBe(false);
  });

  it('moves the old number of a ReplicaSet brought back into revision-history, and never lowers a revision', () => {
    const d = kubiaDeployment('kubia');
    const r = rs('kubia-old', { 'deployment.kubernetes.io/revision': '1' });
    setNewReplicaSetAnnotations(d, r, 3, true, 3, 4);
    setNewReplicaSetAnnotations(d, r, 5, true, 3, 4);
    expect(r.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '5', 'deployment.kubernetes.io/revision-history': '1,3' });
    expect(setNewReplicaSetAnnotations(d, r, 4, true, 3, 4)).toBe(false);
    expect(r.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('5');
  });

  it('keeps revision-history within 2000 characters by dropping the oldest', () => {
    const long = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(','); // 1999 chars
    const r = rs('kubia-old', { 'deployment.kubernetes.io/revision': '7777', 'deployment.kubernetes.io/revision-history': long });
    setNewReplicaSetAnnotations(kubiaDeployment('kubia'), r, 9999, true, 3, 4);
    const kept = r.metadata.annotations!['deployment.kubernetes.io/revision-history'].split(',');
    expect(kept.at(-1)).toBe('7777');
    expect(kept[0]).toBe('1001');
    expect(kept.join(',').length).toBeLessThanOrEqual(2000);
  });

  it('records the revision on the Deployment only when it changes', () => {
    const d = kubiaDeployment('kubia');
    expect(setDeploymentRevision(d, '2')).toBe(true);
    expect(setDeploymentRevision(d, '2')).toBe(false);
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('cleans up only empty, observed, old ReplicaSets beyond the limit, lowest revision first', () => {
    const d = kubiaDeployment('kubia', { revisionHistoryLimit: 1 });
    const old = [
      rs('r3', { 'deployment.kubernetes.io/revision': '3' }),
      rs('r1', { 'deployment.kubernetes.io/revision': '1' }),
      rs('r2', { 'deployment.kubernetes.io/revision': '2' }, 1),
      rs('r4', { 'deployment.kubernetes.io/revision': '4' }),
    ];
    expect(replicaSetsToCleanUp(old, d).map((r) => r.metadata.name)).toEqual(['r1', 'r3']);
    const unobserved = { ...rs('r0', { 'deployment.kubernetes.io/revision': '0' }), status: { replicas: 0, observedGeneration: 0 } };
    expect(replicaSetsToCleanUp([unobserved, rs('r9')], kubiaDeployment('kubia', { revisionHistoryLimit: 0 })).map((r) => r.metadata.name)).toEqual(['r9']);
  });
});
