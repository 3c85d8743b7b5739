/**
 * The compose healthcheck script (services/kubemu/healthcheck.ts) run as a process against a real
 * nats-server: healthy only when every process it names answers its health subject; a node name
 * (or KUBEMU_NODE_NAME) means the node's kubelet and kube-proxy; a bad target is exit 2.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { serveHealth } from '../../shared/runtime/health.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { startTestNats, type TestNats } from '../support/nats.js';

const ROOT = resolve(import.meta.dirname, '../..');

function healthcheck(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services/kubemu/healthcheck.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, KUBEMU_NODE_NAME: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => res({ code, out }));
  });
}

describe('compose healthcheck script', () => {
  let nats: TestNats;
  let bus: Bus;

  beforeAll(async () => {
    nats = await startTestNats();
    bus = await connectBus({ servers: nats.url, name: 'health-test', log: silentLogger() });
    serveHealth(bus, 'kubelet-node-2', () => ({ ready: true }));
    serveHealth(bus, 'kube-proxy-node-2', () => ({ ready: false, reason: 'caches not synced' }));
    serveHealth(bus, 'kubelet-node-3', () => ({ ready: true }));
    serveHealth(bus, 'kube-proxy-node-3', () => ({ ready: true }));
  });
  afterAll(async () => {
    await bus?.close();
    await nats?.dispose();
  });

  it('passes when every process of the node named by KUBEMU_NODE_NAME answers ready', async () => {
    const r = await healthcheck(['--nats', nats.url], { KUBEMU_NODE_NAME: 'node-3' });
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('fails, saying which process and why, when one of them is not ready', async () => {
    const r = await healthcheck(['node-2', '--nats', nats.url]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('kube-proxy-node-2');
    expect(r.out).toContain('caches not synced');
    expect(r.out).not.toContain('kubelet-node-2');
  });

  it('fails when nothing answers (the store is not running) and when NATS is unreachable', async () => {
    const store = await healthcheck(['store', '--nats', nats.url, '--timeout-ms', '500']);
    expect(store.code).toBe(1);
    expect(store.out).toContain('store:');
    const noNats = await healthcheck(['kubelet-node-3', '--nats', 'nats://127.0.0.1:1', '--timeout-ms', '500']);
    expect(noNats.code).toBe(1);
    expect(noNats.out).toContain('kubelet-node-3: bus not connected');
  });

  it('answers 2 for a target that names nothing it knows, and for no target at all', async () => {
    expect((await healthcheck(['Not_A_Node', '--nats', nats.url])).code).toBe(2);
    expect((await healthcheck(['--nats', nats.url])).code).toBe(2);
  });
});
