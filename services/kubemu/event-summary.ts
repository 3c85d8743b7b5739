/**
 * What a person watching the cluster wants to know about an object, per kind, as a short list of
 * facets (`kubemu events` prints them and, for a change, only those that changed): a Pod's status
 * word as kubectl's STATUS column shows it (ContainerCreating, Running, CrashLoopBackOff,
 * Terminating, …), its node, readiness, restarts and IP; a Node's Ready / NotReady (with the
 * condition's reason) and taints; the replica counts of controllers; a Service's type and
 * addresses; Endpoints' ready addresses; a Lease's holder. Kinds without a summary have none (only
 * ADDED / DELETED say something about them).
 *
 * Pure and defensive: any field may be missing, nothing throws.
 */
import type { KubeObject } from '../../shared/api/meta.js';

export type Tone = 'good' | 'warn' | 'bad';

export interface Facet {
  key: string;
  /** How it reads alone: `Running`, `on node-2`, `ready 1/1`. */
  text: string;
  /** The bare value, for `old → new`. */
  value: string;
  /** What precedes the value (`ready`, `on`); none for status words. */
  label?: string;
  /** Set-valued facets (taints) show what came and went: `taints +a -b`. */
  items?: string[];
  /** How it reads when it first appears on an object seen before (`scheduled to node-2`). */
  appears?: string;
  tone?: Tone;
}

type Obj = Record<string, any>;

const BAD = /NotReady|Unknown|Failed|Error|BackOff|ErrImage|Invalid|OOMKilled|Evicted|Terminating|NodeLost|Lost/;
const WARN = /Pending|Creating|Initializing|ContainerCreating|PodInitializing|Terminated|Completed|SchedulingDisabled/;

export function toneOf(word: string): Tone {
  if (BAD.test(word)) return 'bad';
  if (WARN.test(word)) return 'warn';
  return 'good';
}

const facet = (key: string, value: string, label?: string, extra: Partial<Facet> = {}): Facet => ({ key, value, label, text: label ? `${label} ${value}` : value, ...extra });

/** kubectl's STATUS column, simplified: deletion, then a container's waiting/terminated reason, then the pod's reason or phase. */
export function podStatusWord(pod: Obj): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const statuses: Obj[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    const reason = cs?.state?.waiting?.reason ?? (cs?.state?.terminated && pod.status?.phase !== 'Succeeded' ? cs.state.terminated.reason : undefined);
    if (reason && reason !== 'Completed') return reason;
  }
  return pod.status?.reason ?? pod.status?.phase ?? 'Pending';
}

function podFacets(pod: Obj): Facet[] {
  const word = podStatusWord(pod);
  const out = [facet('status', word, undefined, { tone: toneOf(word) })];
  const node = pod.spec?.nodeName;
  if (node) out.push(facet('node', node, 'on', { appears: `scheduled to ${node}` }));
  const statuses: Obj[] = pod.status?.containerStatuses ?? [];
  const total = (pod.spec?.containers ?? []).length || statuses.length;
  if (total > 0) {
    const ready = statuses.filter((c) => c?.ready).length;
    out.push(facet('ready', `${ready}/${total}`, 'ready', { tone: ready === total ? 'good' : 'warn' }));
  }
  const restarts = statuses.reduce((n, c) => n + (Number(c?.restartCount) || 0), 0);
  if (restarts > 0) out.push(facet('restarts', String(restarts), 'restarts', { tone: 'warn' }));
  if (pod.status?.podIP) out.push(facet('ip', pod.status.podIP, 'ip'));
  return out;
}

function nodeFacets(node: Obj): Facet[] {
  const ready = (node.status?.conditions ?? []).find((c: Obj) => c?.type === 'Ready');
  let word = ready?.status === 'True' ? 'Ready' : 'NotReady';
  if (node.spec?.unschedulable) word += ',SchedulingDisabled';
  const out = [facet('status', word, undefined, { tone: toneOf(word) })];
  if (ready && ready.status !== 'True' && ready.reason) out.push(facet('why', ready.reason, 'because'));
  const taints: string[] = (node.spec?.taints ?? []).map((t: Obj) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  if (taints.length) out.push(facet('taints', taints.join(','), 'taints', { items: taints, tone: 'warn' }));
  return out;
}

function replicaFacets(o: Obj, deployment: boolean): Facet[] {
  const desired = Number(o.spec?.replicas ?? 1);
  const ready = Number(o.status?.readyReplicas ?? 0);
  const out = [facet('ready', `${ready}/${desired}`, 'ready', { tone: ready >= desired ? 'good' : 'warn' })];
  if (deployment) {
    out.push(facet('updated', String(o.status?.updatedReplicas ?? 0), 'up-to-date'));
    out.push(facet('available', String(o.status?.availableReplicas ?? 0), 'available'));
  } else {
    out.push(facet('current', String(o.status?.replicas ?? 0), 'current'));
  }
  return out;
}

function serviceFacets(svc: Obj): Facet[] {
  const out = [facet('type', svc.spec?.type ?? 'ClusterIP')];
  if (svc.spec?.clusterIP) out.push(facet('ip', svc.spec.clusterIP, 'ip'));
  const external: string[] = (svc.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i?.ip ?? i?.hostname).filter(Boolean);
  if (external.length) out.push(facet('external', external.join(','), 'external'));
  return out;
}

function endpointFacets(ready: string[], notReady: number): Facet[] {
  const out = [facet('ready', ready.length ? ready.join(',') : '<none>', 'ready', { items: ready, tone: ready.length ? 'good' : 'warn' })];
  if (notReady) out.push(facet('notReady', String(notReady), 'not ready', { tone: 'warn' }));
  return out;
}

export function summaryFacets(kind: string, obj: KubeObject | undefined): Facet[] {
  if (!obj) return [];
  const o = obj as Obj;
  switch (kind) {
    case 'Pod':
      return podFacets(o);
    case 'Node':
      return nodeFacets(o);
    case 'ReplicationController':
    case 'ReplicaSet':
      return replicaFacets(o, false);
    case 'Deployment':
      return replicaFacets(o, true);
    case 'Service':
      return serviceFacets(o);
    case 'Endpoints': {
      const subsets: Obj[] = o.subsets ?? [];
      const ready = subsets.flatMap((s) => (s.addresses ?? []).map((a: Obj) => a.ip));
      return endpointFacets(ready, subsets.reduce((n, s) => n + (s.notReadyAddresses ?? []).length, 0));
    }
    case 'EndpointSlice': {
      const eps: Obj[] = o.endpoints ?? [];
      const isReady = (e: Obj): boolean => e.conditions?.ready !== false;
      return endpointFacets(eps.filter(isReady).flatMap((e) => e.addresses ?? []), eps.filter((e) => !isReady(e)).length);
    }
    case 'Namespace':
      return o.status?.phase ? [facet('status', o.status.phase, undefined, { tone: toneOf(o.status.phase) })] : [];
    case 'HorizontalPodAutoscaler':
      return [facet('replicas', `${o.status?.currentReplicas ?? 0}/${o.status?.desiredReplicas ?? 0}`, 'replicas'), facet('range', `${o.spec?.minReplicas ?? 1}-${o.spec?.maxReplicas ?? '?'}`, 'min-max')];
    case 'Lease':
      return o.spec?.holderIdentity ? [facet('holder', o.spec.holderIdentity, 'held by')] : [];
    default:
      return [];
  }
}
