/**
 * How the dashboard shows a pod, a node and a controller: the words (a pod's status as kubectl
 * says it — `Running`, `ContainerCreating`, `CrashLoopBackOff`, `Terminating` —, `1/1` ready,
 * restarts, IP; a node's `Ready` / `NotReady` / `partitioned`) and one tone each, which the page
 * turns into a colour:
 *
 * - `ok`       Running and Ready; a Ready node; a controller with every replica ready
 * - `progress` on its way: Pending, ContainerCreating, Running but not Ready yet, replicas missing
 * - `failing`  CrashLoopBackOff, ErrImagePull, Error, Failed, Unknown; a NotReady node
 * - `gone`     Terminating (a deletion timestamp); a partitioned node
 * - `done`     Succeeded / Completed
 *
 * Pure (no DOM, no clock), so it is unit-tested and shared by every renderer.
 */
import type { Node, Pod } from '../../../shared/api/core.js';
import type { KubeObject } from '../../../shared/api/meta.js';

export type Tone = 'ok' | 'progress' | 'failing' | 'gone' | 'done';

export interface PodLook {
  status: string;
  ready: string;
  restarts: number;
  ip: string;
  tone: Tone;
}

/** Waiting or terminated reasons that mean "this is not going to work by itself". */
const FAILING = /BackOff|Err|Error|Invalid|Failed|OOMKilled|ExitCode|Signal|Unknown|NodeLost|Evicted/;

function terminated(t: { reason?: string; signal?: number; exitCode?: number }): string {
  return t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`);
}

/** The pod's status word, by kubectl's rule: the last container with a waiting or terminated reason wins. */
function podStatus(pod: Pod): string {
  const st = pod.status ?? {};
  let status: string = st.reason || st.phase || 'Pending';
  const containers = st.containerStatuses ?? [];
  for (let i = containers.length - 1; i >= 0; i--) {
    const s = containers[i]!.state;
    if (s?.waiting?.reason) {
      status = s.waiting.reason;
      break;
    }
    if (s?.terminated) {
      status = terminated(s.terminated);
      break;
    }
  }
  if (pod.metadata.deletionTimestamp && st.phase !== 'Succeeded' && st.phase !== 'Failed') status = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return status;
}

export function podLook(pod: Pod): PodLook {
  const containers = pod.spec?.containers ?? [];
  const statuses = pod.status?.containerStatuses ?? [];
  const readyCount = statuses.filter((s) => s.ready).length;
  const podReady = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const status = podStatus(pod);
  let tone: Tone;
  if (status === 'Terminating') tone = 'gone';
  else if (status === 'Completed' || pod.status?.phase === 'Succeeded') tone = 'done';
  else if (FAILING.test(status) || pod.status?.phase === 'Failed') tone = 'failing';
  else if (status === 'Running' && podReady) tone = 'ok';
  else tone = 'progress';
  return {
    status,
    ready: `${readyCount}/${containers.length || statuses.length}`,
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    ip: pod.status?.podIP ?? '',
    tone,
  };
}

export interface NodeLook {
  /** `Ready`, `NotReady`, `partitioned`; `,SchedulingDisabled` as kubectl appends it. */
  status: string;
  tone: Tone;
  /** Why, when not Ready (the Ready condition's reason), and the taints that matter. */
  detail: string;
  address: string;
}

export function readyStatus(node: Node): 'True' | 'False' | 'Unknown' {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

/** `partitioned`: the page knows it cut this node from the bus (it cannot be seen in the API). */
export function nodeLook(node: Node, partitioned = false): NodeLook {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const isReady = ready?.status === 'True';
  let status = partitioned ? 'partitioned' : isReady ? 'Ready' : 'NotReady';
  if (node.spec?.unschedulable) status += ',SchedulingDisabled';
  const taints = new Set((node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute' || t.key.startsWith('node.kubernetes.io/')).map((t) => t.key.replace('node.kubernetes.io/', '')));
  const why = isReady ? '' : ready?.reason ?? 'no Ready condition yet';
  return {
    status,
    tone: partitioned ? 'gone' : isReady ? 'ok' : 'failing',
    detail: [why, ...[...taints].map((t) => `tainted ${t}`)].filter(Boolean).join(' · '),
    address: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
  };
}

export interface ControllerLook {
  kind: string;
  name: string;
  namespace: string;
  /** `3/3 ready`. */
  text: string;
  desired: number;
  ready: number;
  tone: Tone;
}

/** ReplicationController, ReplicaSet, Deployment: desired replicas against ready ones. */
export function controllerLook(obj: KubeObject): ControllerLook {
  const spec = (obj as { spec?: { replicas?: number } }).spec ?? {};
  const status = (obj as { status?: { readyReplicas?: number; replicas?: number } }).status ?? {};
  const desired = spec.replicas ?? 1;
  const ready = status.readyReplicas ?? 0;
  const tone: Tone = obj.metadata.deletionTimestamp ? 'gone' : ready === desired && (status.replicas ?? 0) === desired ? 'ok' : 'progress';
  return { kind: obj.kind ?? '', name: obj.metadata.name ?? '', namespace: obj.metadata.namespace ?? '', text: `${ready}/${desired} ready`, desired, ready, tone };
}
