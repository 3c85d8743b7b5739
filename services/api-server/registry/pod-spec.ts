/**
 * Defaulting and validation of a PodSpec, shared by pods and by every pod template (RC, ReplicaSet,
 * Deployment). Defaults are the ones Kubernetes applies (and `kubectl get -o yaml` / `describe`
 * show): container port protocol TCP, imagePullPolicy from the tag, termination message path,
 * restartPolicy Always, dnsPolicy ClusterFirst, schedulerName default-scheduler, a 30 s grace period,
 * the service account `default`, probe timings, and the not-ready / unreachable tolerations of the
 * DefaultTolerationSeconds admission plugin (300 s in Kubernetes; kubemu's fast profile uses 0).
 */
import type { Container, PodSpec, Probe, Toleration } from '../../../shared/api/core.js';
import { FieldErrors, nameProblem } from '../validation.js';

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) p.httpGet.scheme ??= 'HTTP';
}

function imageTag(image: string): string | undefined {
  if (image.includes('@')) return 'digest';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const i = last.indexOf(':');
  return i < 0 ? undefined : last.slice(i + 1);
}

function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy && c.image) {
    const tag = imageTag(c.image);
    c.imagePullPolicy = tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

function defaultTolerations(spec: PodSpec, seconds: number): void {
  const has = (key: string): boolean =>
    (spec.tolerations ?? []).some((t) => (t.key === key || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute'));
  const add: Toleration[] = [];
  if (!has(NOT_READY)) add.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  if (!has(UNREACHABLE)) add.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  if (add.length) spec.tolerations = [...(spec.tolerations ?? []), ...add];
}

/** Defaults of a pod spec; `admission` adds what admission plugins add to real pods (not templates). */
export function defaultPodSpec(spec: PodSpec, opts: { admission: boolean; tolerationSeconds?: number }): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    const sources = Object.keys(v).filter((k) => k !== 'name');
    if (sources.length === 0) v.emptyDir = {};
  }
  if (opts.admission) {
    spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
    spec.serviceAccount = spec.serviceAccountName;
    spec.enableServiceLinks ??= true;
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    defaultTolerations(spec, opts.tolerationSeconds ?? 300);
  }
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function validateContainer(c: Container, path: string, volumes: Set<string>, errs: FieldErrors): void {
  if (!c.name) errs.required(`${path}.name`);
  else {
    const why = nameProblem(c.name, 'label');
    if (why) errs.invalid(`${path}.name`, c.name, why);
  }
  if (!c.image) errs.required(`${path}.image`);
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535) {
      errs.invalid(`${pp}.containerPort`, p.containerPort, 'must be between 1 and 65535, inclusive');
    }
    if (p.hostPort !== undefined && (!Number.isInteger(p.hostPort) || p.hostPort < 0 || p.hostPort > 65535)) {
      errs.invalid(`${pp}.hostPort`, p.hostPort, 'must be between 0 and 65535, inclusive');
    }
    if (p.protocol && !PROTOCOLS.includes(p.protocol)) errs.notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS);
    if (p.name !== undefined) {
      if (p.name.length > 15 || !PORT_NAME.test(p.name) || !/[a-z]/.test(p.name)) {
        errs.invalid(`${pp}.name`, p.name, 'must be no more than 15 characters, contain only lowercase letters, digits and "-", contain at least one letter, and start and end with a letter or digit');
      } else if (portNames.has(p.name)) errs.duplicate(`${pp}.name`, p.name);
      portNames.add(p.name);
    }
  });
  (c.env ?? []).forEach((e, i) => {
    if (!e.name) errs.required(`${path}.env[${i}].name`);
  });
  (c.volumeMounts ?? []).forEach((m, i) => {
    if (!m.name) errs.required(`${path}.volumeMounts[${i}].name`);
    else if (!volumes.has(m.name)) errs.invalid(`${path}.volumeMounts[${i}].name`, m.name, 'not found');
    if (!m.mountPath) errs.required(`${path}.volumeMounts[${i}].mountPath`);
  });
}

export function validatePodSpec(spec: PodSpec | undefined, path: string, errs: FieldErrors): void {
  if (!spec) {
    errs.required(path);
    return;
  }
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (!v.name) errs.required(`${path}.volumes[${i}].name`);
    else if (volumes.has(v.name)) errs.duplicate(`${path}.volumes[${i}].name`, v.name);
    volumes.add(v.name);
  });
  if (!spec.containers || spec.containers.length === 0) errs.required(`${path}.containers`);
  const names = new Set<string>();
  const all = [...(spec.initContainers ?? []).map((c, i) => [c, `${path}.initContainers[${i}]`] as const), ...(spec.containers ?? []).map((c, i) => [c, `${path}.containers[${i}]`] as const)];
  for (const [c, p] of all) {
    validateContainer(c, p, volumes, errs);
    if (c.name && names.has(c.name)) errs.duplicate(`${p}.name`, c.name);
    if (c.name) names.add(c.name);
  }
  const policies = ['Always', 'OnFailure', 'Never'];
  if (spec.restartPolicy && !policies.includes(spec.restartPolicy)) errs.notSupported(`${path}.restartPolicy`, spec.restartPolicy, policies);
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errs.invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0');
  }
}
