/**
 * Who keeps the healing benchmark's replicas alive — the part a ReplicationController plays in
 * the book's healing story — chosen with `--owner`:
 *
 * - `rc` (default): a real `v1` ReplicationController created through the API; kubemu's
 *   controller-manager does the rest. On a commit without the RC controller no pod ever appears,
 *   which the benchmark reports as such (it waits for the replicas with a deadline);
 * - `standin`: ./stand-in-replicas.ts, in the benchmark's own process — how healing was measured
 *   before the controller existed, kept to measure such commits and to compare.
 *
 * Both run the same pod template and label; the benchmark observes pods through its own watch
 * and never asks the owner what it did, so both are measured the same way.
 */
import type { Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { StandInReplicaSet } from './stand-in-replicas.js';

export interface ReplicaOwner {
  /** For the report: what kept the replicas. */
  readonly describe: string;
  start(): Promise<void>;
  /** Stops owning and deletes the pods (not waited for). */
  stop(): Promise<void>;
}

export type OwnerKind = 'standin' | 'rc';
export const OWNER_KINDS: readonly OwnerKind[] = ['standin', 'rc'];

export interface OwnerSpec {
  api: ApiClient;
  namespace: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
  /** The pod's spec (and labels): what every replica runs. */
  template: Pod['spec'];
}

const RCS = resourceByPlural('replicationcontrollers');
const PODS = resourceByPlural('pods');

const selectorText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

class ReplicationControllerOwner implements ReplicaOwner {
  readonly describe = 'a v1 ReplicationController (kubemu\'s controller-manager)';
  constructor(private readonly s: OwnerSpec) {}

  async start(): Promise<void> {
    await this.s.api.create(RCS, this.s.namespace, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: this.s.name, labels: this.s.labels },
      spec: { replicas: this.s.replicas, selector: this.s.labels, template: { metadata: { labels: this.s.labels }, spec: this.s.template } },
    });
  }

  async stop(): Promise<void> {
    await this.s.api.delete(RCS, this.s.namespace, this.s.name, { propagationPolicy: 'Background' }).catch(() => undefined);
    const pods = await this.s.api.list<Pod>(PODS, this.s.namespace, { labelSelector: selectorText(this.s.labels) });
    await Promise.all(pods.items.map((p) => this.s.api.delete(PODS, this.s.namespace, p.metadata.name ?? '').catch(() => undefined)));
  }
}

export function createOwner(kind: OwnerKind, s: OwnerSpec): ReplicaOwner {
  if (kind === 'rc') return new ReplicationControllerOwner(s);
  const pod = (name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: s.labels }, spec: s.template }) as Pod;
  return new StandInReplicaSet(s.api, s.namespace, s.replicas, pod, selectorText(s.labels), s.name);
}
