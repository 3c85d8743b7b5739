/**
 * Linux's /proc, read the one way kubemu reads it (the launcher checks its processes, the kubelet's
 * process runtime its containers): a process's stat (state, parent, group, start time, CPU ticks,
 * resident memory, whether it is exiting), its command line, its children and descendants, and
 * whether it is still alive. Host PIDs throughout.
 *
 * Every function answers "nothing" (empty, undefined, false) for a process that is gone or a /proc
 * that cannot be read; none throws. Children come from `/proc/<pid>/task/<tid>/children`
 * (every thread, since any thread may fork).
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux kubemu runs on). */
export const CLOCK_TICKS = 100;
const PF_EXITING = 0x4;
/** Page size of /proc's resident-set counts. */
export const PAGE_BYTES = 4096;

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  /** Start time in clock ticks since boot: with the pid, identifies a process (pids are reused). */
  startTicks: number;
  /** In the kernel's exit path (PF_EXITING): runs no more user code, even if not yet a zombie. */
  exiting: boolean;
  /** utime + stime + cutime + cstime: this process and its reaped children. */
  ticks: number;
  rssBytes: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Parses the text of `/proc/<pid>/stat`; undefined when it is not one. */
export function parseProcStat(raw: string): ProcStat | undefined {
  const open = raw.indexOf('(');
  const close = raw.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(raw.slice(0, open).trim());
  // comm (field 2) may hold spaces and parentheses: the fields we want follow the last ')'.
  const f = raw.slice(close + 2).trim().split(/\s+/);
  const n = (i: number): number => Number(f[i - 3] ?? 0);
  if (!f[0] || !Number.isInteger(pid)) return undefined;
  return {
    pid,
    state: f[0],
    ppid: n(4),
    pgrp: n(5),
    startTicks: n(22),
    exiting: (n(9) & PF_EXITING) !== 0,
    ticks: n(14) + n(15) + n(16) + n(17),
    rssBytes: n(24) * PAGE_BYTES,
  };
}

export function procStat(pid: number): ProcStat | undefined {
  const raw = read(`/proc/${pid}/stat`);
  return raw ? parseProcStat(raw) : undefined;
}

/** The command line of a process (empty when gone). */
export function readCmdline(pid: number): string[] {
  const raw = read(`/proc/${pid}/cmdline`);
  if (!raw) return [];
  const parts = raw.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Alive: neither gone, a zombie, nor exiting. (A PID namespace's init that was killed stays in its
 * exit path until every process of the namespace is reaped — by the host's init when their parents
 * were outside the namespace, which can take a while; it is dead for every purpose here.)
 */
export function isAlive(pid: number): boolean {
  const st = procStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X' && !st.exiting;
}

export function childrenOf(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tids) {
    const raw = read(`/proc/${pid}/task/${tid}/children`);
    if (!raw) continue;
    for (const s of raw.trim().split(/\s+/)) if (s) out.push(Number(s));
  }
  return out;
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    out.push(p);
    stack.push(...childrenOf(p));
  }
  return out;
}

/** Summed CPU ticks and resident bytes of a process tree (undefined when its root is gone). */
export function treeUsage(pid: number): { ticks: number; rssBytes: number } | undefined {
  if (!procStat(pid)) return undefined;
  let ticks = 0;
  let rssBytes = 0;
  for (const p of processTree(pid)) {
    const st = procStat(p);
    if (!st) continue;
    ticks += st.ticks;
    rssBytes += st.rssBytes;
  }
  return { ticks, rssBytes };
}
