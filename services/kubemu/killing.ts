/**
 * Killing cluster processes on purpose (`kubemu kill`): a node failure or a component crash,
 * made by a person.
 *
 * Only a pid that is still the process kubemu started is signalled (./process-identity.ts); a
 * reused pid is left alone. Before the signal is sent, the record is marked `killed` in the state
 * file, so `status` says so and a foreground `up` reports it calmly instead of as a crash.
 *
 * What the killed process had started (a kubelet's containers, found as its descendants and its
 * process group just before the signal) must die with it — the process runtime promises that
 * within a second. Whatever is still alive `orphanGraceMs` (default 2 s) after its parent died is
 * SIGKILLed and reported as a warning: it would otherwise keep serving for a dead node, and the
 * promise was broken.
 *
 * Only terminating signals are accepted (KILL by default, TERM, INT, HUP, QUIT); a process that
 * survives a catchable one within `waitMs` is reported `still-running`, not escalated (that is
 * `restart`'s and `down`'s job).
 */
import { isoTime, type Clock } from '../../shared/runtime/clock.js';
import { UsageError } from './args.js';
import { descendants, groupMembers, isAlive, ownership, type Identity } from './process-identity.js';
import { identityOf, updateState, type ProcessRecord } from './state.js';

export const KILL_SIGNALS: readonly NodeJS.Signals[] = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];
const NUMBERS: Record<string, NodeJS.Signals> = { '9': 'SIGKILL', '15': 'SIGTERM', '2': 'SIGINT', '1': 'SIGHUP', '3': 'SIGQUIT' };

/** `KILL`, `SIGKILL`, `kill`, `9` → `SIGKILL`; anything else is a UsageError. */
export function parseSignal(raw: string): NodeJS.Signals {
  const upper = raw.trim().toUpperCase();
  const sig = NUMBERS[upper] ?? ((upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals);
  if (!KILL_SIGNALS.includes(sig)) throw new UsageError(`--signal must be one of ${KILL_SIGNALS.map((s) => s.slice(3)).join(', ')}, not "${raw}"`);
  return sig;
}

export type KillOutcome = 'killed' | 'still-running' | 'not-running' | 'pid-reused';

export interface KillOptions {
  clock: Clock;
  dataDir: string;
  signal: NodeJS.Signals;
  /** How long to wait for each process to die (ms); default 5 s. */
  waitMs?: number;
  /** How long its descendants may outlive it (ms); default 2 s. */
  orphanGraceMs?: number;
  say(line: string): void;
  warn(line: string): void;
}

export interface KillResult {
  outcomes: Map<string, KillOutcome>;
  /** Descendants that outlived their killed parent and were SIGKILLed by us. */
  orphans: Map<string, number[]>;
}

async function waitUntil(done: () => boolean, ms: number, clock: Clock): Promise<boolean> {
  const deadline = clock.now() + ms;
  while (!done()) {
    if (clock.now() >= deadline) return done();
    await clock.sleep(25);
  }
  return true;
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export async function killRecorded(records: ProcessRecord[], opts: KillOptions): Promise<KillResult> {
  const outcomes = new Map<string, KillOutcome>();
  const orphans = new Map<string, number[]>();
  const live: (ProcessRecord & { pid: number })[] = [];
  for (const r of records) {
    if (r.pid === undefined) outcomes.set(r.name, 'not-running');
    else {
      const own = ownership(identityOf({ ...r, pid: r.pid }));
      if (own === 'ours') live.push({ ...r, pid: r.pid });
      else outcomes.set(r.name, own === 'gone' ? 'not-running' : 'pid-reused');
    }
  }
  if (live.length === 0) return { outcomes, orphans };

  const offspring = new Map(live.map((r) => [r.name, descendants(r.pid)]));
  const mark = { signal: opts.signal, at: isoTime(opts.clock) };
  updateState(opts.dataDir, (s) => ({
    ...s,
    processes: s.processes.map((p) => (live.some((r) => r.name === p.name && r.pid === p.pid) ? { ...p, killed: mark } : p)),
  }));
  for (const r of live) send(r.pid, opts.signal);

  await Promise.all(
    live.map(async (r) => {
      const dead = await waitUntil(() => !isAlive(r.pid), opts.waitMs ?? 5000, opts.clock);
      outcomes.set(r.name, dead ? 'killed' : 'still-running');
      if (!dead) return;
      const left = await survivors(r.pid, offspring.get(r.name) ?? [], opts);
      if (left.length) orphans.set(r.name, left);
    }),
  );
  for (const [name, pids] of orphans) {
    opts.warn(`${name}: ${pids.length} process(es) it started outlived it by ${(opts.orphanGraceMs ?? 2000) / 1000}s (pids ${pids.join(', ')}); killed them`);
  }
  return { outcomes, orphans };
}

/** Descendants (recorded before the kill) and group members still alive after the grace; SIGKILLed. */
async function survivors(pid: number, before: Identity[], opts: KillOptions): Promise<number[]> {
  const alive = (): number[] => [
    ...new Set([...before.filter((d) => ownership(d) === 'ours').map((d) => d.pid), ...groupMembers(pid)]),
  ];
  if (await waitUntil(() => alive().length === 0, opts.orphanGraceMs ?? 2000, opts.clock)) return [];
  const left = alive();
  for (const p of left) send(p, 'SIGKILL');
  send(-pid, 'SIGKILL');
  await waitUntil(() => alive().length === 0, 2000, opts.clock);
  return left;
}
