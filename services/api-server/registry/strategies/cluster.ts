/**
 * Cluster-scoped kinds: Namespaces (DNS-1123 label names, the `kubernetes` finalizer, phase Active
 * on create and Terminating once deleted, the automatic `kubernetes.io/metadata.name` label, the
 * three system namespaces undeletable) and Nodes (status is written by the
 * kubelet and kept on create, as Kubernetes allows; taints validated).
 */
import type { Namespace, Node } from '../../../../shared/api/core.js';
import type { Strategy } from '../strategy.js';
import { forbidden } from '../../../../shared/api/errors.js';

/** kube-apiserver refuses to delete these. */
const UNDELETABLE = ['default', 'kube-system', 'kube-public'];

export const namespaceStrategy: Strategy = {
  nameRule: 'label',
  statusSubresource: true,
  default(obj) {
    const ns = obj as Namespace;
    ns.spec ??= {};
    ns.spec.finalizers ??= ['kubernetes'];
    if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
  },
  prepareForCreate(obj) {
    (obj as Namespace).status = { phase: 'Active' };
  },
  beforeDelete(obj) {
    const name = obj.metadata.name ?? '';
    if (UNDELETABLE.includes(name)) throw forbidden('namespaces', name, 'this namespace may not be deleted');
  },
  markDeleting(obj) {
    (obj as Namespace).status = { ...((obj as Namespace).status ?? {}), phase: 'Terminating' };
  },
  validateUpdate(obj, old, errs) {
    // The phase only moves forward through the lifecycle; status updates may not revive a namespace.
    const was = (old as Namespace).status?.phase;
    const now = (obj as Namespace).status?.phase;
    if (was === 'Terminating' && now === 'Active') errs.forbidden('status.phase', 'a terminating namespace cannot become Active again');
  },
};

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export const nodeStrategy: Strategy = {
  statusSubresource: true,
  validate(obj, errs) {
    const node = obj as Node;
    (node.spec?.taints ?? []).forEach((t, i) => {
      if (!t.key) errs.required(`spec.taints[${i}].key`);
      if (!EFFECTS.includes(t.effect)) errs.notSupported(`spec.taints[${i}].effect`, t.effect, EFFECTS);
    });
  },
};
