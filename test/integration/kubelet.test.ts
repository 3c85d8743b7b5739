import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { subjects } from '../../shared/nats/subjects.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { kubeletConfigFromFlags } from '../../services/kubelet/config.js';
import { startKubeletHost, type KubeletHost } from '../../services/kubelet/host.js';
import { succeedingProbes } from '../../services/kubelet/probe-executor.js';
import { SimulatedRuntime } from '../../services/kubelet/runtime/simulated.js';
import { createProcessRuntime } from '../../services/kubelet/runtime/process/index.js';
import { realProbes } from '../../services/kubelet/probe-executor.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { pod } from '../support/builders.js';
import { eventually } from '../support/eventually.js';

const PODS = resourceByPlural('pods');
const NODES = resourceByPlural('nodes');
const EVENTS = resourceByPlural('events');

describe('kubelet against a real api-server (in-process)', () => {
  let c: ApiCluster;
  let api: NatsApiClient;
  let host: KubeletHost | undefined;
  let dataDir: string;

  function start(argv: string[]): KubeletHost {
    const cfg = kubeletConfigFromFlags(['--nats', c.nats.url, '--data-dir', dataDir, ...argv]);
    const processRuntime = cfg.runtime === 'process';
    return startKubeletHost(
      { ...cfg, timing: { heartbeatIntervalMs: cfg.profile.heartbeatIntervalMs, nodeStatusReportMs: cfg.profile.nodeStatusReportMs } },
      {
        bus: c.bus,
        api: c.client(cfg.processName),
        clock: realClock,
        log: silentLogger(),
        runtimeFor: (node) => (processRuntime ? createProcessRuntime({ dataDir: join(dataDir, node.name), clock: realClock }) : new SimulatedRuntime({ clock: realClock })),
        probesFor: (runtime) => (processRuntime ? realProbes(runtime) : succeedingProbes),
      },
    );
  }

  async function bind(name: string, node: string, image?: string, mutate?: (p: any) => void): Promise<void> {
    const p = pod(name, image ? { image } : {});
    mutate?.(p);
    await api.create(PODS, 'default', p);
    await api.create(PODS, 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } }, 'binding', name);
  }

  const get = (name: string): Promise<Pod> => api.get<Pod>(PODS, 'default', name);

  beforeAll(async () => {
    c = await startApiCluster({ defaultTolerationSeconds: 0 });
    api = c.client('kubelet-test');
    dataDir = mkdtempSync(join(tmpdir(), 'kubemu-kubelet-it-'));
    host = start(['--node-name', 'node-1', '--runtime', 'simulated', '--labels', 'disk=ssd']);
    await eventually(() => host!.ready(), { timeoutMs: 20_000, message: 'kubelet ready' });
  });
  afterAll(async () => {
    await host?.stop();
    await c?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers its Node Ready with a pod CIDR, answers health, and heartbeats on the bus', async () => {
    const node = await api.get<Node>(NODES, undefined, 'node-1');
    expect(node.spec?.podCIDR).toBe('127.128.1.0/24');
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'node-1', disk: 'ssd' });
    expect(node.status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: '127.1.0.1' });
    const health = await c.bus.request<{ ready: boolean; node: string }>(subjects.control('kubelet-node-1', 'health'), {});
    expect(health).toMatchObject({ ready: true, node: 'node-1', name: 'kubelet-node-1' });
    const beats: { node: string; sentAt: number; seq: number }[] = [];
    const sub = c.bus.subscribe<{ node: string; sentAt: number; seq: number }>(subjects.node.heartbeat('node-1'), (b) => beats.push(b));
    try {
      await eventually(() => beats.length >= 2, { timeoutMs: 5000, message: 'two heartbeats' });
      expect(beats[1].seq).toBe(beats[0].seq + 1);
      expect(beats[0].node).toBe('node-1');
      expect(typeof beats[0].sentAt).toBe('number');
    } finally {
      sub.unsubscribe();
    }
  });

  it('runs a pod bound through the binding subresource: Running, IP from the CIDR, conditions, events', async () => {
    await bind('kubia-manual', 'node-1');
    const p = await eventually(
      async () => {
        const x = await get('kubia-manual');
        if (x.status?.phase !== 'Running' || !x.status.conditions?.some((k) => k.type === 'Ready' && k.status === 'True')) throw new Error(`phase ${x.status?.phase}`);
        return x;
      },
      { timeoutMs: 10_000, message: 'pod Running and Ready' },
    );
    expect(p.status?.podIP).toMatch(/^127\.128\.1\.\d+$/);
    expect(p.status?.hostIP).toBe('127.1.0.1');
    expect(p.status?.conditions?.map((k) => k.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    expect(p.status?.qosClass).toBe('BestEffort');
    expect(p.status?.containerStatuses?.[0]).toMatchObject({ name: 'kubia', ready: true, started: true, restartCount: 0, state: { running: {} } });
    await eventually(async () => {
      const events = await api.list<any>(EVENTS, 'default', { fieldSelector: 'involvedObject.name=kubia-manual' });
      const reasons = events.items.map((e: any) => e.reason);
      expect(reasons).toEqual(expect.arrayContaining(['Pulling', 'Pulled', 'Created', 'Started']));
      expect(events.items.every((e: any) => e.source?.component === 'kubelet' && e.source?.host === 'node-1')).toBe(true);
    });
  });

  it('deletes a pod through graceful termination: Terminating, containers stopped, then gone', async () => {
    await bind('to-delete', 'node-1');
    await eventually(async () => (await get('to-delete')).status?.phase === 'Running', { timeoutMs: 10_000 });
    const uid = (await get('to-delete')).metadata.uid!;
    const runtime = host!.kubelets[0].runtime;
    expect(runtime.containersOf(uid)).toHaveLength(1);
    const marked = (await api.delete(PODS, 'default', 'to-delete')) as Pod;
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    await eventually(
      async () => {
        try {
          await get('to-delete');
          return false;
        } catch (err) {
          return (err as { reason?: string }).reason === 'NotFound';
        }
      },
      { timeoutMs: 10_000, message: 'pod gone from the API' },
    );
    expect(runtime.containersOf(uid)).toEqual([]);
    const events = await api.list<any>(EVENTS, 'default', { fieldSelector: 'involvedObject.name=to-delete' });
    expect(events.items.map((e: any) => e.reason)).toContain('Killing');
  });

  it('shows CrashLoopBackOff for a crashing container', async () => {
    await bind('crasher', 'node-1', 'kubemu/crasher');
    const cs = await eventually(
      async () => {
        const s = (await get('crasher')).status?.containerStatuses?.[0];
        if (s?.state?.waiting?.reason !== 'CrashLoopBackOff') throw new Error(JSON.stringify(s?.state));
        return s;
      },
      { timeoutMs: 15_000, message: 'CrashLoopBackOff' },
    );
    expect(cs.restartCount).toBeGreaterThanOrEqual(1);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(cs.state?.waiting?.message).toMatch(/^back-off \d+s restarting failed container=kubia pod=crasher_default\(/);
  });

  it('shows ErrImagePull, then ImagePullBackOff, for an unknown image', async () => {
    await bind('no-such-image', 'node-1', 'docker.io/nobody/no-such-image:1');
    const reasons = new Set<string>();
    await eventually(
      async () => {
        const r = (await get('no-such-image')).status?.containerStatuses?.[0]?.state?.waiting?.reason;
        if (r) reasons.add(r);
        return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
      },
      { timeoutMs: 10_000, intervalMs: 100, message: 'ErrImagePull and ImagePullBackOff both seen' },
    );
    expect((await get('no-such-image')).status?.phase).toBe('Pending');
  });

  it('hosts 100 simulated nodes in one process, all registered and Ready', async () => {
    const many = start(['--simulated-nodes', '100', '--node-prefix', 'sim']);
    try {
      await eventually(() => many.ready(), { timeoutMs: 60_000, intervalMs: 250, message: '100 simulated nodes ready' });
      const nodes = await api.list<Node>(NODES, undefined);
      const sims = nodes.items.filter((n) => n.metadata.name?.startsWith('sim-'));
      expect(sims).toHaveLength(100);
      expect(sims.every((n) => n.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True')).toBe(true);
      expect(new Set(sims.map((n) => n.spec?.podCIDR)).size).toBe(100);
      const health = await c.bus.request<{ ready: boolean; nodes: number }>(subjects.control('kubelet-sim', 'health'), {});
      expect(health).toMatchObject({ ready: true, nodes: 100 });
      await bind('on-sim', 'sim-42');
      await eventually(async () => (await get('on-sim')).status?.phase === 'Running', { timeoutMs: 10_000, message: 'pod on sim-42 Running' });
      expect((await get('on-sim')).status?.hostIP).toBe(many.kubelets[41].agent.name === 'sim-42' ? '127.1.4.18' : 'unexpected');
    } finally {
      await many.stop();
    }
  });

  describe('with the process runtime (real child processes)', () => {
    let real: KubeletHost | undefined;
    beforeAll(async () => {
      real = start(['--node-name', 'node-2', '--runtime', 'process']);
      await eventually(() => real!.ready(), { timeoutMs: 20_000, message: 'node-2 ready' });
    });
    afterAll(async () => {
      await real?.stop();
    });

    it('runs kubia: Ready through its readiness probe, answering on its own pod IP', async () => {
      await bind('kubia-real', 'node-2', undefined, (p) => {
        p.spec.containers[0].readinessProbe = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 };
      });
      const p = await eventually(
        async () => {
          const x = await get('kubia-real');
          if (!x.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True')) throw new Error(JSON.stringify(x.status?.containerStatuses?.[0]?.state));
          return x;
        },
        { timeoutMs: 15_000, message: 'kubia Ready' },
      );
      const cidr = (await api.get<Node>(NODES, undefined, 'node-2')).spec!.podCIDR!;
      expect(p.status?.podIP?.split('.').slice(0, 3).join('.')).toBe(cidr.split('.').slice(0, 3).join('.'));
      const text = await (await fetch(`http://${p.status!.podIP}:8080/`)).text();
      expect(text).toBe("You've hit kubia-real\n");
      expect(p.status?.containerStatuses?.[0].containerID).toMatch(/^process:\/\//);
    });

    it('restarts a container whose liveness probe fails (kubia-unhealthy answers 500 after five requests)', async () => {
      await bind('unhealthy', 'node-2', 'luksa/kubia-unhealthy', (p) => {
        p.spec.containers[0].livenessProbe = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1, failureThreshold: 3 };
      });
      await eventually(async () => ((await get('unhealthy')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, { timeoutMs: 25_000, message: 'a liveness restart' });
      const events = await api.list<any>(EVENTS, 'default', { fieldSelector: 'involvedObject.name=unhealthy' });
      const messages = events.items.map((e: any) => e.message);
      expect(messages).toContain('Liveness probe failed: HTTP probe failed with statuscode: 500');
      expect(messages).toContain('Container kubia failed liveness probe, will be restarted');
    });

    it('stops the container process when the pod is deleted', async () => {
      const uid = (await get('kubia-real')).metadata.uid!;
      const runtime = real!.kubelets[0].runtime;
      const pid = runtime.containersOf(uid).at(-1)?.pid;
      expect(pid).toBeGreaterThan(0);
      await api.delete(PODS, 'default', 'kubia-real');
      await eventually(
        async () => {
          try {
            await get('kubia-real');
            return false;
          } catch {
            return true;
          }
        },
        { timeoutMs: 15_000, message: 'kubia-real gone' },
      );
      expect(() => process.kill(pid!, 0)).toThrow();
    });
  });
});
