/**
 * Is this pid still the process we started? Read from Linux's /proc, never from names.
 *
 * A pid is ours when `/proc/<pid>/stat` shows the start time (clock ticks since boot) recorded when
 * we spawned it: pids are reused, start times of live processes with the same pid are not. The
 * command line is kept alongside for people (`kubemu status`) and as the check where the start time
 * was not recorded. A zombie (exited, not yet reaped) counts as gone.
 *
 * Process groups: every cluster process leads its own group (pgid = pid), so what it spawned
 * (a kubelet's containers) can be found by pgid after the leader is gone. Linux never hands out a
 * pid that is still some group's id, so members of group `pid` found while the leader is gone are
 * ours.
 *
 * A process may also start children in groups of their own (a container runtime does); those are
 * found as `descendants` while their parent lives, and recognised later by their start time.
 *
 * Without /proc (not Linux) identity cannot be proven; `identify` then answers undefined and
 * callers fall back to `signal 0` liveness.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** R, S, D, Z, T, … */
  state: string;
  ppid: number;
  pgid: number;
  /** Start time after boot, in clock ticks. */
  startTicks: number;
}

export interface Identity {
  pid: number;
  startTicks?: number;
  cmdline: string[];
}

/** Parses `/proc/<pid>/stat`; the command name in parentheses may itself hold spaces and ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // Fields after the name start at field 3 (state); starttime is field 22.
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const startTicks = Number(rest[19]);
  if (!state || !Number.isInteger(pid) || !Number.isFinite(startTicks)) return undefined;
  return { pid, state, ppid, pgid, startTicks };
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s, i, all) => s !== '' || i < all.length - 1);
  } catch {
    return [];
  }
}

let procAvailable: boolean | undefined;

export function hasProc(): boolean {
  return (procAvailable ??= readStat(process.pid) !== undefined);
}

/** The identity of a live process, or undefined when it is gone (or /proc is missing). */
export function identify(pid: number): Identity | undefined {
  const st = readStat(pid);
  if (!st || st.state === 'Z') return undefined;
  return { pid, startTicks: st.startTicks, cmdline: readCmdline(pid) };
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  if (!hasProc()) return signalZero(pid);
  const st = readStat(pid);
  return st !== undefined && st.state !== 'Z';
}

export type Ownership = 'ours' | 'gone' | 'reused';

/** Whether `pid` is still the process recorded in `expected`. */
export function ownership(expected: Identity): Ownership {
  if (!hasProc()) return signalZero(expected.pid) ? 'ours' : 'gone';
  const now = identify(expected.pid);
  if (!now) return 'gone';
  if (expected.startTicks !== undefined) return now.startTicks === expected.startTicks ? 'ours' : 'reused';
  return now.cmdline.join('\0') === expected.cmdline.join('\0') ? 'ours' : 'reused';
}

/** Every live process's stat (no zombies). */
function allStats(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const st = readStat(Number(e));
    if (st && st.state !== 'Z') out.push(st);
  }
  return out;
}

/** Live members of process group `pgid` (the leader included when alive). */
export function groupMembers(pgid: number): number[] {
  return allStats()
    .filter((st) => st.pgid === pgid)
    .map((st) => st.pid);
}

/** The live children, grandchildren, … of `pid` (not `pid` itself), with their identities. */
export function descendants(pid: number): Identity[] {
  const children = new Map<number, ProcStat[]>();
  for (const st of allStats()) {
    const list = children.get(st.ppid);
    if (list) list.push(st);
    else children.set(st.ppid, [st]);
  }
  const out: Identity[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const st of children.get(queue.shift() as number) ?? []) {
      out.push({ pid: st.pid, startTicks: st.startTicks, cmdline: readCmdline(st.pid) });
      queue.push(st.pid);
    }
  }
  return out;
}
