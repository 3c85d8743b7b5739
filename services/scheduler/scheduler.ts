/**
 * The scheduler component, assembled: informers (all non-finished pods, all nodes) feeding the
 * snapshot and queue on every instance, and the scheduling loop gated by leader election over the
 * Lease `kube-system/kube-scheduler` — one instance schedules, standbys keep warm caches and take
 * over within the lease duration when the leader stops or dies.
 *
 * `createScheduler(config, deps)` builds everything and starts nothing; `run(signal)` runs it
 * until the signal aborts, then waits for bindings in flight and recorded events. `health()` is the
 * component's health report (ready once informers have synced — standbys too — with whether this
 * instance leads and the queue's sizes). Several instances can live in one process (tests do): each
 * has its own informers, cache and manager.
 */
import type { Node, Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { EventRecorder } from '../../shared/client/event-recorder.js';
import { Manager } from '../../shared/controller/manager.js';
import { InformerFactory } from '../../shared/informer/factory.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { HealthReport } from '../../shared/runtime/health.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { Binder } from './binder.js';
import { nodeEvents, podEvents } from './cluster-events.js';
import type { SchedulerConfig } from './config.js';
import { SchedulingLoop } from './loop.js';
import { DEFAULT_PLUGINS, type PluginSet } from './plugins/index.js';
import { SchedulingQueue } from './queue.js';
import { Snapshot } from './snapshot.js';

/** Finished pods hold nothing on a node; kube-scheduler's informer leaves them out too. */
export const UNFINISHED_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

export interface SchedulerDeps {
  api: ApiClient;
  clock: Clock;
  log: Logger;
  /** Tie-breaking among equally good nodes (default Math.random). */
  random?: () => number;
  plugins?: PluginSet;
}

export interface Scheduler {
  readonly snapshot: Snapshot;
  readonly queue: SchedulingQueue;
  readonly loop: SchedulingLoop;
  isLeader(): boolean;
  hasSynced(): boolean;
  health(): HealthReport;
  /** Runs informers, leader election and (while leading) the loop until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

export function createScheduler(cfg: SchedulerConfig, deps: SchedulerDeps): Scheduler {
  const log = deps.log.child({ scheduler: cfg.schedulerName, identity: cfg.identity });
  const informers = new InformerFactory({ api: deps.api, clock: deps.clock, log });
  const pods = informers.informerFor<Pod>(resourceByPlural('pods'), { fieldSelector: UNFINISHED_PODS });
  const nodes = informers.informerFor<Node>(resourceByPlural('nodes'));
  const snapshot = new Snapshot();
  const queue = new SchedulingQueue(deps.clock, cfg.queue);
  pods.addEventHandler(podEvents({ snapshot, queue, schedulerName: cfg.schedulerName }));
  nodes.addEventHandler(nodeEvents({ snapshot, queue, schedulerName: cfg.schedulerName }));

  const recorder = new EventRecorder({ api: deps.api, source: { component: cfg.schedulerName }, clock: deps.clock, log });
  const binder = new Binder({ api: deps.api, recorder, clock: deps.clock, log });
  const loop = new SchedulingLoop({
    pods,
    synced: async (signal) => {
      await Promise.all([pods.waitForSync(signal), nodes.waitForSync(signal)]);
    },
    snapshot,
    queue,
    binder,
    plugins: deps.plugins ?? DEFAULT_PLUGINS,
    schedulerName: cfg.schedulerName,
    bindConcurrency: cfg.bindConcurrency,
    random: deps.random ?? Math.random,
    log,
  });

  const manager = new Manager({
    log,
    leaderElection:
      cfg.leaderElection === false
        ? undefined
        : { ...cfg.leaderElection, api: deps.api, namespace: cfg.leaseNamespace, name: cfg.leaseName, identity: cfg.identity, clock: deps.clock, log },
    onLeadershipChange: (leading) => log.info({ leading }, leading ? 'leading' : 'no longer leading'),
  });
  manager.add(informers).add(loop);
  const synced = (): boolean => pods.hasSynced() && nodes.hasSynced();

  return {
    snapshot,
    queue,
    loop,
    isLeader: () => manager.isLeader(),
    hasSynced: synced,
    health() {
      const ready = synced();
      return {
        ready,
        ...(ready ? {} : { reason: 'informers have not synced yet' }),
        leading: manager.isLeader(),
        identity: cfg.identity,
        queue: queue.stats(),
        ...loop.counts,
      };
    },
    async run(signal) {
      try {
        await manager.start(signal);
      } finally {
        queue.close();
        await loop.drain();
        await recorder.flush();
      }
    },
  };
}
