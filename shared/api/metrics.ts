/**
 * Resource metrics: what a kubelet measures and publishes on the bus (`NodeMetricsSummary`, one
 * message per node every few seconds), and the `metrics.k8s.io/v1beta1` kinds the api-server serves
 * from the latest summaries (`NodeMetrics`, `PodMetrics`, as metrics-server serves them), which
 * `kubectl top` and the HPA controller read.
 *
 * Summaries carry plain numbers (millicores, bytes); the API objects carry quantities. Summaries
 * are never stored: a node that stops publishing stops having metrics.
 *
 * Types only; imports only ./meta.
 */
import type { KubeObject } from './meta.js';

export interface ResourceUsageSample {
  cpuMillicores: number;
  memoryBytes: number;
}

export interface ContainerUsageSample extends ResourceUsageSample {
  name: string;
}

export interface PodUsageSample {
  namespace: string;
  name: string;
  uid: string;
  containers: ContainerUsageSample[];
}

/** One kubelet's measurements of one node, published on `subjects.node.metrics(node)`. */
export interface NodeMetricsSummary {
  node: string;
  /** When the samples were taken (RFC 3339). */
  timestamp: string;
  /** Length of the sampling window the CPU figures average over (ms). */
  windowMs: number;
  /** How often this kubelet publishes (ms); the api-server forgets a summary after a few missed ones. */
  intervalMs: number;
  /** The whole node: its containers and, for a node of its own process, the kubelet itself. */
  usage: ResourceUsageSample;
  pods: PodUsageSample[];
}

/** Usage as metrics.k8s.io writes it: `cpu` and `memory` quantities. */
export type UsageQuantities = { cpu: string; memory: string };

export interface NodeMetrics extends KubeObject {
  timestamp: string;
  window: string;
  usage: UsageQuantities;
}

export interface PodMetrics extends KubeObject {
  timestamp: string;
  window: string;
  containers: { name: string; usage: UsageQuantities }[];
}
