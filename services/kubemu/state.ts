/**
 * The cluster state file, `<data-dir>/state.json`: what `kubemu up` started, so `status` and `down`
 * (other processes, later) can find it.
 *
 * It holds the ports, URLs, node names, the profile and runtime, the kubeconfig path, the launcher
 * (when it stays in the foreground) and one record per process in start order: pid, identity
 * (start ticks and command line, see ./process-identity.ts), start time, log file, health check,
 * port. The command line is also how `kubemu start` runs a process again with the same flags.
 *
 * A record without a pid is a process that is not running (stopped by kubemu). A record marked
 * `killed` was signalled on purpose (`kubemu kill`, `restart`): its death is not a crash. Writes are
 * atomic (temp file + rename), so a reader never sees half a file; `updateState` re-reads right
 * before it writes, so commands run from other terminals (a `kill` while `up` runs) keep each
 * other's changes. A file that is not a kubemu state is an error, never guessed.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ClusterPorts } from './components.js';
import type { HealthCheck } from './health.js';
import { ownership, type Identity } from './process-identity.js';

export const STATE_VERSION = 1;

export interface ProcessRecord {
  name: string;
  component: string;
  node?: string;
  tier: number;
  /** Present while kubemu believes it runs. */
  pid?: number;
  startTicks?: number;
  cmdline: string[];
  startedAt?: string;
  logFile: string;
  health: HealthCheck;
  port?: number;
  /** Set by `kubemu kill` / `restart` before they signal the pid; cleared when it starts again. */
  killed?: { signal: string; at: string };
}

export interface LauncherRecord {
  pid: number;
  startTicks?: number;
  cmdline: string[];
}

export interface ClusterState {
  version: number;
  dataDir: string;
  startedAt: string;
  /** The `kubemu up` that stays in the foreground and stops the cluster on Ctrl-C; absent when detached. */
  launcher?: LauncherRecord;
  natsUrl: string;
  apiUrl: string;
  ports: ClusterPorts;
  nodes: string[];
  /** Timing profile given to the components (absent in states of older launchers: `default`). */
  profile?: string;
  /** Runtime of the `node-i` kubelets. */
  runtime?: string;
  /** Simulated nodes hosted by `kubelet-sim` (`sim-1…`); 0 or absent: none. */
  simulatedNodes?: number;
  /** The cluster's slot of 127/8 (./network-slot.ts); sticky per data dir. Absent in older states: 0. */
  networkSlot?: number;
  kubeconfig: string;
  processes: ProcessRecord[];
}

export class BadStateFile extends Error {
  override name = 'BadStateFile';
}

export function statePath(dataDir: string): string {
  return join(dataDir, 'state.json');
}

/** The state in `dataDir`, or undefined when there is none. */
export function readState(dataDir: string): ClusterState | undefined {
  let text: string;
  try {
    text = readFileSync(statePath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadStateFile(`${statePath(dataDir)} is not valid JSON; remove it if no cluster runs from it`);
  }
  const s = parsed as Partial<ClusterState>;
  if (typeof s !== 'object' || s === null || s.version !== STATE_VERSION || !Array.isArray(s.processes)) {
    throw new BadStateFile(`${statePath(dataDir)} is not a kubemu state file (version ${STATE_VERSION})`);
  }
  return s as ClusterState;
}

export function writeState(dataDir: string, state: ClusterState): void {
  const path = statePath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function identityOf(r: { pid: number; startTicks?: number; cmdline: string[] }): Identity {
  return { pid: r.pid, cmdline: r.cmdline, ...(r.startTicks !== undefined ? { startTicks: r.startTicks } : {}) };
}

/** The same record, not running: no pid, identity, start time or kill mark. */
export function notRunning(record: ProcessRecord): ProcessRecord {
  const { pid: _pid, startTicks: _t, startedAt: _s, killed: _k, ...rest } = record;
  return rest;
}

/** The same state with every pid (and the launcher) removed: nothing of it runs any more. */
export function withoutPids(state: ClusterState): ClusterState {
  const { launcher: _launcher, ...rest } = state;
  return { ...rest, processes: state.processes.map(notRunning) };
}

/**
 * Read-modify-write of the state in `dataDir`: `change` gets the state as it is on disk now and
 * returns the new one. Answers what was written (undefined when there is no state).
 */
export function updateState(dataDir: string, change: (state: ClusterState) => ClusterState): ClusterState | undefined {
  const current = readState(dataDir);
  if (!current) return undefined;
  const next = change(current);
  writeState(dataDir, next);
  return next;
}

/** The state with the records of the same names replaced (start order kept). */
export function withRecords(state: ClusterState, records: ProcessRecord[]): ClusterState {
  const byName = new Map(records.map((r) => [r.name, r]));
  return { ...state, processes: state.processes.map((p) => byName.get(p.name) ?? p) };
}

/** Records whose pid still belongs to the process kubemu started. */
export function runningProcesses(state: ClusterState): ProcessRecord[] {
  return state.processes.filter((p) => p.pid !== undefined && ownership(identityOf({ ...p, pid: p.pid })) === 'ours');
}

/** Whether the foreground launcher recorded in the state is still running. */
export function launcherRunning(state: ClusterState): boolean {
  return state.launcher !== undefined && ownership(identityOf(state.launcher)) === 'ours';
}
