/**
 * The kubelet's resource metrics (its share of metrics-server's job): every `intervalMs` it measures
 * the running containers of its node through `Runtime.usage` (the process runtime reads /proc: CPU
 * millicores over the time since the last measurement, resident memory; the simulated runtime
 * reports fixed figures) and publishes one `NodeMetricsSummary` on `subjects.node.metrics(node)`.
 * The api-server keeps the latest summary per node for `metrics.k8s.io` (kubectl top, the HPA).
 *
 * - Only running containers of unfinished pods are measured; a pod with none running is reported
 *   with no containers (the API then has no metrics for it, as metrics-server does).
 * - Node usage is the sum of its containers plus, when the process hosts this one node only, the
 *   kubelet process itself (its CPU time over the same window and its RSS) — the node's own
 *   overhead, as a machine's would be.
 * - `windowMs` is the time since the previous summary (the first: since the publisher started).
 * - Publishing is fire-and-forget: with the bus down, summaries are simply lost (the API's copy goes
 *   stale and metrics disappear, which is what `kubectl top` should then show).
 */
import type { NodeMetricsSummary, PodUsageSample, ResourceUsageSample } from '../../shared/api/metrics.js';
import type { Bus } from '../../shared/nats/connection.js';
import { subjects } from '../../shared/nats/subjects.js';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { PodRef } from './pod-lookup.js';
import type { Runtime } from './runtime/runtime.js';

/** metrics-server scrapes every 15 s; kubemu's default profile measures faster, for demos. */
export function defaultMetricsIntervalMs(profile: string): number {
  return profile === 'kubernetes' ? 15_000 : 2000;
}

export interface RunningPods {
  list(): PodRef[];
}

/** The usage of the measuring process itself (CPU as a rate over the time since the last call). */
export type SelfUsage = () => ResourceUsageSample;

export interface SummaryInput {
  node: string;
  runtime: Pick<Runtime, 'usage'>;
  pods: RunningPods;
  now: number;
  windowMs: number;
  intervalMs: number;
  self?: ResourceUsageSample;
}

/** One summary of a node's running containers, measured now. */
export function collectSummary(input: SummaryInput): NodeMetricsSummary {
  const usage: ResourceUsageSample = { cpuMillicores: input.self?.cpuMillicores ?? 0, memoryBytes: input.self?.memoryBytes ?? 0 };
  const pods: PodUsageSample[] = [];
  for (const ref of input.pods.list()) {
    const containers = [];
    for (const c of ref.containers) {
      if (!c.running || !c.containerId) continue;
      const u = input.runtime.usage(c.containerId);
      if (!u) continue;
      containers.push({ name: c.name, cpuMillicores: u.cpuMillicores, memoryBytes: u.memoryBytes });
      usage.cpuMillicores += u.cpuMillicores;
      usage.memoryBytes += u.memoryBytes;
    }
    pods.push({ namespace: ref.namespace, name: ref.name, uid: ref.uid, containers });
  }
  return { node: input.node, timestamp: new Date(input.now).toISOString(), windowMs: input.windowMs, intervalMs: input.intervalMs, usage, pods };
}

/** This process's own usage, CPU measured between calls on `clock`. */
export function processSelfUsage(clock: Clock): SelfUsage {
  let lastAt = clock.now();
  let lastCpu = process.cpuUsage();
  let rate = 0;
  return () => {
    const now = clock.now();
    if (now > lastAt) {
      const cpu = process.cpuUsage();
      const micros = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
      rate = Math.max(0, Math.round(micros / (now - lastAt)));
      lastAt = now;
      lastCpu = cpu;
    }
    return { cpuMillicores: rate, memoryBytes: process.memoryUsage.rss() };
  };
}

export interface MetricsPublisherDeps {
  bus: Pick<Bus, 'publish'>;
  clock: Clock;
  log: Logger;
  nodeName: string;
  runtime: Pick<Runtime, 'usage'>;
  pods: RunningPods;
  intervalMs: number;
  self?: SelfUsage;
}

export interface MetricsPublisher {
  /** Measures and publishes now (also what each tick does). */
  publishNow(): NodeMetricsSummary | undefined;
  stop(): void;
}

export function startMetricsPublisher(deps: MetricsPublisherDeps): MetricsPublisher {
  const { bus, clock, log, nodeName } = deps;
  let last = clock.now();
  const subject = subjects.node.metrics(nodeName);
  const publishNow = (): NodeMetricsSummary | undefined => {
    const now = clock.now();
    try {
      const summary = collectSummary({ node: nodeName, runtime: deps.runtime, pods: deps.pods, now, windowMs: Math.max(1, now - last), intervalMs: deps.intervalMs, self: deps.self?.() });
      last = now;
      bus.publish(subject, summary);
      return summary;
    } catch (err) {
      log.warn({ err }, 'could not publish resource metrics');
      return undefined;
    }
  };
  const timer: TimerHandle = clock.setInterval(publishNow, deps.intervalMs);
  return { publishNow, stop: () => timer.cancel() };
}
