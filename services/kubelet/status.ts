/**
 * Building a pod's status from what the kubelet knows, as the real kubelet shapes it (pure: no I/O;
 * the pod worker supplies a `PodView`, ./status-writer.ts writes the result).
 *
 * - phase (kubelet's getPhase): Pending while init containers run or any container waits to start
 *   for the first time; Running while one runs, or (restartPolicy Always / OnFailure after a
 *   failure) while stopped ones wait to be restarted; Succeeded when every container exited 0 and
 *   none will restart; Failed when they all stopped, one failed, and restartPolicy is Never.
 * - conditions, in the order kubectl shows them: PodReadyToStartContainers (sandbox up),
 *   Initialized (`containers with incomplete status: [..]`), Ready and ContainersReady
 *   (`containers with unready status: [..]`, reason PodCompleted once the pod is done), then
 *   PodScheduled and any other condition the kubelet does not own, kept as they are. A condition's
 *   lastTransitionTime changes only when its status does.
 * - containerStatuses / initContainerStatuses: state (a kubelet-side waiting reason such as
 *   ErrImagePull or CrashLoopBackOff wins over the runtime state; a container never started waits
 *   in ContainerCreating, or PodInitializing behind init containers), lastState, ready, started,
 *   restartCount, image, imageID, containerID.
 * - hostIP(s), podIP(s), startTime; fields owned by others (qosClass, nominatedNodeName) are kept.
 */
import type { ContainerState as ApiContainerState, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../../shared/api/core.js';
import type { ContainerState as RuntimeState } from './runtime/runtime.js';

export type TerminatedState = Extract<RuntimeState, { state: 'terminated' }>;

export interface ContainerView {
  name: string;
  /** The image as the spec names it. */
  image: string;
  imageID?: string;
  containerID?: string;
  /** Runtime state of the current instance; undefined when it was never started. */
  state?: RuntimeState;
  /** How the previous instance ended. */
  last?: TerminatedState;
  /** A kubelet-side waiting reason (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, …). */
  waiting?: { reason: string; message?: string };
  restartCount: number;
  ready: boolean;
  started: boolean;
}

export interface PodView {
  pod: Pod;
  hostIP: string;
  podIP?: string;
  startTime?: string;
  sandboxReady: boolean;
  initContainers: ContainerView[];
  containers: ContainerView[];
  /** Set when the kubelet itself ended the pod (activeDeadlineSeconds, …). */
  terminal?: { phase: 'Succeeded' | 'Failed'; reason?: string; message?: string };
}

export const OWNED_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

function initDone(c: ContainerView): boolean {
  return !c.waiting && c.state?.state === 'terminated' && c.state.exitCode === 0;
}

function hasStoppedBefore(c: ContainerView): boolean {
  return c.last !== undefined || c.state?.state === 'terminated';
}

/** The pod phase the kubelet reports for these containers. */
export function podPhase(pod: Pod, init: ContainerView[], containers: ContainerView[]): PodPhase {
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (!init.every(initDone)) {
    const failed = init.some((c) => c.state?.state === 'terminated' && c.state.exitCode !== 0);
    return failed && policy === 'Never' ? 'Failed' : 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    if (c.waiting || !c.state) {
      if (hasStoppedBefore(c)) stopped++;
      else waiting++;
    } else if (c.state.state === 'running') running++;
    else if (c.state.state === 'terminated') {
      stopped++;
      if (c.state.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function terminatedOf(t: TerminatedState, containerID?: string): ApiContainerState {
  return {
    terminated: {
      exitCode: t.exitCode,
      ...(t.signal ? { signal: t.signal } : {}),
      reason: t.reason,
      ...(t.message ? { message: t.message } : {}),
      startedAt: t.startedAt,
      finishedAt: t.finishedAt,
      ...(containerID ? { containerID } : {}),
    },
  };
}

function containerStatus(c: ContainerView, notStartedReason: string): ContainerStatus {
  let state: ApiContainerState;
  let lastState: ApiContainerState = c.last ? terminatedOf(c.last) : {};
  if (c.waiting) {
    state = { waiting: { reason: c.waiting.reason, ...(c.waiting.message ? { message: c.waiting.message } : {}) } };
    if (c.state?.state === 'terminated') lastState = terminatedOf(c.state, c.containerID);
  } else if (c.state?.state === 'running') state = { running: { startedAt: c.state.startedAt } };
  else if (c.state?.state === 'terminated') state = terminatedOf(c.state, c.containerID);
  else if (c.state?.state === 'waiting') state = { waiting: { reason: c.state.reason, ...(c.state.message ? { message: c.state.message } : {}) } };
  else state = { waiting: { reason: notStartedReason } };
  return {
    name: c.name,
    state,
    lastState,
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID ?? '',
    ...(c.containerID ? { containerID: c.containerID } : {}),
    started: c.started,
  };
}

function condition(type: string, ok: boolean, now: string, prev: PodCondition[], reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const before = prev.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === status && before.lastTransitionTime ? before.lastTransitionTime : now;
  return { type, status, lastProbeTime: null, lastTransitionTime, ...(!ok && reason ? { reason } : {}), ...(!ok && message ? { message } : {}) };
}

/** The status to write for `view`, given the current status in the API (`view.pod.status`). */
export function buildPodStatus(view: PodView, now: string): PodStatus {
  const prev = view.pod.status ?? {};
  const prevConditions = prev.conditions ?? [];
  const phase: PodPhase = view.terminal?.phase ?? podPhase(view.pod, view.initContainers, view.containers);
  const done = phase === 'Succeeded' || phase === 'Failed';

  const incomplete = view.initContainers.filter((c) => !initDone(c)).map((c) => c.name);
  const unready = view.containers.filter((c) => !c.ready).map((c) => c.name);
  const ready = !done && unready.length === 0;
  const notReadyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = done ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', view.sandboxReady, now, prevConditions),
    condition('Initialized', incomplete.length === 0, now, prevConditions, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    condition('Ready', ready, now, prevConditions, notReadyReason, notReadyMessage),
    condition('ContainersReady', ready, now, prevConditions, notReadyReason, notReadyMessage),
    ...prevConditions.filter((c) => !OWNED_CONDITIONS.includes(c.type)),
  ];

  const initRunning = incomplete.length > 0;
  const status: PodStatus = { ...prev, phase, conditions };
  delete status.reason;
  delete status.message;
  if (view.terminal?.reason) status.reason = view.terminal.reason;
  if (view.terminal?.message) status.message = view.terminal.message;
  status.hostIP = view.hostIP;
  status.hostIPs = [{ ip: view.hostIP }];
  if (view.podIP) {
    status.podIP = view.podIP;
    status.podIPs = [{ ip: view.podIP }];
  } else {
    delete status.podIP;
    delete status.podIPs;
  }
  if (view.startTime) status.startTime = view.startTime;
  if (view.initContainers.length > 0) status.initContainerStatuses = view.initContainers.map((c) => containerStatus(c, 'PodInitializing'));
  else delete status.initContainerStatuses;
  status.containerStatuses = view.containers.map((c) => containerStatus(c, initRunning ? 'PodInitializing' : 'ContainerCreating'));
  return status;
}

/** JSON with object keys sorted: two statuses are equal when their canonical forms are. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = (value as Record<string, unknown>)[k];
    return out;
  });
}
