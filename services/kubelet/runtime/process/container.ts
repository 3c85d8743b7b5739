/**
 * One container instance of the process runtime: a real process tree started from its image's
 * entrypoint (or the pod's command/args), in the pod's namespaces when the pod has them.
 *
 * Lifecycle (only forwards): `start` resolves once the program is exec'd (`running`, with the
 * host PID of its main process) or could not be (`terminated`, reason `StartError`, exit code 128,
 * startedAt the epoch as Kubernetes shows it). The main process's exit makes it `terminated` with
 * the exit code (128 + signal number when killed), the signal, and the reason `Completed` (0),
 * `OOMKilled` (the memory cgroup's OOM killer struck) or `Error`. Whatever is left of the
 * container's process group is killed then, as a container's processes end with it.
 *
 * The process group of the main process is the target of stop signals: `stop` sends SIGTERM,
 * waits the grace period on the injected clock, then SIGKILL, and resolves once terminated.
 * stdout and stderr go to the instance's log file (logs.ts); the log is closed shortly after the
 * exit even if an escaped process still holds the pipes. Never throws for a workload's reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { isoTime, type Clock } from '../../../../shared/runtime/clock.js';
import type { Logger } from '../../../../shared/runtime/logger.js';
import type { ContainerConfig, ContainerInfo } from '../runtime.js';
import { resolveImage } from './catalog.js';
import { Cgroups, limitsOf, type ContainerCgroup } from './cgroups.js';
import { containerArgv as imageArgv, imageEnv } from './command.js';
import { containerArgv, plainContainerArgv, type Isolation } from './isolation.js';
import { LogWriter } from './logs.js';
import { childrenOf } from '../../../../shared/runtime/proc.js';
import type { ProgramLocator } from './programs.js';
import type { PodSandbox } from './sandbox.js';

const START_TIMEOUT_MS = 10_000;
/** How long an exited container's pipes may stay open (held by escaped processes) before the log closes. */
const DRAIN_MS = 200;
const EPOCH = '1970-01-01T00:00:00Z';
/** Container names are DNS labels; anything else must not become a path. */
const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface ContainerDeps {
  iso: Isolation;
  clock: Clock;
  log: Logger;
  programs: ProgramLocator;
  cgroups: Cgroups;
  nodeBin: string;
  logMaxBytes: number;
  /** Called once, when the instance becomes terminated. */
  onExit(c: ProcessContainer): void;
}

export function containerId(podUid: string, name: string, attempt: number): string {
  return `process://${podUid}/${name}/${attempt}`;
}

/** `KUBEMU_VOLUME_<NAME>`: the env name of a volume's directory where it cannot be mounted. */
export function volumeEnvName(volume: string): string {
  return `KUBEMU_VOLUME_${volume.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export class ProcessContainer {
  readonly id: string;
  readonly logPath: string;
  info: ContainerInfo;
  env: Record<string, string> = {};
  workingDir: string;
  writer: LogWriter | undefined;
  cgroup: ContainerCgroup | undefined;
  private child: ChildProcess | undefined;
  private starting: Promise<ContainerInfo> | undefined;
  private killed = false;
  private exited: Promise<void>;
  private markExited!: () => void;

  constructor(readonly sandbox: PodSandbox, readonly cfg: ContainerConfig, private deps: ContainerDeps) {
    this.id = containerId(cfg.podUid, cfg.name, cfg.attempt);
    this.logPath = join(sandbox.dir, 'logs', VALID_NAME.test(cfg.name) ? cfg.name : '_invalid', `${cfg.attempt}.log`);
    this.workingDir = cfg.workingDir || '/';
    this.info = {
      id: this.id,
      podUid: cfg.podUid,
      name: cfg.name,
      attempt: cfg.attempt,
      image: cfg.image,
      imageID: '',
      state: { state: 'waiting', reason: 'ContainerCreating' },
    };
    this.exited = new Promise((r) => (this.markExited = r));
  }

  get running(): boolean {
    return this.info.state.state === 'running';
  }

  /** Starts the instance (once; later calls return the same outcome). */
  start(): Promise<ContainerInfo> {
    this.starting ??= this.doStart().catch((err: unknown) => this.startFailed(`failed to start container: ${(err as Error).message}`));
    return this.starting;
  }

  /** Resolves once the instance is terminated. */
  waitExited(): Promise<void> {
    return this.exited;
  }

  async stop(graceSeconds: number): Promise<void> {
    if (!this.starting) return;
    await this.starting;
    if (!this.running) return;
    this.signal('SIGTERM');
    const abort = new AbortController();
    const graceOver = await Promise.race([
      this.exited.then(() => false),
      this.deps.clock.sleep(Math.max(0, graceSeconds) * 1000, abort.signal).then(() => true, () => false),
    ]);
    abort.abort();
    if (graceOver) this.signal('SIGKILL');
    await this.exited;
  }

  /** SIGKILL now (pod teardown); does not wait. An instance still being set up never starts. */
  kill(): void {
    this.killed = true;
    this.signal('SIGKILL');
  }

  private async doStart(): Promise<ContainerInfo> {
    const { cfg, sandbox, deps } = this;
    if (!VALID_NAME.test(cfg.name)) return this.startFailed(`invalid container name ${JSON.stringify(cfg.name)}`);
    let image;
    try {
      image = resolveImage(cfg.image);
    } catch (err) {
      return this.startFailed((err as Error).message);
    }
    this.info.imageID = image.imageID;
    const env: Record<string, string> = { ...imageEnv(image, deps.nodeBin), HOSTNAME: sandbox.hostname, ...cfg.env };
    await sandbox.ensureRunning();
    const namespaced = sandbox.namespaced && sandbox.initPid !== undefined;
    if (!namespaced) {
      for (const [name, dir] of Object.entries(sandbox.info.volumeDirs)) env[volumeEnvName(name)] = dir;
      if (cfg.mounts.length) env.KUBEMU_MOUNTS = JSON.stringify(Object.fromEntries(cfg.mounts.map((m) => [m.mountPath, m.hostPath])));
    }
    this.env = env;
    const argv = imageArgv(image, deps.programs, cfg);
    if (argv.length === 0) return this.startFailed('no command specified');

    mkdirSync(dirname(this.logPath), { recursive: true });
    this.writer = new LogWriter(this.logPath, deps.clock, deps.logMaxBytes);
    this.cgroup = deps.cgroups.create(cfg.podUid, `${cfg.name}-${cfg.attempt}`, limitsOf(cfg.resources));
    const params = {
      workingDir: this.workingDir,
      cgroupProcs: this.cgroup?.procs ?? [],
      mounts: cfg.mounts.map((m) => ({ source: m.hostPath, target: m.mountPath, readOnly: m.readOnly })),
      argv,
    };
    const full = namespaced ? containerArgv(deps.iso, sandbox.initPid!, params) : plainContainerArgv(deps.iso, params);
    if (this.killed) return this.startFailed('the container was killed before it started');
    return this.launch(full, env, namespaced);
  }

  private launch(argv: string[], env: Record<string, string>, namespaced: boolean): Promise<ContainerInfo> {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: [this.cfg.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
      env,
      cwd: this.sandbox.dir,
    });
    this.child = child;
    const writer = this.writer!;
    const closed = (s: NodeJS.ReadableStream | null | undefined): Promise<void> =>
      s ? new Promise<void>((r) => s.once('close', () => r())) : Promise.resolve();
    const outputClosed = Promise.all([closed(child.stdout), closed(child.stderr)]);
    child.stdout!.on('data', (b: Buffer) => writer.write('stdout', b));
    child.stderr!.on('data', (b: Buffer) => writer.write('stderr', b));
    child.stdin?.on('error', () => {});
    const status = child.stdio[3] as NodeJS.ReadableStream | null;
    const statusClosed = closed(status);

    return new Promise<ContainerInfo>((resolve) => {
      let report = '';
      let started = false;
      const abort = new AbortController();
      const settle = (info: ContainerInfo): void => {
        abort.abort();
        resolve(info);
      };
      const markRunning = (): void => {
        started = true;
        const pid = namespaced ? childrenOf(child.pid!)[0] : child.pid;
        this.info = { ...this.info, state: { state: 'running', startedAt: isoTime(this.deps.clock) }, ...(pid ? { pid } : {}) };
        if (!namespaced && pid) this.sandbox.trackGroup('+', pid);
        settle(this.info);
      };
      status?.on('error', () => {});
      status?.on('data', (b: Buffer) => {
        report += b.toString();
        if (!started && report.startsWith('S')) markRunning();
      });
      child.on('error', (err) => {
        if (!started) settle(this.startFailed(`failed to start container process: ${err.message}`));
      });
      child.on('exit', (code, signal) => {
        // The exit can be seen before the last bytes on fd 3: decide once fd 3 is drained.
        void statusClosed.then(() => {
          if (!started && report.startsWith('S')) markRunning();
          if (!started) {
            const why = report.startsWith('E') ? report.slice(1) : `exited with ${code ?? signal} before the program started`;
            settle(this.startFailed(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${why}: unknown`));
            return;
          }
          this.exitedWith(child, code, signal, outputClosed);
        });
      });
      this.deps.clock.sleep(START_TIMEOUT_MS, abort.signal).then(() => {
        if (started) return;
        this.signal('SIGKILL');
        settle(this.startFailed('timed out starting the container process'));
      }, () => {});
    });
  }

  /** The main process ended: clean up the rest of its group, close the log, report. */
  private exitedWith(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, outputClosed: Promise<unknown>): void {
    this.killGroup('SIGKILL');
    if (this.info.pid !== undefined) this.sandbox.trackGroup('-', this.info.pid);
    const signo = signal ? constants.signals[signal] : undefined;
    const exitCode = code ?? 128 + (signo ?? 0);
    const oom = exitCode !== 0 && this.deps.cgroups.oomKilled(this.cgroup);
    const startedAt = this.info.state.state === 'running' ? this.info.state.startedAt : EPOCH;
    const finish = (): void => {
      this.writer?.close();
      child.stdout?.destroy();
      child.stderr?.destroy();
      this.deps.cgroups.release(this.cgroup);
      this.info = {
        ...this.info,
        state: {
          state: 'terminated',
          exitCode,
          ...(signo ? { signal: signo } : {}),
          reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
          startedAt,
          finishedAt: isoTime(this.deps.clock),
        },
      };
      delete this.info.pid;
      this.markExited();
      this.deps.onExit(this);
    };
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      timer.cancel();
      finish();
    };
    const timer = this.deps.clock.setTimeout(once, DRAIN_MS);
    void outputClosed.then(once);
  }

  private startFailed(message: string): ContainerInfo {
    if (this.info.state.state === 'terminated') return this.info;
    this.writer?.close();
    this.deps.cgroups.release(this.cgroup);
    this.info = {
      ...this.info,
      state: { state: 'terminated', exitCode: 128, reason: 'StartError', message, startedAt: EPOCH, finishedAt: isoTime(this.deps.clock) },
    };
    delete this.info.pid;
    this.markExited();
    this.deps.onExit(this);
    return this.info;
  }

  private killGroup(sig: NodeJS.Signals): boolean {
    const pid = this.info.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Signals the container: its process group (its main process alone if the group is not formed
   * yet). SIGKILL, or any signal before the main process is known, also goes to the spawned
   * process; SIGTERM must not, or nsenter would die first and cut the grace period short.
   */
  private signal(sig: NodeJS.Signals): void {
    const main = this.info.pid;
    if (main !== undefined && !this.killGroup(sig)) tryKill(main, sig);
    if (sig === 'SIGKILL' || main === undefined) tryKill(this.child?.pid, sig);
  }
}

function tryKill(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}
