/**
 * Unit-test harness for the Deployment controller: the controller-manager harness (FakeClock,
 * FakeApi, real informers) running `deploymentController`, plus the ReplicaSet controller's part
 * played by hand — `reportPods()` makes every ReplicaSet report `spec.replicas` pods, as many of
 * them ready and available as the test says (default: all) — and `converge()`, which alternates
 * controller work and pod reports until nothing changes any more, checking an invariant after every
 * round (e.g. "never fewer than 3 available" for a zero-downtime rollout).
 */
import type { Deployment, ReplicaSet } from '../../shared/api/apps.js';
import type { Event } from '../../shared/api/core.js';
import { controllerOf } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { deploymentController } from '../../services/controller-manager/deployment/deployment-controller.js';
import { startHarness, type Harness } from './controller-harness.js';

export const DEPLOYMENTS = resourceByPlural('deployments');
export const REPLICASETS = resourceByPlural('replicasets');

export type Availability = (rs: ReplicaSet) => number;

export interface DeploymentHarness extends Harness {
  deployment(name: string): Promise<Deployment>;
  /** The Deployment's ReplicaSets (controlled by it), lowest revision first. */
  replicaSets(deployment: string): Promise<ReplicaSet[]>;
  /** Plays the ReplicaSet controller once; returns whether any status changed. */
  reportPods(available?: Availability): Promise<boolean>;
  /** Controller rounds and pod reports until quiet; `check` runs after every round. */
  converge(opts?: { available?: Availability; check?: (rss: ReplicaSet[]) => void | Promise<void>; deployment?: string; maxRounds?: number }): Promise<number>;
  /** Changes the Deployment through the API with a merge patch of spec fields (no resourceVersion, so no Conflict), as kubectl would. */
  patchSpec(name: string, spec: Partial<Deployment['spec']>): Promise<Deployment>;
  scalingEvents(): Promise<string[]>;
}

export function kubiaDeployment(name: string, opts: { replicas?: number; image?: string; strategy?: Deployment['spec']['strategy']; minReadySeconds?: number; revisionHistoryLimit?: number; progressDeadlineSeconds?: number; annotations?: Record<string, string> } = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nodejs', image: opts.image ?? 'luksa/kubia:v1' }] } },
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      ...(opts.minReadySeconds !== undefined ? { minReadySeconds: opts.minReadySeconds } : {}),
      ...(opts.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: opts.revisionHistoryLimit } : {}),
      ...(opts.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: opts.progressDeadlineSeconds } : {}),
    },
  };
}

const revision = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

export async function startDeploymentHarness(): Promise<DeploymentHarness> {
  const base = await startHarness();
  const { api } = base;
  base.run(deploymentController(base.ctx));
  const h = base as DeploymentHarness;
  h.deployment = (name) => api.get<Deployment>(DEPLOYMENTS, 'default', name);
  h.replicaSets = async (name) => {
    const d = await h.deployment(name);
    const list = await api.list<ReplicaSet>(REPLICASETS, 'default');
    return list.items.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid).sort((a, b) => revision(a) - revision(b));
  };
  h.reportPods = async (available) => {
    let changed = false;
    for (const rs of (await api.list<ReplicaSet>(REPLICASETS, 'default')).items) {
      const replicas = rs.spec.replicas ?? 1;
      const ready = Math.min(replicas, available ? available(rs) : replicas);
      const status = { replicas, fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation };
      if (JSON.stringify(rs.status ?? {}) === JSON.stringify(status)) continue;
      await api.update<ReplicaSet>(REPLICASETS, { ...rs, status }, 'status');
      changed = true;
    }
    return changed;
  };
  h.converge = async (opts = {}) => {
    const max = opts.maxRounds ?? 100;
    for (let round = 1; round <= max; round++) {
      const before = api.resourceVersion;
      await h.advance(100, 50);
      await h.reportPods(opts.available);
      await h.advance(100, 50);
      if (opts.check && opts.deployment) await opts.check(await h.replicaSets(opts.deployment));
      if (api.resourceVersion === before) return round;
    }
    throw new Error(`no convergence within ${max} rounds`);
  };
  h.patchSpec = (name, spec) => api.patch<Deployment>(DEPLOYMENTS, 'default', name, 'merge', { spec });
  h.scalingEvents = async () => (await h.events('ScalingReplicaSet')).sort((a: Event, b: Event) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion)).map((e) => e.message ?? '');
  return h;
}
