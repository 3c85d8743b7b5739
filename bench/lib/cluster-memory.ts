/**
 * Memory of a running cluster, process by process (./memory.ts: RSS, PSS, USS from smaps_rollup),
 * idle and while it runs pods:
 *
 * - every process of the state file (nats-server, store, api-server, scheduler,
 *   controller-manager, each kubelet and kube-proxy, `kubelet-sim`);
 * - the containers: every live descendant of the kubelets (with the process runtime, each
 *   container is a child process — plus `unshare` where pods get namespaces), summed, and per pod.
 *
 * `loadPods` fills the nodes with `perNode` pods each (`concurrency` creates at a time), waits until
 * all run, and answers the names so `unloadPods` can delete them and wait until they are gone.
 */
import type { ProcessRecord } from '../../services/kubemu/state.js';
import { processTree } from '../../shared/runtime/proc.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { memoryOf, memoryOfAll, type MemoryUse } from './memory.js';
import { allGone, benchPod } from './pod-startup.js';
import type { PodTimeline } from './pod-timeline.js';

export interface ProcessMemory {
  name: string;
  component: string;
  node?: string;
  mem: MemoryUse;
}

export interface MemorySample {
  /** Pods running when sampled. */
  pods: number;
  processes: ProcessMemory[];
  containers: MemoryUse & { processes: number };
}

export function sampleMemory(records: ProcessRecord[], pods: number): MemorySample {
  const processes: ProcessMemory[] = [];
  const kubelets: number[] = [];
  for (const r of records) {
    if (r.pid === undefined) continue;
    const mem = memoryOf(r.pid);
    if (!mem) continue;
    processes.push({ name: r.name, component: r.component, ...(r.node ? { node: r.node } : {}), mem });
    if (r.component === 'kubelet') kubelets.push(r.pid);
  }
  const containerPids = kubelets.flatMap((k) => processTree(k).filter((p) => p !== k));
  return { pods, processes, containers: memoryOfAll(containerPids) };
}

const PODS = resourceByPlural('pods');

export interface LoadOptions {
  api: ApiClient;
  timeline: PodTimeline;
  namespace: string;
  prefix: string;
  image: string;
  count: number;
  concurrency: number;
  timeoutMs: number;
}

export async function loadPods(o: LoadOptions): Promise<string[]> {
  const names = Array.from({ length: o.count }, (_, i) => `${o.prefix}-${i}`);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < names.length; i = next++) {
      o.timeline.mark(names[i], 'created');
      await o.api.create(PODS, o.namespace, benchPod(names[i], o.image, { app: 'bench-pods', test: 'memory' }));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  await Promise.all(names.map((n) => o.timeline.until(n, 'running', o.timeoutMs)));
  return names;
}

export async function unloadPods(o: Pick<LoadOptions, 'api' | 'timeline' | 'namespace' | 'timeoutMs' | 'concurrency'>, names: string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < names.length; i = next++) await o.api.delete(PODS, o.namespace, names[i]).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  await allGone(o.timeline, names, o.timeoutMs + 30_000);
}
