/**
 * What a pod worker knows about one container of its pod (a "slot": the container's name across
 * its restarts): the current instance from the runtime, how the previous one ended, the restart
 * count, a kubelet-side waiting reason, the image id and the instance's probes.
 *
 * Invariants: `current` only moves to a newer instance (`begin`) or to a later state of the same
 * one (`exited` / `refresh`); `restartCount` is the number of instances started before the current
 * one (a kubelet restart continues from the count the API showed); `exitedAtMs` is when the
 * kubelet saw the current instance end (the back-off is measured from it).
 */
import type { Container } from '../../shared/api/core.js';
import type { ContainerInfo, Runtime } from './runtime/runtime.js';
import type { ContainerProber } from './probes.js';
import type { ContainerView, TerminatedState } from './status.js';

export class Slot {
  current?: ContainerInfo;
  last?: TerminatedState;
  /** Attempt number of the next instance. */
  attempt: number;
  restartCount: number;
  waiting?: { reason: string; message?: string };
  imageID?: string;
  exitedAtMs?: number;
  prober?: ContainerProber;
  /** A probe asked for this instance to be killed and restarted. */
  killReason?: 'liveness' | 'startup';

  constructor(
    public spec: Container,
    readonly init: boolean,
    seenRestarts: number,
    ranBefore: boolean,
  ) {
    this.restartCount = ranBefore ? seenRestarts : 0;
    this.attempt = ranBefore ? seenRestarts + 1 : 0;
  }

  get fieldPath(): string {
    return `spec.${this.init ? 'initContainers' : 'containers'}{${this.spec.name}}`;
  }

  /** A new instance started (running, or already terminated if it could not run). */
  begin(info: ContainerInfo, nowMs: number): void {
    if (this.current?.state.state === 'terminated') this.last = this.current.state;
    this.stopProbes();
    this.current = info;
    this.restartCount = this.attempt;
    this.attempt++;
    this.waiting = undefined;
    this.killReason = undefined;
    this.exitedAtMs = info.state.state === 'terminated' ? nowMs : undefined;
  }

  /** The runtime reported an exit; true when it was this slot's current instance. */
  exited(info: ContainerInfo, nowMs: number): boolean {
    if (!this.current || this.current.id !== info.id || info.state.state !== 'terminated') return false;
    const wasRunning = this.current.state.state !== 'terminated';
    this.current = info;
    if (wasRunning) this.exitedAtMs = nowMs;
    this.stopProbes();
    return true;
  }

  /** Re-reads the current instance from the runtime (after a stop). */
  refresh(runtime: Runtime, nowMs: number): void {
    if (!this.current) return;
    const fresh = runtime.container(this.current.id);
    if (fresh) this.exited(fresh, nowMs);
  }

  stopProbes(): void {
    this.prober?.stop();
    this.prober = undefined;
  }

  view(): ContainerView {
    const state = this.current?.state;
    const running = state?.state === 'running';
    const completed = state?.state === 'terminated' && state.exitCode === 0;
    return {
      name: this.spec.name,
      image: this.spec.image ?? '',
      ...(this.imageID ? { imageID: this.imageID } : {}),
      ...(this.current ? { containerID: this.current.id } : {}),
      ...(state ? { state } : {}),
      ...(this.last ? { last: this.last } : {}),
      ...(this.waiting ? { waiting: this.waiting } : {}),
      restartCount: this.restartCount,
      ready: this.init ? completed && !this.waiting : running && (this.prober ? this.prober.ready : true),
      started: running && (this.prober ? this.prober.started : true),
    };
  }
}
