/**
 * HorizontalPodAutoscaler conversion between autoscaling/v1 and autoscaling/v2 (the stored
 * version): the CPU target and current utilisation map to a cpu Resource metric; everything v1
 * cannot say round-trips through Kubernetes' annotations, which never reach storage; the generic
 * version edges (toStorage / fromStorage) stamp the right apiVersion and leave storage-version
 * objects alone.
 */
import { describe, expect, it } from 'vitest';
import { hpaV1ToV2, hpaV2ToV1, METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION } from '../../services/api-server/conversion/autoscaling.js';
import { fromStorage, isStorageVersion, toStorage } from '../../services/api-server/versions.js';
import { resourceFor, RESOURCES, storageResourceOf } from '../../shared/api/resources.js';
import type { HorizontalPodAutoscaler } from '../../shared/api/autoscaling.js';

const V1 = resourceFor('autoscaling', 'v1', 'horizontalpodautoscalers')!;
const V2 = resourceFor('autoscaling', 'v2', 'horizontalpodautoscalers')!;
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'kubia' };

const v2: HorizontalPodAutoscaler = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'kubia', namespace: 'default', annotations: { team: 'a' } },
  spec: {
    scaleTargetRef: ref,
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
  },
  status: {
    currentReplicas: 3,
    desiredReplicas: 4,
    lastScaleTime: '2026-01-01T00:00:00Z',
    currentMetrics: [
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '50Mi' } } },
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 88, averageValue: '88m' } } },
    ],
    conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'm', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  },
};

describe('HPA conversion v2 → v1', () => {
  it('shows the CPU target and utilisation as v1 fields and keeps the rest in annotations', () => {
    const v1 = hpaV2ToV1(v2);
    expect(v1.spec).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
    expect(v1.status).toEqual({ currentReplicas: 3, desiredReplicas: 4, lastScaleTime: '2026-01-01T00:00:00Z', currentCPUUtilizationPercentage: 88 });
    const a = v1.metadata.annotations!;
    expect(a.team).toBe('a');
    expect(JSON.parse(a[METRICS_ANNOTATION])).toEqual([v2.spec.metrics![0]]);
    expect(JSON.parse(a[CURRENT_METRICS_ANNOTATION])).toEqual(v2.status!.currentMetrics);
    expect(JSON.parse(a[CONDITIONS_ANNOTATION])).toEqual(v2.status!.conditions);
    expect(JSON.parse(a[BEHAVIOR_ANNOTATION])).toEqual(v2.spec.behavior);
    expect(v2.metadata.annotations).toEqual({ team: 'a' }); // the input is untouched
  });

  it('adds no annotations to an HPA v1 can say fully', () => {
    const plain = hpaV2ToV1({ ...v2, metadata: { name: 'p' }, spec: { scaleTargetRef: ref, maxReplicas: 3, metrics: [v2.spec.metrics![1]] }, status: { desiredReplicas: 0 } });
    expect(plain.metadata.annotations).toBeUndefined();
    expect(plain.status).toEqual({ currentReplicas: 0, desiredReplicas: 0 });
  });
});

describe('HPA conversion v1 → v2', () => {
  it('round-trips losslessly through v1', () => {
    const back = hpaV1ToV2(hpaV2ToV1(v2));
    expect(back.metadata).toEqual(v2.metadata);
    expect(back.spec.behavior).toEqual(v2.spec.behavior);
    expect(back.spec.metrics).toEqual([v2.spec.metrics![1], v2.spec.metrics![0]]); // the CPU target comes first
    expect(back.status).toEqual(v2.status);
  });

  it('defaults a v1 HPA without a target to 80% CPU and reads the v1 current utilisation', () => {
    const out = hpaV1ToV2({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: { scaleTargetRef: ref, maxReplicas: 2 }, status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 12 } });
    expect(out.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(out.status).toEqual({ currentReplicas: 1, desiredReplicas: 1, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }] });
  });

  it('refuses a malformed round-trip annotation with a 400', () => {
    const bad = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', annotations: { [METRICS_ANNOTATION]: '{not json' } }, spec: { scaleTargetRef: ref, maxReplicas: 2 } };
    expect(() => hpaV1ToV2(bad)).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 400 }) }));
  });
});

describe('versions: storage rows and the edges', () => {
  it('stores every kind in the first row of its group and plural', () => {
    expect(storageResourceOf(V1)).toBe(V2);
    expect(isStorageVersion(V2)).toBe(true);
    expect(isStorageVersion(V1)).toBe(false);
    for (const r of RESOURCES) if (r.group !== 'autoscaling') expect(isStorageVersion(r), `${r.group}/${r.plural}`).toBe(true);
  });

  it('converts at the edges and passes storage-version objects through untouched', () => {
    const asV1 = fromStorage(V1, v2);
    expect(asV1.apiVersion).toBe('autoscaling/v1');
    const stored = toStorage(V1, asV1);
    expect(stored.apiVersion).toBe('autoscaling/v2');
    expect(fromStorage(V2, v2)).toBe(v2);
    expect(toStorage(V2, v2)).toBe(v2);
  });
});
