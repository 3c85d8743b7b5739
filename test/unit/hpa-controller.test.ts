/**
 * The HorizontalPodAutoscaler controller against the fake API on a fake clock, with injected
 * metrics: it scales a Deployment up with Kubernetes' event and conditions, holds a scale-down for
 * the stabilisation window, then scales down; it reports an unreachable target, a target scaled to
 * zero and missing metrics as Kubernetes does; it syncs each HPA once per period however often the
 * HPA changes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment, Scale } from '../../shared/api/apps.js';
import type { HorizontalPodAutoscaler } from '../../shared/api/autoscaling.js';
import type { Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { Controller } from '../../shared/controller/controller.js';
import { isoTime } from '../../shared/runtime/clock.js';
import { HorizontalPodAutoscalerController, HPAS } from '../../services/controller-manager/hpa/hpa-controller.js';
import { MetricsError, type PodMetricsInfo } from '../../services/controller-manager/hpa/replica-calculator.js';
import type { ResourceMetricsClient } from '../../services/controller-manager/hpa/metrics-client.js';
import { hpaSettingsFor } from '../../services/controller-manager/hpa/settings.js';
import { startHarness, PODS, type Harness } from '../support/controller-harness.js';

const DEPLOYMENTS = resourceByPlural('deployments');
const settings = hpaSettingsFor({ name: 'default' }); // sync 3 s, downscale window 15 s

function deployment(name: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'kubemu/cpu-burner' }] } } },
  };
}

function hpa(name: string, target: string, opts: { min?: number; max?: number; cpu?: number } = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: opts.min ?? 1,
      maxReplicas: opts.max ?? 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: opts.cpu ?? 50 } } }],
    },
    status: { desiredReplicas: 0 },
  };
}

describe('HPA settings', () => {
  it("takes Kubernetes' values under the kubernetes profile, faster ones by default, overrides over both", () => {
    expect(hpaSettingsFor({ name: 'kubernetes' })).toEqual({ syncPeriodMs: 15_000, downscaleStabilizationMs: 300_000, tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000 });
    expect(hpaSettingsFor({ name: 'default' })).toMatchObject({ syncPeriodMs: 3000, downscaleStabilizationMs: 15_000 });
    expect(hpaSettingsFor({ name: 'default' }, { downscaleStabilizationMs: 60_000, tolerance: undefined })).toMatchObject({ downscaleStabilizationMs: 60_000, tolerance: 0.1 });
  });
});

describe('HPA controller', () => {
  let h: Harness;
  let usage: Record<string, number>;
  let metricsDown: boolean;

  const metrics: ResourceMetricsClient = {
    async resourceMetric() {
      if (metricsDown) throw new MetricsError('no metrics returned from resource metrics API');
      const at = h.clock.now() - 1000;
      const m: PodMetricsInfo = new Map(Object.entries(usage).map(([n, v]) => [n, { value: v, timestamp: at, windowMs: 2000 }]));
      return { metrics: m, timestamp: at };
    },
  };

  async function addPod(name: string, app: string): Promise<void> {
    const long = isoTime({ now: () => h.clock.now() - 600_000 } as never);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app } },
      spec: { containers: [{ name: 'c', image: 'kubemu/cpu-burner', resources: { requests: { cpu: '200m' } } }] },
      status: { phase: 'Running', startTime: long, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: long }] },
    };
    await h.api.create(PODS, 'default', pod);
  }

  const replicas = async (name: string): Promise<number> => (await h.api.get<Scale>(DEPLOYMENTS, 'default', name, 'scale')).spec.replicas ?? 0;
  const status = async (name: string) => (await h.api.get<HorizontalPodAutoscaler>(HPAS, 'default', name)).status!;
  const condition = async (name: string, type: string) => (await status(name)).conditions?.find((c) => c.type === type);

  beforeEach(async () => {
    h = await startHarness();
    usage = {};
    metricsDown = false;
    const reconciler = new HorizontalPodAutoscalerController({
      api: h.api,
      hpas: h.ctx.informer<HorizontalPodAutoscaler>(HPAS),
      pods: h.ctx.pods(),
      metrics,
      recorder: h.ctx.recorder('horizontal-pod-autoscaler'),
      clock: h.clock,
      settings,
    });
    const controller = new Controller({ name: 'hpa', reconciler, clock: h.clock }).watch(h.ctx.informer<HorizontalPodAutoscaler>(HPAS));
    h.run({ name: 'hpa', needLeaderElection: false, run: (s) => controller.run(s) });
  });
  afterEach(() => h.stop());

  it('scales up on CPU above target, with the SuccessfulRescale event and conditions', async () => {
    await h.api.create(DEPLOYMENTS, 'default', deployment('burner', 2));
    await addPod('burner-a', 'burner');
    await addPod('burner-b', 'burner');
    usage = { 'burner-a': 180, 'burner-b': 180 }; // 90% of 200m
    await h.api.create(HPAS, 'default', hpa('burner', 'burner'));
    await h.advance(200);
    expect(await replicas('burner')).toBe(4);
    const events = await h.events('SuccessfulRescale');
    expect(events.map((e) => e.message)).toEqual(['New size: 4; reason: cpu resource utilization (percentage of request) above target']);
    expect(events[0]).toMatchObject({ involvedObject: { kind: 'HorizontalPodAutoscaler', name: 'burner' }, source: { component: 'horizontal-pod-autoscaler' } });
    const s = await status('burner');
    expect(s).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 4,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '180m' } } }],
    });
    expect(Date.parse(s.lastScaleTime!)).toBeLessThanOrEqual(h.clock.now());
    expect(s.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['AbleToScale', 'True', 'SucceededRescale'],
      ['ScalingActive', 'True', 'ValidMetricFound'],
      ['ScalingLimited', 'False', 'DesiredWithinRange'],
    ]);
    expect((await condition('burner', 'ScalingActive'))?.message).toBe('the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
  });

  it('holds a scale-down for the stabilisation window, then goes to minReplicas', async () => {
    await h.api.create(DEPLOYMENTS, 'default', deployment('burner', 3));
    for (const n of ['a', 'b', 'c']) await addPod(`burner-${n}`, 'burner');
    usage = { 'burner-a': 100, 'burner-b': 100, 'burner-c': 100 }; // 50%: on target
    await h.api.create(HPAS, 'default', hpa('burner', 'burner'));
    await h.advance(200);
    expect(await replicas('burner')).toBe(3);
    usage = { 'burner-a': 2, 'burner-b': 2, 'burner-c': 2 };
    await h.advance(settings.syncPeriodMs * 2);
    expect(await replicas('burner')).toBe(3);
    expect((await condition('burner', 'AbleToScale'))?.reason).toBe('ScaleDownStabilized');
    await h.advance(settings.downscaleStabilizationMs, 100);
    expect(await replicas('burner')).toBe(1);
    expect((await h.events('SuccessfulRescale')).map((e) => e.message)).toEqual(['New size: 1; reason: All metrics below target']);
  });

  it('reports a scale target it cannot read', async () => {
    await h.api.create(HPAS, 'default', hpa('ghost', 'nothere'));
    await h.advance(200);
    const c = await condition('ghost', 'AbleToScale');
    expect(c).toMatchObject({ status: 'False', reason: 'FailedGetScale' });
    expect(c?.message).toContain("the HPA controller was unable to get the target's current scale: ");
    expect(c?.message).toContain('"nothere" not found');
    expect(await h.events('FailedGetScale')).toHaveLength(1);
  });

  it('leaves a target scaled to zero alone', async () => {
    await h.api.create(DEPLOYMENTS, 'default', deployment('idle', 0));
    await h.api.create(HPAS, 'default', hpa('idle', 'idle'));
    await h.advance(200);
    expect(await replicas('idle')).toBe(0);
    expect(await condition('idle', 'ScalingActive')).toMatchObject({ status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
  });

  it('brings a target outside min/max back inside without metrics', async () => {
    await h.api.create(DEPLOYMENTS, 'default', deployment('big', 9));
    metricsDown = true;
    await h.api.create(HPAS, 'default', hpa('big', 'big', { max: 5 }));
    await h.advance(200);
    expect(await replicas('big')).toBe(5);
    expect((await h.events('SuccessfulRescale'))[0].message).toBe('New size: 5; reason: Current number of replicas above Spec.MaxReplicas');
  });

  it('reports missing metrics as Kubernetes does and keeps the size', async () => {
    await h.api.create(DEPLOYMENTS, 'default', deployment('blind', 2));
    await addPod('blind-a', 'blind');
    metricsDown = true;
    await h.api.create(HPAS, 'default', hpa('blind', 'blind'));
    await h.advance(200);
    expect(await replicas('blind')).toBe(2);
    const c = await condition('blind', 'ScalingActive');
    expect(c).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
    expect(c?.message).toBe('the HPA was unable to compute the replica count: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
    const failed = await h.events('FailedComputeMetricsReplicas');
    expect(failed[0].message).toBe('invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
    expect((await status('blind')).currentReplicas).toBe(2);
  });

  it('syncs an HPA once per period, however often it changes', async () => {
    await h.api.create(DEPLOYMENTS, 'default', deployment('burner', 1));
    await addPod('burner-a', 'burner');
    usage = { 'burner-a': 100 };
    let scaleReads = 0;
    h.api.reactor((call) => {
      if (call.subresource === 'scale' && call.verb === 'get') scaleReads++;
    });
    await h.api.create(HPAS, 'default', hpa('burner', 'burner'));
    await h.advance(100);
    for (let i = 0; i < 5; i++) {
      await h.api.patch(HPAS, 'default', 'burner', 'merge', { metadata: { labels: { touch: String(i) } } });
      await h.advance(100);
    }
    expect(scaleReads).toBe(1);
    await h.advance(settings.syncPeriodMs);
    expect(scaleReads).toBe(2);
  });
});
