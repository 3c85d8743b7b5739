/**
 * Is this pid still the process we started? Read from Linux's /proc, never from names.
 *
 * A pid is ours when `/proc/<pid>/stat` shows the start time (clock ticks since boot) recorded when
 * we spawned it: pids are reused, start times of live processes with the same pid are not. The
 * command line is kept alongside for people (`kubemu status`) and as the check where the start time
 * was not recorded. A zombie, or a process in the kernel's exit path, counts as gone. /proc is read
 * by shared/runtime/proc.ts.
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
import { readdirSync } from 'node:fs';
import { procStat, readCmdline, type ProcStat } from '../../shared/runtime/proc.js';

export { readCmdline };

export interface Identity {
  pid: number;
  startTicks?: number;
  cmdline: string[];
}

/** Gone, a zombie, or in the kernel's exit path (which can last seconds here before the reaper). */
function dead(st: ProcStat | undefined): boolean {
  return !st || st.state === 'Z' || st.state === 'X' || st.exiting;
}

let procAvailable: boolean | undefined;

export function hasProc(): boolean {
  return (procAvailable ??= procStat(process.pid) !== undefined);
}

/** The identity of a live process, or undefined when it is gone (or /proc is missing). */
export function identify(pid: number): Identity | undefined {
  const st = procStat(pid);
  if (dead(st)) return undefined;
  return { pid, startTicks: st!.startTicks, cmdline: readCmdline(pid) };
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive: not gone, not a zombie, not exiting. */
export function isAlive(pid: number): boolean {
  if (!hasProc()) return signalZero(pid);
  return !dead(procStat(pid));
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
    const st = procStat(Number(e));
    if (!dead(st)) out.push(st!);
  }
  return out;
}

/** Live members of process group `pgid` (the leader included when alive). */
export function groupMembers(pgid: number): number[] {
  return allStats()
    .filter((st) => st.pgrp === pgid)
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
