/**
 * Bringing a planned cluster up: tier by tier, every process of a tier started at once, each
 * healthy before the next tier starts (the store needs NATS, the api-server needs the store, …).
 *
 * The launcher's own bus connection (for `nats` health checks) is opened once the first such check
 * is due, which is after nats-server is healthy. When a process exits or is not healthy within
 * `startTimeoutMs`, or `signal` aborts (Ctrl-C during start), everything started so far is stopped
 * in reverse order and `StartFailed` says which process failed, why, and the tail of its log.
 * Nothing is left running after a failed start.
 *
 * `onProgress` is called after every tier is spawned with all records so far, so the state file
 * always lists what runs, even if this launcher is killed mid-start (after a failed start the
 * caller records that none of them runs any more). `waitReady`, when given, runs after the last
 * tier is healthy (`kubemu up` waits there for every node to be Ready in the API); when it throws,
 * the start fails and is rolled back like any other.
 *
 * The same code starts single processes again (`kubemu start`): then logs are appended to
 * (`logMode: 'a'`) rather than truncated.
 */
import { mkdirSync } from 'node:fs';
import type { Bus } from '../../shared/nats/connection.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Launch } from './components.js';
import { logFile, type DataDirLayout } from './data-dir.js';
import { waitHealthy } from './health.js';
import { logTail } from './log-tail.js';
import type { ProcessRecord } from './state.js';
import { spawnProcess, stopProcesses, type Spawned } from './supervisor.js';

export interface StartDeps {
  clock: Clock;
  layout: DataDirLayout;
  /** Working directory of the children (the repository root). */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  detach: boolean;
  /** Per tier: how long its processes may take to become healthy (ms). */
  startTimeoutMs: number;
  /** Grace between SIGTERM and SIGKILL when a failed start is rolled back (ms). */
  graceMs: number;
  natsUrl: string;
  connect(url: string): Promise<Bus>;
  say(line: string): void;
  onProgress(records: ProcessRecord[]): void;
  /** Runs once every process is healthy; a throw fails the start (its message says why). */
  waitReady?(signal: AbortSignal, started: readonly Spawned[]): Promise<void>;
  /** 'w' (default) truncates each log, 'a' appends. */
  logMode?: 'w' | 'a';
  signal?: AbortSignal;
}

export interface StartedCluster {
  processes: Spawned[];
  /** Connected when any health check used NATS. */
  bus?: Bus;
}

export class StartFailed extends Error {
  override name = 'StartFailed';
  constructor(
    message: string,
    readonly processName?: string,
    readonly logFile?: string,
    readonly tail?: string,
    readonly interrupted = false,
  ) {
    super(message);
  }
}

export async function startCluster(launches: Launch[], deps: StartDeps): Promise<StartedCluster> {
  mkdirSync(deps.layout.logs, { recursive: true });
  const started: Spawned[] = [];
  let bus: Bus | undefined;
  // One connection for all checks, even when a whole tier asks for it at once.
  let connecting: Promise<Bus> | undefined;
  const busFor = (): Promise<Bus> =>
    (connecting ??= deps.connect(deps.natsUrl).then((b) => (bus = b)));
  const tiers = [...new Set(launches.map((l) => l.tier))].sort((a, b) => a - b);
  try {
    for (const tier of tiers) {
      if (deps.signal?.aborted) throw new StartFailed('interrupted while starting', undefined, undefined, undefined, true);
      const batch = launches.filter((l) => l.tier === tier);
      const spawned: Spawned[] = [];
      for (const launch of batch) {
        const s = await spawnProcess(launch, {
          clock: deps.clock,
          logFile: logFile(deps.layout, launch.name),
          cwd: deps.cwd,
          env: deps.env,
          detach: deps.detach,
          ...(deps.logMode ? { logMode: deps.logMode } : {}),
        }).catch((err: Error) => {
          throw new StartFailed(err.message, launch.name);
        });
        started.push(s);
        spawned.push(s);
      }
      deps.onProgress(started.map((s) => s.record));
      const abortTier = new AbortController();
      const onStop = (): void => abortTier.abort();
      deps.signal?.addEventListener('abort', onStop, { once: true });
      try {
        await Promise.all(
          spawned.map(async (s) => {
            const b = s.record.health.kind === 'nats' ? await busFor() : undefined;
            await waitHealthy(s.record.health, {
              clock: deps.clock,
              deadlineMs: deps.startTimeoutMs,
              failed: () => s.exitReason(),
              signal: abortTier.signal,
              ...(b ? { bus: b } : {}),
            }).catch((err: Error) => {
              abortTier.abort();
              if (deps.signal?.aborted) throw new StartFailed('interrupted while starting', undefined, undefined, undefined, true);
              throw new StartFailed(err.message, s.record.name, s.record.logFile, logTail(s.record.logFile));
            });
            deps.say(`  ${s.record.name.padEnd(24)} healthy (pid ${s.record.pid})`);
          }),
        );
      } finally {
        deps.signal?.removeEventListener('abort', onStop);
      }
    }
    if (deps.waitReady) {
      const ready = new AbortController();
      const onStop = (): void => ready.abort();
      deps.signal?.addEventListener('abort', onStop, { once: true });
      try {
        await deps.waitReady(ready.signal, started).catch((err: Error) => {
          if (deps.signal?.aborted) throw new StartFailed('interrupted while starting', undefined, undefined, undefined, true);
          const dead = started.find((s) => s.exitReason());
          if (dead) throw new StartFailed(err.message, dead.record.name, dead.record.logFile, logTail(dead.record.logFile));
          throw new StartFailed(err.message);
        });
      } finally {
        deps.signal?.removeEventListener('abort', onStop);
      }
    }
    return { processes: started, ...(bus ? { bus } : {}) };
  } catch (err) {
    await bus?.close().catch(() => undefined);
    if (started.length) {
      deps.say('stopping what was started…');
      await stopProcesses(
        started.map((s) => s.record),
        { clock: deps.clock, graceMs: deps.graceMs, say: deps.say },
      );
    }
    if (err instanceof StartFailed) throw err;
    throw new StartFailed((err as Error).message);
  }
}
