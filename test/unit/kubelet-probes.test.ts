import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Container, Probe } from '../../shared/api/core.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { ContainerProber, type ProbeKind } from '../../services/kubelet/probes.js';
import { realProbes, resolvePort, type ProbeExecutor } from '../../services/kubelet/probe-executor.js';
import { SimulatedRuntime } from '../../services/kubelet/runtime/simulated.js';
import { pod as podObject } from '../support/builders.js';
import { startKubeletHarness, type KubeletHarness } from '../support/kubelet-harness.js';
import { settle } from '../support/settle.js';

/** An executor whose answers the test sets per probe kind (by the probe object it is given). */
function scripted(container: Container, answers: Partial<Record<ProbeKind, boolean[]>>): ProbeExecutor & { calls: ProbeKind[] } {
  const kindOf = (p: Probe): ProbeKind => (p === container.livenessProbe ? 'liveness' : p === container.readinessProbe ? 'readiness' : 'startup');
  const calls: ProbeKind[] = [];
  return {
    calls,
    async run(probe) {
      const kind = kindOf(probe);
      calls.push(kind);
      const next = answers[kind]?.shift() ?? true;
      return next ? { ok: true } : { ok: false, message: 'HTTP probe failed with statuscode: 500' };
    },
  };
}

function prober(container: Container, executor: ProbeExecutor, clock: FakeClock) {
  const seen = { failed: [] as string[], kills: [] as string[], changes: 0 };
  const p = new ContainerProber({
    clock,
    executor,
    container,
    containerId: 'c1',
    podIP: '127.128.1.2',
    startedAtMs: clock.now(),
    hooks: {
      onFailedAttempt: (kind, msg) => seen.failed.push(`${kind}: ${msg}`),
      onChange: () => seen.changes++,
      onKill: (kind, msg) => seen.kills.push(`${kind}: ${msg}`),
    },
  });
  return { p, seen };
}

async function tick(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    clock.advance(100);
    await settle(1);
  }
}

describe('container probes (fake clock)', () => {
  it('waits initialDelaySeconds, then needs successThreshold successes to be ready', async () => {
    const clock = new FakeClock();
    const c: Container = { name: 'a', readinessProbe: { httpGet: { port: 8080 }, initialDelaySeconds: 2, periodSeconds: 1, successThreshold: 2, failureThreshold: 3 } };
    const ex = scripted(c, { readiness: [true, true, false, false, false] });
    const { p, seen } = prober(c, ex, clock);
    p.start();
    expect(p.ready).toBe(false);
    await tick(clock, 1900);
    expect(ex.calls).toEqual([]);
    await tick(clock, 200);
    expect(ex.calls).toEqual(['readiness']);
    expect(p.ready).toBe(false);
    await tick(clock, 1000);
    expect(p.ready).toBe(true);
    await tick(clock, 2000);
    expect(p.ready).toBe(true); // two failures: not yet the threshold of 3
    await tick(clock, 1000);
    expect(p.ready).toBe(false);
    expect(seen.failed).toEqual(Array(3).fill('readiness: HTTP probe failed with statuscode: 500'));
    expect(seen.changes).toBe(2);
    p.stop();
  });

  it('asks for a kill once after failureThreshold liveness failures and stops probing', async () => {
    const clock = new FakeClock();
    const c: Container = { name: 'a', livenessProbe: { httpGet: { port: 8080 }, periodSeconds: 1, failureThreshold: 3 } };
    const ex = scripted(c, { liveness: [true, false, false, false, false, false] });
    const { p, seen } = prober(c, ex, clock);
    p.start();
    await tick(clock, 10_000);
    expect(seen.kills).toEqual(['liveness: HTTP probe failed with statuscode: 500']);
    expect(ex.calls).toHaveLength(4);
    expect(p.ready).toBe(true); // liveness does not drive readiness
  });

  it('holds liveness and readiness back until the startup probe passes', async () => {
    const clock = new FakeClock();
    const c: Container = {
      name: 'a',
      startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 10 },
      livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
    };
    const ex = scripted(c, { startup: [false, false, true] });
    const { p } = prober(c, ex, clock);
    p.start();
    await tick(clock, 1500);
    expect(p.started).toBe(false);
    expect(ex.calls.every((k) => k === 'startup')).toBe(true);
    await tick(clock, 1000);
    expect(p.started).toBe(true);
    await tick(clock, 1100);
    expect(ex.calls.filter((k) => k === 'startup')).toHaveLength(3);
    expect(ex.calls).toContain('liveness');
    expect(p.ready).toBe(true);
    p.stop();
  });

  it('kills a container whose startup probe never passes', async () => {
    const clock = new FakeClock();
    const c: Container = { name: 'a', startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 2 } };
    const { p, seen } = prober(c, scripted(c, { startup: [false, false] }), clock);
    p.start();
    await tick(clock, 3000);
    expect(seen.kills).toHaveLength(1);
    expect(seen.kills[0]).toMatch(/^startup: /);
  });
});

describe('probe executor (loopback sockets)', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function serve(status: number): Promise<number> {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.setHeader('X-Agent', String(req.headers['user-agent']));
      res.end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }

  const runtime = new SimulatedRuntime({ clock: new FakeClock() });
  const target = (ports?: Container['ports']) => ({ podIP: '127.0.0.1', containerId: 'c', container: { name: 'a', ports } });

  it('passes an httpGet answered 200 and fails one answered 500 with the kubelet’s message', async () => {
    const ok = await serve(200);
    expect(await realProbes(runtime).run({ httpGet: { path: '/healthz', port: 'http' } }, target([{ name: 'http', containerPort: ok }]), 1000)).toEqual({ ok: true });
    server!.close();
    const bad = await serve(500);
    expect(await realProbes(runtime).run({ httpGet: { path: '/healthz', port: bad } }, target(), 1000)).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 500' });
  });

  it('reports a refused connection the way Go prints it, for httpGet and tcpSocket', async () => {
    const port = await serve(200);
    server!.close();
    await new Promise((r) => setImmediate(r));
    server = undefined;
    const http = await realProbes(runtime).run({ httpGet: { path: '/', port } }, target(), 1000);
    expect(http.message).toBe(`Get "http://127.0.0.1:${port}/": dial tcp 127.0.0.1:${port}: connect: connection refused`);
    const tcp = await realProbes(runtime).run({ tcpSocket: { port } }, target(), 1000);
    expect(tcp).toEqual({ ok: false, message: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });

  it('resolves named ports from the container and fails an unknown name', async () => {
    expect(resolvePort('http', { name: 'a', ports: [{ name: 'http', containerPort: 8080 }] })).toBe(8080);
    expect(resolvePort('8081', { name: 'a' })).toBe(8081);
    expect(await realProbes(runtime).run({ tcpSocket: { port: 'nope' } }, target(), 1000)).toEqual({ ok: false, message: 'unable to resolve named port "nope"' });
  });

  it('fails an exec probe when the runtime cannot run the command', async () => {
    const r = await realProbes(runtime).run({ exec: { command: ['cat', '/tmp/healthy'] } }, target(), 1000);
    expect(r.ok).toBe(false);
    expect(r.message).toContain('exec is not supported by the simulated runtime');
  });
});

describe('liveness in the pod worker', () => {
  let h: KubeletHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('restarts a container that fails its liveness probe, with Unhealthy and Killing events', async () => {
    let failing = false;
    h = await startKubeletHarness({ probes: { run: async () => (failing ? { ok: false, message: 'HTTP probe failed with statuscode: 500' } : { ok: true }) } });
    const p = podObject('unhealthy');
    p.spec.containers[0].livenessProbe = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1, failureThreshold: 3, timeoutSeconds: 1 };
    await h.createPod(p);
    await h.tick(1500);
    expect((await h.pod('unhealthy'))!.status!.containerStatuses![0].restartCount).toBe(0);
    failing = true;
    await h.tick(3500);
    const cs = (await h.pod('unhealthy'))!.status!.containerStatuses![0];
    expect(cs.restartCount).toBe(1);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 143 });
    const events = await h.events('unhealthy');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500' }),
        expect.objectContaining({ type: 'Normal', reason: 'Killing', message: 'Container kubia failed liveness probe, will be restarted' }),
      ]),
    );
  });

  it('marks a container unready while its readiness probe fails, without restarting it', async () => {
    let failing = false;
    h = await startKubeletHarness({ probes: { run: async () => (failing ? { ok: false, message: 'nope' } : { ok: true }) } });
    const p = podObject('flappy');
    p.spec.containers[0].readinessProbe = { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1, timeoutSeconds: 1 };
    await h.createPod(p);
    await h.tick(1200);
    expect((await h.pod('flappy'))!.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    failing = true;
    await h.tick(1200);
    const pod = (await h.pod('flappy'))!;
    expect(pod.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', message: 'containers with unready status: [kubia]' });
    expect(pod.status!.containerStatuses![0]).toMatchObject({ ready: false, restartCount: 0 });
    expect(pod.status!.phase).toBe('Running');
  });
});
