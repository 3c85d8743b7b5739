/**
 * docker-compose.yml and its companions hold the invariants their header states: one shared network
 * namespace, only the API published on loopback, the launcher's command lines and health checks,
 * node containers named by their environment, the v1/v2 common subset; compose/kubeconfig is the
 * launcher's kubeconfig for port 6443; compose/nats-server.conf has the launcher's NATS settings.
 * Reads files only — the compose e2e (test/compose) runs them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import jsYaml from 'js-yaml';
import { containerProcesses } from '../../services/kubemu/container-plan.js';
import { kubeconfigObject } from '../../services/kubemu/kubeconfig.js';
import { writeNatsConfig } from '../../services/kubemu/nats-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  network_mode?: string;
  ports?: string[];
  init?: boolean;
  user?: string;
  cap_add?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] } & Record<string, unknown>;
}

const doc = YAML.parse(text, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> } & Record<string, unknown>;
const services = doc.services;
const kubemu = Object.entries(services).filter(([, s]) => s.image === '${KUBEMU_IMAGE:-kubemu:dev}' && s.command?.[0] === 'node');
const nodes = kubemu.filter(([name]) => /^node-\d+$/.test(name));
const tmp = mkdtempSync(join(tmpdir(), 'kubemu-compose-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('docker-compose.yml', () => {
  it('puts every container into the one network namespace held by pause, which publishes only the API on 127.0.0.1', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name === 'pause') continue;
      expect(s.network_mode, name).toBe('service:pause');
      expect(s.ports, name).toBeUndefined();
    }
    expect(services.pause.ports).toEqual(['127.0.0.1:${KUBEMU_API_PORT:-6443}:6443']);
    expect(services.pause.build).toBe('.');
  });

  it('runs the control plane, three nodes by default, and the standby / more-nodes profiles', () => {
    const byDefault = Object.entries(services).filter(([, s]) => !s.profiles).map(([n]) => n);
    expect(byDefault.sort()).toEqual(['api-server', 'controller-manager', 'nats', 'node-1', 'node-2', 'node-3', 'pause', 'scheduler', 'store']);
    expect(services['scheduler-2'].profiles).toEqual(['standby']);
    expect(services['controller-manager-2'].profiles).toEqual(['standby']);
    expect(services['node-4'].profiles).toEqual(['more-nodes']);
    expect(services['node-5'].profiles).toEqual(['more-nodes']);
  });

  it("gives each kubemu process tini/catatonit as init and the launcher's own health check", () => {
    expect(kubemu.length).toBeGreaterThanOrEqual(8);
    for (const [name, s] of kubemu) {
      expect(s.init, name).toBe(true);
      expect(s.environment?.KUBEMU_NATS, name).toBe('nats://127.0.0.1:4222');
      const test = s.healthcheck?.test ?? [];
      expect(test.slice(0, 3), name).toEqual(['CMD', 'node', 'dist/services/kubemu/healthcheck.js']);
      const targets = test.slice(3);
      // a node's check names no target: it takes KUBEMU_NODE_NAME, the container's node
      const checked = targets.length ? targets : [s.environment?.KUBEMU_NODE_NAME ?? ''];
      expect(containerProcesses(checked, { root: '/app' }).length, name).toBeGreaterThan(0);
      if (!nodes.some(([n]) => n === name)) expect(targets, name).toEqual([name]);
    }
  });

  it('runs the entry of the component table for each control-plane process, named after its service', () => {
    for (const [name, s] of kubemu) {
      if (nodes.some(([n]) => n === name)) continue;
      const [planned] = containerProcesses([name], { root: '/app' });
      expect(`/app/${s.command?.[1]}`, name).toBe(planned.args[0]);
      if (name.startsWith('scheduler') || name.startsWith('controller-manager')) expect(s.command?.slice(2), name).toEqual(['--name', name]);
    }
  });

  it('makes each node container `kubemu node` for the node its environment names, as root with CAP_SYS_ADMIN', () => {
    expect(nodes.map(([n]) => n).sort()).toEqual(['node-1', 'node-2', 'node-3', 'node-4', 'node-5']);
    for (const [name, s] of nodes) {
      expect(s.environment?.KUBEMU_NODE_NAME, name).toBe(name);
      expect(s.command, name).toEqual(['node', 'dist/services/kubemu/main.js', 'node']);
      expect(s.user, name).toBe('root');
      expect(s.cap_add, name).toEqual(['SYS_ADMIN']);
    }
  });

  it('starts in order on health: nats, then store, then api-server, then everything else', () => {
    const cond = (s: Service): Record<string, string> =>
      Object.fromEntries(Object.entries((s.depends_on ?? {}) as Record<string, { condition: string }>).map(([d, c]) => [d, c.condition]));
    expect(cond(services.store)).toEqual({ nats: 'service_healthy' });
    expect(cond(services['api-server'])).toEqual({ store: 'service_healthy' });
    for (const [name, s] of kubemu) if (!['store', 'api-server'].includes(name)) expect(cond(s), name).toEqual({ 'api-server': 'service_healthy' });
  });

  it('keeps the NATS data in the named volume nats-data', () => {
    expect(Object.keys(doc.volumes)).toEqual(['nats-data']);
    expect(services.nats.image).toBe('nats:2.10-alpine');
    expect((services.nats as { volumes?: string[] }).volumes).toContain('nats-data:/data');
  });

  it('stays in the subset docker-compose v1 accepts (no name, no depends_on required, no start_interval)', () => {
    expect(doc.name).toBeUndefined();
    expect(doc.version).toBeUndefined();
    expect(doc.include).toBeUndefined();
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.start_interval, name).toBeUndefined();
      for (const dep of Object.values(Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {}))) expect(Object.keys(dep), name).toEqual(['condition']);
    }
  });

  it('passes the Compose Specification check, which refuses an unknown depends_on', () => {
    const ok = spawnSync(process.execPath, [join(ROOT, 'scripts/compose/validate.mjs'), join(ROOT, 'docker-compose.yml')], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    const broken = join(tmp, 'broken.yml');
    writeFileSync(broken, text.replace('      store:\n        condition: service_healthy', '      stor:\n        condition: service_healthy'));
    const bad = spawnSync(process.execPath, [join(ROOT, 'scripts/compose/validate.mjs'), broken], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('services.api-server.depends_on: unknown service stor');
  });
});

describe('compose companions', () => {
  it("compose/kubeconfig is the launcher's kubeconfig for http://127.0.0.1:6443", () => {
    const shipped = jsYaml.load(readFileSync(join(ROOT, 'compose/kubeconfig'), 'utf8'));
    expect(shipped).toEqual(kubeconfigObject({ server: 'http://127.0.0.1:6443' }));
  });

  it("compose/nats-server.conf has the launcher's NATS settings on the container's fixed ports", () => {
    const settings = (conf: string): string[] =>
      conf
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#') && !/^(listen|http|store_dir):/.test(l));
    const launcher = readFileSync(writeNatsConfig({ port: 4222, monitorPort: 8222, dataDir: tmp }), 'utf8');
    const shipped = readFileSync(join(ROOT, 'compose/nats-server.conf'), 'utf8');
    expect(settings(shipped)).toEqual(settings(launcher));
    expect(shipped).toContain('listen: "127.0.0.1:4222"');
    expect(shipped).toContain('http: "127.0.0.1:8222"');
    expect(shipped).toContain('store_dir: "/data/jetstream"');
  });
});
