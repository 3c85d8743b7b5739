/**
 * kube-proxy process, one per node: flags → logger → bus → API client → createKubeProxy → run
 * until signal; health as `kube-proxy-<node>` (the launcher's convention).
 *
 *   node dist/services/kube-proxy/main.js --nats nats://127.0.0.1:PORT --node-name node-1
 *     --node-ip 127.1.0.1 [--profile default|kubernetes] [--shared-retry-ms 500]
 *     [--min-sync-ms 20] [--require-node-ready true]
 *
 * SIGUSR2 / SIGCONT partition it from the bus and heal it (shared/runtime/partition-signals.ts);
 * while cut it releases the shared addresses, as whenever the bus is down.
 *
 * Wiring only; the proxy is ./kube-proxy.ts.
 */
import { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { connectBus } from '../../shared/nats/connection.js';
import { realClock } from '../../shared/runtime/clock.js';
import { serveHealth } from '../../shared/runtime/health.js';
import { boolFlag, flag, numberFlag, runMain } from '../../shared/runtime/process.js';
import { profileFromFlags } from '../../shared/runtime/profile.js';
import { listenForPartition } from '../../shared/runtime/partition-signals.js';
import { createKubeProxy } from './kube-proxy.js';

runMain('kube-proxy', async ({ log }) => {
  const natsUrl = flag('nats');
  if (!natsUrl) throw new Error('--nats <url> is required');
  const nodeName = flag('node-name');
  if (!nodeName) throw new Error('--node-name <node> is required');
  const nodeIp = flag('node-ip');
  if (!nodeIp) throw new Error('--node-ip <address> is required (NodePorts listen on it)');
  const profile = profileFromFlags();
  const name = `kube-proxy-${nodeName}`;
  const bus = await connectBus({ servers: natsUrl, name, log });
  const partition = listenForPartition({ bus, clock: realClock, log });
  const api = new NatsApiClient(bus, { userAgent: `kube-proxy/${nodeName}`, clock: realClock, log });
  const proxy = createKubeProxy(
    {
      nodeName,
      nodeIp,
      sharedRetryMs: numberFlag('shared-retry-ms', 500),
      minSyncMs: numberFlag('min-sync-ms', 20),
      requireNodeReady: boolFlag('require-node-ready', true),
    },
    { api, clock: realClock, log, onBusStatus: (l) => bus.onStatus(l) },
  );
  const abort = new AbortController();
  const done = proxy.run(abort.signal);
  const health = serveHealth(bus, name, () => proxy.health());
  log.info({ node: nodeName, nodeIp, profile: profile.name }, 'kube-proxy starting');
  return async () => {
    partition.dispose();
    abort.abort();
    await done;
    health.unsubscribe();
    await api.close();
    await bus.close();
  };
});
