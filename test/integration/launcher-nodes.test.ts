/**
 * The launcher with nodes, against the real processes (`kubemu` from the TypeScript sources,
 * `--dev`, a temp data dir, random ports):
 *   - components: `kill api-server` kills it by pid and marks it killed, `start api-server` brings
 *     it back on its port; `kill nats` / `start nats` restarts nats-server with the same data, and
 *     the store and api-server carry on;
 *   - nodes (once the kubelet is written): `up --nodes 2` waits until both nodes are Ready in the
 *     API; `kill node-2` SIGKILLs its kubelet and kube-proxy and its container processes die with
 *     them; the node turns NotReady; `start node-2` makes it healthy and Ready again;
 *   - a foreground `up` reports a `kubemu kill` calmly, and its Ctrl-C also stops what `kubemu
 *     start` brought back from another terminal;
 *   - `down` leaves no process behind (checked by pid and process group).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../../services/kubemu/ports.js';
import { defaultRegistry } from '../../services/kubemu/network-slot.js';
import { readState, type ClusterState, type ProcessRecord } from '../../services/kubemu/state.js';
import { descendants, groupMembers, isAlive } from '../../services/kubemu/process-identity.js';
import { eventually } from '../support/eventually.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = ['--import', 'tsx', join(root, 'services/kubemu/main.ts')];
const env = { ...process.env, KUBEMU_DATA_DIR: '' };
const kubeletWritten = existsSync(join(root, 'services/kubelet/main.ts'));
const controllerManagerWritten = existsSync(join(root, 'services/controller-manager/main.ts'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubemu(args: string[], timeoutMs = 180_000): Promise<Run> {
  return new Promise((res) => {
    execFile(process.execPath, [...CLI, ...args], { cwd: root, env, timeout: timeoutMs }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const dirs: string[] = [];
const everyPid: number[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubemu-nodes-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const d of dirs) await kubemu(['down', '--data-dir', d, '--grace', '2']);
  for (const pid of everyPid) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 120_000);

function state(dataDir: string): ClusterState {
  const s = readState(dataDir);
  if (!s) throw new Error(`no state in ${dataDir}`);
  return s;
}

function rec(dataDir: string, name: string): ProcessRecord {
  const r = state(dataDir).processes.find((p) => p.name === name);
  if (!r) throw new Error(`no process ${name}`);
  return r;
}

function remember(dataDir: string): number[] {
  const pids = state(dataDir).processes.flatMap((p) => (p.pid !== undefined ? [p.pid] : []));
  everyPid.push(...pids);
  return pids;
}

function nothingLeft(pids: number[]): void {
  for (const pid of pids) {
    expect(isAlive(pid), `pid ${pid} still alive`).toBe(false);
    expect(groupMembers(pid), `group ${pid} still has members`).toEqual([]);
  }
}

async function up(dataDir: string, extra: string[]): Promise<{ run: Run; apiUrl: string }> {
  const [natsPort, apiPort] = await freePorts(2);
  const run = await kubemu(['up', '--detach', '--dev', '--data-dir', dataDir, '--api-port', String(apiPort), '--nats-port', String(natsPort), ...extra]);
  remember(dataDir);
  return { run, apiUrl: `http://127.0.0.1:${apiPort}` };
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

describe('kubemu kill and start of components', () => {
  const dataDir = tempDir();
  let apiUrl = '';
  const pids: number[] = [];

  it('comes up without nodes', async () => {
    const r = await up(dataDir, ['--nodes', '0']);
    apiUrl = r.apiUrl;
    expect(r.run.code, r.run.stdout + r.run.stderr).toBe(0);
    pids.push(...remember(dataDir));
  }, 200_000);

  it('kills the api-server by pid, and status says it was killed', async () => {
    const before = rec(dataDir, 'api-server');
    const r = await kubemu(['kill', 'api-server', '--data-dir', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`api-server\\s+killed \\(SIGKILL, pid ${before.pid}\\)`));
    expect(r.stdout).toContain('start api-server');
    expect(isAlive(before.pid as number)).toBe(false);
    expect(rec(dataDir, 'api-server').killed?.signal).toBe('SIGKILL');
    const status = await kubemu(['status', '--data-dir', dataDir]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^api-server\s+\d+\s+killed\s+-/m);
    expect(status.stdout).toMatch(/^store\s+\d+\s+running\s+ok/m);
  }, 60_000);

  it('starts the api-server again on the same port and appends to its log', async () => {
    const r = await kubemu(['start', 'api-server', '--data-dir', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/api-server\s+healthy \(pid \d+\)/);
    const now = rec(dataDir, 'api-server');
    everyPid.push(now.pid as number);
    expect(now.killed).toBeUndefined();
    const log = readFileSync(now.logFile, 'utf8');
    expect(log).toMatch(/--- started again by kubemu at [^\n]+ ---\n/);
    expect(log.indexOf('--- started again')).toBeGreaterThan(0);
    expect((await getJson(`${apiUrl}/api/v1/namespaces/default`)).status).toBe(200);
    const again = await kubemu(['start', 'api-server', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/api-server\s+already running/);
  }, 120_000);

  it('restarts nats-server with its data: the store and the api-server carry on', async () => {
    const k = await kubemu(['kill', 'nats', '--data-dir', dataDir]);
    expect(k.code, k.stdout + k.stderr).toBe(0);
    const s = await kubemu(['start', 'nats', '--data-dir', dataDir]);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    everyPid.push(rec(dataDir, 'nats-server').pid as number);
    await eventually(
      async () => {
        const status = await kubemu(['status', '--data-dir', dataDir]);
        expect(status.code, status.stdout).toBe(0);
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect((await getJson(`${apiUrl}/api/v1/namespaces/default`)).status).toBe(200);
  }, 120_000);

  it('refuses an unknown target with the list of targets', async () => {
    const r = await kubemu(['kill', 'node-7', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"node-7" is not part of this cluster; targets: nats, store, api-server');
  }, 30_000);

  it('stops everything on down, restarted processes included', async () => {
    const current = remember(dataDir);
    const r = await kubemu(['down', '--data-dir', dataDir, '--grace', '5']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    nothingLeft([...pids, ...current]);
  }, 60_000);
});

describe.skipIf(!kubeletWritten)('kubemu with nodes', () => {
  const dataDir = tempDir();
  let apiUrl = '';
  const pids: number[] = [];
  let container = 0;

  it('brings up two nodes and returns once both are Ready in the API', async () => {
    const r = await up(dataDir, ['--nodes', '2']);
    apiUrl = r.apiUrl;
    expect(r.run.code, r.run.stdout + r.run.stderr).toBe(0);
    pids.push(...remember(dataDir));
    expect(r.run.stdout).toMatch(/kubelet-node-2\s+healthy/);
    expect(r.run.stdout).toMatch(/kube-proxy-node-2\s+healthy/);
    expect(r.run.stdout).toMatch(/^node-1\s+Ready/m);
    expect(r.run.stdout).toMatch(/^node-2\s+Ready/m);
    const nodes = (await getJson(`${apiUrl}/api/v1/nodes`)).body.items as any[];
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(['node-1', 'node-2']);
    for (const n of nodes) expect(n.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    expect(state(dataDir).nodes).toEqual(['node-1', 'node-2']);
    // The cluster's own slot of 127/8, claimed machine-wide, and node-2's address in it.
    const slot = state(dataDir).networkSlot as number;
    expect(JSON.parse(readFileSync(join(defaultRegistry(env), `slot-${slot}`), 'utf8'))).toEqual({ dataDir });
    const node2 = nodes.find((n) => n.metadata.name === 'node-2');
    expect(node2.status.addresses.find((a: any) => a.type === 'InternalIP').address).toBe(`127.${1 + slot}.0.2`);
  }, 240_000);

  it('runs a pod on node-2 as a child process of its kubelet', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sleeper' },
      spec: { nodeName: 'node-2', containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
    };
    const created = await fetch(`${apiUrl}/api/v1/namespaces/default/pods`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pod),
    });
    expect(created.status).toBe(201);
    await eventually(async () => expect((await getJson(`${apiUrl}/api/v1/namespaces/default/pods/sleeper`)).body.status.phase).toBe('Running'), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const kubelet = rec(dataDir, 'kubelet-node-2').pid as number;
    const sleeper = descendants(kubelet).find((d) => d.cmdline.includes('3600'));
    expect(sleeper, JSON.stringify(descendants(kubelet))).toBeDefined();
    container = sleeper?.pid ?? 0;
    everyPid.push(container);
  }, 90_000);

  it('kill node-2 SIGKILLs its kubelet and kube-proxy, and its container dies with them', async () => {
    const kubelet = rec(dataDir, 'kubelet-node-2').pid as number;
    const proxy = rec(dataDir, 'kube-proxy-node-2').pid as number;
    const r = await kubemu(['kill', 'node-2', '--data-dir', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kubelet-node-2\s+killed \(SIGKILL/);
    expect(r.stdout).toMatch(/kube-proxy-node-2\s+killed \(SIGKILL/);
    expect(r.stdout).toContain('node-2 turns NotReady after ~4s (profile default) and its pods are evicted at once');
    expect(r.stderr, 'containers outlived their kubelet').not.toContain('outlived');
    for (const pid of [kubelet, proxy, container]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(isAlive(rec(dataDir, 'kubelet-node-1').pid as number)).toBe(true);
  }, 60_000);

  it.skipIf(!controllerManagerWritten)('shows node-2 NotReady with its processes killed once the grace has passed', async () => {
    await eventually(
      async () => {
        const status = await kubemu(['status', '--data-dir', dataDir]);
        expect(status.stdout).toMatch(/^node-2\s+NotReady\s+kubelet-node-2 killed, kube-proxy-node-2 killed/m);
        expect(status.stdout).toMatch(/^node-1\s+Ready\s+kubelet-node-1 running/m);
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
  }, 60_000);

  it('start node-2 brings it back healthy and Ready', async () => {
    const r = await kubemu(['start', 'node-2', '--data-dir', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kubelet-node-2\s+healthy/);
    expect(r.stdout).toContain('Ready: node-2');
    everyPid.push(...remember(dataDir));
    const status = await kubemu(['status', '--data-dir', dataDir]);
    expect(status.stdout).toMatch(/^node-2\s+Ready\s+kubelet-node-2 running, kube-proxy-node-2 running/m);
  }, 120_000);

  it('down leaves nothing', async () => {
    const current = remember(dataDir);
    const r = await kubemu(['down', '--data-dir', dataDir, '--grace', '5']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    nothingLeft([...pids, ...current]);
    expect(isAlive(container)).toBe(false);
    expect(existsSync(join(defaultRegistry(env), `slot-${state(dataDir).networkSlot}`)), 'the network slot is given back').toBe(false);
  }, 60_000);
});

describe('a foreground kubemu up while processes are killed and started', () => {
  it('reports the kill calmly and stops the restarted process on Ctrl-C', async () => {
    const dataDir = tempDir();
    const [natsPort, apiPort] = await freePorts(2);
    const child = spawn(
      process.execPath,
      [...CLI, 'up', '--dev', '--nodes', '0', '--data-dir', dataDir, '--api-port', String(apiPort), '--nats-port', String(natsPort), '--grace', '5'],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    await eventually(() => expect(out).toContain('kubectl get ns'), { timeoutMs: 150_000, intervalMs: 100 });
    const first = remember(dataDir);

    const k = await kubemu(['kill', 'api-server', '--data-dir', dataDir]);
    expect(k.code, k.stdout + k.stderr).toBe(0);
    await eventually(() => expect(out).toContain('api-server was killed by SIGKILL (by kubemu, SIGKILL)'), { timeoutMs: 10_000 });
    const s = await kubemu(['start', 'api-server', '--data-dir', dataDir]);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    const restarted = rec(dataDir, 'api-server').pid as number;
    everyPid.push(restarted);
    expect(isAlive(restarted)).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).not.toContain('api-server');
    expect(out).toMatch(/api-server\s+stopped \(pid \d+\)/);
    nothingLeft([...first, restarted]);
  }, 240_000);
});
