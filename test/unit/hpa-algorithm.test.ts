/**
 * The HPA's arithmetic, as Kubernetes does it: the replica calculator (utilisation, tolerance,
 * missing and unready pods, the CPU initialisation period, plain averages) and the normalisation
 * after it (stabilisation windows, the default scale-up limit, behaviour policies), on a fake clock.
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { plainMetricReplicas, resourceReplicas, type PodMetricsInfo } from '../../services/controller-manager/hpa/replica-calculator.js';
import { normalizeDesiredReplicas, normalizeWithBehaviors, ScaleHistory, storeScaleEvent } from '../../services/controller-manager/hpa/normalize.js';
import type { HorizontalPodAutoscalerBehavior } from '../../shared/api/autoscaling.js';

const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
const NOW = clock.now();
const iso = (ms: number): string => new Date(ms).toISOString();
const settings = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000 };

function pod(name: string, opts: { request?: string | null; phase?: NonNullable<Pod['status']>['phase']; ready?: 'True' | 'False'; startedAgoMs?: number; readySinceAgoMs?: number; deleting?: boolean } = {}): Pod {
  const started = NOW - (opts.startedAgoMs ?? 600_000);
  return {
    metadata: { name, namespace: 'default', ...(opts.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { containers: [{ name: 'c', image: 'x', resources: opts.request === null ? {} : { requests: { cpu: opts.request ?? '100m' } } }] },
    status: {
      phase: opts.phase ?? 'Running',
      startTime: iso(started),
      conditions: [{ type: 'Ready', status: opts.ready ?? 'True', lastTransitionTime: iso(NOW - (opts.readySinceAgoMs ?? 590_000)) }],
    },
  } as Pod;
}

function metrics(values: Record<string, number>, ageMs = 1000): PodMetricsInfo {
  return new Map(Object.entries(values).map(([n, v]) => [n, { value: v, timestamp: NOW - ageMs, windowMs: 15_000 }]));
}

const calc = (pods: Pod[], m: PodMetricsInfo, currentReplicas: number, targetUtilization: number) =>
  resourceReplicas({ currentReplicas, resource: 'cpu', pods, metrics: m, settings, now: NOW, targetUtilization });

describe('replica calculator: resource utilisation', () => {
  it('scales to ceil(ready pods × utilisation / target)', () => {
    const r = calc([pod('a', { request: '1' }), pod('b', { request: '1' }), pod('c', { request: '1' })], metrics({ a: 800, b: 900, c: 1000 }), 3, 30);
    expect(r).toEqual({ replicas: 9, utilization: 90, rawUtilization: 900 });
    expect(calc([pod('a'), pod('b'), pod('c')], metrics({ a: 20, b: 20, c: 20 }), 3, 50).replicas).toBe(2);
  });

  it('changes nothing within the 10% tolerance', () => {
    expect(calc([pod('a'), pod('b')], metrics({ a: 52, b: 52 }), 2, 50)).toEqual({ replicas: 2, utilization: 52, rawUtilization: 52 });
  });

  it('counts missing pods as 0% on a scale-up and as their full request on a scale-down', () => {
    const up = calc([pod('a'), pod('b'), pod('c')], metrics({ a: 100, b: 100 }), 3, 50);
    expect(up.replicas).toBe(4); // (100+100+0)/300 = 66% → 1.32 × 3
    expect(up.utilization).toBe(100);
    const down = calc([pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 10, b: 10, c: 10 }), 4, 50);
    expect(down.replicas).toBe(3); // (30+100)/400 = 32% → 0.64 × 4
    // Missing pods that flip the direction: keep the current count.
    expect(calc([pod('a'), pod('b')], metrics({ a: 40 }), 2, 50).replicas).toBe(2);
  });

  it('counts unready (and Pending) pods as 0% on a scale-up only', () => {
    const pods = [pod('a'), pod('b'), pod('p', { phase: 'Pending' })];
    expect(calc(pods, metrics({ a: 100, b: 100 }), 3, 50).replicas).toBe(4);
    // Scaling down, unready pods are simply left out.
    expect(calc([pod('a'), pod('b'), pod('u', { ready: 'False', readySinceAgoMs: 1000, startedAgoMs: 2000 })], metrics({ a: 10, b: 10, u: 90 }), 3, 50).replicas).toBe(1);
  });

  it('ignores pods being deleted or failed', () => {
    const pods = [pod('a'), pod('gone', { deleting: true }), pod('dead', { phase: 'Failed' })];
    expect(calc(pods, metrics({ a: 100, gone: 100, dead: 100 }), 3, 50).replicas).toBe(2);
  });

  it('distrusts CPU samples taken less than a window after readiness within the initialisation period', () => {
    const fresh = pod('new', { startedAgoMs: 20_000, readySinceAgoMs: 5000 });
    // Sampled 1 s ago, window 15 s, ready since 5 s: the sample still covers start-up → unready.
    // a alone is at 2× the target; the new pod counts as 0 → (100 + 0) / 200 = 50%: on target, no change.
    const r = calc([pod('a'), fresh], metrics({ a: 100, new: 500 }), 2, 50);
    expect(r).toEqual({ replicas: 2, utilization: 100, rawUtilization: 100 });
    // Once a full window has passed since it became ready, its sample counts.
    const settled = pod('new', { startedAgoMs: 40_000, readySinceAgoMs: 30_000 });
    expect(calc([pod('a'), settled], metrics({ a: 100, new: 500 }), 2, 50).replicas).toBe(12);
  });

  it('refuses without pods, without samples, or when a container requests nothing', () => {
    expect(() => calc([], metrics({}), 1, 50)).toThrow('no pods returned by selector while calculating replica count');
    expect(() => calc([pod('p', { phase: 'Pending' })], metrics({}), 1, 50)).toThrow('did not receive metrics for targeted pods (pods might be unready)');
    expect(() => calc([pod('a', { request: null })], metrics({ a: 1 }), 1, 50)).toThrow('missing request for cpu in container c of Pod a');
  });
});

describe('replica calculator: plain averages', () => {
  it('scales on the average value per pod', () => {
    const pods = [pod('a'), pod('b')];
    const r = plainMetricReplicas({ currentReplicas: 2, resource: 'memory', pods, metrics: metrics({ a: 300_000, b: 100_000 }), settings, now: NOW, targetUsage: 100_000 });
    expect(r).toEqual({ replicas: 4, usage: 200_000 });
  });
});

function recorder() {
  const conditions = new Map<string, [string, string, string]>();
  return { conditions, set: (t: string, s: string, r: string, m: string) => conditions.set(t, [s, r, m]) };
}

describe('normalisation without behaviour (autoscaling/v1 HPAs)', () => {
  it('limits a scale-up to max(2 × current, 4), then to maxReplicas', () => {
    const c = recorder();
    const n = (current: number, desired: number, max: number) => normalizeDesiredReplicas({ history: new ScaleHistory(), currentReplicas: current, desiredReplicas: desired, minReplicas: 1, maxReplicas: max, now: NOW, downscaleWindowMs: 300_000, setCondition: c.set });
    expect(n(1, 10, 10)).toBe(4);
    expect(c.conditions.get('ScalingLimited')).toEqual(['True', 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
    expect(n(4, 10, 5)).toBe(5);
    expect(c.conditions.get('ScalingLimited')?.[1]).toBe('TooManyReplicas');
    expect(n(2, 0, 5)).toBe(1);
    expect(c.conditions.get('ScalingLimited')?.slice(0, 2)).toEqual(['True', 'TooFewReplicas']);
    expect(n(2, 3, 5)).toBe(3);
    expect(c.conditions.get('ScalingLimited')).toEqual(['False', 'DesiredWithinRange', 'the desired count is within the acceptable range']);
  });

  it('scales down only to the highest recommendation of the stabilisation window', () => {
    const c = recorder();
    const history = new ScaleHistory();
    const at = (ms: number, current: number, desired: number) =>
      normalizeDesiredReplicas({ history, currentReplicas: current, desiredReplicas: desired, minReplicas: 1, maxReplicas: 10, now: NOW + ms, downscaleWindowMs: 60_000, setCondition: c.set });
    history.recordInitial(5, NOW);
    expect(at(0, 5, 5)).toBe(5);
    expect(c.conditions.get('AbleToScale')?.[1]).toBe('ReadyForNewScale');
    expect(at(15_000, 5, 2)).toBe(5);
    expect(c.conditions.get('AbleToScale')).toEqual(['True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation']);
    expect(at(59_000, 5, 2)).toBe(5);
    expect(at(60_001, 5, 2)).toBe(2); // the recommendations of 5 have left the 60 s window
    expect(c.conditions.get('AbleToScale')?.[1]).toBe('ReadyForNewScale');
  });
});

describe('normalisation with behaviour', () => {
  const defaults: HorizontalPodAutoscalerBehavior = {
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
  };
  const run = (history: ScaleHistory, behavior: HorizontalPodAutoscalerBehavior, now: number, current: number, desired: number, c = recorder()) =>
    normalizeWithBehaviors({ history, behavior, currentReplicas: current, desiredReplicas: desired, minReplicas: 1, maxReplicas: 50, now, downscaleWindowMs: 300_000, setCondition: c.set });

  it('adds the larger of 4 pods or 100% per 15 s, counting what the period already added', () => {
    const history = new ScaleHistory();
    const c = recorder();
    expect(run(history, defaults, NOW, 2, 20, c)).toBe(6);
    expect(c.conditions.get('ScalingLimited')?.[1]).toBe('ScaleUpLimit');
    storeScaleEvent(history, defaults, 2, 6, NOW);
    expect(run(history, defaults, NOW + 5000, 6, 20)).toBe(6);
    expect(run(history, defaults, NOW + 16_000, 6, 20)).toBe(12);
  });

  it('takes the least permissive policy with selectPolicy Min, and none with Disabled', () => {
    const min = { ...defaults, scaleUp: { ...defaults.scaleUp, selectPolicy: 'Min' as const } };
    expect(run(new ScaleHistory(), min, NOW, 10, 40)).toBe(14);
    const off = { ...defaults, scaleUp: { ...defaults.scaleUp, selectPolicy: 'Disabled' as const } };
    expect(run(new ScaleHistory(), off, NOW, 10, 40)).toBe(10);
  });

  it('removes at most one pod per minute with a Pods policy', () => {
    const b = { ...defaults, scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }] } };
    const history = new ScaleHistory();
    const c = recorder();
    expect(run(history, b, NOW, 5, 1, c)).toBe(4);
    expect(c.conditions.get('ScalingLimited')?.[1]).toBe('ScaleDownLimit');
    storeScaleEvent(history, b, 5, 4, NOW);
    expect(run(history, b, NOW + 30_000, 4, 1)).toBe(4);
    expect(run(history, b, NOW + 61_000, 4, 1)).toBe(3);
  });

  it('stabilises a scale-up to the lowest recommendation of the scale-up window', () => {
    const b = { ...defaults, scaleUp: { ...defaults.scaleUp, stabilizationWindowSeconds: 60 } };
    const history = new ScaleHistory();
    const c = recorder();
    history.recordInitial(3, NOW);
    expect(run(history, b, NOW + 10_000, 3, 8, c)).toBe(3);
    expect(c.conditions.get('AbleToScale')?.[1]).toBe('ScaleUpStabilized');
    expect(run(history, b, NOW + 61_000, 3, 8)).toBe(7); // 3 has left the window; the rate limit allows max(3 + 4, 3 × 2) = 7
  });
});
