/**
 * controller-manager process: flags → logger → bus → API client → createControllerManager → run
 * until signal.
 *   node dist/services/controller-manager/main.js --nats nats://127.0.0.1:4222
 *     [--name controller-manager] [--profile default|kubernetes] [--controllers '*,-pod-gc']
 *     [--leader-elect true] [--terminated-pod-gc-threshold 12500]
 *     [--node-lease-writes-per-second 20] [--network-slot 0] (+ the profile's per-timing flags)
 *     [--horizontal-pod-autoscaler-{sync-period-ms,downscale-stabilization-ms,tolerance,
 *       cpu-initialization-period-ms,initial-readiness-delay-ms} N] (defaults: hpa/settings.ts)
 * Several may run (distinct `--name`s): one leads, the others stand by.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { connectBus } from '../../shared/nats/connection.js';
import { realClock } from '../../shared/runtime/clock.js';
import { boolFlag, flag, numberFlag, runMain } from '../../shared/runtime/process.js';
import { profileFromFlags } from '../../shared/runtime/profile.js';
import { networkFromFlags } from '../../shared/runtime/network.js';
import { createControllerManager } from './controller-manager.js';

runMain('controller-manager', async ({ log }) => {
  const natsUrl = flag('nats');
  if (!natsUrl) throw new Error('--nats <url> is required');
  const name = flag('name', 'controller-manager') as string;
  const optional = (f: string): number | undefined => (flag(f) === undefined ? undefined : numberFlag(f, 0));
  const bus = await connectBus({ servers: natsUrl, name, log });
  const api = new NatsApiClient(bus, { userAgent: 'kube-controller-manager', clock: realClock, log });
  const cm = createControllerManager(
    {
      name,
      identity: `${hostname()}_${name}_${randomUUID().slice(0, 8)}`,
      profile: profileFromFlags(),
      network: networkFromFlags(),
      controllers: flag('controllers', '*'),
      leaderElect: boolFlag('leader-elect', true),
      settings: {
        terminatedPodGcThreshold: optional('terminated-pod-gc-threshold'),
        nodeLeaseWritesPerSecond: optional('node-lease-writes-per-second'),
        hpa: {
          syncPeriodMs: optional('horizontal-pod-autoscaler-sync-period-ms'),
          downscaleStabilizationMs: optional('horizontal-pod-autoscaler-downscale-stabilization-ms'),
          tolerance: optional('horizontal-pod-autoscaler-tolerance'),
          cpuInitializationPeriodMs: optional('horizontal-pod-autoscaler-cpu-initialization-period-ms'),
          initialReadinessDelayMs: optional('horizontal-pod-autoscaler-initial-readiness-delay-ms'),
        },
      },
    },
    { bus, api, clock: realClock, log },
  );
  const abort = new AbortController();
  const done = cm.run(abort.signal).catch((err: unknown) => {
    log.fatal({ err }, 'controller-manager failed; exiting');
    process.exit(1);
  });
  log.info({ identity: cm.identity, controllers: cm.controllers }, 'controller-manager running');
  return async () => {
    abort.abort();
    await done;
    await api.close();
    await bus.close();
  };
});
