/**
 * CPU time spent by a set of processes during one test: this process (process.cpuUsage) and other
 * processes by pid (/proc/<pid>/stat, utime + stime in clock ticks).
 *
 * CPU per operation is a steadier figure than wall time on a shared, noisy machine (a neighbour
 * steals wall time, not our CPU seconds), so every test reports it next to its latency.
 * /proc's tick resolution is 10 ms: over a test of a second or more that is ≤1%.
 * Linux only; elsewhere the other processes read as NaN.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) a process has used so far; NaN when it cannot be read. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields we want follow its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return NaN;
  }
}

export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Named groups of processes; 'client' is always this process. */
export type CpuGroups = Record<string, number[]>;

function read(groups: CpuGroups): Record<string, number> {
  const out: Record<string, number> = { client: ownCpuSeconds() };
  for (const [name, pids] of Object.entries(groups)) out[name] = pids.reduce((s, p) => s + processCpuSeconds(p), 0);
  return out;
}

/** Starts measuring; the returned function gives CPU seconds used per group since then. */
export function startCpuMeter(groups: CpuGroups): () => Record<string, number> {
  const before = read(groups);
  return () => {
    const after = read(groups);
    const used: Record<string, number> = {};
    for (const k of Object.keys(after)) used[k] = after[k] - before[k];
    return used;
  };
}

/**
 * CPU seconds of a process's children that have exited and been waited for (cutime + cstime): for
 * a kubelet, its containers that are gone (a container's own children count in it once it reaped
 * them). Running children are not included. NaN when it cannot be read.
 */
export function reapedChildrenCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / clockTicks();
  } catch {
    return NaN;
  }
}
