/**
 * The pods of one node: an informer on the pods bound here (`spec.nodeName=<node>`, so this kubelet
 * never hears about other nodes' pods) and one `PodWorker` per pod uid.
 *
 * - Start-up: once the informer has synced, the IPs of pods that the API shows running here are
 *   reserved before any worker allocates one, so a restarted kubelet keeps its pods' addresses.
 * - Add / update → the pod's worker (created on first sight); delete, or a relist that no longer
 *   has the pod (deleted or moved while this node was away) → the worker terminates the pod's
 *   containers. A housekeeping pass every `housekeepingMs` does the same for any worker whose pod
 *   the cache no longer holds (under the same uid), so nothing can keep running unassigned.
 * - Container exits from the runtime are routed to the pod's worker by uid.
 * - A finished worker's uid is remembered for a while so late events of a deleted pod do not
 *   start it again.
 * Implements `PodLookup` for the streaming handlers.
 */
import type { Pod } from '../../shared/api/core.js';
import { objectKey } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { HandlerRegistration, SharedInformer } from '../../shared/informer/informer.js';
import { IpAllocator } from './ip-allocator.js';
import type { PodLookup, PodRef } from './pod-lookup.js';
import { PodWorker, type PodWorkerDeps } from './pod-worker.js';
import type { Runtime } from './runtime/runtime.js';

export const PODS = resourceByPlural('pods');
const FINISHED_MEMORY = 4096;

export type WorkerDeps = Omit<PodWorkerDeps, 'ips' | 'onDone'>;

export interface PodManagerOptions {
  informer: SharedInformer<Pod>;
  runtime: Runtime;
  clock: Clock;
  log: Logger;
  workerDeps: WorkerDeps;
  housekeepingMs?: number;
}

function refOf(w: PodWorker): PodRef {
  return {
    uid: w.uid,
    namespace: w.namespace,
    name: w.name,
    ...(w.podIP ? { podIP: w.podIP } : {}),
    containers: w.containers().map((c) => ({ name: c.name, init: c.init, running: c.running, ...(c.id ? { containerId: c.id } : {}) })),
  };
}

export class PodManager implements PodLookup {
  private readonly workers = new Map<string, PodWorker>();
  private readonly finished = new Set<string>();
  private ips?: IpAllocator;
  private housekeeping?: TimerHandle;
  private unsubscribeExits?: () => void;
  private handler?: HandlerRegistration;
  private started = false;

  constructor(private readonly opts: PodManagerOptions) {}

  /** Starts managing pods once the informer has synced; `podCIDR` is the node's. */
  async start(podCIDR: string, signal: AbortSignal): Promise<void> {
    const { informer, runtime, clock } = this.opts;
    this.ips = new IpAllocator(podCIDR);
    await informer.waitForSync(signal);
    for (const pod of informer.lister.list()) {
      const phase = pod.status?.phase;
      if (pod.status?.podIP && phase !== 'Succeeded' && phase !== 'Failed' && !pod.spec.hostNetwork) this.ips.reserve(pod.metadata.uid ?? '', pod.status.podIP);
    }
    this.unsubscribeExits = runtime.onContainerExit((info) => this.workers.get(info.podUid)?.containerExited(info));
    this.handler = informer.addEventHandler({
      onAdd: (pod) => this.observe(pod),
      onUpdate: (_old, pod) => this.observe(pod),
      onDelete: (pod) => this.workers.get(pod.metadata.uid ?? '')?.remove(),
    });
    this.housekeeping = clock.setInterval(() => this.housekeep(), this.opts.housekeepingMs ?? 2000);
    this.started = true;
  }

  get hasStarted(): boolean {
    return this.started;
  }

  get podCount(): number {
    return this.workers.size;
  }

  worker(uid: string): PodWorker | undefined {
    return this.workers.get(uid);
  }

  find(namespace: string, name: string): PodRef | undefined {
    for (const w of this.workers.values()) {
      if (w.namespace !== namespace || w.name !== name || w.isFinished) continue;
      return refOf(w);
    }
    return undefined;
  }

  /** Every pod this node runs (not finished), as `find` describes it (resource metrics read these). */
  list(): PodRef[] {
    return [...this.workers.values()].filter((w) => !w.isFinished).map(refOf);
  }

  /** Stops bookkeeping and every worker (the runtime is closed by the kubelet). */
  stop(): void {
    this.housekeeping?.cancel();
    this.unsubscribeExits?.();
    this.handler?.remove();
    for (const w of this.workers.values()) w.halt();
  }

  /** Terminates every pod (used when a test wants a clean node). */
  async drain(): Promise<void> {
    for (const w of this.workers.values()) w.remove();
    await Promise.all([...this.workers.values()].map((w) => w.done));
  }

  private observe(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (!uid || this.finished.has(uid)) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = new PodWorker({ ...this.opts.workerDeps, ips: this.ips!, onDone: (id) => this.forget(id) }, pod);
      this.workers.set(uid, w);
      w.kick();
      return;
    }
    w.update(pod);
  }

  private forget(uid: string): void {
    this.workers.delete(uid);
    this.finished.add(uid);
    if (this.finished.size > FINISHED_MEMORY) this.finished.delete(this.finished.values().next().value as string);
  }

  private housekeep(): void {
    const lister = this.opts.informer.lister;
    for (const w of this.workers.values()) {
      const cached = lister.get(objectKey({ metadata: { namespace: w.namespace, name: w.name } }));
      if (!cached || cached.metadata.uid !== w.uid) w.remove();
    }
  }
}
