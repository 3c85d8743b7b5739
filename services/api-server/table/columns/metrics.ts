/**
 * Resource metrics (metrics.k8s.io), as metrics-server prints them for `kubectl get nodemetrics`
 * / `podmetrics`: NAME, CPU, MEMORY, WINDOW. A pod's figures are the sums over its containers.
 * Usage cells are quantities as served (`250m`, `20480Ki`); a missing usage prints `0`.
 */
import type { NodeMetrics, PodMetrics } from '../../../../shared/api/metrics.js';
import { formatMilliQuantity, intValueOrZero, milliValueOrZero } from '../../../../shared/api/quantity.js';
import { NAME_COLUMN, column, doc, printer } from './column.js';

const METRICS = 'io.k8s.metrics.pkg.apis.metrics.v1beta1.';

const columns = (def: string) => [
  NAME_COLUMN,
  column('CPU', 'CPU use over the window, in cores.'),
  column('Memory', 'Resident memory at the end of the window, in bytes.'),
  column('Window', doc(def, 'window')),
];

export const nodeMetricsPrinter = printer<NodeMetrics>({
  columns: columns(`${METRICS}NodeMetrics`),
  row: (obj) => [obj.metadata.name ?? '', obj.usage?.cpu ?? '0', obj.usage?.memory ?? '0', obj.window ?? ''],
});

export const podMetricsPrinter = printer<PodMetrics>({
  columns: columns(`${METRICS}PodMetrics`),
  row(obj) {
    const cs = obj.containers ?? [];
    const cpu = cs.reduce((n, c) => n + milliValueOrZero(c.usage?.cpu), 0);
    const memory = cs.reduce((n, c) => n + intValueOrZero(c.usage?.memory), 0);
    return [obj.metadata.name ?? '', formatMilliQuantity(cpu), `${Math.round(memory / 1024)}Ki`, obj.window ?? ''];
  },
});
