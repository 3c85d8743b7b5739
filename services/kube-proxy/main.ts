/**
 * kube-proxy process, for now a placeholder that keeps its place on its node: it connects to the
 * bus, says that Services are not carried yet (the Services issue makes them carry real TCP), and
 * answers health as `kube-proxy-<node>` so the launcher can start, check, kill and restart it like
 * every other per-node process.
 *
 *   node dist/services/kube-proxy/main.js --nats nats://127.0.0.1:PORT --node-name node-1
 *     [--node-ip 127.1.0.1] [--profile default|kubernetes]
 *
 * Wiring only; it must not touch the API or any traffic until it really proxies.
 */
import { connectBus } from '../../shared/nats/connection.js';
import { serveHealth } from '../../shared/runtime/health.js';
import { flag, runMain } from '../../shared/runtime/process.js';
import { profileFromFlags } from '../../shared/runtime/profile.js';
import { nodeAddress, nodeIndexOf } from '../../shared/api/network.js';

runMain('kube-proxy', async ({ log }) => {
  const natsUrl = flag('nats');
  if (!natsUrl) throw new Error('--nats <url> is required');
  const node = flag('node-name');
  if (!node) throw new Error('--node-name <node> is required');
  const index = nodeIndexOf(node);
  const nodeIp = flag('node-ip') ?? (index !== undefined ? nodeAddress(index) : undefined);
  const profile = profileFromFlags();
  const name = `kube-proxy-${node}`;
  const bus = await connectBus({ servers: natsUrl, name, log });
  const health = serveHealth(bus, name, () => ({ ready: true, node, proxying: false }));
  log.info({ node, nodeIp, profile: profile.name }, 'Services are not implemented yet: kube-proxy only holds its place on this node');
  return async () => {
    health.unsubscribe();
    await bus.close();
  };
});
