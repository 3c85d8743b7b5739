/**
 * Starting and stopping cluster processes.
 *
 * `spawnProcess` starts one planned process in its own session and process group (so a Ctrl-C at
 * the terminal reaches only the launcher, which then stops the cluster in order), with stdout and
 * stderr going to its log file, and returns the record the state file keeps (pid + identity).
 * `detach` lets the launcher exit while the process keeps running.
 *
 * `stopProcesses` stops recorded processes by pid, never by name: highest tier first, processes of
 * one tier in parallel. Each gets SIGTERM, up to `graceMs` to exit, then SIGKILL for its whole
 * group; whatever is left in its group afterwards (what it spawned and left behind) is killed too,
 * so no orphan survives. A pid that now belongs to another process is left alone. `hurry` (a second
 * Ctrl-C) cuts every remaining grace short.
 *
 * Waiting is polling with the injected clock; the supervisor never blocks on a child handle, so the
 * same code stops children of this process and processes started by an earlier `kubemu up`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Clock } from '../../shared/runtime/clock.js';
import { isoTime } from '../../shared/runtime/clock.js';
import type { Launch } from './components.js';
import { groupMembers, identify, isAlive, ownership } from './process-identity.js';
import { identityOf, type ProcessRecord } from './state.js';

export interface SpawnOptions {
  clock: Clock;
  logFile: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Let this process exit while the child runs on. */
  detach: boolean;
  /** 'w' truncates the log (a fresh `up`), 'a' appends (a restart). Default 'w'. */
  logMode?: 'w' | 'a';
}

export interface Spawned {
  record: ProcessRecord & { pid: number };
  child: ChildProcess;
  /** Why the process is no longer running, once it has exited. */
  exitReason(): string | undefined;
  onExit(listener: (reason: string) => void): void;
}

export async function spawnProcess(launch: Launch, opts: SpawnOptions): Promise<Spawned> {
  const fd = openSync(opts.logFile, opts.logMode ?? 'w');
  let child: ChildProcess;
  try {
    child = spawn(launch.file, launch.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    // Stays attached: a late 'error' (a failed kill) must not become an uncaught exception.
    child.on('error', (err) => reject(new Error(`cannot start ${launch.name} (${launch.file}): ${err.message}`)));
  });
  if (opts.detach) child.unref();
  let reason: string | undefined;
  const listeners: ((r: string) => void)[] = [];
  child.once('exit', (code, signal) => {
    reason = signal ? `${launch.name} was killed by ${signal}` : `${launch.name} exited with code ${code}`;
    for (const l of listeners) l(reason);
  });
  const pid = child.pid as number;
  const id = identify(pid);
  const record: ProcessRecord & { pid: number } = {
    name: launch.name,
    component: launch.component,
    ...(launch.node ? { node: launch.node } : {}),
    tier: launch.tier,
    pid,
    ...(id?.startTicks !== undefined ? { startTicks: id.startTicks } : {}),
    cmdline: [launch.file, ...launch.args],
    startedAt: isoTime(opts.clock),
    logFile: opts.logFile,
    health: launch.health,
    ...(launch.port !== undefined ? { port: launch.port } : {}),
  };
  return {
    record,
    child,
    exitReason: () => reason,
    onExit: (l) => (reason ? l(reason) : listeners.push(l)),
  };
}

export type StopOutcome = 'stopped' | 'killed' | 'already-exited' | 'not-running' | 'pid-reused';

export interface StopOptions {
  clock: Clock;
  /** Time between SIGTERM and SIGKILL (ms); default 10 s. */
  graceMs?: number;
  /** When aborted, the remaining grace is skipped: SIGKILL at once. */
  hurry?: AbortSignal;
  /** Progress lines for the user. */
  say?: (line: string) => void;
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: nothing to signal.
  }
}

async function waitUntil(done: () => boolean, ms: number, clock: Clock, hurry?: AbortSignal): Promise<boolean> {
  const deadline = clock.now() + ms;
  while (!done()) {
    if (clock.now() >= deadline || hurry?.aborted) return done();
    await clock.sleep(25, hurry).catch(() => undefined);
  }
  return true;
}

export async function stopProcess(rec: ProcessRecord, opts: StopOptions): Promise<StopOutcome> {
  if (rec.pid === undefined) return 'not-running';
  const pid = rec.pid;
  const own = ownership(identityOf({ ...rec, pid }));
  if (own === 'reused') return 'pid-reused';
  let outcome: StopOutcome = 'already-exited';
  if (own === 'ours') {
    send(pid, 'SIGTERM');
    if (await waitUntil(() => !isAlive(pid), opts.graceMs ?? 10_000, opts.clock, opts.hurry)) {
      outcome = 'stopped';
    } else {
      send(-pid, 'SIGKILL');
      send(pid, 'SIGKILL');
      await waitUntil(() => !isAlive(pid), 5_000, opts.clock);
      outcome = 'killed';
    }
  }
  // What the process spawned and left behind in its group dies with it.
  if (groupMembers(pid).length > 0) {
    send(-pid, 'SIGKILL');
    await waitUntil(() => groupMembers(pid).length === 0, 5_000, opts.clock);
  }
  return outcome;
}

/** Stops the recorded processes, highest tier first, one tier in parallel. */
export async function stopProcesses(records: ProcessRecord[], opts: StopOptions): Promise<Map<string, StopOutcome>> {
  const out = new Map<string, StopOutcome>();
  const tiers = [...new Set(records.map((r) => r.tier))].sort((a, b) => b - a);
  for (const tier of tiers) {
    await Promise.all(
      records
        .filter((r) => r.tier === tier)
        .map(async (r) => {
          const outcome = await stopProcess(r, opts);
          out.set(r.name, outcome);
          if (outcome !== 'not-running') opts.say?.(`  ${r.name.padEnd(24)} ${describeOutcome(outcome, r.pid)}`);
        }),
    );
  }
  return out;
}

export function describeOutcome(outcome: StopOutcome, pid?: number): string {
  switch (outcome) {
    case 'stopped':
      return `stopped (pid ${pid})`;
    case 'killed':
      return `killed after the grace period (pid ${pid})`;
    case 'already-exited':
      return `had already exited (pid ${pid})`;
    case 'not-running':
      return 'not running';
    case 'pid-reused':
      return `pid ${pid} now belongs to another process; left alone`;
  }
}
