/**
 * ReplicationControllers, ReplicaSets and Deployments: replicas default to 1, generation counts
 * spec changes, status belongs to the controllers (reset on create), the pod template gets pod
 * defaults, and the selector must select the template's labels. An RC's selector and template
 * labels default from each other, as the v1 API does; apps/v1 requires an explicit selector.
 * Deployments default to RollingUpdate 25%/25%, 10 revisions of history, 600 s progress deadline.
 */
import type { ReplicationController } from '../../../../shared/api/core.js';
import type { Deployment, ReplicaSet } from '../../../../shared/api/apps.js';
import type { KubeObject, LabelSelector } from '../../../../shared/api/meta.js';
import type { FieldErrors } from '../../validation.js';
import { labelValueProblem, qualifiedNameProblem } from '../../validation.js';
import { selectorFromLabelSelector } from '../../../../shared/selectors/labels.js';
import type { Strategy } from '../strategy.js';
import { defaultPodSpec, validatePodSpec } from '../pod-spec.js';

type Workload = { spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } } } & KubeObject;

function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  try {
    return selectorFromLabelSelector(selector).matches(labels);
  } catch {
    return false; // an invalid selector is reported by validation; it selects nothing
  }
}

function commonValidate(obj: Workload, errs: FieldErrors): void {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return errs.required('spec');
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
    errs.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0');
  }
  const tpl = spec.template;
  if (!tpl) return errs.required('spec.template');
  validatePodSpec(tpl.spec as never, 'spec.template.spec', errs);
  const rp = (tpl.spec as { restartPolicy?: string } | undefined)?.restartPolicy;
  if (rp && rp !== 'Always') errs.notSupported('spec.template.spec.restartPolicy', rp, ['Always']);
}

function validateSelectorLabels(sel: Record<string, string>, path: string, errs: FieldErrors): void {
  for (const [k, v] of Object.entries(sel)) {
    const kp = qualifiedNameProblem(k);
    if (kp) errs.invalid(path, k, kp);
    const vp = labelValueProblem(v);
    if (vp) errs.invalid(path, v, vp);
  }
}

function defaultTemplate(obj: Workload): void {
  const tpl = obj.spec?.template;
  if (tpl?.spec && typeof tpl.spec === 'object') defaultPodSpec(tpl.spec as never, { admission: false });
  if (tpl) tpl.metadata ??= {};
  if (tpl?.metadata) (tpl.metadata as { creationTimestamp?: null }).creationTimestamp ??= null;
}

const controlled: Pick<Strategy, 'tracksGeneration' | 'statusSubresource' | 'prepareForCreate'> = {
  tracksGeneration: true,
  statusSubresource: true,
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
};

export const replicationControllerStrategy: Strategy = {
  ...controlled,
  // core/v1 keeps the pre-garbage-collector default: a delete without a policy orphans the pods.
  defaultPropagation: 'Orphan',
  default(obj) {
    const rc = obj as ReplicationController;
    if (!rc.spec || typeof rc.spec !== 'object') return;
    rc.spec.replicas ??= 1;
    const tplLabels = rc.spec.template?.metadata?.labels;
    if (!rc.spec.selector || Object.keys(rc.spec.selector).length === 0) {
      if (tplLabels) rc.spec.selector = { ...tplLabels };
    }
    if (rc.spec.template && (!tplLabels || Object.keys(tplLabels).length === 0) && rc.spec.selector) {
      rc.spec.template.metadata = { ...(rc.spec.template.metadata ?? {}), labels: { ...rc.spec.selector } };
    }
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) {
      const l = rc.spec.template?.metadata?.labels;
      if (l) rc.metadata.labels = { ...l };
    }
    rc.spec.minReadySeconds ??= 0;
    defaultTemplate(rc as Workload);
  },
  validate(obj, errs) {
    const rc = obj as ReplicationController;
    commonValidate(rc as Workload, errs);
    const sel = rc.spec?.selector ?? {};
    if (Object.keys(sel).length === 0) errs.required('spec.selector');
    validateSelectorLabels(sel, 'spec.selector', errs);
    const labels = rc.spec?.template?.metadata?.labels ?? {};
    if (rc.spec?.template && !selects({ matchLabels: sel }, labels)) {
      errs.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`');
    }
  },
};

function validateAppsSelector(obj: ReplicaSet | Deployment, errs: FieldErrors): void {
  const sel = obj.spec?.selector;
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
    errs.required('spec.selector');
    return;
  }
  validateSelectorLabels(sel.matchLabels ?? {}, 'spec.selector.matchLabels', errs);
  try {
    selectorFromLabelSelector(sel);
  } catch (err) {
    errs.invalid('spec.selector', sel, (err as Error).message);
  }
  const labels = obj.spec.template?.metadata?.labels ?? {};
  if (obj.spec.template && !selects(sel, labels)) {
    errs.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`');
  }
}

function selectorImmutable(obj: KubeObject, old: KubeObject, errs: FieldErrors): void {
  const a = JSON.stringify((obj as ReplicaSet).spec?.selector ?? null);
  const b = JSON.stringify((old as ReplicaSet).spec?.selector ?? null);
  if (a !== b) errs.invalid('spec.selector', (obj as ReplicaSet).spec?.selector, 'field is immutable');
}

export const replicaSetStrategy: Strategy = {
  ...controlled,
  default(obj) {
    const rs = obj as ReplicaSet;
    if (!rs.spec || typeof rs.spec !== 'object') return;
    rs.spec.replicas ??= 1;
    rs.spec.minReadySeconds ??= 0;
    defaultTemplate(rs as Workload);
  },
  validate(obj, errs) {
    commonValidate(obj as Workload, errs);
    validateAppsSelector(obj as ReplicaSet, errs);
  },
  validateUpdate: selectorImmutable,
};

export const deploymentStrategy: Strategy = {
  ...controlled,
  prepareForCreate(obj) {
    obj.status = {};
  },
  default(obj) {
    const d = obj as Deployment;
    if (!d.spec || typeof d.spec !== 'object') return;
    d.spec.replicas ??= 1;
    d.spec.strategy ??= {};
    d.spec.strategy.type ??= 'RollingUpdate';
    if (d.spec.strategy.type === 'RollingUpdate') {
      d.spec.strategy.rollingUpdate ??= {};
      d.spec.strategy.rollingUpdate.maxSurge ??= '25%';
      d.spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    }
    d.spec.revisionHistoryLimit ??= 10;
    d.spec.progressDeadlineSeconds ??= 600;
    d.spec.minReadySeconds ??= 0;
    defaultTemplate(d as Workload);
  },
  validate(obj, errs) {
    const d = obj as Deployment;
    commonValidate(d as Workload, errs);
    validateAppsSelector(d, errs);
    const t = d.spec?.strategy?.type;
    if (t && t !== 'RollingUpdate' && t !== 'Recreate') errs.notSupported('spec.strategy.type', t, ['Recreate', 'RollingUpdate']);
    if (t === 'Recreate' && d.spec.strategy?.rollingUpdate) {
      errs.forbidden('spec.strategy.rollingUpdate', 'may not be specified when strategy `type` is \'Recreate\'');
    }
  },
  validateUpdate: selectorImmutable,
};
