/**
 * scheduler process: flags → logger → bus → NatsApiClient → createScheduler → run until signal.
 *
 *   node dist/services/scheduler/main.js --nats nats://127.0.0.1:4222
 *     [--name scheduler-a]                 identity in leader election (default scheduler-<pid>);
 *                                          when given, also the health process name
 *     [--scheduler-name default-scheduler] pods with another spec.schedulerName are left alone
 *     [--profile default|kubernetes]       queue back-off and leader-election timings
 *     [--bind-concurrency 64]
 *
 * Health: `subjects.control('scheduler', 'health')` (or the `--name`), ready once the informers
 * have synced, on the leader and on standbys alike.
 */
import { connectBus } from '../../shared/nats/connection.js';
import { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { realClock } from '../../shared/runtime/clock.js';
import { serveHealth } from '../../shared/runtime/health.js';
import { flag, numberFlag, runMain } from '../../shared/runtime/process.js';
import { profileFromFlags } from '../../shared/runtime/profile.js';
import { DEFAULT_SCHEDULER_NAME, schedulerConfig } from './config.js';
import { createScheduler } from './scheduler.js';

runMain('scheduler', async ({ log }) => {
  const nats = flag('nats');
  if (!nats) throw new Error('--nats <url> is required (or KUBEMU_NATS)');
  const name = flag('name');
  const cfg = schedulerConfig(profileFromFlags(), {
    identity: name ?? `scheduler-${process.pid}`,
    schedulerName: flag('scheduler-name', DEFAULT_SCHEDULER_NAME),
    bindConcurrency: numberFlag('bind-concurrency', 64),
  });

  const bus = await connectBus({ servers: nats, name: cfg.identity, log });
  const api = new NatsApiClient(bus, { userAgent: `scheduler/${cfg.identity}`, clock: realClock, log });
  const scheduler = createScheduler(cfg, { api, clock: realClock, log });
  const health = serveHealth(bus, name ?? 'scheduler', () => scheduler.health());

  const abort = new AbortController();
  const running = scheduler.run(abort.signal).catch((err: unknown) => {
    log.fatal({ err }, 'scheduler failed; exiting');
    process.exit(1);
  });
  return async () => {
    abort.abort();
    await running;
    health.unsubscribe();
    await api.close();
    await bus.close();
  };
});
