/**
 * `metrics.k8s.io/v1beta1` in the api-server, as metrics-server serves it: `nodes` (NodeMetrics)
 * and `namespaces/{ns}/pods` (PodMetrics), list and get, nothing else (other verbs 405). What
 * `kubectl top pod|node` and the HPA controller read.
 *
 * - Usage comes from the latest kubelet summaries (./summaries.ts), which arrive on
 *   `subjects.node.allMetrics()`; nothing is stored.
 * - Objects are joined with the watch cache: a pod or node that no longer exists has no metrics,
 *   labels come from the live object, and label and field selectors filter the live objects, as
 *   metrics-server filters through its informers. Pods are matched to samples by uid, so a pod
 *   recreated under the same name never shows its predecessor's usage.
 * - Quantities: cpu as a DecimalSI milli-quantity (`250m`, `1`), memory in whole `Ki`; `window` is
 *   a Go duration (`2s`); `metadata.creationTimestamp` is the time of the answer, as metrics-server
 *   sets it. A pod whose containers report nothing (none running) has no metrics.
 * - A named node or pod without metrics → 404 NotFound (kubectl top says "metrics not available yet").
 */
import type { Node, Pod } from '../../../shared/api/core.js';
import { methodNotAllowed, notFound } from '../../../shared/api/errors.js';
import type { KubeList } from '../../../shared/api/meta.js';
import type { NodeMetrics, NodeMetricsSummary, PodMetrics, ResourceUsageSample, UsageQuantities } from '../../../shared/api/metrics.js';
import { formatMilliQuantity } from '../../../shared/api/quantity.js';
import { resourceByPlural, resourceFor, storePrefix, storeKey, type ResourceInfo } from '../../../shared/api/resources.js';
import type { ApiRequest, ApiResponse } from '../../../shared/client/api.js';
import type { Bus } from '../../../shared/nats/connection.js';
import { subjects } from '../../../shared/nats/subjects.js';
import { isoTime, type Clock } from '../../../shared/runtime/clock.js';
import type { Logger } from '../../../shared/runtime/logger.js';
import type { Api } from '../api.js';
import { makeFilter } from '../filter.js';
import { listOptions, ok } from '../request.js';
import type { ResourceTarget } from '../resource-handler.js';
import type { Registry } from '../registry/registry.js';
import type { WatchCache } from '../watch-cache.js';
import { MetricsSummaries, type SummaryOptions } from './summaries.js';

const GROUP_VERSION = 'metrics.k8s.io/v1beta1';
export const NODE_METRICS = resourceFor('metrics.k8s.io', 'v1beta1', 'nodes')!;
export const POD_METRICS = resourceFor('metrics.k8s.io', 'v1beta1', 'pods')!;
const NODES = resourceByPlural('nodes');
const PODS = resourceByPlural('pods');

/** A Go `time.Duration` string for whole milliseconds (`2s`, `2.5s`, `1m0s`). */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const minutes = Math.floor(total / 60_000);
  const seconds = String((total % 60_000) / 1000);
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

export function usageQuantities(u: ResourceUsageSample): UsageQuantities {
  return { cpu: formatMilliQuantity(Math.max(0, Math.round(u.cpuMillicores))), memory: `${Math.round(Math.max(0, u.memoryBytes) / 1024)}Ki` };
}

export interface MetricsApiDeps {
  cache: WatchCache;
  registry: Registry;
  clock: Clock;
  summaries: MetricsSummaries;
}

export function nodeMetricsOf(node: Node, s: NodeMetricsSummary, clock: Clock): NodeMetrics {
  return {
    kind: 'NodeMetrics',
    apiVersion: GROUP_VERSION,
    metadata: { name: node.metadata.name, creationTimestamp: isoTime(clock), ...(node.metadata.labels ? { labels: { ...node.metadata.labels } } : {}) },
    timestamp: s.timestamp,
    window: goDuration(s.windowMs),
    usage: usageQuantities(s.usage),
  };
}

export function podMetricsOf(pod: Pod, deps: Pick<MetricsApiDeps, 'summaries' | 'clock'>, usage = deps.summaries.pods()): PodMetrics | undefined {
  const u = usage.get(pod.metadata.uid ?? '');
  if (!u || u.pod.containers.length === 0) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion: GROUP_VERSION,
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: isoTime(deps.clock),
      ...(pod.metadata.labels ? { labels: { ...pod.metadata.labels } } : {}),
    },
    timestamp: u.summary.timestamp,
    window: goDuration(u.summary.windowMs),
    containers: u.pod.containers.map((c) => ({ name: c.name, usage: usageQuantities(c) })),
  };
}

function list<T>(kind: string, items: T[]): KubeList<T> {
  return { kind, apiVersion: GROUP_VERSION, metadata: {}, items };
}

async function serveNodes(deps: MetricsApiDeps, req: ApiRequest, t: ResourceTarget): Promise<ApiResponse> {
  await deps.registry.sync();
  if (t.name !== undefined) {
    const node = deps.cache.get(NODES, storeKey(NODES, undefined, t.name)) as Node | undefined;
    const s = node && deps.summaries.node(t.name);
    if (!node || !s) throw notFound(NODE_METRICS.plural, t.name, NODE_METRICS.group);
    return ok(nodeMetricsOf(node, s, deps.clock));
  }
  const opts = listOptions(req);
  const filter = makeFilter(NODES, undefined, opts.labelSelector, opts.fieldSelector);
  const fresh = deps.summaries.nodes();
  const items: NodeMetrics[] = [];
  for (const node of deps.cache.list(NODES, storePrefix(NODES)) as Node[]) {
    const s = fresh.get(node.metadata.name ?? '');
    if (s && (filter.everything || filter.matches(node))) items.push(nodeMetricsOf(node, s, deps.clock));
  }
  return ok(list('NodeMetricsList', items));
}

async function servePods(deps: MetricsApiDeps, req: ApiRequest, t: ResourceTarget): Promise<ApiResponse> {
  await deps.registry.sync();
  if (t.name !== undefined) {
    const pod = deps.cache.get(PODS, storeKey(PODS, t.namespace, t.name)) as Pod | undefined;
    const m = pod && podMetricsOf(pod, deps);
    if (!m) throw notFound(POD_METRICS.plural, t.name, POD_METRICS.group);
    return ok(m);
  }
  const opts = listOptions(req);
  const filter = makeFilter(PODS, t.namespace, opts.labelSelector, opts.fieldSelector);
  const usage = deps.summaries.pods();
  const items: PodMetrics[] = [];
  for (const pod of deps.cache.list(PODS, storePrefix(PODS, filter.namespace)) as Pod[]) {
    if (!filter.everything && !filter.matches(pod)) continue;
    const m = podMetricsOf(pod, deps, usage);
    if (m) items.push(m);
  }
  return ok(list('PodMetricsList', items));
}

export interface MetricsApi {
  summaries: MetricsSummaries;
  stop(): void;
}

/** Subscribes to the kubelets' summaries and serves metrics.k8s.io from them. */
export function registerMetricsApi(
  api: Api,
  deps: { bus: Bus; cache: WatchCache; registry: Registry; clock: Clock; log: Logger } & SummaryOptions,
): MetricsApi {
  const summaries = new MetricsSummaries(deps.clock, deps);
  const sub = deps.bus.subscribe(subjects.node.allMetrics(), (body, subject) => {
    if (!summaries.accept(body)) deps.log.debug({ subject }, 'ignored a malformed or outdated metrics summary');
  });
  const full: MetricsApiDeps = { cache: deps.cache, registry: deps.registry, clock: deps.clock, summaries };
  const guard = (serve: (d: MetricsApiDeps, req: ApiRequest, t: ResourceTarget) => Promise<ApiResponse>, r: ResourceInfo) =>
    async (req: ApiRequest, t: ResourceTarget): Promise<ApiResponse> => {
      if (req.method !== 'GET' || t.subresource !== undefined) throw methodNotAllowed(`the server does not allow this method on the requested resource (${req.method.toLowerCase()} ${r.plural}.${r.group})`);
      return serve(full, req, t);
    };
  api.registerProvider(NODE_METRICS, guard(serveNodes, NODE_METRICS));
  api.registerProvider(POD_METRICS, guard(servePods, POD_METRICS));
  return { summaries, stop: () => sub.unsubscribe() };
}
