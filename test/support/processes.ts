/**
 * Finding a kubemu cluster's real processes from Linux's /proc, for e2e tests that must see with
 * their own eyes that a node's containers are gone: a recorded process by name (from the cluster's
 * `state.json`), everything it started (its descendants), and a pod's container processes (every
 * process whose environment carries the pod's `POD_IP`, as the kubelet gives it to each container).
 *
 * Identity is pid *and* start time (`services/kubemu/process-identity.ts`): a pid reused by another
 * process later never counts as the old one still alive. A zombie counts as dead, and so does a
 * process in the kernel's exit path (the process runtime's `isAlive`): a killed pod sandbox — its PID
 * namespace's init — stays there until the host's init has reaped every process of the namespace,
 * which on a machine whose PID 1 reaps lazily takes a second or two, though it runs no more code.
 * Reading another process's environment needs the same user or root — as the cluster's processes run here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { descendants, identify, ownership, type Identity } from '../../services/kubemu/process-identity.js';
import { readState, type ProcessRecord } from '../../services/kubemu/state.js';
import { isAlive } from '../../shared/runtime/proc.js';

export type { Identity } from '../../services/kubemu/process-identity.js';

/** The record of process `name` (`kubelet-node-2`, `scheduler-2`, …) in the cluster's state file. */
export function recordedProcess(dataDir: string, name: string): ProcessRecord {
  const state = readState(dataDir);
  const found = state?.processes.find((p) => p.name === name);
  if (!found) throw new Error(`no process ${name} in ${dataDir}/state.json`);
  return found;
}

/** The live identity of a recorded process (its pid and start time), or an error when it is not running. */
export function runningProcess(dataDir: string, name: string): Identity {
  const record = recordedProcess(dataDir, name);
  const id = record.pid === undefined ? undefined : identify(record.pid);
  if (!id || (record.startTicks !== undefined && id.startTicks !== record.startTicks)) throw new Error(`${name} is not running (pid ${record.pid ?? '-'})`);
  return id;
}

/** Every live process started, directly or not, by `root` (`root` itself not included). */
export function descendantsOf(root: Identity): Identity[] {
  return descendants(root.pid);
}

function environ(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Live processes by the value of environment variable `name` (those without it left out); one pass over /proc. */
export function processesByEnv(name: string): Map<string, Identity[]> {
  const prefix = `${name}=`;
  const out = new Map<string, Identity[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const value = environ(pid).find((v) => v.startsWith(prefix))?.slice(prefix.length);
    if (value === undefined) continue;
    const id = identify(pid);
    if (!id) continue;
    const list = out.get(value);
    if (list) list.push(id);
    else out.set(value, [id]);
  }
  return out;
}

/** The container processes of the pod with this IP (the kubelet sets `POD_IP` in every container). */
export function podProcesses(podIP: string): Identity[] {
  return processesByEnv('POD_IP').get(podIP) ?? [];
}

/** Whether this very process (same pid and start time) still runs: not a zombie, not exiting. */
export function stillRunning(p: Identity): boolean {
  return ownership(p) === 'ours' && isAlive(p.pid);
}

/** `ps` without repeats (the same process found two ways). */
export function distinct(ps: Identity[]): Identity[] {
  const seen = new Set<number>();
  return ps.filter((p) => !seen.has(p.pid) && (seen.add(p.pid), true));
}

/** The ones of `ps` that still run. */
export function survivors(ps: Identity[]): Identity[] {
  return ps.filter(stillRunning);
}

/** `pid cmdline` lines for a failure message. */
export function describeProcesses(ps: Identity[]): string {
  return ps.map((p) => `${p.pid} ${p.cmdline.join(' ').slice(0, 160)}`).join('\n');
}

export interface DeathTimes {
  /** When the first watched process (the killed one) was seen gone, ms since the epoch. */
  firstGoneAt: number;
  /** When every watched process was seen gone. */
  allGoneAt: number;
  /** The processes that were still running when `killed` was first seen gone (for failure messages). */
  outlived: Identity[];
}

/**
 * Watches `killed` and `others` from /proc every few milliseconds (while the caller's kill runs
 * concurrently) and answers when `killed` died and when all of them had. Rejects with the survivors
 * when they are not all gone within `timeoutMs`. Infrastructure polling: the times are what is measured.
 */
export async function watchDeaths(killed: Identity, others: Identity[], timeoutMs: number): Promise<DeathTimes> {
  const start = Date.now();
  let firstGoneAt: number | undefined;
  let outlived: Identity[] = [];
  for (;;) {
    const now = Date.now();
    if (firstGoneAt === undefined && !stillRunning(killed)) {
      firstGoneAt = now;
      outlived = survivors(others);
    }
    if (firstGoneAt !== undefined) {
      const alive = survivors(others);
      if (alive.length === 0) return { firstGoneAt, allGoneAt: now, outlived };
      if (now - start > timeoutMs) throw new Error(`still running ${now - firstGoneAt} ms after pid ${killed.pid} died:\n${describeProcesses(alive)}`);
    } else if (now - start > timeoutMs) {
      throw new Error(`pid ${killed.pid} did not die within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
