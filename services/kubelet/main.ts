/**
 * kubelet process: flags → logger → bus → API client → runtime per node → kubelet host → run
 * until signal (see ./config.ts for the flags).
 *   node dist/services/kubelet/main.js --nats nats://127.0.0.1:4222 --node-name node-1
 *   node dist/services/kubelet/main.js --nats … --simulated-nodes 100 [--stages stages.yaml]
 *   [--metrics-interval-ms N] how often resource usage is published (2000; 15000 under --profile kubernetes)
 * On SIGTERM every container is stopped at once (a node shutting down); if the process dies any
 * other way the process runtime's containers die with it. SIGUSR2 / SIGCONT partition the process
 * from the bus and heal it (shared/runtime/partition-signals.ts); its containers keep running.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { connectBus } from '../../shared/nats/connection.js';
import { realClock } from '../../shared/runtime/clock.js';
import { numberFlag, runMain } from '../../shared/runtime/process.js';
import { listenForPartition } from '../../shared/runtime/partition-signals.js';
import { kubeletConfigFromFlags } from './config.js';
import { startKubeletHost } from './host.js';
import { realProbes, succeedingProbes } from './probe-executor.js';
import { createProcessRuntime, ProcessRuntime } from './runtime/process/index.js';
import { SimulatedRuntime } from './runtime/simulated.js';
import { parseStages } from './runtime/stages.js';
import { serveStreaming } from './streaming/server.js';
import { defaultMetricsIntervalMs, processSelfUsage, startMetricsPublisher } from './metrics.js';

runMain('kubelet', async ({ log }) => {
  const cfg = kubeletConfigFromFlags();
  const stages = cfg.stagesFile ? parseStages(readFileSync(cfg.stagesFile, 'utf8')) : undefined;
  const bus = await connectBus({ servers: cfg.nats, name: cfg.processName, log });
  const partition = listenForPartition({ bus, clock: realClock, log });
  const api = new NatsApiClient(bus, { userAgent: cfg.processName.replace(/^kubelet-/, 'kubelet/'), clock: realClock, log });
  const host = startKubeletHost(
    { ...cfg, timing: { heartbeatIntervalMs: cfg.profile.heartbeatIntervalMs, nodeStatusReportMs: cfg.profile.nodeStatusReportMs } },
    {
      bus,
      api,
      clock: realClock,
      log,
      runtimeFor: (node) =>
        cfg.runtime === 'simulated'
          ? new SimulatedRuntime({ clock: realClock, ...(stages ? { stages } : {}) })
          : createProcessRuntime({ dataDir: cfg.nodes.length === 1 ? cfg.dataDir : join(cfg.dataDir, node.name), clock: realClock, log: log.child({ node: node.name }), isolation: cfg.isolation }),
      probesFor: (runtime) => (runtime.kind === 'simulated' ? succeedingProbes : realProbes(runtime)),
      annotationsFor: (runtime) => {
        if (!(runtime instanceof ProcessRuntime)) return undefined;
        const d = runtime.describe();
        return { 'kubemu.io/pod-isolation': d.note ? `${d.isolation}: ${d.note}` : d.isolation, 'kubemu.io/resource-limits': d.limits };
      },
    },
  );
  // kubectl logs / exec / port-forward for each hosted node, over NATS byte streams.
  const streaming = host.kubelets.map((k) => serveStreaming({ bus, clock: realClock, log: log.child({ node: k.nodeName }), nodeName: k.nodeName, runtime: k.runtime, pods: k.pods }));
  // Resource metrics (kubectl top, the HPA): a usage summary per node on the bus every few seconds.
  const metricsIntervalMs = numberFlag('metrics-interval-ms', defaultMetricsIntervalMs(cfg.profile.name));
  const self = host.kubelets.length === 1 ? processSelfUsage(realClock) : undefined;
  const metrics = host.kubelets.map((k) => startMetricsPublisher({ bus, clock: realClock, log: log.child({ node: k.nodeName }), nodeName: k.nodeName, runtime: k.runtime, pods: k.manager, intervalMs: metricsIntervalMs, self }));
  log.info({ nodes: cfg.nodes.length, runtime: cfg.runtime, profile: cfg.profile.name }, 'kubelet starting');
  return async () => {
    partition.dispose();
    for (const s of streaming) s.stop();
    for (const m of metrics) m.stop();
    await host.stop();
    await api.close();
    await bus.close();
  };
});
