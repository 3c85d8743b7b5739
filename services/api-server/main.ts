/**
 * api-server process: flags → logger → bus → store client → startApiServer → run until signal.
 *   node dist/services/api-server/main.js --nats nats://127.0.0.1:4222 --port 6443 [--host 127.0.0.1]
 */
import { runMain, flag, numberFlag } from '../../shared/runtime/process.js';
import { realClock } from '../../shared/runtime/clock.js';
import { connectBus } from '../../shared/nats/connection.js';
import { connectStore } from '../../shared/client/nats-store-client.js';
import { startApiServer } from './server.js';
import { profileFromFlags } from '../../shared/runtime/profile.js';
import { networkFromFlags } from '../../shared/runtime/network.js';

runMain('api-server', async ({ log }) => {
  const natsUrl = flag('nats');
  if (!natsUrl) throw new Error('--nats <url> is required');
  const bus = await connectBus({ servers: natsUrl, name: 'api-server', log });
  const store = connectStore(bus, { clientId: `api-server-${process.pid}`, log });
  const server = await startApiServer(
    {
      host: flag('host', '127.0.0.1')!,
      port: numberFlag('port', 6443),
      historyCapacity: numberFlag('watch-history', 50_000),
      bookmarkIntervalMs: numberFlag('bookmark-interval-ms', 15_000),
      eventTtlSeconds: numberFlag('event-ttl', 3600),
      defaultTolerationSeconds: profileFromFlags().defaultTolerationSeconds,
      network: networkFromFlags(),
    },
    { store, bus, clock: realClock, log },
  );
  return async () => {
    await server.stop();
    await store.close();
    await bus.close();
  };
});
