/**
 * The HPA controller against a real api-server (nats-server, store process, api-server): an HPA
 * created through autoscaling/v1, as `kubectl autoscale` creates it, scales a Deployment on the
 * usage that kubelet-style summaries on the bus put into metrics.k8s.io — up above the target, back
 * down after the stabilisation window — and its status reads the same through v1 and v2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HorizontalPodAutoscaler } from '../../shared/api/autoscaling.js';
import type { NodeMetricsSummary } from '../../shared/api/metrics.js';
import type { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { subjects } from '../../shared/nats/subjects.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { PROFILES } from '../../shared/runtime/profile.js';
import { Controller } from '../../shared/controller/controller.js';
import { createContext } from '../../services/controller-manager/context.js';
import { HeartbeatTracker } from '../../services/controller-manager/heartbeats.js';
import { HorizontalPodAutoscalerController, HPAS } from '../../services/controller-manager/hpa/hpa-controller.js';
import { apiResourceMetrics } from '../../services/controller-manager/hpa/metrics-client.js';
import { hpaSettingsFor } from '../../services/controller-manager/hpa/settings.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';

const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const PODS = '/api/v1/namespaces/default/pods';
const settings = hpaSettingsFor({ name: 'default' }, { syncPeriodMs: 300, downscaleStabilizationMs: 2000 });

let c: ApiCluster;
let api: NatsApiClient;
const abort = new AbortController();
let usage = 0; // millicores per pod, published as kubelets would
let publisher: NodeJS.Timeout | undefined;
const uids = new Map<string, string>();

async function runningPod(name: string): Promise<void> {
  const created = await c.http('POST', PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'burner' } },
    spec: { containers: [{ name: 'burner', image: 'kubemu/cpu-burner', resources: { requests: { cpu: '200m' } } }] },
  });
  uids.set(name, created.json.metadata.uid);
  const long = new Date(Date.now() - 600_000).toISOString();
  const cur = created.json;
  cur.status = { phase: 'Running', startTime: long, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: long }] };
  expect((await c.http('PUT', `${PODS}/${name}/status`, cur)).status).toBe(200);
}

function publish(): void {
  const summary: NodeMetricsSummary = {
    node: 'node-1',
    timestamp: new Date().toISOString(),
    windowMs: 200,
    intervalMs: 200,
    usage: { cpuMillicores: usage * uids.size, memoryBytes: 1 << 20 },
    pods: [...uids].map(([name, uid]) => ({ namespace: 'default', name, uid, containers: [{ name: 'burner', cpuMillicores: usage, memoryBytes: 1 << 20 }] })),
  };
  c.bus.publish(subjects.node.metrics('node-1'), summary);
}

beforeAll(async () => {
  c = await startApiCluster();
  api = c.client('hpa-test');
  const ctx = createContext({ api, clock: realClock, log: silentLogger(), profile: PROFILES.default, heartbeats: new HeartbeatTracker(realClock) });
  const hpas = ctx.informer<HorizontalPodAutoscaler>(HPAS);
  const reconciler = new HorizontalPodAutoscalerController({ api, hpas, pods: ctx.pods(), metrics: apiResourceMetrics(api), recorder: ctx.recorder('horizontal-pod-autoscaler'), clock: realClock, settings });
  const controller = new Controller({ name: 'hpa', reconciler, clock: realClock }).watch(hpas);
  void controller.run(abort.signal);
  ctx.informers.start(abort.signal);
  // The metrics feed: a real timer standing in for a kubelet's publishing loop.
  publisher = setInterval(publish, 200);
});
afterAll(async () => {
  if (publisher) clearInterval(publisher);
  abort.abort();
  await c?.dispose();
});

const replicas = async (): Promise<number> => (await c.http('GET', `${DEPLOY}/burner/scale`)).json.spec.replicas;

describe('HPA controller with a real api-server', () => {
  it('scales a Deployment up on CPU above target and back down after the stabilisation window', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'burner' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'burner' } }, template: { metadata: { labels: { app: 'burner' } }, spec: { containers: [{ name: 'burner', image: 'kubemu/cpu-burner' }] } } },
    };
    expect((await c.http('POST', DEPLOY, dep)).status).toBe(201);
    await runningPod('burner-a');
    await runningPod('burner-b');
    usage = 180; // 90% of the 200m request
    const hpa = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'burner' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'burner' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
    };
    expect((await c.http('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', hpa)).status).toBe(201);

    await eventually(async () => expect(await replicas()).toBe(4), { timeoutMs: 10_000 });
    const v2 = await eventually(async () => {
      const h = (await c.http('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/burner')).json;
      expect(h.status.desiredReplicas).toBe(4);
      return h;
    });
    expect(v2.status.currentMetrics[0]).toEqual({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '180m' } } });
    const v1 = (await c.http('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/burner')).json;
    expect(v1.status).toMatchObject({ desiredReplicas: 4, currentCPUUtilizationPercentage: 90 });
    const events = (await c.http('GET', '/api/v1/namespaces/default/events?fieldSelector=reason%3DSuccessfulRescale')).json.items;
    expect(events.map((e: any) => e.message)).toContain('New size: 4; reason: cpu resource utilization (percentage of request) above target');

    usage = 10; // 5%
    await eventually(async () => expect(await replicas()).toBe(1), { timeoutMs: 15_000 });
    const table = (await c.http('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json;
    expect(table.rows[0].cells.slice(0, 5)).toEqual(['burner', 'Deployment/burner', 'cpu: 5%/50%', '1', 5]);
  });
});
