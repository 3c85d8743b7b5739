/**
 * `kubemu kill` / `start` / `restart` below the CLI: targets, signals, killing recorded processes
 * (stand-in node processes with children of their own, real pids, a real state file), the
 * `killed` mark, and how a foreground `up` reports deaths.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realClock } from '../../shared/runtime/clock.js';
import { UsageError } from '../../services/kubemu/args.js';
import type { Launch } from '../../services/kubemu/components.js';
import { CrashWatch } from '../../services/kubemu/crash-watch.js';
import { killRecorded, parseSignal } from '../../services/kubemu/killing.js';
import { descendants, identify, isAlive } from '../../services/kubemu/process-identity.js';
import { launchOf, nodesOf } from '../../services/kubemu/relaunch.js';
import { processState } from '../../services/kubemu/commands/status.js';
import { cannotStart } from '../../services/kubemu/commands/start.js';
import { readState, withoutPids, writeState, type ClusterState, type ProcessRecord } from '../../services/kubemu/state.js';
import { spawnProcess } from '../../services/kubemu/supervisor.js';
import { resolveTarget, targetChoices } from '../../services/kubemu/targets.js';
import { eventually } from '../support/eventually.js';
import { scratch } from '../support/scratch.js';
import { testClusterState } from '../support/cluster-state.js';

const { dir, pids } = scratch('kubemu-kill-');

const record = (name: string, component: string, tier: number, node?: string): ProcessRecord => ({
  name,
  component,
  ...(node ? { node } : {}),
  tier,
  cmdline: ['/usr/bin/node', `/repo/dist/services/${component}/main.js`, '--name', name],
  logFile: `/data/logs/${name}.log`,
  health: { kind: 'nats', subject: `kubemu.ctl.${name}.health` },
});

const clusterState = (dataDir: string, processes: ProcessRecord[]): ClusterState => testClusterState(dataDir, processes, { simulatedNodes: 3 });

const cluster = clusterState('/data', [
  record('nats-server', 'nats-server', 0),
  record('store', 'store', 1),
  record('api-server', 'api-server', 2),
  record('scheduler', 'scheduler', 3),
  record('scheduler-2', 'scheduler', 3),
  record('kubelet-node-1', 'kubelet', 4, 'node-1'),
  record('kubelet-node-2', 'kubelet', 4, 'node-2'),
  record('kubelet-sim', 'kubelet', 4),
  record('kube-proxy-node-1', 'kube-proxy', 4, 'node-1'),
  record('kube-proxy-node-2', 'kube-proxy', 4, 'node-2'),
]);

describe('kill targets', () => {
  const names = (target: string) => resolveTarget(cluster, target).map((r) => r.name);

  it('takes a node name as all of that node’s processes', () => {
    expect(names('node-2')).toEqual(['kubelet-node-2', 'kube-proxy-node-2']);
  });

  it('prefers a process name over the component of the same name', () => {
    expect(names('scheduler')).toEqual(['scheduler']);
    expect(names('scheduler-2')).toEqual(['scheduler-2']);
    expect(names('kubelet-sim')).toEqual(['kubelet-sim']);
  });

  it('takes a component name as all of its processes, and nats as nats-server', () => {
    expect(names('kube-proxy')).toEqual(['kube-proxy-node-1', 'kube-proxy-node-2']);
    expect(names('nats')).toEqual(['nats-server']);
  });

  it('refuses an unknown target and lists the ones there are', () => {
    expect(() => resolveTarget(cluster, 'node-9')).toThrow(UsageError);
    expect(() => resolveTarget(cluster, 'node-9')).toThrow(
      '"node-9" is not part of this cluster; targets: node-1, node-2, nats, store, api-server, scheduler, kubelet, kube-proxy, scheduler-2, kubelet-sim',
    );
    expect(targetChoices(cluster)[0]).toBe('node-1');
  });

  it('reads signals by name, with or without SIG, or by number, and only terminating ones', () => {
    expect(parseSignal('KILL')).toBe('SIGKILL');
    expect(parseSignal('sigterm')).toBe('SIGTERM');
    expect(parseSignal('9')).toBe('SIGKILL');
    expect(() => parseSignal('STOP')).toThrow('--signal must be one of KILL, TERM, INT, HUP, QUIT, not "STOP"');
  });
});

describe('starting recorded processes again', () => {
  it('rebuilds the launch from the recorded command line', () => {
    const r = { ...record('kubelet-node-2', 'kubelet', 4, 'node-2'), pid: 42, killed: { signal: 'SIGKILL', at: 'x' } };
    expect(launchOf(r)).toEqual({
      name: 'kubelet-node-2',
      component: 'kubelet',
      node: 'node-2',
      tier: 4,
      file: '/usr/bin/node',
      args: ['/repo/dist/services/kubelet/main.js', '--name', 'kubelet-node-2'],
      health: { kind: 'nats', subject: 'kubemu.ctl.kubelet-node-2.health' },
    });
  });

  it('refuses to start parts of a stopped cluster, or anything but nats-server while it is down', () => {
    const me = identify(process.pid);
    const alive = (r: ProcessRecord): ProcessRecord => ({ ...r, pid: process.pid, startTicks: me?.startTicks, cmdline: me?.cmdline ?? [] });
    const [nats, store, api] = cluster.processes;
    const stopped = clusterState('/data', [nats, store, api]);
    expect(cannotStart(stopped, [api], 'kubemu up')).toBe('The cluster in /data is not running; start it with kubemu up');
    const natsDown = clusterState('/data', [nats, alive(store), api]);
    expect(cannotStart(natsDown, [api], 'kubemu up')).toBe('nats-server is not running; start it first (kubemu start nats)');
    expect(cannotStart(natsDown, [nats, api], 'kubemu up')).toBeUndefined();
    expect(cannotStart(clusterState('/data', [alive(nats), store, api]), [api], 'kubemu up')).toBeUndefined();
  });

  it('knows which nodes the kubelets among the records bring back', () => {
    expect(nodesOf(resolveTarget(cluster, 'node-2'), cluster)).toEqual(['node-2']);
    expect(nodesOf(resolveTarget(cluster, 'kubelet'), cluster)).toEqual(['node-1', 'node-2', 'sim-1', 'sim-2', 'sim-3']);
    expect(nodesOf(resolveTarget(cluster, 'scheduler'), cluster)).toEqual([]);
  });
});

/** Starts a stand-in process the way the launcher does (own process group, log file). */
async function standIn(name: string, component: string, code: string, node?: string): Promise<ProcessRecord & { pid: number }> {
  const launch: Launch = {
    name,
    component,
    ...(node ? { node } : {}),
    tier: 4,
    file: process.execPath,
    args: ['-e', code],
    health: { kind: 'http', url: 'http://127.0.0.1:1/' },
  };
  const s = await spawnProcess(launch, { clock: realClock, logFile: join(dir, `${name}.log`), cwd: dir, detach: false });
  pids.push(s.record.pid);
  return s.record;
}

/** Starts a child that exits as soon as its parent is gone (what the process runtime promises): its stdin pipe closes. */
const LOYAL_CHILD = `
  const { spawn } = require('node:child_process');
  spawn(process.execPath, ['-e', 'process.stdin.on("end", () => process.exit(0)); process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'ignore'] });
  setInterval(() => {}, 1000);`;
/** Starts a child in a session of its own that outlives it (a broken runtime). */
const ORPHAN_CHILD = `
  const { spawn } = require('node:child_process');
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true }).unref();
  setInterval(() => {}, 1000);`;
const IDLE = 'setInterval(() => {}, 1000)';
const STUBBORN = 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)';

function quiet() {
  const said: string[] = [];
  const warned: string[] = [];
  return { said, warned, say: (l: string) => said.push(l), warn: (l: string) => warned.push(l) };
}

describe('killing recorded processes', () => {
  it('SIGKILLs a node’s processes, marks them killed, and their children go with them', async () => {
    const dataDir = mkdtempSync(join(dir, 'node-'));
    const kubelet = await standIn('kubelet-node-2', 'kubelet', LOYAL_CHILD, 'node-2');
    const proxy = await standIn('kube-proxy-node-2', 'kube-proxy', IDLE, 'node-2');
    await eventually(() => expect(descendants(kubelet.pid)).toHaveLength(1));
    const container = descendants(kubelet.pid)[0].pid;
    pids.push(container);
    writeState(dataDir, clusterState(dataDir, [kubelet, proxy]));

    const out = quiet();
    const state = readState(dataDir) as ClusterState;
    const result = await killRecorded(resolveTarget(state, 'node-2'), { clock: realClock, dataDir, signal: 'SIGKILL', ...out });

    expect(Object.fromEntries(result.outcomes)).toEqual({ 'kubelet-node-2': 'killed', 'kube-proxy-node-2': 'killed' });
    expect([...result.orphans]).toEqual([]);
    expect(out.warned).toEqual([]);
    for (const pid of [kubelet.pid, proxy.pid, container]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    const after = readState(dataDir) as ClusterState;
    for (const r of after.processes) {
      expect(r.killed?.signal).toBe('SIGKILL');
      expect(r.pid).toBeDefined();
      expect(processState(r)).toBe('killed');
    }
    expect(withoutPids(after).processes.every((r) => r.killed === undefined && r.pid === undefined)).toBe(true);
  });

  it('kills what outlived a killed process and warns about it', async () => {
    const dataDir = mkdtempSync(join(dir, 'orphan-'));
    const kubelet = await standIn('kubelet-node-1', 'kubelet', ORPHAN_CHILD, 'node-1');
    await eventually(() => expect(descendants(kubelet.pid)).toHaveLength(1));
    const orphan = descendants(kubelet.pid)[0].pid;
    pids.push(orphan);
    writeState(dataDir, clusterState(dataDir, [kubelet]));

    const out = quiet();
    const result = await killRecorded([kubelet], { clock: realClock, dataDir, signal: 'SIGKILL', orphanGraceMs: 300, ...out });
    expect(result.outcomes.get('kubelet-node-1')).toBe('killed');
    expect(result.orphans.get('kubelet-node-1')).toEqual([orphan]);
    expect(out.warned[0]).toContain(`kubelet-node-1: 1 process(es) it started outlived it by 0.3s (pids ${orphan}); killed them`);
    await eventually(() => expect(isAlive(orphan)).toBe(false));
  });

  it('leaves a pid that now belongs to another process alone', async () => {
    const me = identify(process.pid);
    const stale = { ...record('store', 'store', 1), pid: process.pid, startTicks: (me?.startTicks ?? 0) + 1 };
    const result = await killRecorded([stale], { clock: realClock, dataDir: dir, signal: 'SIGKILL', ...quiet() });
    expect(result.outcomes.get('store')).toBe('pid-reused');
    expect(isAlive(process.pid)).toBe(true);
  });

  it('reports a process that survives a catchable signal instead of escalating', async () => {
    const dataDir = mkdtempSync(join(dir, 'stubborn-'));
    const stubborn = await standIn('controller-manager', 'controller-manager', STUBBORN);
    await eventually(() => expect(readFileSync(stubborn.logFile, 'utf8')).toContain('ready'));
    const r = await killRecorded([stubborn], { clock: realClock, dataDir, signal: 'SIGTERM', waitMs: 200, ...quiet() });
    expect(r.outcomes.get('controller-manager')).toBe('still-running');
    expect(isAlive(stubborn.pid)).toBe(true);
    process.kill(stubborn.pid, 'SIGKILL');
  });
});

describe('a foreground up reporting deaths', () => {
  it('reports a kill by kubemu calmly and a crash loudly, once each', async () => {
    const dataDir = mkdtempSync(join(dir, 'watch-'));
    const killed = await standIn('kubelet-node-1', 'kubelet', IDLE, 'node-1');
    const crashed = await standIn('scheduler', 'scheduler', IDLE);
    writeState(dataDir, clusterState(dataDir, [killed, crashed]));
    const said: string[] = [];
    const shouted: string[] = [];
    const watch = new CrashWatch({ dataDir, clock: realClock, say: (l) => said.push(l), shout: (l) => shouted.push(l) });
    watch.child(killed.pid);

    await killRecorded([killed], { clock: realClock, dataDir, signal: 'SIGKILL', ...quiet() });
    process.kill(crashed.pid, 'SIGKILL');
    await eventually(() => expect(isAlive(crashed.pid)).toBe(false));
    watch.poll(); // the child's death is left to its exit event, however early the poll sees it
    watch.exited('kubelet-node-1', killed.pid, 'kubelet-node-1 was killed by SIGKILL');
    watch.poll();
    watch.exited('scheduler', crashed.pid, 'scheduler was killed by SIGKILL');

    expect(said).toEqual(['kubelet-node-1 was killed by SIGKILL (by kubemu, SIGKILL)']);
    expect(shouted).toEqual([`scheduler (pid ${crashed.pid}) is no longer running; its log: ${crashed.logFile}`]);
  });
});
