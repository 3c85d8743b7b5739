/**
 * The api-server's memory of resource usage: the latest `NodeMetricsSummary` of every node, as the
 * kubelets publish them on the bus (kept in memory only, never stored — metrics-server's model).
 *
 * - A summary replaces the node's previous one unless it is older (a late or repeated message).
 * - A node's summary is forgotten once it is stale: not replaced within `staleIntervals` of its own
 *   publishing interval (at least `minStaleMs`), judged on this process's clock from when the
 *   summary arrived. A dead or partitioned node therefore stops having metrics within seconds,
 *   and so do its pods.
 * - A pod is found by uid across nodes; if two nodes report one uid (a pod that moved), the
 *   freshest summary wins.
 *
 * Pure state; the bus subscription lives in ./metrics-api.ts.
 */
import type { NodeMetricsSummary, PodUsageSample } from '../../../shared/api/metrics.js';
import type { Clock } from '../../../shared/runtime/clock.js';

interface Held {
  summary: NodeMetricsSummary;
  receivedAt: number;
  takenAt: number;
}

export interface PodUsage {
  summary: NodeMetricsSummary;
  pod: PodUsageSample;
}

export interface SummaryOptions {
  /** Publishing intervals a summary may miss before it is forgotten (default 3). */
  staleIntervals?: number;
  /** Never forget a summary sooner than this (default 5 s). */
  minStaleMs?: number;
}

const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

function isUsage(v: unknown): boolean {
  const u = v as { cpuMillicores?: unknown; memoryBytes?: unknown } | null | undefined;
  return !!u && isNumber(u.cpuMillicores) && isNumber(u.memoryBytes);
}

/** The whole shape is checked once here, so nothing downstream meets a malformed sample. */
function isSummary(v: unknown): v is NodeMetricsSummary {
  const s = v as NodeMetricsSummary | undefined;
  if (!s || typeof s.node !== 'string' || typeof s.timestamp !== 'string' || !isUsage(s.usage) || !Array.isArray(s.pods)) return false;
  return s.pods.every(
    (p) => !!p && typeof p.uid === 'string' && typeof p.name === 'string' && typeof p.namespace === 'string' && Array.isArray(p.containers) && p.containers.every((c) => !!c && typeof c.name === 'string' && isUsage(c)),
  );
}

export class MetricsSummaries {
  private readonly byNode = new Map<string, Held>();

  constructor(
    private readonly clock: Clock,
    private readonly opts: SummaryOptions = {},
  ) {}

  /** Takes a summary from the bus; anything malformed or older than what is held is ignored. */
  accept(v: unknown): boolean {
    if (!isSummary(v)) return false;
    const takenAt = Date.parse(v.timestamp);
    if (!Number.isFinite(takenAt)) return false;
    const held = this.byNode.get(v.node);
    if (held && held.takenAt > takenAt) return false;
    this.byNode.set(v.node, { summary: v, receivedAt: this.clock.now(), takenAt });
    return true;
  }

  /** The fresh summary of a node, if any. */
  node(name: string): NodeMetricsSummary | undefined {
    const held = this.byNode.get(name);
    if (!held) return undefined;
    if (this.stale(held)) {
      this.byNode.delete(name);
      return undefined;
    }
    return held.summary;
  }

  /** Every fresh summary, by node name. */
  nodes(): Map<string, NodeMetricsSummary> {
    const out = new Map<string, NodeMetricsSummary>();
    for (const name of [...this.byNode.keys()]) {
      const s = this.node(name);
      if (s) out.set(name, s);
    }
    return out;
  }

  /** The freshest usage of every pod any fresh summary reports, by pod uid. */
  pods(): Map<string, PodUsage> {
    const out = new Map<string, PodUsage>();
    for (const summary of this.nodes().values()) {
      for (const pod of summary.pods) {
        const prev = out.get(pod.uid);
        if (!prev || Date.parse(prev.summary.timestamp) < Date.parse(summary.timestamp)) out.set(pod.uid, { summary, pod });
      }
    }
    return out;
  }

  private stale(held: Held): boolean {
    const interval = Number.isFinite(held.summary.intervalMs) && held.summary.intervalMs > 0 ? held.summary.intervalMs : 0;
    const limit = Math.max(this.opts.minStaleMs ?? 5000, (this.opts.staleIntervals ?? 3) * interval);
    return this.clock.now() - held.receivedAt > limit;
  }
}
