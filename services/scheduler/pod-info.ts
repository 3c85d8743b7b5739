/**
 * What the scheduler needs to know about one pod, computed once per pod version: its resource
 * requests, the requests used for scoring, the host ports it wants, its controller and priority.
 *
 * Requests follow kube-scheduler: containers are summed, each init container is a peak the pod
 * must also fit (the maximum of the sum and every init container), plus `spec.overhead`. A
 * container that sets a limit but no request requests its limit (what the api-server's defaulting
 * does in Kubernetes). Scoring uses "non-zero" requests: a container that requests no cpu counts as
 * 100m and one that requests no memory as 200Mi, so pods without requests still spread instead of
 * piling onto one node (kube-scheduler's defaults). Filtering always uses the real requests.
 *
 * Host ports: every container port with a hostPort, its protocol (TCP by default) and hostIP
 * (0.0.0.0 = every address). Pure functions; nothing here does I/O.
 */
import type { Container, Pod } from '../../shared/api/core.js';
import { controllerOf, objectKey } from '../../shared/api/meta.js';
import { intValueOrZero, milliValueOrZero } from '../../shared/api/quantity.js';

export interface Resources {
  milliCpu: number;
  memory: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  key: string;
  pod: Pod;
  requests: Resources;
  /** Requests with kube-scheduler's defaults for containers that request nothing (scoring only). */
  nonZero: Resources;
  hostPorts: HostPort[];
  /** uid of the controlling owner (ReplicationController, ReplicaSet, …), for spreading. */
  ownerUid?: string;
  priority: number;
}

/** kube-scheduler's non-zero defaults: 100 millicores and 200 MiB. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const ANY_IP = '0.0.0.0';

function requested(c: Container, resource: 'cpu' | 'memory'): string | number | undefined {
  return c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
}

function containerResources(c: Container, nonZero: boolean): Resources {
  const cpu = requested(c, 'cpu');
  const memory = requested(c, 'memory');
  return {
    milliCpu: cpu === undefined && nonZero ? DEFAULT_MILLI_CPU_REQUEST : milliValueOrZero(cpu),
    memory: memory === undefined && nonZero ? DEFAULT_MEMORY_REQUEST : intValueOrZero(memory),
  };
}

/** The pod's requests: containers summed, init containers as peaks, overhead added. */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const total: Resources = { milliCpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) {
    const r = containerResources(c, nonZero);
    total.milliCpu += r.milliCpu;
    total.memory += r.memory;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerResources(c, nonZero);
    total.milliCpu = Math.max(total.milliCpu, r.milliCpu);
    total.memory = Math.max(total.memory, r.memory);
  }
  const overhead = (pod.spec as { overhead?: Record<string, string | number> } | undefined)?.overhead;
  if (overhead) {
    total.milliCpu += milliValueOrZero(overhead.cpu);
    total.memory += intValueOrZero(overhead.memory);
  }
  return total;
}

export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || ANY_IP, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function podInfo(pod: Pod): PodInfo {
  return {
    key: objectKey(pod),
    pod,
    requests: podRequests(pod),
    nonZero: podRequests(pod, true),
    hostPorts: podHostPorts(pod),
    ownerUid: pod.metadata.ownerReferences ? controllerOf(pod)?.uid : undefined,
    priority: pod.spec?.priority ?? 0,
  };
}

/** Not bound, not being deleted, not finished: a pod a scheduler still has to place. */
export function isPending(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !pod.spec?.nodeName && !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export function schedulerNameOf(pod: Pod): string {
  return pod.spec?.schedulerName || 'default-scheduler';
}
