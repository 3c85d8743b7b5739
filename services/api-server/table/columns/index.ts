/**
 * Which printer prints which resource, keyed by `<group>/<plural>` ('' for the core group). Every
 * kind of the resource table has one here; a kind without one (a new row not yet given columns)
 * still prints NAME and AGE through the generic printer, so `kubectl get` never falls back to
 * the client's hardcoded types. A module for new kinds (HPA, …) adds its printers to PRINTERS.
 */
import type { ResourceInfo } from '../../../../shared/api/resources.js';
import { AGE_COLUMN, NAME_COLUMN, age, type Printer } from './column.js';
import { podPrinter } from './pods.js';
import { leasePrinter, namespacePrinter, nodePrinter } from './cluster.js';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './networking.js';
import { deploymentPrinter, replicaSetPrinter, replicationControllerPrinter } from './workloads.js';
import { eventPrinter } from './events.js';
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from './config.js';
import { horizontalPodAutoscalerPrinter } from './autoscaling.js';
import { nodeMetricsPrinter, podMetricsPrinter } from './metrics.js';

export const genericPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  row: (obj, clock) => [obj.metadata.name ?? '', age(obj, clock)],
};

const PRINTERS: ReadonlyMap<string, Printer> = new Map([
  ['/pods', podPrinter],
  ['/services', servicePrinter],
  ['/replicationcontrollers', replicationControllerPrinter],
  ['/namespaces', namespacePrinter],
  ['/nodes', nodePrinter],
  ['/endpoints', endpointsPrinter],
  ['/events', eventPrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['autoscaling/horizontalpodautoscalers', horizontalPodAutoscalerPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['metrics.k8s.io/nodes', nodeMetricsPrinter],
  ['metrics.k8s.io/pods', podMetricsPrinter],
]);

export function printerFor(r: Pick<ResourceInfo, 'group' | 'plural'>): Printer {
  return PRINTERS.get(`${r.group}/${r.plural}`) ?? genericPrinter;
}

/** Whether a resource has its own columns (the others print NAME and AGE). */
export function hasPrinter(r: Pick<ResourceInfo, 'group' | 'plural'>): boolean {
  return PRINTERS.has(`${r.group}/${r.plural}`);
}
