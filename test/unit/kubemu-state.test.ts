import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BadStateFile,
  launcherRunning,
  readState,
  runningProcesses,
  STATE_VERSION,
  withoutPids,
  writeState,
  type ClusterState,
} from '../../services/kubemu/state.js';
import { identify } from '../../services/kubemu/process-identity.js';

const me = identify(process.pid);

function sample(dataDir: string): ClusterState {
  return {
    version: STATE_VERSION,
    dataDir,
    startedAt: '2026-01-01T00:00:00Z',
    launcher: { pid: process.pid, startTicks: me?.startTicks, cmdline: me?.cmdline ?? [] },
    natsUrl: 'nats://127.0.0.1:14222',
    apiUrl: 'http://127.0.0.1:6443',
    ports: { nats: 14222, natsMonitor: 18222, api: 6443 },
    nodes: ['node-1'],
    kubeconfig: join(dataDir, 'kubeconfig'),
    processes: [
      {
        name: 'store',
        component: 'store',
        tier: 1,
        pid: process.pid,
        startTicks: me?.startTicks,
        cmdline: me?.cmdline ?? [],
        startedAt: '2026-01-01T00:00:01Z',
        logFile: join(dataDir, 'logs', 'store.log'),
        health: { kind: 'nats', subject: 'kubemu.store.rpc.status' },
      },
      {
        name: 'api-server',
        component: 'api-server',
        tier: 2,
        pid: process.pid,
        startTicks: (me?.startTicks ?? 0) + 1, // the same pid, but started at another time: not ours
        cmdline: ['node', 'api-server'],
        logFile: join(dataDir, 'logs', 'api-server.log'),
        health: { kind: 'http', url: 'http://127.0.0.1:6443/readyz' },
        port: 6443,
      },
    ],
  };
}

describe('kubemu state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubemu-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written, leaving no temporary file', () => {
    const s = sample(dir);
    writeState(dir, s);
    expect(readState(dir)).toEqual(JSON.parse(JSON.stringify(s)));
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('has no state when the file is absent', () => {
    expect(readState(join(dir, 'nowhere'))).toBeUndefined();
  });

  it('refuses a file that is not a kubemu state instead of guessing', () => {
    const bad = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(bad, 'state.json'), '{"hello":');
    expect(() => readState(bad)).toThrow(BadStateFile);
    writeFileSync(join(bad, 'state.json'), '{"version":99,"processes":[]}');
    expect(() => readState(bad)).toThrow('is not a kubemu state file');
  });

  it('counts a process as running only while its pid still has the recorded start time', () => {
    const s = sample(dir);
    expect(runningProcesses(s).map((p) => p.name)).toEqual(['store']);
    expect(launcherRunning(s)).toBe(true);
  });

  it('forgets every pid and the launcher once the cluster is stopped, keeping the records', () => {
    const stopped = withoutPids(sample(dir));
    expect(stopped.launcher).toBeUndefined();
    expect(stopped.processes.map((p) => p.name)).toEqual(['store', 'api-server']);
    expect(stopped.processes.every((p) => p.pid === undefined && p.startTicks === undefined)).toBe(true);
    expect(stopped.processes[1].port).toBe(6443);
    expect(runningProcesses(stopped)).toEqual([]);
  });
});
