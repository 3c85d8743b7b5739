/**
 * HorizontalPodAutoscalers: NAME, REFERENCE (`Kind/name`), TARGETS, MINPODS, MAXPODS, REPLICAS,
 * AGE, as kubectl 1.32 prints them. TARGETS lists each metric as `current/target` — resource
 * metrics prefixed with their name (`cpu: 12%/50%`, `memory: 10Mi/100Mi`), averages of objects and
 * external metrics suffixed ` (avg)` — with `<unknown>` until the controller has a value, at most
 * two metrics then ` + N more...`, and `<none>` without metrics.
 *
 * Rows are printed from the storage version: an autoscaling/v1 object (a v1 list or watch) is
 * converted first, so both versions print the same line.
 */
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricValueStatus } from '../../../../shared/api/autoscaling.js';
import type { KubeObject } from '../../../../shared/api/meta.js';
import { resourceForKind } from '../../../../shared/api/resources.js';
import { toStorage } from '../../versions.js';
import { AGE_COLUMN, NAME_COLUMN, age, column, doc, printer } from './column.js';

const V2 = 'io.k8s.api.autoscaling.v2.';
const UNKNOWN = '<unknown>';

function q(v: string | number | undefined): string {
  return v === undefined ? UNKNOWN : String(v);
}

function pct(v: number | undefined, none = UNKNOWN): string {
  return v === undefined ? none : `${v}%`;
}

function resourceTarget(name: string, spec: NonNullable<MetricSpec['resource']>, current: MetricValueStatus | undefined): string {
  if (spec.target?.averageValue !== undefined) return `${name}: ${current?.averageValue !== undefined ? String(current.averageValue) : UNKNOWN}/${String(spec.target.averageValue)}`;
  return `${name}: ${pct(current?.averageUtilization)}/${pct(spec.target?.averageUtilization, '<auto>')}`;
}

function one(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case 'External': {
      const t = spec.external?.target;
      if (t?.averageValue !== undefined) return `${q(status?.external?.current.averageValue)}/${String(t.averageValue)} (avg)`;
      return `${status?.external ? q(status.external.current.value) : UNKNOWN}/${q(t?.value)}`;
    }
    case 'Pods':
      return `${status?.pods ? q(status.pods.current.averageValue) : UNKNOWN}/${q(spec.pods?.target.averageValue)}`;
    case 'Object': {
      const t = spec.object?.target;
      if (t?.averageValue !== undefined) return `${q(status?.object?.current.averageValue)}/${String(t.averageValue)} (avg)`;
      return `${status?.object ? q(status.object.current.value) : UNKNOWN}/${q(t?.value)}`;
    }
    case 'Resource':
      return spec.resource ? resourceTarget(spec.resource.name, spec.resource, status?.resource?.current) : '<unknown type>';
    case 'ContainerResource':
      return spec.containerResource ? resourceTarget(spec.containerResource.name, spec.containerResource, status?.containerResource?.current) : '<unknown type>';
    default:
      return '<unknown type>';
  }
}

/** The TARGETS cell. */
export function formatHpaTargets(specs: readonly MetricSpec[] | undefined, statuses: readonly MetricStatus[] | null | undefined): string {
  if (!specs || specs.length === 0) return '<none>';
  const list = specs.map((s, i) => one(s, statuses?.[i]));
  const shown = list.slice(0, 2).join(', ');
  return list.length > 2 ? `${shown} + ${list.length - 2} more...` : shown;
}

function asStored(obj: KubeObject): HorizontalPodAutoscaler {
  const r = obj.apiVersion ? resourceForKind(obj.apiVersion, 'HorizontalPodAutoscaler') : undefined;
  return (r ? toStorage(r, obj) : obj) as HorizontalPodAutoscaler;
}

export const horizontalPodAutoscalerPrinter = printer<KubeObject>({
  columns: [
    NAME_COLUMN,
    column('Reference', doc(`${V2}HorizontalPodAutoscalerSpec`, 'scaleTargetRef')),
    column('Targets', doc(`${V2}HorizontalPodAutoscalerSpec`, 'metrics')),
    column('MinPods', doc(`${V2}HorizontalPodAutoscalerSpec`, 'minReplicas')),
    column('MaxPods', doc(`${V2}HorizontalPodAutoscalerSpec`, 'maxReplicas'), { type: 'integer' }),
    column('Replicas', doc(`${V2}HorizontalPodAutoscalerStatus`, 'currentReplicas'), { type: 'integer' }),
    AGE_COLUMN,
  ],
  row(obj, clock) {
    const hpa = asStored(obj);
    const ref = hpa.spec?.scaleTargetRef;
    const minPods = hpa.spec?.minReplicas === undefined ? '<unset>' : String(hpa.spec.minReplicas);
    return [
      obj.metadata.name ?? '',
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHpaTargets(hpa.spec?.metrics, hpa.status?.currentMetrics),
      minPods,
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(obj, clock),
    ];
  },
});
