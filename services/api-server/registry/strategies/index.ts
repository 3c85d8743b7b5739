/**
 * The strategy of every resource in the resource table, by plural (one place to look up how a kind
 * is stored). Kinds without special rules get the empty strategy.
 */
import type { ResourceInfo } from '../../../../shared/api/resources.js';
import type { Strategy } from '../strategy.js';
import { podStrategy } from './pod.js';
import { deploymentStrategy, replicaSetStrategy, replicationControllerStrategy } from './workloads.js';
import { namespaceStrategy, nodeStrategy } from './cluster.js';
import { configMapStrategy, secretStrategy, serviceAccountStrategy } from './config.js';
import { endpointSliceStrategy, endpointsStrategy, serviceStrategy } from './networking.js';
import { eventStrategy, leaseStrategy } from './coordination.js';
import { horizontalPodAutoscalerStrategy } from './autoscaling.js';

const BY_RESOURCE: Record<string, Strategy> = {
  'core/pods': podStrategy,
  'core/replicationcontrollers': replicationControllerStrategy,
  'core/namespaces': namespaceStrategy,
  'core/nodes': nodeStrategy,
  'core/configmaps': configMapStrategy,
  'core/secrets': secretStrategy,
  'core/serviceaccounts': serviceAccountStrategy,
  'core/services': serviceStrategy,
  'core/endpoints': endpointsStrategy,
  'core/events': eventStrategy,
  'apps/deployments': deploymentStrategy,
  'apps/replicasets': replicaSetStrategy,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerStrategy,
  'coordination.k8s.io/leases': leaseStrategy,
  'discovery.k8s.io/endpointslices': endpointSliceStrategy,
};

export function strategyFor(r: ResourceInfo): Strategy {
  return BY_RESOURCE[`${r.group || 'core'}/${r.plural}`] ?? {};
}
