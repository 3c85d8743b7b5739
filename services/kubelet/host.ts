/**
 * A kubelet process's contents: one kubelet per node it hosts (one, or N simulated ones), sharing
 * the bus, the API client and one informer factory, each with its own runtime. It serves the health
 * convention for every node (`kubelet-<node>`) and, for a multi-node process, for the process name
 * too (ready once every node is). Nodes start concurrently; one that cannot start is logged and
 * retried inside its kubelet (registration retries), never taking the others down.
 *
 * `stop()` stops every kubelet (their containers stop at once), the informers and the health
 * subscriptions; the bus and API client belong to the caller.
 */
import { setMaxListeners } from 'node:events';
import type { ApiClient } from '../../shared/client/api.js';
import { InformerFactory } from '../../shared/informer/factory.js';
import type { Bus, BusSubscription } from '../../shared/nats/connection.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { serveHealth } from '../../shared/runtime/health.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { BackoffSettings } from './backoff.js';
import { createKubelet, type Kubelet } from './kubelet.js';
import { diskCapacityBytes, machineInfo } from './machine-info.js';
import type { ProbeExecutor } from './probe-executor.js';
import type { Runtime } from './runtime/runtime.js';

export interface KubeletHostConfig {
  processName: string;
  nodes: { name: string; ip: string }[];
  cpu: string;
  memory: string;
  maxPods: number;
  labels: Record<string, string>;
  dataDir: string;
  timing: { heartbeatIntervalMs: number; nodeStatusReportMs: number };
  backoff: BackoffSettings;
}

export interface KubeletHostDeps {
  bus: Bus;
  api: ApiClient;
  clock: Clock;
  log: Logger;
  runtimeFor(node: { name: string; ip: string }): Runtime;
  probesFor(runtime: Runtime): ProbeExecutor;
  /** Extra Node annotations for a runtime (e.g. how its pods are isolated). */
  annotationsFor?(runtime: Runtime): Record<string, string> | undefined;
}

export interface KubeletHost {
  readonly kubelets: Kubelet[];
  ready(): boolean;
  stop(): Promise<void>;
}

export function startKubeletHost(cfg: KubeletHostConfig, deps: KubeletHostDeps): KubeletHost {
  const { bus, api, clock, log } = deps;
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // every node's registration, informers and timers listen on it
  const informers = new InformerFactory({ api, clock, log });
  const disk = diskCapacityBytes(cfg.dataDir);
  const kubelets = cfg.nodes.map((node) => {
    const runtime = deps.runtimeFor(node);
    const annotations = deps.annotationsFor?.(runtime);
    return createKubelet({
      ...(annotations ? { annotations } : {}),
      node,
      api,
      bus,
      clock,
      log,
      runtime,
      informers,
      probes: deps.probesFor(runtime),
      resources: { cpu: cfg.cpu, memory: cfg.memory, maxPods: cfg.maxPods, ephemeralStorageBytes: disk },
      labels: cfg.labels,
      machine: machineInfo(node.name),
      timing: cfg.timing,
      backoff: cfg.backoff,
    });
  });
  informers.start(abort.signal);
  const subs: BusSubscription[] = kubelets.map((k) => serveHealth(bus, `kubelet-${k.nodeName}`, () => k.health()));
  const ready = (): boolean => kubelets.every((k) => k.health().ready);
  if (kubelets.length > 1 || cfg.processName !== `kubelet-${cfg.nodes[0]?.name}`) {
    subs.push(
      serveHealth(bus, cfg.processName, () => {
        const waiting = kubelets.filter((k) => !k.health().ready).map((k) => k.nodeName);
        return waiting.length === 0
          ? { ready: true, nodes: kubelets.length }
          : { ready: false, reason: `${waiting.length} of ${kubelets.length} nodes not ready (${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ', …' : ''})` };
      }),
    );
  }
  for (const k of kubelets) {
    void k.run(abort.signal).catch((err: unknown) => {
      if (!abort.signal.aborted) log.error({ err, node: k.nodeName }, 'kubelet stopped with an error');
    });
  }
  return {
    kubelets,
    ready,
    async stop() {
      abort.abort(new Error('kubelet stopping'));
      for (const s of subs) s.unsubscribe();
      await Promise.all(kubelets.map((k) => k.stop()));
    },
  };
}
