/**
 * Resource metrics from the kubelet to the API: the kubelet's summary of its running containers
 * (collectSummary, the publisher's ticks and windows) and the api-server's aggregation of summaries
 * into metrics.k8s.io objects (latest wins, stale nodes forgotten, pods by uid, quantity formats).
 */
import { describe, expect, it } from 'vitest';
import { collectSummary, startMetricsPublisher, type RunningPods } from '../../services/kubelet/metrics.js';
import { MetricsSummaries } from '../../services/api-server/metrics/summaries.js';
import { goDuration, nodeMetricsOf, podMetricsOf, usageQuantities } from '../../services/api-server/metrics/metrics-api.js';
import type { NodeMetricsSummary } from '../../shared/api/metrics.js';
import type { Node, Pod } from '../../shared/api/core.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { subjects } from '../../shared/nats/subjects.js';
import { SimulatedRuntime } from '../../services/kubelet/runtime/simulated.js';

const pods: RunningPods = {
  list: () => [
    {
      uid: 'u1',
      namespace: 'default',
      name: 'kubia-1',
      containers: [
        { name: 'init', init: true, running: false, containerId: 'c0' },
        { name: 'kubia', init: false, running: true, containerId: 'c1' },
        { name: 'sidecar', init: false, running: true, containerId: 'c2' },
      ],
    },
    { uid: 'u2', namespace: 'default', name: 'crashing', containers: [{ name: 'c', init: false, running: false }] },
  ],
};
const usage = (id: string) => ({ c0: { cpuMillicores: 999, memoryBytes: 999 }, c1: { cpuMillicores: 120, memoryBytes: 10_000 }, c2: { cpuMillicores: 5, memoryBytes: 2048 } })[id];

describe('kubelet: resource metrics summary', () => {
  it('takes a simulated container\'s usage from its env (1m and 8 MiB by default)', async () => {
    const rt = new SimulatedRuntime({ clock: new FakeClock(), random: () => 0 });
    const sandbox = await rt.runPodSandbox({ podUid: 'p', namespace: 'default', name: 'p', ip: '127.244.1.2', hostname: 'p', volumes: [] });
    const base = { podUid: 'p', image: 'kubemu/cpu-burner', ports: [], mounts: [], attempt: 0 };
    const busy = await rt.startContainer(sandbox, { ...base, name: 'busy', env: { KUBEMU_SIM_CPU_MILLICORES: '450', KUBEMU_SIM_MEMORY_BYTES: '1048576' } });
    const idle = await rt.startContainer(sandbox, { ...base, name: 'idle', env: {} });
    expect(rt.usage(busy.id)).toEqual({ cpuMillicores: 450, memoryBytes: 1048576 });
    expect(rt.usage(idle.id)).toEqual({ cpuMillicores: 1, memoryBytes: 8 * 1024 * 1024 });
    await rt.stopPodSandbox('p');
    expect(rt.usage(busy.id)).toBeUndefined();
  });

  it('measures only running containers and sums them (plus the kubelet itself) into the node', () => {
    const s = collectSummary({ node: 'node-1', runtime: { usage }, pods, now: Date.UTC(2026, 0, 1), windowMs: 2000, intervalMs: 2000, self: { cpuMillicores: 30, memoryBytes: 50_000 } });
    expect(s.pods).toEqual([
      { namespace: 'default', name: 'kubia-1', uid: 'u1', containers: [{ name: 'kubia', cpuMillicores: 120, memoryBytes: 10_000 }, { name: 'sidecar', cpuMillicores: 5, memoryBytes: 2048 }] },
      { namespace: 'default', name: 'crashing', uid: 'u2', containers: [] },
    ]);
    expect(s.usage).toEqual({ cpuMillicores: 155, memoryBytes: 62_048 });
    expect(s).toMatchObject({ node: 'node-1', timestamp: '2026-01-01T00:00:00.000Z', windowMs: 2000 });
  });

  it('publishes on its node subject every interval, the window being the time since the last summary', () => {
    const clock = new FakeClock();
    const sent: { subject: string; body: NodeMetricsSummary }[] = [];
    const p = startMetricsPublisher({ bus: { publish: (subject, body) => sent.push({ subject, body: body as NodeMetricsSummary }) }, clock, log: silentLogger(), nodeName: 'node-1', runtime: { usage }, pods, intervalMs: 2000 });
    clock.advance(1999);
    expect(sent).toHaveLength(0);
    clock.advance(1);
    clock.advance(500);
    p.publishNow();
    expect(sent.map((m) => [m.subject, m.body.windowMs])).toEqual([
      [subjects.node.metrics('node-1'), 2000],
      [subjects.node.metrics('node-1'), 500],
    ]);
    p.stop();
    clock.advance(10_000);
    expect(sent).toHaveLength(2);
  });
});

const summary = (over: Partial<NodeMetricsSummary> = {}): NodeMetricsSummary => ({
  node: 'node-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  windowMs: 2000,
  intervalMs: 2000,
  usage: { cpuMillicores: 1500, memoryBytes: 3 * 1024 * 1024 },
  pods: [{ namespace: 'default', name: 'kubia-1', uid: 'u1', containers: [{ name: 'kubia', cpuMillicores: 120, memoryBytes: 10_240 }] }],
  ...over,
});

describe('api-server: metrics aggregation', () => {
  it('keeps the latest summary per node and ignores older or malformed ones', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const m = new MetricsSummaries(clock);
    expect(m.accept(summary())).toBe(true);
    expect(m.accept(summary({ timestamp: '2025-12-31T23:59:59.000Z', usage: { cpuMillicores: 1, memoryBytes: 1 } }))).toBe(false);
    expect(m.accept({ node: 'x' })).toBe(false);
    expect(m.accept('garbage')).toBe(false);
    expect(m.accept(summary({ pods: [{ namespace: 'default', name: 'x', uid: 'u9' } as never] }))).toBe(false);
    expect(m.accept(summary({ usage: { cpuMillicores: 'lots' as never, memoryBytes: 1 } }))).toBe(false);
    expect(m.node('node-1')?.usage.cpuMillicores).toBe(1500);
  });

  it('forgets a node after three missed intervals (at least 5 s), and its pods with it', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const m = new MetricsSummaries(clock);
    m.accept(summary({ intervalMs: 2000 }));
    clock.advance(5999);
    expect(m.pods().has('u1')).toBe(true);
    clock.advance(2);
    expect(m.pods().has('u1')).toBe(false);
    expect(m.nodes().size).toBe(0);
    m.accept(summary({ timestamp: '2026-01-01T00:00:10.000Z', intervalMs: 15_000 }));
    clock.advance(44_000);
    expect(m.node('node-1')).toBeDefined();
    clock.advance(1001);
    expect(m.node('node-1')).toBeUndefined();
  });

  it('takes a pod reported by two nodes (it moved) from the fresher summary', () => {
    const m = new MetricsSummaries(new FakeClock(Date.UTC(2026, 0, 1)));
    m.accept(summary());
    m.accept(summary({ node: 'node-2', timestamp: '2026-01-01T00:00:01.000Z', pods: [{ namespace: 'default', name: 'kubia-1', uid: 'u1', containers: [{ name: 'kubia', cpuMillicores: 7, memoryBytes: 1 }] }] }));
    expect(m.pods().get('u1')?.summary.node).toBe('node-2');
  });

  it('renders metrics.k8s.io objects with DecimalSI cpu, Ki memory, a Go duration window and live labels', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 5));
    const m = new MetricsSummaries(clock);
    m.accept(summary());
    const pod = { metadata: { name: 'kubia-1', namespace: 'default', uid: 'u1', labels: { app: 'kubia' } }, spec: { containers: [] } } as Pod;
    expect(podMetricsOf(pod, { summaries: m, clock })).toEqual({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'kubia-1', namespace: 'default', creationTimestamp: '2026-01-01T00:00:05Z', labels: { app: 'kubia' } },
      timestamp: '2026-01-01T00:00:00.000Z',
      window: '2s',
      containers: [{ name: 'kubia', usage: { cpu: '120m', memory: '10Ki' } }],
    });
    expect(podMetricsOf({ ...pod, metadata: { ...pod.metadata, uid: 'other' } }, { summaries: m, clock })).toBeUndefined();
    const node = { metadata: { name: 'node-1' } } as Node;
    expect(nodeMetricsOf(node, m.node('node-1')!, clock).usage).toEqual({ cpu: '1500m', memory: '3072Ki' });
    expect(usageQuantities({ cpuMillicores: 2000, memoryBytes: 0 })).toEqual({ cpu: '2', memory: '0Ki' });
    expect([goDuration(2000), goDuration(2500), goDuration(15_009), goDuration(75_000), goDuration(300)]).toEqual(['2s', '2.5s', '15.009s', '1m15s', '300ms']);
  });
});
