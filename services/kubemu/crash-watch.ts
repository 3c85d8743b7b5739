/**
 * What a foreground `kubemu up` tells its person when a cluster process dies while the cluster
 * runs: a crash loudly (stderr, with its log file), a death someone asked for (`kubemu kill`,
 * `restart`: the record carries a `killed` mark) calmly, once per pid.
 *
 * Two sources, each death reported once: the exit events of the processes this `up` started
 * (`child`; they say how: exit code or signal), and a poll of the state file (default every
 * second) for the other processes it lists — those that `kubemu start` started later from
 * another terminal (not our children). The poll leaves our children to their exit events: it may
 * see one dead (a zombie) before its event arrives.
 * Nothing is restarted: healing is the cluster's job, restarting a process is the person's.
 */
import type { Clock } from '../../shared/runtime/clock.js';
import { ownership } from './process-identity.js';
import { identityOf, readState, type ProcessRecord } from './state.js';

export interface CrashWatchDeps {
  dataDir: string;
  clock: Clock;
  /** Calm lines (stdout). */
  say(line: string): void;
  /** Crashes (stderr). */
  shout(line: string): void;
}

export class CrashWatch {
  private readonly reported = new Set<number>();
  private readonly children = new Set<number>();

  constructor(private readonly deps: CrashWatchDeps) {}

  /** A process this launcher started: its death is reported through `exited`, not the poll. */
  child(pid: number): void {
    this.children.add(pid);
  }

  /** A child of this launcher exited; `reason` says how. */
  exited(name: string, pid: number, reason: string): void {
    if (this.reported.has(pid)) return;
    this.reported.add(pid);
    const rec = readState(this.deps.dataDir)?.processes.find((p) => p.name === name);
    this.report(rec?.pid === pid ? rec : undefined, reason);
  }

  /** One look at the state file for recorded processes that are gone. */
  poll(): void {
    let records: ProcessRecord[];
    try {
      records = readState(this.deps.dataDir)?.processes ?? [];
    } catch {
      return;
    }
    for (const r of records) {
      if (r.pid === undefined || this.reported.has(r.pid) || this.children.has(r.pid)) continue;
      if (ownership(identityOf({ ...r, pid: r.pid })) === 'ours') continue;
      this.reported.add(r.pid);
      this.report(r, `${r.name} (pid ${r.pid}) is no longer running`);
    }
  }

  /** Polls until `signal` aborts. */
  async run(signal: AbortSignal, intervalMs = 1000): Promise<void> {
    while (!signal.aborted) {
      await this.deps.clock.sleep(intervalMs, signal).catch(() => undefined);
      if (!signal.aborted) this.poll();
    }
  }

  private report(rec: ProcessRecord | undefined, reason: string): void {
    if (rec?.killed) this.deps.say(`${reason} (by kubemu, ${rec.killed.signal})`);
    else this.deps.shout(`${reason}${rec ? `; its log: ${rec.logFile}` : ''}`);
  }
}
