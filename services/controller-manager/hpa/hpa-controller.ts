/**
 * The HorizontalPodAutoscaler controller (kube-controller-manager's `horizontalpodautoscaling`),
 * reconciling one HPA (autoscaling/v2) by key, at most once per sync period:
 *
 * 1. The scale target's `scale` subresource (any Deployment, ReplicaSet or ReplicationController —
 *    every kind of the resource table with a `scale` subresource); failing → AbleToScale False
 *    FailedGetScale and a `FailedGetScale` event.
 * 2. Scaling is off when the target has 0 replicas (ScalingActive False ScalingDisabled); outside
 *    min/max it is brought back inside; otherwise each metric proposes a count (resource metrics
 *    through metrics.k8s.io and ./replica-calculator.ts; custom and external metrics are not served
 *    in kubemu and fail like an unavailable metrics API), the largest proposal wins (ScalingActive
 *    True ValidMetricFound, or False with the first failure's reason and a warning event), then
 *    ./normalize.ts stabilises and limits it.
 * 3. A changed count is written to the scale subresource, with a `SuccessfulRescale` event
 *    ("New size: 4; reason: cpu resource utilization (percentage of request) above target") or
 *    `FailedRescale`; the status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime,
 *    conditions) is written only when it changed.
 *
 * Level-based: every change of an HPA enqueues it, but a sync less than a period after the last one
 * only schedules the next (so the controller's own status writes do not speed it up), and every
 * sync schedules the next one a period later. The recommendation and scale-event memory per HPA
 * lives in this process (as in Kubernetes); a new leader starts it afresh.
 */
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from '../../../shared/api/autoscaling.js';
import type { Scale } from '../../../shared/api/apps.js';
import type { Pod } from '../../../shared/api/core.js';
import { formatMilliQuantity, milliValue } from '../../../shared/api/quantity.js';
import { parseApiVersion, RESOURCES, resourceFor, type ResourceInfo } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import type { EventRecorder } from '../../../shared/client/event-recorder.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../../shared/controller/controller.js';
import type { Runnable } from '../../../shared/controller/manager.js';
import type { SharedInformer } from '../../../shared/informer/informer.js';
import { isoTime, type Clock } from '../../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../../shared/runtime/logger.js';
import { parseLabelSelector } from '../../../shared/selectors/labels.js';
import type { ControllerContext } from '../context.js';
import { setCondition, type ConditionStatus } from './conditions.js';
import { apiResourceMetrics, type ResourceMetricsClient } from './metrics-client.js';
import { normalizeDesiredReplicas, normalizeWithBehaviors, ScaleHistory, storeScaleEvent } from './normalize.js';
import { plainMetricReplicas, resourceReplicas } from './replica-calculator.js';
import { hpaSettingsFor, type HpaSettings } from './settings.js';

export const HPAS = resourceFor('autoscaling', 'v2', 'horizontalpodautoscalers')!;

export interface HpaControllerOptions {
  api: ApiClient;
  hpas: SharedInformer<HorizontalPodAutoscaler>;
  pods: SharedInformer<Pod>;
  metrics: ResourceMetricsClient;
  recorder: EventRecorder;
  clock: Clock;
  settings: HpaSettings;
  log?: Logger;
}

interface Failure {
  type: 'ScalingActive';
  reason: string;
  message: string;
  error: string;
}

type Proposal = { replicas: number; metric: string; status: MetricStatus } | { failure: Failure };

/** The row of a scale target: its group and kind, with a `scale` subresource. */
export function scaleTargetResource(ref: { apiVersion?: string; kind: string }): ResourceInfo | string {
  const { group } = parseApiVersion(ref.apiVersion ?? '');
  const r = RESOURCES.find((x) => x.group === group && x.kind === ref.kind && x.subresources.some((s) => s.name === 'scale'));
  return r ?? `no matches for kind "${ref.kind}" in group "${group}"`;
}

export class HorizontalPodAutoscalerController implements Reconciler {
  private readonly histories = new Map<string, ScaleHistory>();
  private readonly lastSync = new Map<string, number>();
  private readonly log: Logger;

  constructor(private readonly o: HpaControllerOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'horizontal-pod-autoscaler' });
  }

  /** A new leadership term starts without memory, as a freshly started controller would. */
  startTerm(): void {
    this.histories.clear();
    this.lastSync.clear();
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.o.hpas.lister.get(key);
    if (!cached) {
      this.histories.delete(key);
      this.lastSync.delete(key);
      return;
    }
    const period = this.o.settings.syncPeriodMs;
    const now = this.o.clock.now();
    const last = this.lastSync.get(key);
    if (last !== undefined && now - last < period) return { requeueAfterMs: period - (now - last) };
    this.lastSync.set(key, now);
    await this.sync(key, structuredClone(cached) as HorizontalPodAutoscaler);
    return { requeueAfterMs: period };
  }

  private condition(hpa: HorizontalPodAutoscaler, type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited', status: ConditionStatus, reason: string, message: string): void {
    setCondition(hpa, type, status, reason, message, isoTime(this.o.clock));
  }

  private async sync(key: string, hpa: HorizontalPodAutoscaler): Promise<void> {
    const { api, recorder, clock } = this.o;
    const original = JSON.stringify(hpa.status ?? null);
    const namespace = hpa.metadata.namespace ?? 'default';
    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${namespace}/${ref.name}`;

    const target = scaleTargetResource(ref);
    let scale: Scale;
    try {
      if (typeof target === 'string') throw new Error(target);
      scale = await api.get<Scale>(target, namespace, ref.name, 'scale');
    } catch (err) {
      const msg = (err as Error).message;
      recorder.record(hpa, 'Warning', 'FailedGetScale', msg);
      this.condition(hpa, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await this.writeStatusIfChanged(original, hpa);
      return;
    }
    this.condition(hpa, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const currentReplicas = scale.spec?.replicas ?? 0;
    const now = clock.now();
    const history = this.histories.get(key) ?? new ScaleHistory();
    this.histories.set(key, history);
    history.recordInitial(currentReplicas, now);
    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;

    let desired = 0;
    let reason = '';
    let rescale = true;
    let statuses: MetricStatus[] = [];
    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      this.condition(hpa, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (currentReplicas > maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, scale, currentReplicas);
      statuses = computed.statuses;
      if ('error' in computed) {
        this.setStatus(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, statuses, false);
        await this.writeStatusIfChanged(original, hpa);
        recorder.record(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error);
        this.log.info({ hpa: key, reference, error: computed.error }, 'could not compute the desired replica count');
        return;
      }
      desired = computed.replicas;
      if (desired > currentReplicas) reason = `${computed.metric} above target`;
      if (desired < currentReplicas) reason = 'All metrics below target';
      const input = { history, currentReplicas, desiredReplicas: desired, minReplicas, maxReplicas, now, downscaleWindowMs: this.o.settings.downscaleStabilizationMs, setCondition: (t: 'AbleToScale' | 'ScalingLimited', s: ConditionStatus, r: string, m: string) => this.condition(hpa, t, s, r, m) };
      desired = hpa.spec.behavior ? normalizeWithBehaviors({ ...input, behavior: hpa.spec.behavior }) : normalizeDesiredReplicas(input);
      rescale = desired !== currentReplicas;
    }

    if (rescale && typeof target !== 'string') {
      try {
        await api.update<Scale>(target, { ...scale, metadata: { ...scale.metadata, resourceVersion: undefined }, spec: { replicas: desired } }, 'scale');
      } catch (err) {
        const msg = (err as Error).message;
        recorder.record(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
        this.condition(hpa, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        this.setStatus(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, hpa.status?.currentMetrics ?? [], false);
        await this.writeStatusIfChanged(original, hpa);
        return;
      }
      this.condition(hpa, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      recorder.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      storeScaleEvent(history, hpa.spec.behavior, currentReplicas, desired, now);
      this.log.info({ hpa: key, reference, from: currentReplicas, to: desired, reason }, 'rescaled');
    } else {
      desired = currentReplicas;
    }
    this.setStatus(hpa, currentReplicas, desired, statuses, rescale);
    await this.writeStatusIfChanged(original, hpa);
  }

  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    currentReplicas: number,
  ): Promise<{ replicas: number; metric: string; statuses: MetricStatus[] } | { error: string; statuses: MetricStatus[] }> {
    const specs = hpa.spec.metrics ?? [];
    const selectorText = scale.status?.selector ?? '';
    if (!selectorText) {
      this.o.recorder.record(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      this.condition(hpa, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return { error: 'selector is required', statuses: [] };
    }
    try {
      parseLabelSelector(selectorText);
    } catch (err) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`;
      this.o.recorder.record(hpa, 'Warning', 'InvalidSelector', msg);
      this.condition(hpa, 'ScalingActive', 'False', 'InvalidSelector', msg);
      return { error: msg, statuses: [] };
    }
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' as MetricStatus['type'] }));
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let first: Failure | undefined;
    for (let i = 0; i < specs.length; i++) {
      const p = await this.proposal(hpa, specs[i], currentReplicas, selectorText);
      if ('failure' in p) {
        invalid++;
        first ??= p.failure;
        continue;
      }
      statuses[i] = p.status;
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metric = p.metric;
      }
    }
    if (first && (invalid >= specs.length || replicas < currentReplicas)) {
      this.condition(hpa, first.type, 'False', first.reason, first.message);
      return { error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.error}`, statuses };
    }
    this.condition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`);
    return { replicas, metric, statuses };
  }

  private fail(hpa: HorizontalPodAutoscaler, reason: string, cause: string, error: string): { failure: Failure } {
    this.o.recorder.record(hpa, 'Warning', reason, cause);
    return { failure: { type: 'ScalingActive', reason, message: `the HPA was unable to compute the replica count: ${cause}`, error } };
  }

  /** One metric's proposal (Kubernetes' computeReplicasForMetric). */
  private async proposal(hpa: HorizontalPodAutoscaler, spec: MetricSpec, currentReplicas: number, selector: string): Promise<Proposal> {
    const namespace = hpa.metadata.namespace ?? 'default';
    switch (spec.type) {
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const container = spec.type === 'ContainerResource' ? spec.containerResource?.container : undefined;
        const reason = spec.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
        const what = spec.type === 'Resource' ? 'resource' : 'container resource';
        if (!src) return this.fail(hpa, reason, `invalid ${what} metric source: it is not set`, `invalid ${what} metric source`);
        return this.resourceProposal(hpa, src.name, src.target, container, currentReplicas, namespace, selector, reason, what);
      }
      case 'Pods': {
        const cause = `unable to get metric ${spec.pods?.metric?.name ?? ''}: no custom metrics API (custom.metrics.k8s.io) is served`;
        return this.fail(hpa, 'FailedGetPodsMetric', cause, `failed to get pods metric value: ${cause}`);
      }
      case 'Object': {
        const o = spec.object;
        const cause = `unable to get metric ${o?.metric?.name ?? ''}: ${o?.describedObject?.kind ?? ''} ${namespace}/${o?.describedObject?.name ?? ''}: no custom metrics API (custom.metrics.k8s.io) is served`;
        return this.fail(hpa, 'FailedGetObjectMetric', cause, `failed to get object metric value: ${cause}`);
      }
      case 'External': {
        const cause = `unable to get external metric ${namespace}/${spec.external?.metric?.name ?? ''}: no external metrics API (external.metrics.k8s.io) is served`;
        return this.fail(hpa, 'FailedGetExternalMetric', cause, `failed to get external metric ${spec.external?.metric?.name ?? ''}: ${cause}`);
      }
      default: {
        const cause = `unknown metric source type "${String((spec as { type?: string }).type ?? '')}"`;
        return this.fail(hpa, 'InvalidMetricSourceType', cause, cause);
      }
    }
  }

  private async resourceProposal(
    hpa: HorizontalPodAutoscaler,
    name: string,
    target: NonNullable<MetricSpec['resource']>['target'],
    container: string | undefined,
    currentReplicas: number,
    namespace: string,
    selector: string,
    reason: string,
    what: string,
  ): Promise<Proposal> {
    const failed = (cause: string): Proposal => this.fail(hpa, reason, cause, `failed to get ${name} utilization: ${cause}`);
    if (target?.averageValue === undefined && target?.averageUtilization === undefined) {
      return failed(`invalid ${what} metric source: neither a utilization target nor a value target was set`);
    }
    let metrics;
    try {
      metrics = await this.o.metrics.resourceMetric(name, namespace, selector, container);
    } catch (err) {
      return failed(`unable to get metrics for resource ${name}: ${(err as Error).message}`);
    }
    const pods = this.o.pods.lister.listNamespace(namespace, selector);
    const base = { currentReplicas, resource: name, pods, metrics: metrics.metrics, settings: this.o.settings, now: this.o.clock.now(), container };
    const current = container ? { name, container } : { name };
    const key = container ? 'containerResource' : 'resource';
    try {
      if (target.averageValue !== undefined) {
        const r = plainMetricReplicas({ ...base, targetUsage: milliValue(target.averageValue) });
        return { replicas: r.replicas, metric: `${name} ${what}`, status: { type: container ? 'ContainerResource' : 'Resource', [key]: { ...current, current: { averageValue: formatMilliQuantity(r.usage) } } } as MetricStatus };
      }
      const r = resourceReplicas({ ...base, targetUtilization: target.averageUtilization! });
      return {
        replicas: r.replicas,
        metric: `${name} ${what} utilization (percentage of request)`,
        status: { type: container ? 'ContainerResource' : 'Resource', [key]: { ...current, current: { averageUtilization: r.utilization, averageValue: formatMilliQuantity(r.rawUtilization) } } } as MetricStatus,
      };
    } catch (err) {
      return failed((err as Error).message);
    }
  }

  private setStatus(hpa: HorizontalPodAutoscaler, currentReplicas: number, desiredReplicas: number, metrics: MetricStatus[], rescale: boolean): void {
    const prev = hpa.status;
    hpa.status = {
      ...(prev?.observedGeneration !== undefined ? { observedGeneration: prev.observedGeneration } : {}),
      ...(rescale ? { lastScaleTime: isoTime(this.o.clock) } : prev?.lastScaleTime ? { lastScaleTime: prev.lastScaleTime } : {}),
      ...(currentReplicas ? { currentReplicas } : {}),
      desiredReplicas,
      currentMetrics: metrics.length ? metrics : null,
      ...(prev?.conditions ? { conditions: prev.conditions } : {}),
    };
  }

  /** PUT of the status subresource, unconditionally (this controller owns the status), when it changed. */
  private async writeStatusIfChanged(original: string, hpa: HorizontalPodAutoscaler): Promise<void> {
    if (JSON.stringify(hpa.status ?? null) === original) return;
    try {
      await this.o.api.update(HPAS, { ...hpa, metadata: { ...hpa.metadata, resourceVersion: undefined } }, 'status');
    } catch (err) {
      this.o.recorder.record(hpa, 'Warning', 'FailedUpdateStatus', (err as Error).message);
      this.log.warn({ err, hpa: `${hpa.metadata.namespace}/${hpa.metadata.name}` }, 'could not update the HPA status');
    }
  }
}

export function hpaController(ctx: ControllerContext): Runnable {
  const hpas = ctx.informer<HorizontalPodAutoscaler>(HPAS);
  const pods = ctx.pods();
  const reconciler = new HorizontalPodAutoscalerController({
    api: ctx.api,
    hpas,
    pods,
    metrics: apiResourceMetrics(ctx.api),
    recorder: ctx.recorder('horizontal-pod-autoscaler'),
    clock: ctx.clock,
    settings: hpaSettingsFor(ctx.profile, ctx.settings.hpa),
    log: ctx.log,
  });
  const controller = new Controller({ name: 'horizontal-pod-autoscaler', reconciler, clock: ctx.clock, log: ctx.log, workers: 2 }).watch(hpas);
  return {
    name: controller.name,
    needLeaderElection: true,
    run(signal) {
      reconciler.startTerm();
      return controller.run(signal);
    },
  };
}
