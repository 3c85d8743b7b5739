/**
 * The store process: flags → bus → openStore → serveStore → run until SIGTERM.
 *
 *   node dist/services/store/main.js --nats nats://127.0.0.1:PORT
 *     [--replicas 1] [--history 100000] [--compact-interval-seconds 300] [--progress-interval-ms 5000]
 *     [--append-timeout-ms 5000]   (how long a log append may take before the writer resyncs)
 *
 * Every flag also reads `KUBEMU_<FLAG>` (e.g. KUBEMU_NATS). Run exactly one store per log.
 * On SIGTERM it stops serving, lets in-flight writes finish, and drains the bus. A lost
 * nats-server is survived: the bus reconnects and the store resyncs with its log.
 */
import { flag, numberFlag, runMain } from '../../shared/runtime/process.js';
import { realClock } from '../../shared/runtime/clock.js';
import { connectBus } from '../../shared/nats/connection.js';
import { openStore } from './store.js';
import { serveStore } from './server.js';

runMain('store', async ({ log }) => {
  const nats = flag('nats');
  if (!nats) throw new Error('--nats <url> is required (or KUBEMU_NATS)');
  const replicas = numberFlag('replicas', 1);
  const historyWindow = numberFlag('history', 100_000);
  const compactIntervalMs = numberFlag('compact-interval-seconds', 300) * 1000;
  const progressIntervalMs = numberFlag('progress-interval-ms', 5000);
  const appendTimeoutMs = numberFlag('append-timeout-ms', 5000);

  const bus = await connectBus({ servers: nats, name: 'store', log });
  const store = await openStore({ bus, log, clock: realClock, replicas, historyWindow, compactIntervalMs, progressIntervalMs, appendTimeoutMs });
  const server = serveStore({ bus, store, log, clock: realClock });
  await server.announce();

  return async () => {
    await server.stop();
    await store.stop();
    await bus.close();
  };
});
