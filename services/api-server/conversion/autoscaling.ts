/**
 * HorizontalPodAutoscaler conversion between `autoscaling/v1` and the storage version
 * `autoscaling/v2`, as Kubernetes converts it:
 *
 * - v1 `targetCPUUtilizationPercentage` ↔ a v2 `Resource` metric `cpu` with a `Utilization`
 *   target; a v1 object with no target at all gets the 80 % CPU default on the way in (v1's implicit
 *   default made explicit, as Kubernetes does in this conversion).
 * - v1 `currentCPUUtilizationPercentage` ↔ the current utilisation of that cpu metric.
 * - What v1 cannot say survives a v1 round trip in the annotations Kubernetes uses for it:
 *   `autoscaling.alpha.kubernetes.io/metrics` (every other metric), `…/current-metrics` (all current
 *   metrics; it wins over the v1 field on the way in), `…/conditions` and `…/behavior`. On the way
 *   in they are read and removed, so the stored object never carries them. kubemu writes their JSON
 *   in the autoscaling/v2 shape (Kubernetes writes older shapes: v2beta1-style metrics, Go field
 *   names for behaviour); it reads only what it writes.
 *
 * Pure: inputs are never changed; outputs are fresh objects. A malformed annotation is a 400.
 */
import { badRequest } from '../../../shared/api/errors.js';
import type { KubeObject, ObjectMeta } from '../../../shared/api/meta.js';
import {
  DEFAULT_CPU_UTILIZATION,
  type HorizontalPodAutoscaler,
  type HorizontalPodAutoscalerV1,
  type MetricSpec,
  type MetricStatus,
} from '../../../shared/api/autoscaling.js';
import type { Conversion } from '../versions.js';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

function isCpuUtilization(m: MetricSpec): boolean {
  return m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization' && m.resource.target.averageUtilization !== undefined;
}

function cpuMetric(averageUtilization: number): MetricSpec {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } };
}

function readAnnotation<T>(meta: ObjectMeta, key: string, expect: 'array' | 'object'): T | undefined {
  const raw = meta.annotations?.[key];
  if (raw === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw badRequest(`metadata.annotations[${key}]: the value is not valid JSON`);
  }
  const ok = expect === 'array' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!ok) throw badRequest(`metadata.annotations[${key}]: expected a JSON ${expect}`);
  return v as T;
}

function withoutRoundTrip(meta: ObjectMeta): ObjectMeta {
  const out = structuredClone(meta);
  if (!out.annotations) return out;
  for (const k of ROUND_TRIP) delete out.annotations[k];
  if (Object.keys(out.annotations).length === 0) delete out.annotations;
  return out;
}

/** autoscaling/v1 → autoscaling/v2. */
export function hpaV1ToV2(obj: KubeObject): HorizontalPodAutoscaler {
  const v1 = obj as HorizontalPodAutoscalerV1;
  const spec = v1.spec ?? ({} as HorizontalPodAutoscalerV1['spec']);
  const meta = v1.metadata ?? {};
  const metrics: MetricSpec[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== null) metrics.push(cpuMetric(spec.targetCPUUtilizationPercentage));
  metrics.push(...(readAnnotation<MetricSpec[]>(meta, METRICS_ANNOTATION, 'array') ?? []));
  if (metrics.length === 0) metrics.push(cpuMetric(DEFAULT_CPU_UTILIZATION));
  const behavior = readAnnotation<NonNullable<HorizontalPodAutoscaler['spec']['behavior']>>(meta, BEHAVIOR_ANNOTATION, 'object');

  const { spec: _spec, status: _status, ...rest } = structuredClone(v1);
  const out: HorizontalPodAutoscaler = {
    ...rest,
    metadata: withoutRoundTrip(meta),
    spec: {
      scaleTargetRef: structuredClone(spec.scaleTargetRef),
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      metrics,
      ...(behavior ? { behavior } : {}),
    },
  };
  if (v1.status) {
    const s = v1.status;
    let currentMetrics = readAnnotation<MetricStatus[]>(meta, CURRENT_METRICS_ANNOTATION, 'array');
    if (!currentMetrics && s.currentCPUUtilizationPercentage !== undefined && s.currentCPUUtilizationPercentage !== null) {
      currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: s.currentCPUUtilizationPercentage } } }];
    }
    const conditions = readAnnotation<NonNullable<HorizontalPodAutoscaler['status']>['conditions']>(meta, CONDITIONS_ANNOTATION, 'array');
    out.status = {
      ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
      ...(s.lastScaleTime ? { lastScaleTime: s.lastScaleTime } : {}),
      ...(s.currentReplicas ? { currentReplicas: s.currentReplicas } : {}),
      desiredReplicas: s.desiredReplicas ?? 0,
      ...(currentMetrics?.length ? { currentMetrics } : {}),
      ...(conditions?.length ? { conditions } : {}),
    };
  }
  return out;
}

/** autoscaling/v2 → autoscaling/v1. */
export function hpaV2ToV1(obj: KubeObject): HorizontalPodAutoscalerV1 {
  const v2 = obj as HorizontalPodAutoscaler;
  const spec = v2.spec ?? ({} as HorizontalPodAutoscaler['spec']);
  const metrics = spec.metrics ?? [];
  const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const others = metrics.filter((m) => !isCpuUtilization(m));
  const annotations: Record<string, string> = {};
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (spec.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const status = v2.status;
  if (status?.currentMetrics?.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(status.currentMetrics);
  if (status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);

  const metadata = structuredClone(v2.metadata ?? {});
  if (Object.keys(annotations).length) metadata.annotations = { ...(metadata.annotations ?? {}), ...annotations };
  const targetCpu = cpu?.resource?.target?.type === 'Utilization' ? cpu.resource.target.averageUtilization : undefined;
  const { spec: _spec, status: _status, ...rest } = structuredClone(v2);
  const out: HorizontalPodAutoscalerV1 = {
    ...rest,
    metadata,
    spec: {
      scaleTargetRef: structuredClone(spec.scaleTargetRef),
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(targetCpu !== undefined ? { targetCPUUtilizationPercentage: targetCpu } : {}),
    },
  };
  if (status) {
    const current = status.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current.averageUtilization;
    out.status = {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(current !== undefined ? { currentCPUUtilizationPercentage: current } : {}),
    };
  }
  return out;
}

export const hpaConversion: Conversion = {
  toStorage(obj, version) {
    if (version !== 'v1') throw badRequest(`no conversion from autoscaling/${version} HorizontalPodAutoscaler`);
    return hpaV1ToV2(obj);
  },
  fromStorage(obj, version) {
    if (version !== 'v1') throw badRequest(`no conversion to autoscaling/${version} HorizontalPodAutoscaler`);
    return hpaV2ToV1(obj);
  },
};
