/**
 * What a foreground `kubemu up` tells its person when a cluster process dies while the cluster
 * runs: a crash loudly (stderr, with its log file), a death someone asked for (`kubemu kill`,
 * `restart`: the record carries a `killed` mark) calmly, once per pid.
 *
 * Two sources, deduplicated by pid: the exit events of the processes this `up` started (they say
 * how: exit code or signal), and a poll of the state file (default every second), which also
 * covers processes that `kubemu start` started later from another terminal (not our children).
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

  constructor(private readonly deps: CrashWatchDeps) {}

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
      if (r.pid === undefined || this.reported.has(r.pid)) continue;
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
