/**
 * The controller-manager as an object tests can build in-process: `createControllerManager(cfg,
 * deps)` → `run(signal)` until the signal aborts.
 *
 * It owns one `Manager` (shared/controller/manager.ts) holding:
 * - runnables that need no leadership and run on every replica: the informer factory (warm caches)
 *   and the heartbeat feed (so a standby already knows who is alive when it takes over);
 * - the controllers selected from the registry (./controllers.ts), which run only while this
 *   replica holds the Lease `kube-system/kube-controller-manager` (timings from the profile; with
 *   `leaderElect: false` they run at once). A graceful stop releases the Lease, so a standby takes
 *   over at its next retry; a SIGKILLed leader is replaced once its Lease expires.
 *
 * Health is answered on `subjects.control(<name>, 'health')`: ready once every informer has synced
 * (standbys are ready too), with `leading` and `identity` in the report. `run` rejects if a
 * runnable fails (the process should exit and be restarted rather than limp on).
 */
import type { NetworkPlan } from '../../shared/api/network.js';
import type { ApiClient } from '../../shared/client/api.js';
import { Manager } from '../../shared/controller/manager.js';
import type { Bus } from '../../shared/nats/connection.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { serveHealth, type HealthReport } from '../../shared/runtime/health.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Profile } from '../../shared/runtime/profile.js';
import { createContext, type ControllerContext, type ControllerSettings } from './context.js';
import { selectControllers, type ControllerDescriptor } from './controllers.js';
import { HeartbeatTracker, heartbeatFeed } from './heartbeats.js';

export const LEADER_LEASE = { namespace: 'kube-system', name: 'kube-controller-manager' };

export interface ControllerManagerConfig {
  /** Process name: health subject and logs (default `controller-manager`). */
  name?: string;
  /** Leader election identity; must differ between replicas. */
  identity: string;
  profile: Profile;
  /** `--controllers` spec (default `*`). */
  controllers?: string;
  /** Default true. */
  leaderElect?: boolean;
  settings?: Partial<ControllerSettings>;
  /** The cluster's address plan (network slot 0 when absent). */
  network?: NetworkPlan;
}

export interface ControllerManagerDeps {
  bus: Bus;
  api: ApiClient;
  clock: Clock;
  log: Logger;
}

export interface ControllerManager {
  readonly name: string;
  readonly identity: string;
  readonly context: ControllerContext;
  readonly controllers: readonly string[];
  run(signal: AbortSignal): Promise<void>;
  isLeader(): boolean;
  health(): HealthReport;
}

export function createControllerManager(cfg: ControllerManagerConfig, deps: ControllerManagerDeps, registry?: readonly ControllerDescriptor[]): ControllerManager {
  const name = cfg.name ?? 'controller-manager';
  const { bus, api, clock, log } = deps;
  const heartbeats = new HeartbeatTracker(clock);
  const context = createContext({ api, clock, log, profile: cfg.profile, heartbeats, settings: cfg.settings, network: cfg.network });
  const selected = selectControllers(cfg.controllers ?? '*', registry);

  const manager = new Manager({
    log,
    leaderElection:
      cfg.leaderElect === false
        ? undefined
        : { api, clock, log, identity: cfg.identity, ...LEADER_LEASE, ...cfg.profile.leaderElection },
    onLeadershipChange: (leading) => log.info({ leading }, leading ? 'leading: controllers start' : 'not leading: controllers stopped'),
  });
  manager.add(context.informers).add(heartbeatFeed(bus, heartbeats, log));
  for (const c of selected) manager.add(c.create(context));

  const health = (): HealthReport =>
    context.synced()
      ? { ready: true, identity: cfg.identity, leading: manager.isLeader(), controllers: selected.map((c) => c.name) }
      : { ready: false, reason: 'informers have not synced yet' };

  return {
    name,
    identity: cfg.identity,
    context,
    controllers: selected.map((c) => c.name),
    isLeader: () => manager.isLeader(),
    health,
    async run(signal) {
      const sub = serveHealth(bus, name, health);
      try {
        await manager.start(signal);
      } finally {
        sub.unsubscribe();
        await context.flushEvents();
      }
    },
  };
}
