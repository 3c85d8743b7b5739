/**
 * The one view of a replica owner — a ReplicationController (v1) or a ReplicaSet (apps/v1) — that
 * the replica manager works with, and the `ReplicaAdapter` each kind provides to be managed.
 *
 * Both kinds have the same spec (replicas, minReadySeconds, pod template) and status (replicas,
 * fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration, conditions); they
 * differ only in their resource, how their selector is written (a label map vs. a LabelSelector),
 * and the name their Events carry. Keeping those three facts in an adapter is what lets one
 * manager run both, as kube-controller-manager runs the ReplicationController manager as the
 * ReplicaSet code over a conversion.
 */
import type { PodTemplateSpec } from '../../../shared/api/core.js';
import type { KubeObject, OwnerReference } from '../../../shared/api/meta.js';
import { apiVersionOf, type ResourceInfo } from '../../../shared/api/resources.js';
import type { Selector } from '../../../shared/selectors/labels.js';

export interface ReplicaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

export interface ReplicaOwner extends KubeObject {
  spec: { replicas?: number; minReadySeconds?: number; template?: PodTemplateSpec; selector?: unknown };
  status?: ReplicaStatus;
}

export interface ReplicaAdapter {
  /** The controller's name in the registry and in logs (`replicationcontroller`, `replicaset`). */
  readonly name: string;
  readonly resource: ResourceInfo;
  /** The `source.component` of its Events, as Kubernetes names it. */
  readonly eventSource: string;
  /** The owner's pod selector; throws a StatusError when it cannot be parsed. */
  selector(owner: ReplicaOwner): Selector;
}

/** The controller reference an owner puts on the pods it creates or adopts. */
export function controllerRefTo(adapter: ReplicaAdapter, owner: ReplicaOwner): OwnerReference {
  return {
    apiVersion: apiVersionOf(adapter.resource),
    kind: adapter.resource.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function desiredReplicas(owner: ReplicaOwner): number {
  return owner.spec?.replicas ?? 1;
}

export function minReadySeconds(owner: ReplicaOwner): number {
  return owner.spec?.minReadySeconds ?? 0;
}
