/**
 * The probes of one running container instance (liveness, readiness, startup), with the kubelet's
 * semantics, on the injected Clock:
 *
 * - each probe first runs `initialDelaySeconds` after the container started, then every
 *   `periodSeconds`; an attempt lasts at most `timeoutSeconds`; attempts never overlap;
 * - a result flips only after `successThreshold` consecutive successes or `failureThreshold`
 *   consecutive failures; initial results: readiness failing (not ready), liveness passing,
 *   startup not yet passed;
 * - while a startup probe has not passed, liveness and readiness do not run; once it passes it
 *   stops; if it fails `failureThreshold` times the container is killed, like a liveness failure;
 * - `started`: running and startup passed (or no startup probe); `ready`: started and readiness
 *   passing (or no readiness probe);
 * - every failed attempt is reported (`onFailedAttempt`: the kubelet records an `Unhealthy` event
 *   per attempt); a liveness / startup failure past its threshold calls `onKill` once and stops
 *   this prober (the restarted container gets a new one).
 * Defaults as Kubernetes': period 10 s, timeout 1 s, thresholds 1 / 3.
 */
import type { Container, Probe } from '../../shared/api/core.js';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { ProbeExecutor } from './probe-executor.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProberHooks {
  onFailedAttempt(kind: ProbeKind, message: string): void;
  /** `ready` or `started` changed. */
  onChange(): void;
  onKill(kind: 'liveness' | 'startup', message: string): void;
}

export interface ContainerProberOptions {
  clock: Clock;
  executor: ProbeExecutor;
  container: Container;
  containerId: string;
  podIP: string;
  startedAtMs: number;
  hooks: ProberHooks;
}

interface Loop {
  kind: ProbeKind;
  probe: Probe;
  timer?: TimerHandle;
  running: boolean;
  successes: number;
  failures: number;
  passing: boolean;
}

export class ContainerProber {
  private readonly loops: Loop[] = [];
  private stopped = false;
  private startupPassed: boolean;
  private readinessPassing: boolean;

  constructor(private readonly opts: ContainerProberOptions) {
    const c = opts.container;
    const add = (kind: ProbeKind, probe: Probe | undefined, passing: boolean): void => {
      if (probe) this.loops.push({ kind, probe, running: false, successes: 0, failures: 0, passing });
    };
    add('startup', c.startupProbe, false);
    add('liveness', c.livenessProbe, true);
    add('readiness', c.readinessProbe, false);
    this.startupPassed = !c.startupProbe;
    this.readinessPassing = !c.readinessProbe;
  }

  get started(): boolean {
    return this.startupPassed;
  }

  get ready(): boolean {
    return this.startupPassed && this.readinessPassing;
  }

  start(): void {
    for (const loop of this.loops) {
      const due = this.opts.startedAtMs + (loop.probe.initialDelaySeconds ?? 0) * 1000 - this.opts.clock.now();
      this.schedule(loop, Math.max(0, due));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const loop of this.loops) loop.timer?.cancel();
  }

  private schedule(loop: Loop, ms: number): void {
    if (this.stopped) return;
    loop.timer?.cancel();
    loop.timer = this.opts.clock.setTimeout(() => void this.tick(loop), ms);
  }

  private periodMs(loop: Loop): number {
    return Math.max(1, loop.probe.periodSeconds ?? 10) * 1000;
  }

  private async tick(loop: Loop): Promise<void> {
    if (this.stopped || loop.running) return;
    if (loop.kind === 'startup' && this.startupPassed) return;
    if (loop.kind !== 'startup' && !this.startupPassed) return this.schedule(loop, this.periodMs(loop));
    loop.running = true;
    const timeoutMs = Math.max(1, loop.probe.timeoutSeconds ?? 1) * 1000;
    const target = { podIP: this.opts.podIP, container: this.opts.container, containerId: this.opts.containerId };
    const result = await this.opts.executor.run(loop.probe, target, timeoutMs).catch((err: Error) => ({ ok: false, message: err.message }));
    loop.running = false;
    if (this.stopped) return;
    this.record(loop, result.ok, result.message ?? '');
    if (!this.stopped && !(loop.kind === 'startup' && this.startupPassed)) this.schedule(loop, this.periodMs(loop));
  }

  private record(loop: Loop, ok: boolean, message: string): void {
    const { hooks } = this.opts;
    if (ok) {
      loop.successes++;
      loop.failures = 0;
    } else {
      loop.failures++;
      loop.successes = 0;
      hooks.onFailedAttempt(loop.kind, message);
    }
    const failureThreshold = Math.max(1, loop.probe.failureThreshold ?? 3);
    if (loop.kind === 'startup') {
      if (ok) {
        this.startupPassed = true;
        hooks.onChange();
      } else if (loop.failures >= failureThreshold) {
        this.stop();
        hooks.onKill('startup', message);
      }
      return;
    }
    const successThreshold = loop.kind === 'readiness' ? Math.max(1, loop.probe.successThreshold ?? 1) : 1;
    const before = loop.passing;
    if (ok && loop.successes >= successThreshold) loop.passing = true;
    if (!ok && loop.failures >= failureThreshold) loop.passing = false;
    if (before === loop.passing) return;
    if (loop.kind === 'liveness') {
      if (!loop.passing) {
        this.stop();
        hooks.onKill('liveness', message);
      }
      return;
    }
    this.readinessPassing = loop.passing;
    hooks.onChange();
  }
}
