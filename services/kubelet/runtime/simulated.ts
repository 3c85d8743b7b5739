/**
 * `SimulatedRuntime`: the `Runtime` contract with no processes. Containers move through their
 * states after the delays of a stages document (./stages.ts), on the injected Clock, so hundreds of
 * nodes fit in one process and tests drive it with `FakeClock`.
 *
 * - `pullImage` waits the pull delay, then resolves for known images or throws `ImagePullError`
 *   with the message a container runtime gives for a missing image.
 * - `startContainer` waits the start delay and returns the container `running`; containers whose
 *   rule says so terminate later by themselves (exit code from the rule or env) and are announced
 *   through `onContainerExit`, like real exits.
 * - `stopContainer` terminates after the stop delay with 143 (SIGTERM), or at the grace period with
 *   137 (SIGKILL) for workloads that ignore SIGTERM. Stopping a sandbox kills everything in it at once.
 * - Logs are a few synthetic lines per instance; `exec` is not supported (its session rejects).
 * - `usage` of a running container is configured, not measured: env `KUBEMU_SIM_CPU_MILLICORES`
 *   and `KUBEMU_SIM_MEMORY_BYTES` of the container (default 1m and 8 MiB), for `kubectl top` and the
 *   HPA on simulated nodes.
 * - Never throws into the kubelet except `ImagePullError` from `pullImage`, as the contract allows.
 */
import { isoTime, type Clock, type TimerHandle } from '../../../shared/runtime/clock.js';
import {
  ImagePullError,
  type ContainerConfig,
  type ContainerInfo,
  type ExecOptions,
  type ExecSession,
  type LogOptions,
  type LogStream,
  type ResourceUsage,
  type Runtime,
  type Sandbox,
  type SandboxConfig,
} from './runtime.js';
import { behaviourOf, DEFAULT_STAGES, isKnownImage, pickDelay, type Stages } from './stages.js';

export interface SimulatedRuntimeOptions {
  clock: Clock;
  stages?: Stages;
  /** Random source in [0, 1) for jitter (tests pass a fixed one). */
  random?: () => number;
}

interface SimContainer {
  info: ContainerInfo;
  exitTimer?: TimerHandle;
  ignoreTerm: boolean;
  logs: { at: number; line: string }[];
  usage: ResourceUsage;
}

/** A container's configured usage: a non-negative number from its env, or the default. */
function configuredUsage(env: Record<string, string>): ResourceUsage {
  const num = (v: string | undefined, fallback: number): number => (v !== undefined && Number.isFinite(Number(v)) && Number(v) >= 0 ? Number(v) : fallback);
  return { cpuMillicores: num(env.KUBEMU_SIM_CPU_MILLICORES, 1), memoryBytes: num(env.KUBEMU_SIM_MEMORY_BYTES, 8 * 1024 * 1024) };
}

function canonicalImage(image: string): string {
  const hasRegistry = image.includes('/') && /[.:]/.test(image.split('/')[0]);
  const withRepo = hasRegistry ? image : image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
  return /[:@][^/]*$/.test(withRepo) ? withRepo : `${withRepo}:latest`;
}

export class SimulatedRuntime implements Runtime {
  readonly kind = 'simulated' as const;
  readonly version = 'kubemu://simulated';
  private readonly stages: Stages;
  private readonly random: () => number;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly containers = new Map<string, SimContainer>();
  private readonly byPod = new Map<string, string[]>();
  private readonly listeners = new Set<(info: ContainerInfo) => void>();
  private closed = false;

  constructor(private readonly opts: SimulatedRuntimeOptions) {
    this.stages = opts.stages ?? DEFAULT_STAGES;
    this.random = opts.random ?? Math.random;
  }

  async pullImage(image: string): Promise<{ imageID: string }> {
    await this.wait(pickDelay(this.stages.pull, this.random));
    const ref = canonicalImage(image);
    if (!isKnownImage(this.stages, image)) {
      throw new ImagePullError(
        image,
        `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`,
      );
    }
    return { imageID: `${ref.replace(/:[^:/]*$/, '')}@sha256:${fakeDigest(ref)}` };
  }

  async runPodSandbox(cfg: SandboxConfig): Promise<Sandbox> {
    const existing = this.sandboxes.get(cfg.podUid);
    if (existing) return existing;
    const volumeDirs: Record<string, string> = {};
    for (const v of cfg.volumes) volumeDirs[v.name] = v.kind === 'hostPath' && v.hostPath ? v.hostPath : `/simulated/pods/${cfg.podUid}/volumes/${v.name}`;
    const sandbox: Sandbox = { podUid: cfg.podUid, ip: cfg.ip, volumeDirs, isolation: 'none', isolationNote: 'simulated runtime: no processes' };
    this.sandboxes.set(cfg.podUid, sandbox);
    return sandbox;
  }

  async stopPodSandbox(podUid: string): Promise<void> {
    for (const id of this.byPod.get(podUid) ?? []) {
      const c = this.containers.get(id);
      if (c && c.info.state.state === 'running') this.terminate(c, 137, 'Error', 9);
    }
  }

  async removePodSandbox(podUid: string): Promise<void> {
    await this.stopPodSandbox(podUid);
    for (const id of this.byPod.get(podUid) ?? []) this.containers.delete(id);
    this.byPod.delete(podUid);
    this.sandboxes.delete(podUid);
  }

  async startContainer(sandbox: Sandbox, cfg: ContainerConfig): Promise<ContainerInfo> {
    const id = `simulated://${cfg.podUid}/${cfg.name}/${cfg.attempt}`;
    const known = this.containers.get(id);
    if (known) return { ...known.info };
    await this.wait(pickDelay(this.stages.start, this.random));
    const behaviour = behaviourOf(this.stages, cfg.image, cfg.env, this.random, !!(cfg.command?.length || cfg.args?.length));
    const startedAt = isoTime(this.opts.clock);
    const c: SimContainer = {
      info: {
        id,
        podUid: cfg.podUid,
        name: cfg.name,
        attempt: cfg.attempt,
        image: cfg.image,
        imageID: `${canonicalImage(cfg.image).replace(/:[^:/]*$/, '')}@sha256:${fakeDigest(canonicalImage(cfg.image))}`,
        state: { state: 'running', startedAt },
      },
      ignoreTerm: behaviour.ignoreTerm,
      logs: [{ at: this.opts.clock.now(), line: `simulated container ${cfg.name} (${cfg.image}) started on ${sandbox.ip}` }],
      usage: configuredUsage(cfg.env),
    };
    this.containers.set(id, c);
    this.byPod.set(cfg.podUid, [...(this.byPod.get(cfg.podUid) ?? []), id]);
    if (!this.sandboxes.has(sandbox.podUid) || this.closed) {
      this.terminate(c, 137, 'Error', 9);
    } else if (behaviour.exitAfterMs !== undefined) {
      const code = behaviour.exitCode;
      c.exitTimer = this.opts.clock.setTimeout(() => this.terminate(c, code, code === 0 ? 'Completed' : 'Error'), behaviour.exitAfterMs);
    }
    return { ...c.info };
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c || c.info.state.state !== 'running') return;
    if (c.ignoreTerm) {
      await this.wait(Math.max(0, graceSeconds) * 1000);
      if (c.info.state.state === 'running') this.terminate(c, 137, 'Error', 9);
      return;
    }
    await this.wait(Math.min(pickDelay(this.stages.stop, this.random), Math.max(0, graceSeconds) * 1000));
    if (c.info.state.state === 'running') this.terminate(c, 143, 'Error', 15);
  }

  container(id: string): ContainerInfo | undefined {
    const c = this.containers.get(id);
    return c ? { ...c.info } : undefined;
  }

  containersOf(podUid: string): ContainerInfo[] {
    return (this.byPod.get(podUid) ?? []).map((id) => ({ ...this.containers.get(id)!.info }));
  }

  onContainerExit(listener: (info: ContainerInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readLogs(podUid: string, container: string, opts: LogOptions, stream: LogStream): { cancel(): void } {
    const instances = (this.byPod.get(podUid) ?? []).map((id) => this.containers.get(id)!).filter((c) => c.info.name === container);
    const c = opts.previous ? instances.at(-2) : instances.at(-1);
    if (!c) {
      stream.onEnd(new Error(opts.previous ? `previous terminated container "${container}" in pod not found` : `container "${container}" not found`));
      return { cancel: () => undefined };
    }
    let lines = c.logs;
    if (opts.tailLines !== undefined) lines = lines.slice(Math.max(0, lines.length - opts.tailLines));
    const text = lines.map((l) => `${opts.timestamps ? `${new Date(l.at).toISOString()} ` : ''}${l.line}\n`).join('');
    const bytes = new TextEncoder().encode(text);
    stream.onData(opts.limitBytes !== undefined ? bytes.slice(0, opts.limitBytes) : bytes);
    stream.onEnd();
    return { cancel: () => undefined };
  }

  exec(_containerId: string, _opts: ExecOptions): ExecSession {
    const exited = Promise.reject(new Error('exec is not supported by the simulated runtime'));
    exited.catch(() => undefined);
    return {
      write: () => undefined,
      closeStdin: () => undefined,
      resize: () => undefined,
      onStdout: () => undefined,
      onStderr: () => undefined,
      exited,
      kill: () => undefined,
    };
  }

  usage(containerId: string): ResourceUsage | undefined {
    const c = this.containers.get(containerId);
    return c && c.info.state.state === 'running' ? { ...c.usage } : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const uid of [...this.sandboxes.keys()]) await this.stopPodSandbox(uid);
  }

  private terminate(c: SimContainer, exitCode: number, reason: string, signal?: number): void {
    if (c.info.state.state !== 'running') return;
    c.exitTimer?.cancel();
    const startedAt = c.info.state.startedAt;
    c.info = {
      ...c.info,
      state: { state: 'terminated', exitCode, reason, startedAt, finishedAt: isoTime(this.opts.clock), ...(signal ? { signal } : {}) },
    };
    c.logs.push({ at: this.opts.clock.now(), line: `simulated container ${c.info.name} exited with ${exitCode}` });
    for (const l of [...this.listeners]) {
      try {
        l({ ...c.info });
      } catch {
        // a listener's failure is the listener's business
      }
    }
  }

  private wait(ms: number): Promise<void> {
    return ms > 0 ? this.opts.clock.sleep(ms) : Promise.resolve();
  }
}

/** A stable fake sha256 (hex, 64 chars) for an image reference. */
function fakeDigest(ref: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 64; round++) {
    for (const ch of `${round}:${ref}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}
