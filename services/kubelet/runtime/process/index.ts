/**
 * `ProcessRuntime`: the kubelet's default container runtime — every container a real process tree
 * started from the built-in image catalog, each pod in its own mount, UTS and PID namespaces where
 * the machine allows it (see isolation.ts), plain processes otherwise.
 *
 * Owns: the pods' directories under `<dataDir>/pods/`, the sandboxes and container instances it
 * started, their logs and cgroups. Keeps the current and the previous instance of each container
 * of a pod (what `kubectl logs` and `--previous` need); older ones are forgotten and their logs
 * deleted when a newer instance starts.
 *
 * Contract notes (runtime.ts): calls are idempotent per id (a second `startContainer` of the same
 * pod/name/attempt returns that instance); `startContainer` resolves `running` or `terminated`
 * (reason `StartError` for what could not start, never a throw); exits are pushed to
 * `onContainerExit` listeners; command/args are taken literally (the kubelet expands `$(VAR)`).
 * Every process dies with the kubelet (parent-death signals). A listener that throws is logged
 * and ignored.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { badRequest } from '../../../../shared/api/errors.js';
import { realClock, type Clock } from '../../../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../../../shared/runtime/logger.js';
import type {
  ContainerConfig, ContainerInfo, ExecOptions, ExecSession, LogOptions, LogReader, LogStream, ResourceUsage, Runtime, Sandbox, SandboxConfig,
} from '../runtime.js';
import { resolveImage } from './catalog.js';
import { Cgroups } from './cgroups.js';
import { ProcessContainer, containerId } from './container.js';
import { ProcessExec } from './exec.js';
import { detectIsolation, type Isolation, type IsolationMode } from './isolation.js';
import { DEFAULT_LOG_MAX_BYTES, streamLog } from './logs.js';
import { createProgramLocator, type ProgramLocator } from './programs.js';
import { PodSandbox } from './sandbox.js';
import { UsageSampler } from './usage.js';

export { resolveImage, parseReference, InvalidImageNameError } from './catalog.js';

export interface ProcessRuntimeOptions {
  /** Where pod directories live (`<dataDir>/pods/<uid>`). */
  dataDir: string;
  clock?: Clock;
  log?: Logger;
  /** `auto` (default): namespaces when possible; `none` forces plain processes; `namespaces` fails creation without them. */
  isolation?: IsolationMode;
  /**
   * Enforce cpu/memory limits with cgroups v1 where writable (default false: the runtime then makes
   * child cgroups inside the kubelet's own cgroup, which whoever manages that cgroup must allow).
   */
  cgroups?: boolean;
  /** Per container instance (default 10 MiB). */
  logMaxBytes?: number;
  /** The node binary image programs run with (default: this one). */
  nodeBin?: string;
  /** Where the image programs are (default: services/kubelet/images next to this module). */
  imagesDir?: string;
}

export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const;
  readonly version = 'kubemu://process';
  readonly isolation: Isolation;
  private clock: Clock;
  private log: Logger;
  private sandboxes = new Map<string, PodSandbox>();
  private pending = new Map<string, Promise<PodSandbox>>();
  private containers = new Map<string, ProcessContainer>();
  private listeners = new Set<(info: ContainerInfo) => void>();
  private programs: ProgramLocator;
  private cgroups: Cgroups;
  private usageSampler: UsageSampler;
  private nodeBin: string;

  constructor(private opts: ProcessRuntimeOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.log ?? silentLogger()).child({ runtime: 'process' });
    this.isolation = detectIsolation(opts.isolation ?? 'auto');
    this.cgroups = new Cgroups({ enabled: opts.cgroups ?? false });
    this.nodeBin = opts.nodeBin ?? process.execPath;
    this.programs = createProgramLocator({ nodeBin: this.nodeBin, ...(opts.imagesDir ? { imagesDir: opts.imagesDir } : {}) });
    this.usageSampler = new UsageSampler(this.clock);
    mkdirSync(join(opts.dataDir, 'pods'), { recursive: true });
    this.log.info({ namespaces: this.isolation.namespaces, note: this.isolation.note, limits: this.cgroups.note }, 'process runtime ready');
  }

  /** What the node's status and events say about isolation and limits. */
  describe(): { isolation: 'namespaces' | 'none'; note?: string; limits: string } {
    return { isolation: this.isolation.namespaces ? 'namespaces' : 'none', ...(this.isolation.note ? { note: this.isolation.note } : {}), limits: this.cgroups.note };
  }

  async pullImage(image: string): Promise<{ imageID: string }> {
    return { imageID: resolveImage(image).imageID };
  }

  async runPodSandbox(cfg: SandboxConfig): Promise<Sandbox> {
    if (!safeUid(cfg.podUid)) throw badRequest(`invalid pod uid ${JSON.stringify(cfg.podUid)}`);
    const existing = this.sandboxes.get(cfg.podUid);
    if (existing) {
      await existing.ensureRunning();
      return existing.info;
    }
    let p = this.pending.get(cfg.podUid);
    if (!p) {
      const sb = new PodSandbox(cfg, this.opts.dataDir, this.isolation, this.clock, this.log.child({ pod: `${cfg.namespace}/${cfg.name}` }));
      p = sb.start().then(() => {
        this.sandboxes.set(cfg.podUid, sb);
        return sb;
      }).finally(() => this.pending.delete(cfg.podUid));
      this.pending.set(cfg.podUid, p);
    }
    return (await p).info;
  }

  async stopPodSandbox(podUid: string): Promise<void> {
    const cs = this.instancesOf(podUid);
    for (const c of cs) c.kill();
    this.sandboxes.get(podUid)?.kill();
    await Promise.all(cs.map((c) => c.waitExited()));
  }

  /** Also removes the directory of a pod this runtime never saw (left by a kubelet that died). */
  async removePodSandbox(podUid: string): Promise<void> {
    await this.stopPodSandbox(podUid);
    for (const c of this.instancesOf(podUid)) this.forget(c);
    this.sandboxes.delete(podUid);
    if (!safeUid(podUid)) return;
    this.cgroups.releasePod(podUid);
    rmSync(join(this.opts.dataDir, 'pods', podUid), { recursive: true, force: true });
  }

  /** Pod uids with a directory on this node, including those from before a kubelet restart. */
  podDirs(): string[] {
    try {
      return readdirSync(join(this.opts.dataDir, 'pods')).filter(safeUid);
    } catch {
      return [];
    }
  }

  async startContainer(sandbox: Sandbox, cfg: ContainerConfig): Promise<ContainerInfo> {
    const id = containerId(cfg.podUid, cfg.name, cfg.attempt);
    const existing = this.containers.get(id);
    if (existing) return existing.start();
    let sb = this.sandboxes.get(cfg.podUid) ?? (await this.pending.get(cfg.podUid));
    if (!sb) {
      await this.runPodSandbox({ podUid: cfg.podUid, namespace: '', name: sandbox.podUid, ip: sandbox.ip, hostname: '', volumes: [] });
      sb = this.sandboxes.get(cfg.podUid)!;
    }
    const c = new ProcessContainer(sb, cfg, {
      iso: this.isolation,
      clock: this.clock,
      log: this.log,
      programs: this.programs,
      cgroups: this.cgroups,
      nodeBin: this.nodeBin,
      logMaxBytes: this.opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES,
      onExit: (done) => this.exited(done),
    });
    this.containers.set(id, c);
    this.prune(cfg.podUid, cfg.name);
    const info = await c.start();
    if (info.state.state === 'running') this.usageSampler.started(id);
    return info;
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    await this.containers.get(id)?.stop(graceSeconds);
  }

  container(id: string): ContainerInfo | undefined {
    return this.containers.get(id)?.info;
  }

  containersOf(podUid: string): ContainerInfo[] {
    return this.instancesOf(podUid).map((c) => c.info);
  }

  onContainerExit(listener: (info: ContainerInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readLogs(podUid: string, container: string, opts: LogOptions, stream: LogStream): LogReader {
    const instances = this.instancesOf(podUid).filter((c) => c.cfg.name === container);
    const pod = this.sandboxes.get(podUid)?.cfg.name ?? podUid;
    const target = opts.previous ? instances[instances.length - 2] : instances[instances.length - 1];
    if (!target) {
      const why = opts.previous
        ? `previous terminated container "${container}" in pod "${pod}" not found`
        : `container "${container}" in pod "${pod}" is not available`;
      queueMicrotask(() => stream.onEnd(badRequest(why)));
      return { cancel: () => {} };
    }
    const live = target.writer?.isOpen ? target.writer : undefined;
    return streamLog(target.logPath, live, opts.previous ? { ...opts, follow: false } : opts, this.clock, stream);
  }

  exec(containerId: string, opts: ExecOptions): ExecSession {
    const c = this.containers.get(containerId);
    const target = {
      running: c?.running ?? false,
      name: c?.cfg.name ?? containerId,
      ...(c?.info.pid !== undefined ? { pid: c.info.pid } : {}),
      env: c?.env ?? {},
      workingDir: c?.workingDir ?? '/',
      cgroupProcs: c?.cgroup?.procs ?? [],
    };
    return new ProcessExec(target, opts, c?.sandbox.namespaced ? this.isolation : { ...this.isolation, namespaces: false }, this.clock);
  }

  usage(containerId: string): ResourceUsage | undefined {
    const c = this.containers.get(containerId);
    if (!c?.running || c.info.pid === undefined) return undefined;
    return this.usageSampler.sample(containerId, c.info.pid);
  }

  async close(): Promise<void> {
    const all = [...this.containers.values()];
    for (const c of all) c.kill();
    for (const sb of this.sandboxes.values()) sb.kill();
    await Promise.all(all.map((c) => c.waitExited()));
    this.cgroups.close();
  }

  private instancesOf(podUid: string): ProcessContainer[] {
    return [...this.containers.values()].filter((c) => c.cfg.podUid === podUid).sort((a, b) => a.cfg.attempt - b.cfg.attempt);
  }

  /** Keeps the two newest instances of a pod's container; older ones go, with their logs. */
  private prune(podUid: string, name: string): void {
    const same = this.instancesOf(podUid).filter((c) => c.cfg.name === name);
    for (const old of same.slice(0, Math.max(0, same.length - 2))) {
      if (old.running) continue;
      this.forget(old);
      rmSync(old.logPath, { force: true });
      rmSync(`${old.logPath}.1`, { force: true });
    }
  }

  private forget(c: ProcessContainer): void {
    this.containers.delete(c.id);
    this.usageSampler.forget(c.id);
  }

  private exited(c: ProcessContainer): void {
    for (const l of [...this.listeners]) {
      try {
        l(c.info);
      } catch (err) {
        this.log.error({ err, container: c.id }, 'container exit listener failed');
      }
    }
  }
}

/** A pod uid is a path component under the pods directory: never `..`, never a separator. */
function safeUid(uid: string): boolean {
  return uid !== '' && uid !== '.' && uid !== '..' && !uid.includes('/') && !uid.includes('\0');
}

export function createProcessRuntime(opts: ProcessRuntimeOptions): ProcessRuntime {
  return new ProcessRuntime(opts);
}
