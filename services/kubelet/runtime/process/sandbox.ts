/**
 * A pod's sandbox in the process runtime: its directory on the node, its volumes, and — with
 * namespaces — the process that holds its mount, UTS and PID namespaces (the pod's PID 1).
 *
 * Directory: `<root>/pods/<uid>/` with `volumes/<name>/` (emptyDir, and a place for the kubelet
 * to write other kinds' contents) and `logs/<container>/<attempt>.log`. hostPath volumes are the
 * node's own directories (created when missing, as Docker does for bind mounts).
 *
 * The namespace holder starts with the pod's hostname set and is considered up once it says
 * `ready`; containers join it by its host PID. If it cannot start, the pod runs without namespaces
 * and `isolationNote` says why. If it dies later, every container of the pod dies with it (the
 * kernel empties the PID namespace); `ensureRunning` starts a fresh one for the next container.
 * Without namespaces a pod gets a reaper instead: a small shell that lives outside the containers'
 * process groups, is told each container's group, and SIGKILLs them all when its stdin reaches
 * end-of-file — which the kernel delivers when the kubelet dies by any signal (only the kubelet
 * holds the pipe's other end). So a plain container's children die with the kubelet too, unless
 * they left its process group.
 *
 * `kill` is SIGKILL and does not wait. Never throws for a workload's reason; only a missing
 * writable pod directory fails `start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../../shared/runtime/clock.js';
import type { Logger } from '../../../../shared/runtime/logger.js';
import type { Sandbox, SandboxConfig } from '../runtime.js';
import { childrenOf, isAlive } from '../../../../shared/runtime/proc.js';
import { SYSTEM_PATH, sandboxArgv, type Isolation } from './isolation.js';

const READY_TIMEOUT_MS = 10_000;

/** Reads `+ <pgid>` / `- <pgid>` lines; at end of input SIGKILLs every group still listed. */
const REAPER_SCRIPT = `pgs=' '
while read -r op pg; do
  case "$op" in
    +) pgs="$pgs$pg " ;;
    -) n=' '; for p in $pgs; do [ "$p" = "$pg" ] || n="$n$p "; done; pgs=$n ;;
  esac
done
for p in $pgs; do kill -s KILL -- "-$p" 2>/dev/null; done`;

/** Kubernetes cuts a pod's hostname to 63 characters (a DNS label). */
function hostnameOf(cfg: SandboxConfig): string {
  return (cfg.hostname || cfg.name).slice(0, 63).replace(/[-.]+$/, '') || 'pod';
}

export class PodSandbox {
  readonly dir: string;
  readonly hostname: string;
  readonly info: Sandbox;
  /** Host PID of the pod's PID 1 (namespaces only). */
  initPid: number | undefined;
  private holder: ChildProcess | undefined;
  private reaper: ChildProcess | undefined;
  private starting: Promise<void> | undefined;

  constructor(readonly cfg: SandboxConfig, root: string, private iso: Isolation, private clock: Clock, private log: Logger) {
    this.dir = join(root, 'pods', cfg.podUid);
    this.hostname = hostnameOf(cfg);
    const volumeDirs: Record<string, string> = {};
    for (const v of cfg.volumes) {
      volumeDirs[v.name] = v.kind === 'hostPath' && v.hostPath ? v.hostPath : join(this.dir, 'volumes', v.name);
    }
    this.info = {
      podUid: cfg.podUid,
      ip: cfg.ip,
      volumeDirs,
      isolation: iso.namespaces ? 'namespaces' : 'none',
      ...(iso.note ? { isolationNote: iso.note } : {}),
    };
  }

  get namespaced(): boolean {
    return this.info.isolation === 'namespaces';
  }

  async start(): Promise<void> {
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    for (const dir of Object.values(this.info.volumeDirs)) {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        this.log.warn({ err, dir }, 'cannot create volume directory');
      }
    }
    await this.ensureRunning();
  }

  /** Makes sure the namespace holder (or, without namespaces, the reaper) is up. */
  async ensureRunning(): Promise<void> {
    if (!this.namespaced) return this.ensureReaper();
    if (this.initPid !== undefined && isAlive(this.initPid)) return;
    this.starting ??= this.spawnHolder().finally(() => (this.starting = undefined));
    await this.starting;
  }

  /** Tells the reaper about a plain container's process group (`+`) or that it is gone (`-`). */
  trackGroup(op: '+' | '-', pgid: number): void {
    if (this.reaper?.stdin?.writable) this.reaper.stdin.write(`${op} ${pgid}\n`);
  }

  kill(): void {
    if (this.reaper) {
      this.reaper.stdin?.end();
      this.reaper = undefined;
    }
    const h = this.holder;
    this.holder = undefined;
    this.initPid = undefined;
    if (h?.pid !== undefined && h.exitCode === null && h.signalCode === null) {
      try {
        process.kill(h.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private async spawnHolder(): Promise<void> {
    this.kill();
    let child: ChildProcess;
    try {
      child = spawn(sandboxArgv(this.iso, this.hostname)[0]!, sandboxArgv(this.iso, this.hostname).slice(1), {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: { PATH: SYSTEM_PATH },
      });
    } catch (err) {
      return this.degrade(`cannot start the pod's namespaces: ${(err as Error).message}`);
    }
    const abort = new AbortController();
    const outcome = await new Promise<string | undefined>((resolve) => {
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-500)));
      child.stdout!.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) resolve(undefined);
      });
      child.on('error', (err) => resolve(err.message));
      child.on('exit', (code, sig) => resolve(stderr.trim() || `exited with ${code ?? sig}`));
      this.clock.sleep(READY_TIMEOUT_MS, abort.signal).then(() => resolve('timed out'), () => {});
    });
    abort.abort();
    child.stdout!.removeAllListeners('data').resume();
    child.stderr!.removeAllListeners('data').resume();
    const init = outcome === undefined && child.pid !== undefined ? childrenOf(child.pid)[0] : undefined;
    if (init === undefined) {
      if (child.pid !== undefined) this.killPid(child.pid);
      return this.degrade(`cannot start the pod's namespaces (${outcome ?? 'no init process'})`);
    }
    this.holder = child;
    this.initPid = init;
    child.on('exit', () => {
      if (this.holder === child) {
        this.holder = undefined;
        this.initPid = undefined;
        this.log.warn({ pod: this.cfg.name }, "the pod's namespace holder exited");
      }
    });
  }

  private ensureReaper(): void {
    if (this.reaper && this.reaper.exitCode === null && this.reaper.signalCode === null) return;
    try {
      const r = spawn(this.iso.tools.sh, ['-c', REAPER_SCRIPT, 'kubemu-reaper'], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: { PATH: SYSTEM_PATH } });
      r.on('error', () => {});
      r.stdin!.on('error', () => {});
      this.reaper = r;
    } catch (err) {
      this.log.warn({ err }, 'cannot start the pod reaper: containers may outlive a killed kubelet');
    }
  }

  private killPid(pid: number): void {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }

  /** Runs this pod without namespaces from now on, and says why. */
  private degrade(why: string): void {
    this.log.warn({ pod: this.cfg.name, why }, 'pod runs without namespaces');
    this.info.isolation = 'none';
    this.info.isolationNote = `${why}: containers run as plain processes`;
  }
}
