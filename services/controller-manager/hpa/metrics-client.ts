/**
 * How the HPA controller reads resource metrics: `metrics.k8s.io/v1beta1` PodMetrics of the scale
 * target's pods, listed through the API by label selector (kube-controller-manager reads
 * metrics-server the same way), reduced to one milli-value per pod: the sum over its containers,
 * or one named container's. A pod missing the resource in any container is left out (it counts as
 * missing). Errors carry Kubernetes' texts, which end up in HPA conditions and events.
 */
import type { PodMetrics } from '../../../shared/api/metrics.js';
import { milliValue, tryParseQuantity } from '../../../shared/api/quantity.js';
import { resourceFor } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import { MetricsError, type PodMetricsInfo } from './replica-calculator.js';

export const POD_METRICS = resourceFor('metrics.k8s.io', 'v1beta1', 'pods')!;

export interface ResourceMetrics {
  metrics: PodMetricsInfo;
  /** The first pod's sample time (ms), as Kubernetes reports it. */
  timestamp: number;
}

export interface ResourceMetricsClient {
  resourceMetric(resource: string, namespace: string, selector: string, container?: string): Promise<ResourceMetrics>;
}

/** Go duration strings as metrics carry them (`2s`, `1.5s`, `1m0s`, `300ms`) → ms (0 when unreadable). */
export function parseGoDuration(s: string | undefined): number {
  if (!s) return 0;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };
  let total = 0;
  let matched = '';
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  return matched === s ? total : 0;
}

/** Per-pod milli-values from PodMetrics (pure; exported for tests). */
export function podMetricsInfo(items: readonly PodMetrics[], resource: string, container?: string): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const item of items) {
    const timestamp = Date.parse(item.timestamp);
    const windowMs = parseGoDuration(item.window);
    const containers = item.containers ?? [];
    if (container) {
      const c = containers.find((x) => x.name === container);
      if (!c) continue;
      const v = c.usage?.[resource as 'cpu' | 'memory'];
      if (v === undefined || !tryParseQuantity(v)) throw new MetricsError(`missing resource metric ${resource} for container ${container} in pod ${item.metadata.namespace}/${item.metadata.name}`);
      out.set(item.metadata.name ?? '', { value: milliValue(v), timestamp, windowMs });
      continue;
    }
    if (containers.length === 0) continue;
    let sum = 0;
    let missing = false;
    for (const c of containers) {
      const v = c.usage?.[resource as 'cpu' | 'memory'];
      if (v === undefined || !tryParseQuantity(v)) {
        missing = true;
        break;
      }
      sum += milliValue(v);
    }
    if (!missing) out.set(item.metadata.name ?? '', { value: sum, timestamp, windowMs });
  }
  return out;
}

export function apiResourceMetrics(api: ApiClient): ResourceMetricsClient {
  return {
    async resourceMetric(resource, namespace, selector, container) {
      let items: PodMetrics[];
      try {
        items = (await api.list<PodMetrics>(POD_METRICS, namespace, { labelSelector: selector })).items;
      } catch (err) {
        throw new MetricsError(`unable to fetch metrics from resource metrics API: ${(err as Error).message}`);
      }
      if (items.length === 0) throw new MetricsError('no metrics returned from resource metrics API');
      let metrics: PodMetricsInfo;
      try {
        metrics = podMetricsInfo(items, resource, container);
      } catch (err) {
        throw new MetricsError(`failed to get container metrics: ${(err as Error).message}`);
      }
      return { metrics, timestamp: Date.parse(items[0].timestamp) };
    },
  };
}
