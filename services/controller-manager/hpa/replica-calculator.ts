/**
 * Kubernetes' replica calculation for resource metrics (pkg/controller/podautoscaler), pure:
 *
 *   desired = ceil(readyPods × currentUtilization / targetUtilization)
 *
 * with its rules, in its order:
 * - pods being deleted or Failed are ignored; Pending pods count as unready; pods without a sample
 *   are missing; for CPU, a pod is also unready while its samples cannot be trusted: no Ready
 *   condition or start time, or within the CPU initialisation period either not ready or sampled
 *   less than one window after its readiness last changed, or later still unready and never ready
 *   since the initial readiness delay;
 * - utilisation = Σ usage × 100 / Σ requests over the pods with samples (integer percent, as Go's
 *   integer division gives it); every container counted must request the resource;
 * - within the tolerance (|1 − ratio| ≤ 0.1 by default) nothing changes;
 * - with missing or (on a scale-up) unready pods the ratio is recomputed assuming the missing use
 *   100 % of their request (or the target, if higher) on a scale-down and 0 % on a scale-up, and
 *   unready pods 0 %; if that flips the direction, or lands in the tolerance, nothing changes.
 * Plain (AverageValue) targets follow the same rules on raw averages.
 *
 * Metric values are milli-units (millicores, milli-bytes), as Quantity.MilliValue gives them.
 * Failures throw `MetricsError` with Kubernetes' texts (they become HPA conditions and events).
 */
import type { Pod } from '../../../shared/api/core.js';
import { milliValue, tryParseQuantity } from '../../../shared/api/quantity.js';

export interface PodMetric {
  /** Milli-units (millicores for cpu, milli-bytes for memory). */
  value: number;
  /** When the sample was taken (ms since the epoch). */
  timestamp: number;
  windowMs: number;
}

/** Samples by pod name. */
export type PodMetricsInfo = Map<string, PodMetric>;

export class MetricsError extends Error {
  override name = 'MetricsError';
}

export interface CalculatorSettings {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

function time(s: string | null | undefined): number | undefined {
  const t = s ? Date.parse(s) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

export function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, s: CalculatorSettings, now: number): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const started = time(pod.status?.startTime);
      const transition = time(ready?.lastTransitionTime) ?? 0;
      let unready: boolean;
      if (!ready || started === undefined) unready = true;
      else if (started + s.cpuInitializationPeriodMs > now) unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
      else unready = ready.status === 'False' && started + s.initialReadinessDelayMs > transition;
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** Requested milli-units per pod (containers, and restartable init containers), or the container named. */
export function podRequests(pods: readonly Pod[], container: string | undefined, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => (c as { restartPolicy?: string }).restartPolicy === 'Always')];
    let sum = 0;
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const req = c.resources?.requests?.[resource];
      if (req === undefined || !tryParseQuantity(req)) throw new MetricsError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += milliValue(req);
    }
    out.set(pod.metadata.name ?? '', sum);
  }
  return out;
}

export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, m] of metrics) {
    const req = requests.get(name);
    if (req === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += req;
    entries++;
  }
  if (requestsTotal === 0) throw new MetricsError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

export interface ReplicaInput {
  currentReplicas: number;
  resource: string;
  /** The pods the target's scale selector selects, in the HPA's namespace. */
  pods: readonly Pod[];
  /** Samples by pod name; copied, never changed. */
  metrics: PodMetricsInfo;
  settings: CalculatorSettings;
  now: number;
  container?: string;
}

function withinTolerance(ratio: number, tolerance: number): boolean {
  return Math.abs(1 - ratio) <= tolerance;
}

function usable(input: ReplicaInput): { metrics: PodMetricsInfo; groups: PodGroups } {
  if (input.pods.length === 0) throw new MetricsError('no pods returned by selector while calculating replica count');
  const metrics = new Map(input.metrics);
  const groups = groupPods(input.pods, metrics, input.resource, input.settings, input.now);
  for (const n of [...groups.ignored, ...groups.unready]) metrics.delete(n);
  if (metrics.size === 0) throw new MetricsError('did not receive metrics for targeted pods (pods might be unready)');
  return { metrics, groups };
}

/** Desired replicas for a `Utilization` target, with the current utilisation (percent) and raw average. */
export function resourceReplicas(input: ReplicaInput & { targetUtilization: number }): { replicas: number; utilization: number; rawUtilization: number } {
  const { currentReplicas, targetUtilization, settings } = input;
  const { metrics, groups } = usable(input);
  const requests = podRequests(input.pods, input.container, input.resource);
  const { ratio, utilization, rawAverage } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const keep = { replicas: currentReplicas, utilization, rawUtilization: rawAverage };
  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (withinTolerance(ratio, settings.tolerance)) return keep;
    return { ...keep, replicas: Math.ceil(ratio * groups.readyPodCount) };
  }
  if (groups.missing.size > 0) {
    const fallback = Math.max(100, targetUtilization);
    for (const n of groups.missing) {
      if (ratio < 1) metrics.set(n, { value: Math.trunc(((requests.get(n) ?? 0) * fallback) / 100), timestamp: input.now, windowMs: 0 });
      else if (ratio > 1) metrics.set(n, { value: 0, timestamp: input.now, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready) for (const n of groups.unready) metrics.set(n, { value: 0, timestamp: input.now, windowMs: 0 });
  const next = resourceUtilizationRatio(metrics, requests, targetUtilization).ratio;
  if (withinTolerance(next, settings.tolerance) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return keep;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return keep;
  return { ...keep, replicas };
}

/** Desired replicas for an `AverageValue` target (milli-units per pod), with the current average. */
export function plainMetricReplicas(input: ReplicaInput & { targetUsage: number }): { replicas: number; usage: number } {
  const { currentReplicas, targetUsage, settings } = input;
  const { metrics, groups } = usable(input);
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage);
  const keep = { replicas: currentReplicas, usage };
  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (withinTolerance(ratio, settings.tolerance)) return keep;
    return { ...keep, replicas: Math.ceil(ratio * groups.readyPodCount) };
  }
  for (const n of groups.missing) {
    if (ratio < 1) metrics.set(n, { value: targetUsage, timestamp: input.now, windowMs: 0 });
    else if (ratio > 1) metrics.set(n, { value: 0, timestamp: input.now, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const n of groups.unready) metrics.set(n, { value: 0, timestamp: input.now, windowMs: 0 });
  const next = metricUsageRatio(metrics, targetUsage).ratio;
  if (withinTolerance(next, settings.tolerance) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return keep;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return keep;
  return { ...keep, replicas };
}
