/**
 * Schemas of `metrics.k8s.io/v1beta1` (metrics-server's API, served by kubemu's api-server from the
 * kubelets' summaries): NodeMetrics and PodMetrics, the usage `kubectl top` prints and the HPA
 * controller scales on. Read-only kinds: the schema documents them; nothing is ever decoded.
 *
 * Data only; imports only ./dsl.
 */
import { dateTime, gvk, kindObj, list, map, obj, quantity, ref, string, type ObjectDef } from './dsl.js';

const METRICS = 'io.k8s.metrics.pkg.apis.metrics.v1beta1.';

function usage(what: string): ReturnType<typeof map> {
  return map(quantity(), `Resource use of ${what} over the window: cpu in cores (a rate), memory in bytes (resident).`, { goType: 'v1.ResourceList' });
}

export const nodeMetrics = kindObj(`${METRICS}NodeMetrics`, 'Resource use of a node, measured by its kubelet.', gvk('metrics.k8s.io', 'v1beta1', 'NodeMetrics'), {
  timestamp: dateTime('When the usage was measured (the end of the window).'),
  window: string('How long the CPU figure is averaged over, as a duration such as 2s.'),
  usage: usage('the node'),
});

export const podMetrics = kindObj(`${METRICS}PodMetrics`, 'Resource use of the containers of a pod, measured by the kubelet of its node.', gvk('metrics.k8s.io', 'v1beta1', 'PodMetrics'), {
  timestamp: dateTime('When the usage was measured (the end of the window).'),
  window: string('How long the CPU figures are averaged over, as a duration such as 2s.'),
  containers: list(ref(`${METRICS}ContainerMetrics`), 'Usage of each running container of the pod.'),
});

export const containerMetrics = obj(
  `${METRICS}ContainerMetrics`,
  'Resource use of one container.',
  {
    name: string('Name of the container, as in the pod spec.'),
    usage: usage('the container'),
  },
  { required: ['name', 'usage'] },
);

export const metricsDefinitions: readonly ObjectDef[] = [nodeMetrics, podMetrics, containerMetrics];
