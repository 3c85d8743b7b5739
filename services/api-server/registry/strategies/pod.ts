/**
 * Pods: spec defaults (shared with templates) plus what admission adds, `status` owned by the
 * kubelet (reset to Pending with its QoS class on create), a spec that is immutable after creation
 * except for images, tolerations (additions) and activeDeadlineSeconds — as in Kubernetes — and
 * graceful deletion: a pod bound to a node and not finished gets `deletionTimestamp` and is removed
 * by its kubelet; an unbound or finished pod goes at once.
 */
import type { Container, Pod } from '../../../../shared/api/core.js';
import type { KubeObject } from '../../../../shared/api/meta.js';
import type { Strategy } from '../strategy.js';
import { defaultPodSpec, validatePodSpec } from '../pod-spec.js';

function hasAny(c: Container): boolean {
  const r = c.resources ?? {};
  return Object.keys(r.requests ?? {}).length > 0 || Object.keys(r.limits ?? {}).length > 0;
}

function guaranteed(c: Container): boolean {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  for (const res of ['cpu', 'memory']) {
    if (limits[res] === undefined) return false;
    if (requests[res] !== undefined && String(requests[res]) !== String(limits[res])) return false;
  }
  return true;
}

export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  if (!all.some(hasAny)) return 'BestEffort';
  return all.every(guaranteed) ? 'Guaranteed' : 'Burstable';
}

/** The spec with the fields Kubernetes lets an update change blanked out. */
function frozenSpec(pod: Pod): string {
  // Serialised with the mutable fields left out, without copying the spec first: this runs on
  // every pod write (status updates included), twice.
  const { activeDeadlineSeconds: _a, tolerations: _t, terminationGracePeriodSeconds: _g, containers, initContainers, ...rest } = pod.spec;
  const imageless = (cs: typeof containers) => cs.map(({ image: _i, ...c }) => c);
  return JSON.stringify([rest, imageless(containers ?? []), initContainers && imageless(initContainers)]);
}

export const podStrategy: Strategy = {
  statusSubresource: true,
  default(obj, ctx) {
    const pod = obj as Pod;
    if (pod.spec && typeof pod.spec === 'object') defaultPodSpec(pod.spec, { admission: true, tolerationSeconds: ctx.defaultTolerationSeconds });
  },
  prepareForCreate(obj) {
    const pod = obj as Pod;
    pod.status = { phase: 'Pending', qosClass: pod.spec?.containers ? qosClass(pod) : 'BestEffort' };
  },
  validate(obj, errs) {
    validatePodSpec((obj as Pod).spec, 'spec', errs);
  },
  validateUpdate(obj, old, errs, subresource) {
    const pod = obj as Pod;
    const prev = old as Pod;
    // The binding subresource is the one way to set spec.nodeName (and only on an unbound pod).
    const was = subresource === 'binding' && !prev.spec.nodeName ? { ...prev, spec: { ...prev.spec, nodeName: pod.spec.nodeName } } : prev;
    if (frozenSpec(pod) !== frozenSpec(was as Pod)) {
      errs.forbidden(
        'spec',
        'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      );
    }
    const before = (prev.spec.tolerations ?? []).map((t) => JSON.stringify(t));
    const after = new Set((pod.spec.tolerations ?? []).map((t) => JSON.stringify(t)));
    if (before.some((t) => !after.has(t))) errs.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds');
  },
  gracePeriod(obj: KubeObject, requested) {
    const pod = obj as Pod;
    if (!pod.spec?.nodeName) return 0;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return 0;
    const g = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  },
};
