/**
 * HorizontalPodAutoscalers (stored as autoscaling/v2; v1 bodies arrive already converted):
 * `minReplicas` defaults to 1, no metrics means 80 % average CPU, a given `behavior` gets
 * Kubernetes' default rules filled in where a direction or field is missing (the scale-down
 * stabilisation window stays unset so the controller's own setting applies). Status belongs to the
 * controller (a subresource, reset on create). Validation follows Kubernetes' messages for the
 * scale target, replica bounds, metric sources and targets, and scaling rules.
 */
import {
  DEFAULT_CPU_UTILIZATION,
  defaultScaleDownRules,
  defaultScaleUpRules,
  type HorizontalPodAutoscaler,
  type HPAScalingRules,
  type MetricSpec,
  type MetricTarget,
} from '../../../../shared/api/autoscaling.js';
import type { KubeObject } from '../../../../shared/api/meta.js';
import { tryParseQuantity } from '../../../../shared/api/quantity.js';
import type { FieldErrors } from '../../validation.js';
import type { Strategy } from '../strategy.js';

function withDefaults(given: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  if (!given) return defaults;
  return {
    ...defaults,
    ...(given.selectPolicy !== undefined ? { selectPolicy: given.selectPolicy } : {}),
    ...(given.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: given.stabilizationWindowSeconds } : {}),
    ...(given.policies !== undefined ? { policies: given.policies } : {}),
  };
}

const SOURCE_FIELD: Record<string, keyof MetricSpec> = {
  Resource: 'resource',
  ContainerResource: 'containerResource',
  Pods: 'pods',
  Object: 'object',
  External: 'external',
};

function positive(q: unknown): boolean {
  const p = tryParseQuantity(q as string | number | undefined);
  return !!p && !p.negative && p.mantissa > 0n;
}

function validateTarget(t: MetricTarget | undefined, path: string, errs: FieldErrors): void {
  if (!t) return errs.required(path);
  if (!t.type) errs.required(`${path}.type`, 'must specify a metric target type');
  else if (!['Utilization', 'Value', 'AverageValue'].includes(t.type)) errs.notSupported(`${path}.type`, t.type, ['Utilization', 'Value', 'AverageValue']);
  if (t.value !== undefined && !positive(t.value)) errs.invalid(`${path}.value`, t.value, 'must be positive');
  if (t.averageValue !== undefined && !positive(t.averageValue)) errs.invalid(`${path}.averageValue`, t.averageValue, 'must be positive');
  if (t.averageUtilization !== undefined && (!Number.isInteger(t.averageUtilization) || t.averageUtilization < 1)) {
    errs.invalid(`${path}.averageUtilization`, t.averageUtilization, 'must be greater than 0');
  }
}

function validateResourceTarget(t: MetricTarget | undefined, path: string, errs: FieldErrors): void {
  validateTarget(t, path, errs);
  if (!t) return;
  if (t.averageUtilization === undefined && t.averageValue === undefined) errs.required(`${path}.averageUtilization`, 'must set either a target raw value or a target utilization');
  if (t.averageUtilization !== undefined && t.averageValue !== undefined) errs.forbidden(`${path}.averageValue`, 'may not set both a target raw value and a target utilization');
}

function validateMetric(m: MetricSpec, path: string, errs: FieldErrors): void {
  if (!m.type) return errs.required(`${path}.type`, 'must specify a metric source type');
  const field = SOURCE_FIELD[m.type];
  if (!field) return errs.notSupported(`${path}.type`, m.type, Object.keys(SOURCE_FIELD));
  for (const [type, other] of Object.entries(SOURCE_FIELD)) {
    if (type !== m.type && m[other] !== undefined) errs.forbidden(`${path}.${other}`, 'must populate the given metric source only');
  }
  if (m[field] === undefined) return errs.required(`${path}.${field}`, 'must populate information for the given metric source');
  switch (m.type) {
    case 'Resource':
      if (!m.resource!.name) errs.required(`${path}.resource.name`, 'must specify a resource name');
      return validateResourceTarget(m.resource!.target, `${path}.resource.target`, errs);
    case 'ContainerResource':
      if (!m.containerResource!.name) errs.required(`${path}.containerResource.name`, 'must specify a resource name');
      if (!m.containerResource!.container) errs.required(`${path}.containerResource.container`, 'must specify a container');
      return validateResourceTarget(m.containerResource!.target, `${path}.containerResource.target`, errs);
    case 'Pods':
      if (!m.pods!.metric?.name) errs.required(`${path}.pods.metric.name`, 'must specify a metric name');
      validateTarget(m.pods!.target, `${path}.pods.target`, errs);
      if (m.pods!.target && m.pods!.target.averageValue === undefined) errs.required(`${path}.pods.target.averageValue`, 'must specify a positive target averageValue');
      return;
    case 'Object':
      if (!m.object!.metric?.name) errs.required(`${path}.object.metric.name`, 'must specify a metric name');
      if (!m.object!.describedObject?.kind) errs.required(`${path}.object.describedObject.kind`);
      if (!m.object!.describedObject?.name) errs.required(`${path}.object.describedObject.name`);
      return validateTarget(m.object!.target, `${path}.object.target`, errs);
    case 'External':
      if (!m.external!.metric?.name) errs.required(`${path}.external.metric.name`, 'must specify a metric name');
      return validateTarget(m.external!.target, `${path}.external.target`, errs);
  }
}

function validateRules(rules: HPAScalingRules | undefined, path: string, errs: FieldErrors): void {
  if (!rules) return;
  const w = rules.stabilizationWindowSeconds;
  if (w !== undefined) {
    if (w < 0) errs.invalid(`${path}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero');
    else if (w > 3600) errs.invalid(`${path}.stabilizationWindowSeconds`, w, 'must be less than or equal to 3600');
  }
  if (rules.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(rules.selectPolicy)) {
    errs.notSupported(`${path}.selectPolicy`, rules.selectPolicy, ['Disabled', 'Max', 'Min']);
  }
  const policies = rules.policies ?? [];
  if (policies.length === 0) errs.required(`${path}.policies`, 'must specify at least one Policy');
  policies.forEach((p, i) => {
    const pp = `${path}.policies[${i}]`;
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.notSupported(`${pp}.type`, p.type, ['Percent', 'Pods']);
    if (!(p.periodSeconds > 0)) errs.invalid(`${pp}.periodSeconds`, p.periodSeconds, 'must be greater than zero');
    else if (p.periodSeconds > 1800) errs.invalid(`${pp}.periodSeconds`, p.periodSeconds, 'must be less than or equal to 1800');
    if (!(p.value > 0)) errs.invalid(`${pp}.value`, p.value, 'must be greater than zero');
  });
}

const PATH_SEGMENT_BAD = /[/%]|^\.\.?$/;

export const horizontalPodAutoscalerStrategy: Strategy = {
  statusSubresource: true,
  default(obj: KubeObject) {
    const hpa = obj as HorizontalPodAutoscaler;
    if (!hpa.spec || typeof hpa.spec !== 'object') return;
    hpa.spec.minReplicas ??= 1;
    if (!hpa.spec.metrics || hpa.spec.metrics.length === 0) {
      hpa.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
    }
    const b = hpa.spec.behavior;
    if (b) hpa.spec.behavior = { scaleUp: withDefaults(b.scaleUp, defaultScaleUpRules()), scaleDown: withDefaults(b.scaleDown, defaultScaleDownRules()) };
  },
  prepareForCreate(obj) {
    obj.status = { desiredReplicas: 0 };
  },
  validate(obj, errs) {
    const spec = (obj as HorizontalPodAutoscaler).spec;
    if (!spec || typeof spec !== 'object') return errs.required('spec');
    const ref = spec.scaleTargetRef;
    if (!ref) errs.required('spec.scaleTargetRef');
    else {
      if (!ref.kind) errs.required('spec.scaleTargetRef.kind');
      else if (PATH_SEGMENT_BAD.test(ref.kind)) errs.invalid('spec.scaleTargetRef.kind', ref.kind, 'may not contain \'/\' or \'%\', and may not be \'.\' or \'..\'');
      if (!ref.name) errs.required('spec.scaleTargetRef.name');
      else if (PATH_SEGMENT_BAD.test(ref.name)) errs.invalid('spec.scaleTargetRef.name', ref.name, 'may not contain \'/\' or \'%\', and may not be \'.\' or \'..\'');
    }
    const min = spec.minReplicas;
    if (min !== undefined && (!Number.isInteger(min) || min < 1)) errs.invalid('spec.minReplicas', min, 'must be greater than or equal to 1');
    if (!Number.isInteger(spec.maxReplicas) || spec.maxReplicas < 1) errs.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0');
    else if (min !== undefined && spec.maxReplicas < min) errs.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`');
    (spec.metrics ?? []).forEach((m, i) => validateMetric(m, `spec.metrics[${i}]`, errs));
    validateRules(spec.behavior?.scaleUp, 'spec.behavior.scaleUp', errs);
    validateRules(spec.behavior?.scaleDown, 'spec.behavior.scaleDown', errs);
  },
};
