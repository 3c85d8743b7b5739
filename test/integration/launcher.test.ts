/**
 * The launcher against the real processes: `kubemu up` (from the TypeScript sources, `--dev`) with
 * a temp data dir and random ports starts nats-server, the store, the api-server and (as far as
 * they are written) the control plane and one node, Ready before `up` returns; `status`, the
 * kubeconfig and kubectl see them; `down` and Ctrl-C leave no process behind (checked by pid
 * and process group). A failed start is rolled back (stand-in processes, no NATS needed).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { freePorts } from '../../services/kubemu/ports.js';
import { readState, type ProcessRecord } from '../../services/kubemu/state.js';
import { groupMembers, isAlive } from '../../services/kubemu/process-identity.js';
import { layout } from '../../services/kubemu/data-dir.js';
import { startCluster, StartFailed } from '../../services/kubemu/launcher.js';
import type { Launch } from '../../services/kubemu/components.js';
import { realClock } from '../../shared/runtime/clock.js';
import { eventually } from '../support/eventually.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = ['--import', 'tsx', join(root, 'services/kubemu/main.ts')];
const env = { ...process.env, KUBEMU_DATA_DIR: '' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubemu(args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((res) => {
    execFile(process.execPath, [...CLI, ...args], { cwd: root, env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

function run(file: string, args: string[]): Promise<Run> {
  return new Promise((res) => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Every pid kubemu recorded, and every member of their process groups, is gone. */
function nothingLeft(pids: number[]): void {
  for (const pid of pids) {
    expect(isAlive(pid), `pid ${pid} still alive`).toBe(false);
    expect(groupMembers(pid), `group ${pid} still has members`).toEqual([]);
  }
}

function pidsOf(processes: ProcessRecord[]): number[] {
  return processes.map((p) => p.pid).filter((p): p is number => p !== undefined);
}

const dirs: string[] = [];
const everyPid: number[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubemu-launcher-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const d of dirs) await kubemu(['down', '--data-dir', d, '--grace', '1']);
  for (const pid of everyPid) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('kubemu launcher', () => {
  const dataDir = tempDir();
  let pids: number[] = [];
  let apiPort = 0;

  it('brings up nats-server, store and api-server detached, and prints how to use kubectl', async () => {
    const [natsPort, api] = await freePorts(2);
    apiPort = api;
    const r = await kubemu(['up', '--detach', '--dev', '--nodes', '1', '--data-dir', dataDir, '--api-port', String(api), '--nats-port', String(natsPort)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`export KUBECONFIG=${join(dataDir, 'kubeconfig')}`);
    expect(r.stdout).toContain('kubectl get nodes');
    expect(r.stdout).toMatch(/^node-1\s+Ready\s/m);
    expect(r.stdout).toContain('down --data-dir');

    const state = readState(dataDir);
    expect(state?.apiUrl).toBe(`http://127.0.0.1:${api}`);
    expect(state?.natsUrl).toBe(`nats://127.0.0.1:${natsPort}`);
    const names = state?.processes.map((p) => p.name) ?? [];
    expect(names.slice(0, 3)).toEqual(['nats-server', 'store', 'api-server']);
    pids = pidsOf(state?.processes ?? []);
    everyPid.push(...pids);
    expect(pids).toHaveLength(names.length);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    for (const name of names) expect(readFileSync(join(dataDir, 'logs', `${name}.log`), 'utf8').length).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${api}/readyz`)).status).toBe(200);
  }, 150_000);

  it('writes a kubeconfig that points kubectl at the API server', async () => {
    const cfg = yaml.load(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as Record<string, any>;
    expect(cfg['current-context']).toBe('kubemu');
    expect(cfg.clusters[0].cluster.server).toBe(`http://127.0.0.1:${apiPort}`);
    expect(cfg.contexts[0].context).toEqual({ cluster: 'kubemu', user: 'kubemu-admin', namespace: 'default' });
    const cache = tempDir();
    const r = await run('kubectl', ['--kubeconfig', join(dataDir, 'kubeconfig'), '--cache-dir', cache, 'get', 'ns']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('default');
  }, 60_000);

  it('shows every process running and healthy in status', async () => {
    const r = await kubemu(['status', '--data-dir', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const name of ['nats-server', 'store', 'api-server']) {
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s+\\d+\\s+running\\s+ok\\s`, 'm'));
    }
  }, 30_000);

  it('refuses a second up on the same data dir', async () => {
    const r = await kubemu(['up', '--detach', '--dev', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`A kubemu cluster is already running from ${dataDir}`);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
  }, 30_000);

  it('stops everything on down and leaves no process behind', async () => {
    const r = await kubemu(['down', '--data-dir', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    nothingLeft(pids);
    expect(pidsOf(readState(dataDir)?.processes ?? [])).toEqual([]);
    const status = await kubemu(['status', '--data-dir', dataDir]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^store\s+-\s+stopped/m);
  }, 60_000);
});

describe('kubemu up in the foreground', () => {
  it('stops every process in order on Ctrl-C and exits 0', async () => {
    const dataDir = tempDir();
    const [natsPort, api] = await freePorts(2);
    const child = spawn(
      process.execPath,
      [...CLI, 'up', '--dev', '--nodes', '1', '--data-dir', dataDir, '--api-port', String(api), '--nats-port', String(natsPort)],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    await eventually(() => expect(out).toContain('kubemu is up.'), { timeoutMs: 120_000, intervalMs: 100 });
    const state = readState(dataDir);
    expect(state?.launcher?.pid).toBe(child.pid);
    const pids = pidsOf(state?.processes ?? []);
    everyPid.push(...pids);
    expect(pids.length).toBeGreaterThanOrEqual(3);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/api-server\s+stopped[\s\S]*store\s+stopped[\s\S]*nats-server\s+stopped/);
    nothingLeft(pids);
    const after = readState(dataDir);
    expect(after?.launcher).toBeUndefined();
    expect(pidsOf(after?.processes ?? [])).toEqual([]);
  }, 180_000);
});

describe('a failed start', () => {
  it('stops what it started and reports the failing process with its log tail', async () => {
    const dataDir = tempDir();
    const [port, nobody] = await freePorts(2);
    const node = (name: string, tier: number, code: string, url: string): Launch => ({
      name,
      component: name,
      tier,
      file: process.execPath,
      args: ['-e', code],
      health: { kind: 'http', url },
    });
    const web = node('web', 0, `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`, `http://127.0.0.1:${port}/`);
    const broken = node('broken', 1, 'console.error("cannot reach the store"); process.exit(2)', `http://127.0.0.1:${nobody}/`);
    const progress: ProcessRecord[][] = [];
    const err = await startCluster([web, broken], {
      clock: realClock,
      layout: layout(dataDir),
      cwd: dataDir,
      detach: false,
      startTimeoutMs: 20_000,
      graceMs: 2000,
      natsUrl: 'nats://127.0.0.1:1',
      connect: () => Promise.reject(new Error('no NATS in this test')),
      say: () => undefined,
      onProgress: (records) => progress.push(records),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartFailed);
    expect((err as StartFailed).processName).toBe('broken');
    expect((err as StartFailed).message).toBe('broken exited with code 2');
    expect((err as StartFailed).tail).toContain('cannot reach the store');
    const pids = pidsOf(progress.at(-1) ?? []);
    expect(pids).toHaveLength(2);
    nothingLeft(pids);
  }, 60_000);
});
