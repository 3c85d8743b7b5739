/**
 * One pod on this node: a level-based worker that drives the runtime towards the pod's spec and
 * reports what it sees (the kubelet's pod worker + SyncPod).
 *
 * Every trigger (pod update, container exit, probe change, back-off expiry) only `kick`s; syncs run
 * one at a time and a kick during a sync runs one more. A sync compares desired with actual:
 * - deleted (deletionTimestamp) or gone from the API → terminate: SIGTERM every running container
 *   with the grace period (`deletionGracePeriodSeconds`, else the spec's), stop the sandbox, release
 *   the IP, then write the final status and confirm the deletion (`DELETE` with grace 0 and the uid
 *   as precondition) — those two only while the API still has the pod;
 * - otherwise: sandbox (./pod-sandbox.ts: IP from the node's pod CIDR, kept across kubelet
 *   restarts), init containers one by one to completion, then the containers in order; exited ones are
 *   restarted per restartPolicy with back-off (CrashLoopBackOff), failed pulls back off
 *   (ErrImagePull → ImagePullBackOff); liveness / startup failures restart the container;
 *   activeDeadlineSeconds ends the pod (DeadlineExceeded).
 * - A pod that reached Succeeded / Failed (here or, after a kubelet restart, per the API) is never
 *   run again; its sandbox is stopped and its IP released.
 * The status is written after each sync, only when changed (./status-writer.ts). Container starts
 * are in ./container-start.ts. Nothing a workload does throws out of a sync; unexpected errors are
 * logged and the sync retried after a second.
 */
import type { Container, Pod } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { isoTime, type Clock, type TimerHandle } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { goDuration, type Backoff } from './backoff.js';
import { startContainer, type StartDeps } from './container-start.js';
import type { EnvSources } from './env.js';
import type { ImagePuller, Recorder } from './image-puller.js';
import type { IpAllocator } from './ip-allocator.js';
import { createSandbox } from './pod-sandbox.js';
import type { ProbeExecutor } from './probe-executor.js';
import type { ContainerInfo, Runtime, Sandbox } from './runtime/runtime.js';
import { buildPodStatus, podPhase, type ContainerView, type PodView } from './status.js';
import { StatusWriter } from './status-writer.js';
import { Slot } from './slot.js';

const PODS = resourceByPlural('pods');
const RETRY_MS = 1000;

export interface PodWorkerDeps {
  nodeName: string;
  hostIP: string;
  runtime: Runtime;
  api: ApiClient;
  recorder: Recorder;
  clock: Clock;
  log: Logger;
  ips: IpAllocator;
  env: EnvSources;
  allocatable: Record<string, string>;
  probes: ProbeExecutor;
  backoff: Backoff;
  puller: ImagePuller;
  /** Called once the worker has finished (pod terminated and cleaned up). */
  onDone(uid: string): void;
}

/** What a sync acts on: everything but status and bookkeeping metadata. */
function desiredState(pod: Pod): string {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = pod.metadata;
  return JSON.stringify([meta, pod.spec]);
}

export class PodWorker {
  readonly uid: string;
  private pod: Pod;
  private removed = false;
  private finished = false;
  private syncing = false;
  private again = false;
  private sandbox?: Sandbox;
  private startTime?: string;
  private terminal?: PodView['terminal'];
  /** The pod had already ended when this worker first saw it: the API's status is the truth. */
  private readonly adoptedTerminal: boolean;
  private readonly slots = new Map<string, Slot>();
  private wake?: { at: number; timer: TimerHandle };
  private readonly status: StatusWriter;
  private readonly log: Logger;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(private readonly deps: PodWorkerDeps, pod: Pod) {
    this.pod = pod;
    this.uid = pod.metadata.uid ?? '';
    const { namespace = 'default', name = '' } = pod.metadata;
    this.log = deps.log.child({ pod: `${namespace}/${name}` });
    this.status = new StatusWriter({ api: deps.api, clock: deps.clock, log: this.log, namespace, name, uid: this.uid });
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') this.terminal = { phase, reason: pod.status?.reason, message: pod.status?.message };
    this.adoptedTerminal = this.terminal !== undefined;
    this.startTime = pod.status?.startTime;
  }

  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }

  get name(): string {
    return this.pod.metadata.name ?? '';
  }

  get podIP(): string | undefined {
    return this.sandbox?.ip;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** The containers as the runtime knows them (for the pod lookup of streaming). */
  containers(): { name: string; init: boolean; id?: string; running: boolean }[] {
    return [...this.slots.values()].map((s) => ({ name: s.spec.name, init: s.init, id: s.current?.id, running: s.current?.state.state === 'running' }));
  }

  /**
   * A newer version of the pod from the API. A change of status only (our own writes, or another
   * component's) does not need a sync, only a check that the status there is still ours.
   */
  update(pod: Pod): void {
    if (pod.metadata.uid !== this.uid) return;
    const before = this.pod;
    this.pod = pod;
    if (desiredState(before) === desiredState(pod)) {
      if (!this.syncing && !this.finished && (this.sandbox || this.terminal)) this.writeStatus();
      return;
    }
    this.kick();
  }

  /** The API no longer assigns this pod to this node (deleted, or gone while we were away). */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    this.kick();
  }

  containerExited(info: ContainerInfo): void {
    for (const slot of this.slots.values()) if (slot.exited(info, this.deps.clock.now())) this.kick();
  }

  kick(): void {
    if (this.finished) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    void this.loop();
  }

  private async loop(): Promise<void> {
    this.syncing = true;
    do {
      this.again = false;
      try {
        await this.syncOnce();
      } catch (err) {
        this.log.error({ err }, 'pod sync failed; retrying');
        this.wakeIn(RETRY_MS);
      }
    } while (this.again && !this.finished);
    this.syncing = false;
  }

  private wakeIn(ms: number): void {
    const at = this.deps.clock.now() + Math.max(0, ms);
    if (this.wake && this.wake.at <= at) return;
    this.wake?.timer.cancel();
    this.wake = {
      at,
      timer: this.deps.clock.setTimeout(() => {
        this.wake = undefined;
        this.kick();
      }, Math.max(0, ms)),
    };
  }

  private slot(c: Container, init: boolean): Slot {
    let s = this.slots.get(c.name);
    if (!s) {
      const seen = (init ? this.pod.status?.initContainerStatuses : this.pod.status?.containerStatuses)?.find((x) => x.name === c.name);
      s = new Slot(c, init, seen?.restartCount ?? 0, seen !== undefined && (seen.restartCount > 0 || !seen.state?.waiting));
      this.slots.set(c.name, s);
    }
    s.spec = c;
    return s;
  }

  private async syncOnce(): Promise<void> {
    if (this.finished) return;
    const pod = this.pod;
    if (this.removed || pod.metadata.deletionTimestamp) return this.terminate(!this.removed);
    for (const c of [...(pod.spec.initContainers ?? [])]) this.slot(c, true);
    for (const c of pod.spec.containers) this.slot(c, false);
    if (this.terminal) {
      await this.finishRun();
      return this.writeStatus();
    }
    this.startTime ??= isoTime(this.deps.clock);
    if (this.deadlinePassed()) return this.failDeadline();
    if (!(await this.ensureSandbox())) return this.writeStatus();
    this.writeStatus();
    await this.runLiveness();
    if (await this.runInitContainers()) await this.runContainers();
    const phase = podPhase(pod, this.views(true), this.views(false));
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.terminal = { phase };
      await this.finishRun();
    }
    this.writeStatus();
  }

  private deadlinePassed(): boolean {
    const limit = this.pod.spec.activeDeadlineSeconds;
    if (limit === undefined || !this.startTime) return false;
    const left = Date.parse(this.startTime) + limit * 1000 - this.deps.clock.now();
    if (left > 0) this.wakeIn(left);
    return left <= 0;
  }

  private async failDeadline(): Promise<void> {
    const message = 'Pod was active on the node longer than the specified deadline';
    this.deps.recorder.record(this.pod, 'Warning', 'DeadlineExceeded', message);
    await this.stopAll(0);
    this.terminal = { phase: 'Failed', reason: 'DeadlineExceeded', message };
    await this.finishRun();
    this.writeStatus();
  }

  private async ensureSandbox(): Promise<boolean> {
    if (this.sandbox) return true;
    const outcome = await createSandbox(this.deps, this.pod);
    if ('retryInMs' in outcome) {
      this.wakeIn(outcome.retryInMs);
      return false;
    }
    this.sandbox = outcome.sandbox;
    return true;
  }

  private startDeps(): StartDeps {
    return { ...this.deps, pod: this.pod, sandbox: this.sandbox!, wakeIn: (ms) => this.wakeIn(ms), kick: () => this.kick(), log: this.log };
  }

  /** Carries out liveness / startup kills asked for by the probes. */
  private async runLiveness(): Promise<void> {
    for (const s of this.slots.values()) {
      if (!s.killReason || s.current?.state.state !== 'running') continue;
      const probeGrace = (s.spec.livenessProbe as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
      await this.deps.runtime.stopContainer(s.current.id, probeGrace ?? this.pod.spec.terminationGracePeriodSeconds ?? 30);
      s.refresh(this.deps.runtime, this.deps.clock.now());
      s.killReason = undefined;
    }
  }

  /** Runs init containers in order; true once all have completed. */
  private async runInitContainers(): Promise<boolean> {
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    for (const c of this.pod.spec.initContainers ?? []) {
      const s = this.slot(c, true);
      const st = s.current?.state;
      if (st?.state === 'terminated' && st.exitCode === 0) continue;
      if (st?.state === 'running') return false;
      if (st?.state === 'terminated') {
        if (policy !== 'Never') await this.restart(s);
        return false;
      }
      await startContainer(this.startDeps(), s);
      return false;
    }
    return true;
  }

  private async runContainers(): Promise<void> {
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    for (const c of this.pod.spec.containers) {
      const s = this.slot(c, false);
      const st = s.current?.state;
      if (!st) await startContainer(this.startDeps(), s);
      else if (st.state === 'terminated' && (policy === 'Always' || (policy === 'OnFailure' && st.exitCode !== 0))) await this.restart(s);
    }
  }

  /** Restarts an exited container, or makes it wait in CrashLoopBackOff. */
  private async restart(s: Slot): Promise<void> {
    const { backoff } = this.deps;
    const key = `${this.uid}/${s.spec.name}`;
    const exitedAt = s.exitedAtMs ?? this.deps.clock.now();
    const left = backoff.remainingSince(key, exitedAt);
    if (left > 0) {
      const pod = `${this.name}_${this.namespace}(${this.uid})`;
      const alreadyWaiting = s.waiting?.reason === 'CrashLoopBackOff';
      s.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(backoff.get(key))} restarting failed container=${s.spec.name} pod=${pod}` };
      if (!alreadyWaiting) {
        this.deps.recorder.record(this.pod, 'Warning', 'BackOff', `Back-off restarting failed container ${s.spec.name} in pod ${pod}`, { fieldPath: s.fieldPath });
      }
      this.wakeIn(left);
      return;
    }
    backoff.next(key, exitedAt);
    await startContainer(this.startDeps(), s);
  }

  private views(init: boolean): ContainerView[] {
    const specs = init ? this.pod.spec.initContainers ?? [] : this.pod.spec.containers;
    return specs.map((c) => this.slot(c, init).view());
  }

  private writeStatus(): void {
    if (this.adoptedTerminal) return;
    const view: PodView = {
      pod: this.pod,
      hostIP: this.deps.hostIP,
      podIP: this.sandbox?.ip ?? (this.terminal ? this.pod.status?.podIP : undefined),
      startTime: this.startTime,
      sandboxReady: !!this.sandbox && !this.terminal,
      initContainers: this.views(true),
      containers: this.views(false),
      terminal: this.terminal,
    };
    this.status.set(buildPodStatus(view, isoTime(this.deps.clock)), this.pod);
  }

  private async stopAll(graceSeconds: number): Promise<void> {
    const running = [...this.slots.values()].filter((s) => s.current?.state.state === 'running');
    for (const s of this.slots.values()) s.stopProbes();
    await Promise.all(
      running.map(async (s) => {
        this.deps.recorder.record(this.pod, 'Normal', 'Killing', `Stopping container ${s.spec.name}`, { fieldPath: s.fieldPath });
        await this.deps.runtime.stopContainer(s.current!.id, graceSeconds).catch((err: Error) => this.log.warn({ err }, 'stopping a container failed'));
        s.refresh(this.deps.runtime, this.deps.clock.now());
      }),
    );
  }

  /** The pod ran to its end: nothing may run any more; the IP goes back to the pool. */
  private async finishRun(): Promise<void> {
    for (const s of this.slots.values()) s.stopProbes();
    if (this.sandbox) {
      await this.deps.runtime.stopPodSandbox(this.uid).catch((err: Error) => this.log.warn({ err }, 'stopping the sandbox failed'));
      for (const s of this.slots.values()) s.refresh(this.deps.runtime, this.deps.clock.now());
    }
    this.deps.ips.release(this.uid);
  }

  private async terminate(confirm: boolean): Promise<void> {
    const pod = this.pod;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    this.wake?.timer.cancel();
    this.wake = undefined;
    await this.stopAll(grace);
    await this.finishRun();
    if (confirm) {
      if (!this.terminal) {
        const done = this.views(false).every((v) => v.state?.state === 'terminated' && v.state.exitCode === 0);
        this.terminal = { phase: done ? 'Succeeded' : 'Failed' };
      }
      this.writeStatus();
      await this.status.idle();
      try {
        await this.deps.api.delete(PODS, this.namespace, this.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (err) {
        if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) {
          this.log.warn({ err }, 'could not confirm the pod deletion; retrying');
          this.wakeIn(RETRY_MS);
          return;
        }
      }
    }
    this.status.stop();
    await this.deps.runtime.removePodSandbox(this.uid).catch((err: Error) => this.log.warn({ err }, 'removing the sandbox failed'));
    this.deps.backoff.resetPrefix(`${this.uid}`);
    this.finished = true;
    this.resolveDone();
    this.deps.onDone(this.uid);
  }

  /**
   * The kubelet is going away (its runtime stops every container at once): no more syncs, probes,
   * timers or status writes — what the API shows stays as it was, like a machine losing power.
   */
  halt(): void {
    this.finished = true;
    this.wake?.timer.cancel();
    this.wake = undefined;
    for (const s of this.slots.values()) s.stopProbes();
    this.status.stop();
  }
}
