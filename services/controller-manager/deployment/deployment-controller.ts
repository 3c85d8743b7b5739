/**
 * The Deployment controller (kube-controller-manager's `deployment`): keeps one ReplicaSet per pod
 * template and moves pods from the old ones to the new one by the Deployment's strategy. It manages
 * ReplicaSets only; the ReplicaSet controller makes their pods.
 *
 * Reconciles one Deployment by key, level-based, in Kubernetes' order:
 * 1. Gone → nothing. A selector selecting everything (`{}`) → a `SelectingAll` warning, only
 *    `observedGeneration` is written.
 * 2. Claim ReplicaSets (./claim.ts): adopt matching orphans, release ones that stopped matching.
 * 3. Being deleted → status only (the garbage collector removes the ReplicaSets).
 * 4. Pause / resume conditions; paused → scaling only, no rollout (./scale.ts).
 * 5. A scaling event (replicas changed since the ReplicaSets were sized) → scaling only.
 * 6. Otherwise roll out: Recreate (./recreate.ts) or RollingUpdate (./rolling.ts), which may ask to
 *    be requeued when a progress deadline could pass without any event.
 * A Conflict (someone else wrote first, or our cache was behind) is retried quietly with back-off.
 *
 * What triggers a Deployment: its own changes; a ReplicaSet's (its controller's, or every
 * Deployment in the namespace selecting an orphan); for Recreate Deployments, their pods' changes
 * (the wait for old pods to be gone).
 */
import type { Deployment, ReplicaSet } from '../../../shared/api/apps.js';
import type { Pod } from '../../../shared/api/core.js';
import { isStatusError } from '../../../shared/api/errors.js';
import { controllerOf, objectKey } from '../../../shared/api/meta.js';
import { resourceByPlural } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import type { EventRecorder } from '../../../shared/client/event-recorder.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../../shared/controller/controller.js';
import type { Runnable } from '../../../shared/controller/manager.js';
import type { SharedInformer } from '../../../shared/informer/informer.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../../shared/runtime/logger.js';
import { selectorFromLabelSelector } from '../../../shared/selectors/labels.js';
import type { ControllerContext } from '../context.js';
import { claimReplicaSets } from './claim.js';
import { DEPLOYMENTS, DeploymentSync } from './deployment-sync.js';
import { isRecreate } from './deployment-spec.js';
import { rolloutRecreate, type PodsByReplicaSet } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, syncScaling } from './scale.js';

export interface DeploymentControllerOptions {
  api: ApiClient;
  deployments: SharedInformer<Deployment>;
  replicaSets: SharedInformer<ReplicaSet>;
  pods: SharedInformer<Pod>;
  recorder: EventRecorder;
  clock: Clock;
  log?: Logger;
}

export class DeploymentReconciler implements Reconciler {
  private readonly log: Logger;

  constructor(private readonly o: DeploymentControllerOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'deployment' });
  }

  /** A Conflict thrown here (someone wrote the object first) is requeued quietly by the controller. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.o.deployments.lister.get(key);
    if (!cached) return;
    const d = structuredClone(cached) as Deployment;
    const selector = selectorFromLabelSelector(d.spec.selector);
    const s = new DeploymentSync({ api: this.o.api, recorder: this.o.recorder, clock: this.o.clock, log: this.log.child({ deployment: key }) }, d, []);
    if (selector.empty) {
      s.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) await s.writeStatus({ ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      return;
    }
    const namespace = d.metadata.namespace ?? '';
    const candidates = this.o.replicaSets.lister.listNamespace(namespace);
    const recheck = async (): Promise<Deployment | undefined> => {
      try {
        return await this.o.api.get<Deployment>(DEPLOYMENTS, namespace, d.metadata.name ?? '');
      } catch (err) {
        if (isStatusError(err, 'NotFound')) return undefined;
        throw err;
      }
    };
    s.rsList = (await claimReplicaSets({ api: this.o.api, recheck }, d, selector, candidates)).map((rs) => structuredClone(rs));
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await s.replicaSets(false);
      return s.syncDeploymentStatus([...oldRSs, newRS], newRS);
    }
    await s.checkPausedConditions();
    if (s.d.spec.paused || (await isScalingEvent(s))) return syncScaling(s);
    if (isRecreate(s.d)) return rolloutRecreate(s, this.podsByReplicaSet(s));
    return rolloutRolling(s);
  }

  private podsByReplicaSet(s: DeploymentSync): PodsByReplicaSet {
    const uids = new Set(s.rsList.map((rs) => rs.metadata.uid));
    const byRS = new Map<string, Pod[]>();
    const selector = selectorFromLabelSelector(s.d.spec.selector);
    for (const pod of this.o.pods.lister.listNamespace(s.d.metadata.namespace ?? '', selector)) {
      const uid = controllerOf(pod)?.uid;
      if (!uid || !uids.has(uid)) continue;
      const list = byRS.get(uid) ?? [];
      list.push(pod);
      byRS.set(uid, list);
    }
    return byRS;
  }
}

/** The Deployment controlling `rs`, if the cache knows one by that name and uid. */
function owningDeployment(deployments: SharedInformer<Deployment>, rs: ReplicaSet): Deployment | undefined {
  const ref = controllerOf(rs);
  if (!ref || ref.kind !== 'Deployment') return undefined;
  const d = deployments.lister.get(`${rs.metadata.namespace}/${ref.name}`);
  return d && d.metadata.uid === ref.uid ? d : undefined;
}

function replicaSetToDeployments(deployments: SharedInformer<Deployment>): (rs: ReplicaSet) => string[] {
  return (rs) => {
    if (controllerOf(rs)) {
      const d = owningDeployment(deployments, rs);
      return d ? [objectKey(d)] : [];
    }
    return deployments.lister
      .listNamespace(rs.metadata.namespace ?? '')
      .filter((d) => {
        try {
          const sel = selectorFromLabelSelector(d.spec.selector);
          return !sel.empty && sel.matches(rs.metadata.labels);
        } catch {
          return false;
        }
      })
      .map(objectKey);
  };
}

function podToRecreateDeployment(deployments: SharedInformer<Deployment>, replicaSets: SharedInformer<ReplicaSet>): (pod: Pod) => string[] {
  return (pod) => {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return [];
    const rs = replicaSets.lister.get(`${pod.metadata.namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return [];
    const d = owningDeployment(deployments, rs);
    return d && isRecreate(d) ? [objectKey(d)] : [];
  };
}

export function deploymentController(ctx: ControllerContext): Runnable {
  const deployments = ctx.informer<Deployment>(DEPLOYMENTS);
  const replicaSets = ctx.informer<ReplicaSet>(resourceByPlural('replicasets'));
  const pods = ctx.pods();
  const reconciler = new DeploymentReconciler({
    api: ctx.api,
    deployments,
    replicaSets,
    pods,
    recorder: ctx.recorder('deployment-controller'),
    clock: ctx.clock,
    log: ctx.log,
  });
  return new Controller({ name: 'deployment', reconciler, clock: ctx.clock, log: ctx.log, workers: 5 })
    .watch(deployments)
    .watch(replicaSets, replicaSetToDeployments(deployments))
    .watch(pods, podToRecreateDeployment(deployments, replicaSets));
}
