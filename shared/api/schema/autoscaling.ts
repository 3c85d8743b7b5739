/**
 * Schemas of `autoscaling/v1` (Scale — the body of every scale subresource — and the CPU-only
 * HorizontalPodAutoscaler) and `autoscaling/v2` (the HorizontalPodAutoscaler with metric sources,
 * targets, statuses, scaling behaviour and conditions).
 *
 * Data only; imports only ./dsl.
 */
import { LABEL_SELECTOR, atomicList, dateTime, gvk, int, int64, keyedList, kindObj, obj, quantity, ref, string, type ObjectDef } from './dsl.js';

const V1 = 'io.k8s.api.autoscaling.v1.';
const V2 = 'io.k8s.api.autoscaling.v2.';
const HPA_DESC = 'Automatically scales the replica count of a workload (through its scale subresource) to track observed metrics.';

function crossVersionObjectReference(prefix: string): ObjectDef {
  return obj(
    `${prefix}CrossVersionObjectReference`,
    'Identifies the object whose scale subresource is driven.',
    {
      kind: string('Kind of the referent, such as Deployment.'),
      name: string('Name of the referent.'),
      apiVersion: string('API version of the referent.'),
    },
    { required: ['kind', 'name'] },
  );
}

// ---- autoscaling/v1 ----

export const scale = kindObj(`${V1}Scale`, 'The scaling state of a resource: desired and observed replica counts.', gvk('autoscaling', 'v1', 'Scale'), {
  spec: ref(`${V1}ScaleSpec`, 'The desired scale.'),
  status: ref(`${V1}ScaleStatus`, 'The observed scale; read-only.'),
});

export const scaleSpec = obj(`${V1}ScaleSpec`, 'Desired scale.', { replicas: int('Desired number of instances.') });

export const scaleStatus = obj(
  `${V1}ScaleStatus`,
  'Observed scale.',
  {
    replicas: int('Number of instances actually observed.'),
    selector: string('Label selector of the pods counted, in its string form.'),
  },
  { required: ['replicas'] },
);

export const hpaV1 = kindObj(`${V1}HorizontalPodAutoscaler`, HPA_DESC, gvk('autoscaling', 'v1', 'HorizontalPodAutoscaler'), {
  spec: ref(`${V1}HorizontalPodAutoscalerSpec`, 'The desired behaviour of the autoscaler.'),
  status: ref(`${V1}HorizontalPodAutoscalerStatus`, 'The observed state of the autoscaler.'),
});

export const hpaSpecV1 = obj(
  `${V1}HorizontalPodAutoscalerSpec`,
  'Desired behaviour of a CPU-based autoscaler.',
  {
    scaleTargetRef: ref(`${V1}CrossVersionObjectReference`, 'The workload to scale.'),
    minReplicas: int('Lowest replica count. Defaults to 1.'),
    maxReplicas: int('Highest replica count; at least minReplicas.'),
    targetCPUUtilizationPercentage: int('Target average CPU use as a percentage of the requested CPU; a default policy applies when unset.'),
  },
  { required: ['scaleTargetRef', 'maxReplicas'] },
);

export const hpaStatusV1 = obj(
  `${V1}HorizontalPodAutoscalerStatus`,
  'Observed state of a CPU-based autoscaler.',
  {
    observedGeneration: int64('The generation of the autoscaler last processed.'),
    lastScaleTime: dateTime('When the replica count was last changed.'),
    currentReplicas: int('Replicas currently managed.'),
    desiredReplicas: int('Replicas last computed as desired.'),
    currentCPUUtilizationPercentage: int('Current average CPU use as a percentage of the requested CPU.'),
  },
  { required: ['currentReplicas', 'desiredReplicas'] },
);

// ---- autoscaling/v2 ----

export const hpaV2 = kindObj(`${V2}HorizontalPodAutoscaler`, HPA_DESC, gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler'), {
  spec: ref(`${V2}HorizontalPodAutoscalerSpec`, 'The desired behaviour of the autoscaler.'),
  status: ref(`${V2}HorizontalPodAutoscalerStatus`, 'The observed state of the autoscaler.'),
});

export const hpaSpecV2 = obj(
  `${V2}HorizontalPodAutoscalerSpec`,
  'Desired behaviour of an autoscaler.',
  {
    scaleTargetRef: ref(`${V2}CrossVersionObjectReference`, 'The workload to scale.'),
    minReplicas: int('Lowest replica count. Defaults to 1.'),
    maxReplicas: int('Highest replica count; at least minReplicas.'),
    metrics: atomicList(ref(`${V2}MetricSpec`), 'Metrics used to compute the replica count; the largest proposal wins. Defaults to 80% average CPU utilisation.'),
    behavior: ref(`${V2}HorizontalPodAutoscalerBehavior`, 'How fast scaling up and down may go.'),
  },
  { required: ['scaleTargetRef', 'maxReplicas'] },
);

export const metricSpec = obj(
  `${V2}MetricSpec`,
  'One metric to scale on; exactly the source named by type is set.',
  {
    type: string('Which source is used.', { enum: ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] }),
    object: ref(`${V2}ObjectMetricSource`, 'A metric describing one object.'),
    pods: ref(`${V2}PodsMetricSource`, 'A metric averaged over the pods of the target.'),
    resource: ref(`${V2}ResourceMetricSource`, 'A resource (cpu, memory) of the pods of the target.'),
    containerResource: ref(`${V2}ContainerResourceMetricSource`, 'A resource of one container across the pods of the target.'),
    external: ref(`${V2}ExternalMetricSource`, 'A metric not tied to any Kubernetes object.'),
  },
  { required: ['type'] },
);

export const objectMetricSource = obj(
  `${V2}ObjectMetricSource`,
  'A metric of one Kubernetes object.',
  {
    describedObject: ref(`${V2}CrossVersionObjectReference`, 'The object the metric describes.'),
    target: ref(`${V2}MetricTarget`, 'The target value.'),
    metric: ref(`${V2}MetricIdentifier`, 'The metric.'),
  },
  { required: ['describedObject', 'target', 'metric'] },
);

export const podsMetricSource = obj(
  `${V2}PodsMetricSource`,
  'A metric averaged over the pods of the target.',
  {
    metric: ref(`${V2}MetricIdentifier`, 'The metric.'),
    target: ref(`${V2}MetricTarget`, 'The target value (only AverageValue).'),
  },
  { required: ['metric', 'target'] },
);

export const resourceMetricSource = obj(
  `${V2}ResourceMetricSource`,
  'A resource metric of the pods of the target, as known from requests and limits.',
  {
    name: string('The resource, such as cpu.'),
    target: ref(`${V2}MetricTarget`, 'The target value.'),
  },
  { required: ['name', 'target'] },
);

export const containerResourceMetricSource = obj(
  `${V2}ContainerResourceMetricSource`,
  'A resource metric of one container in every pod of the target.',
  {
    name: string('The resource, such as cpu.'),
    target: ref(`${V2}MetricTarget`, 'The target value.'),
    container: string('Name of the container.'),
  },
  { required: ['name', 'target', 'container'] },
);

export const externalMetricSource = obj(
  `${V2}ExternalMetricSource`,
  'A metric from outside the cluster.',
  {
    metric: ref(`${V2}MetricIdentifier`, 'The metric.'),
    target: ref(`${V2}MetricTarget`, 'The target value.'),
  },
  { required: ['metric', 'target'] },
);

export const metricIdentifier = obj(
  `${V2}MetricIdentifier`,
  'Names a metric.',
  {
    name: string('Name of the metric.'),
    selector: ref(LABEL_SELECTOR, 'Narrows the metric series by label; the metrics provider decides when unset.'),
  },
  { required: ['name'] },
);

export const metricTarget = obj(
  `${V2}MetricTarget`,
  'The value a metric should be held at.',
  {
    type: string('Whether the target is a value, an average value, or an average utilisation.', { enum: ['AverageValue', 'Utilization', 'Value'] }),
    value: quantity('Target value of the metric.'),
    averageValue: quantity('Target value of the metric averaged over the pods.'),
    averageUtilization: int('Target average as a percentage of the requested resource; only for resource metrics.'),
  },
  { required: ['type'] },
);

export const hpaBehavior = obj(`${V2}HorizontalPodAutoscalerBehavior`, 'Limits on scaling speed in each direction.', {
  scaleUp: ref(`${V2}HPAScalingRules`, 'Rules for scaling up. By default up to doubling or 4 pods per 15 s, whichever is more, with no stabilisation.'),
  scaleDown: ref(`${V2}HPAScalingRules`, 'Rules for scaling down. By default anything down to minReplicas, with a 300 s stabilisation window.'),
});

export const hpaScalingRules = obj(`${V2}HPAScalingRules`, 'How scaling in one direction is limited.', {
  stabilizationWindowSeconds: int('Seconds of past recommendations considered, to avoid flapping; 0 to 3600.'),
  selectPolicy: string('Which policy applies when several do: the one allowing the most change (Max), the least (Min), or none (Disabled).', {
    enum: ['Disabled', 'Max', 'Min'],
  }),
  policies: atomicList(ref(`${V2}HPAScalingPolicy`), 'Allowed changes per period.'),
});

export const hpaScalingPolicy = obj(
  `${V2}HPAScalingPolicy`,
  'One limit on the change of replicas per period.',
  {
    type: string('Whether value counts pods or a percentage of the current replicas.', { enum: ['Percent', 'Pods'] }),
    value: int('The amount of change allowed; positive.'),
    periodSeconds: int('Length of the period the policy holds for, 1 to 1800 seconds.'),
  },
  { required: ['type', 'value', 'periodSeconds'] },
);

export const hpaStatusV2 = obj(
  `${V2}HorizontalPodAutoscalerStatus`,
  'Observed state of an autoscaler.',
  {
    observedGeneration: int64('The generation of the autoscaler last processed.'),
    lastScaleTime: dateTime('When the replica count was last changed.'),
    currentReplicas: int('Replicas currently managed.'),
    desiredReplicas: int('Replicas last computed as desired.'),
    currentMetrics: atomicList(ref(`${V2}MetricStatus`), 'Last read values of the metrics.'),
    conditions: keyedList(ref(`${V2}HorizontalPodAutoscalerCondition`), 'Current conditions of the autoscaler.', 'type'),
  },
  { required: ['desiredReplicas'] },
);

export const metricStatus = obj(
  `${V2}MetricStatus`,
  'The last read value of one metric.',
  {
    type: string('Which source the value comes from.', { enum: ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] }),
    object: ref(`${V2}ObjectMetricStatus`, 'Value of an object metric.'),
    pods: ref(`${V2}PodsMetricStatus`, 'Value of a pods metric.'),
    resource: ref(`${V2}ResourceMetricStatus`, 'Value of a resource metric.'),
    containerResource: ref(`${V2}ContainerResourceMetricStatus`, 'Value of a container resource metric.'),
    external: ref(`${V2}ExternalMetricStatus`, 'Value of an external metric.'),
  },
  { required: ['type'] },
);

export const objectMetricStatus = obj(
  `${V2}ObjectMetricStatus`,
  'Current value of an object metric.',
  {
    metric: ref(`${V2}MetricIdentifier`, 'The metric.'),
    current: ref(`${V2}MetricValueStatus`, 'The current value.'),
    describedObject: ref(`${V2}CrossVersionObjectReference`, 'The object the metric describes.'),
  },
  { required: ['metric', 'current', 'describedObject'] },
);

export const podsMetricStatus = obj(
  `${V2}PodsMetricStatus`,
  'Current value of a pods metric.',
  {
    metric: ref(`${V2}MetricIdentifier`, 'The metric.'),
    current: ref(`${V2}MetricValueStatus`, 'The current value.'),
  },
  { required: ['metric', 'current'] },
);

export const resourceMetricStatus = obj(
  `${V2}ResourceMetricStatus`,
  'Current value of a resource metric.',
  {
    name: string('The resource, such as cpu.'),
    current: ref(`${V2}MetricValueStatus`, 'The current value.'),
  },
  { required: ['name', 'current'] },
);

export const containerResourceMetricStatus = obj(
  `${V2}ContainerResourceMetricStatus`,
  'Current value of a container resource metric.',
  {
    name: string('The resource, such as cpu.'),
    current: ref(`${V2}MetricValueStatus`, 'The current value.'),
    container: string('Name of the container.'),
  },
  { required: ['name', 'current', 'container'] },
);

export const externalMetricStatus = obj(
  `${V2}ExternalMetricStatus`,
  'Current value of an external metric.',
  {
    metric: ref(`${V2}MetricIdentifier`, 'The metric.'),
    current: ref(`${V2}MetricValueStatus`, 'The current value.'),
  },
  { required: ['metric', 'current'] },
);

export const metricValueStatus = obj(`${V2}MetricValueStatus`, 'A current metric value.', {
  value: quantity('Current value of the metric.'),
  averageValue: quantity('Current value averaged over the pods.'),
  averageUtilization: int('Current average as a percentage of the requested resource.'),
});

export const hpaCondition = obj(
  `${V2}HorizontalPodAutoscalerCondition`,
  'One aspect of the state of an autoscaler.',
  {
    type: string('Which aspect: ScalingActive, AbleToScale or ScalingLimited.'),
    status: string('Whether it holds: True, False or Unknown.', { enum: ['False', 'True', 'Unknown'] }),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string('CamelCase reason for the last transition.'),
    message: string('Human-readable detail about the last transition.'),
  },
  { required: ['type', 'status'] },
);

export const autoscalingDefinitions: readonly ObjectDef[] = [
  scale,
  scaleSpec,
  scaleStatus,
  hpaV1,
  hpaSpecV1,
  hpaStatusV1,
  crossVersionObjectReference(V1),
  hpaV2,
  hpaSpecV2,
  metricSpec,
  objectMetricSource,
  podsMetricSource,
  resourceMetricSource,
  containerResourceMetricSource,
  externalMetricSource,
  metricIdentifier,
  metricTarget,
  hpaBehavior,
  hpaScalingRules,
  hpaScalingPolicy,
  hpaStatusV2,
  metricStatus,
  objectMetricStatus,
  podsMetricStatus,
  resourceMetricStatus,
  containerResourceMetricStatus,
  externalMetricStatus,
  metricValueStatus,
  hpaCondition,
  crossVersionObjectReference(V2),
];
