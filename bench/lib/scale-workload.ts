/**
 * The scale benchmark's workload: one Deployment of `registry.k8s.io/pause` pods, created with
 * `replicas: 0`, then scaled through its `scale` subresource (what `kubectl scale` and the HPA
 * write), and a watch on it that stamps the moment its status first says what the benchmark waits
 * for.
 *
 * The pods ask for 10m CPU and 16Mi, so the scheduler's fit and scoring do real arithmetic (as
 * kube-scheduler's own benchmark pods carry requests); 1,000 of them fit 50 simulated nodes many
 * times over. Times are the machine's monotonic clock (`process.hrtime.bigint()`, ns), as in
 * ./pod-timeline.ts, so they compare with the pods' milestones.
 */
import type { Deployment } from '../../shared/api/apps.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient, ApiWatch } from '../../shared/client/api.js';
import { eventually } from '../../test/support/eventually.js';
import { IMAGES } from './pod-startup.js';

export const SCALE_APP = 'bench-scale';
export const DEPLOYMENTS = resourceByPlural('deployments');
const REPLICASETS = resourceByPlural('replicasets');

export function scaleDeployment(name: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: SCALE_APP } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: SCALE_APP } },
      template: {
        metadata: { labels: { app: SCALE_APP } },
        spec: {
          containers: [{ name: 'pause', image: IMAGES.pause, resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
          terminationGracePeriodSeconds: 5,
        },
      },
    },
  } as Deployment;
}

/** Creates the Deployment and waits until its controller has seen it and made its (empty) ReplicaSet. */
export async function createScaleDeployment(api: ApiClient, namespace: string, name: string, timeoutMs: number): Promise<void> {
  await api.create(DEPLOYMENTS, namespace, scaleDeployment(name));
  await eventually(
    async () => {
      const d = await api.get<Deployment>(DEPLOYMENTS, namespace, name);
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) throw new Error('not observed yet');
      const rs = await api.list(REPLICASETS, namespace, { labelSelector: `app=${SCALE_APP}` });
      if (rs.items.length === 0) throw new Error('no ReplicaSet yet');
    },
    { timeoutMs, intervalMs: 100, message: `deployment ${namespace}/${name} was not observed` },
  );
}

/** Writes `spec.replicas` through the scale subresource; answers when the write was acknowledged. */
export async function scaleTo(api: ApiClient, namespace: string, name: string, replicas: number): Promise<void> {
  await api.patch(DEPLOYMENTS, namespace, name, 'merge', { spec: { replicas } }, 'scale');
}

/** The status a phase waits for: every replica ready and available (up), none left (down). */
export function statusReached(d: Deployment, replicas: number): boolean {
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) return false;
  if (replicas === 0) return (s.replicas ?? 0) === 0;
  return s.replicas === replicas && s.updatedReplicas === replicas && s.readyReplicas === replicas && s.availableReplicas === replicas;
}

type Waiter = { pred(d: Deployment): boolean; resolve(t: bigint): void };

/** One Deployment, watched: `until(pred)` resolves with the arrival time of the first state that satisfies it. */
export class DeploymentWatch {
  private latest?: { d: Deployment; at: bigint };
  private waiters: Waiter[] = [];
  private watch?: ApiWatch;
  private failure?: Error;

  static async open(api: ApiClient, namespace: string, name: string): Promise<DeploymentWatch> {
    const w = new DeploymentWatch();
    w.watch = await api.watch<Deployment>(DEPLOYMENTS, namespace, { fieldSelector: `metadata.name=${name}` }, {
      onEvent: (e) => {
        if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
        w.latest = { d: e.object, at: process.hrtime.bigint() };
        w.waiters = w.waiters.filter((x) => {
          if (!x.pred(e.object)) return true;
          x.resolve(w.latest!.at);
          return false;
        });
      },
      onError: (err) => {
        w.failure = err;
      },
    });
    return w;
  }

  current(): Deployment | undefined {
    return this.latest?.d;
  }

  until(pred: (d: Deployment) => boolean, timeoutMs: number): Promise<bigint> {
    if (this.failure) return Promise.reject(new Error(`the deployment watch failed: ${this.failure.message}`));
    if (this.latest && pred(this.latest.d)) return Promise.resolve(this.latest.at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        reject(new Error(`the deployment's status did not get there within ${timeoutMs} ms (last: ${JSON.stringify(this.latest?.d.status ?? {})})`));
      }, timeoutMs);
      const waiter: Waiter = {
        pred,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      this.waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    await this.watch?.stop();
  }
}
