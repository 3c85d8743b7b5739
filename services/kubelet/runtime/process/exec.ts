/**
 * `exec` in the process runtime: a command run in a running container's environment — its pod's
 * namespaces (entered through the container's main process, so it sees the container's mounts,
 * the pod's hostname and PIDs), its environment, working directory and cgroups.
 *
 * Streams: stdin when asked (`write`, `closeStdin`), stdout and stderr (output that arrives before
 * a callback is registered is kept for it). With `tty`, the command runs under util-linux
 * `script`, which gives it a real pseudo-terminal (so shells prompt and echo; stderr then arrives
 * merged into stdout, as with a Kubernetes tty); `resize` sets the terminal's size with `stty`
 * once the command has the terminal. Without `script` on the machine a tty request runs without one.
 *
 * `exited` resolves with the exit code (128 + signal number when killed) once the command ended and
 * its output is delivered (or shortly after, if a background process keeps the pipes open); it
 * rejects with a BadRequest Status when the container is not running or the command cannot start.
 * `kill` SIGKILLs the command's process group; `pause`/`resume` stop and restart reading its output
 * (the command then blocks on a full pipe). The session dies with the kubelet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { badRequest } from '../../../../shared/api/errors.js';
import type { Clock } from '../../../../shared/runtime/clock.js';
import type { ExecOptions, ExecSession } from '../runtime.js';
import { execArgv, type Isolation } from './isolation.js';
import { processTree } from '../../../../shared/runtime/proc.js';

const DRAIN_MS = 500;
const RESIZE_TRIES = 40;
const RESIZE_EVERY_MS = 25;

export interface ExecTarget {
  running: boolean;
  name: string;
  pid?: number;
  env: Record<string, string>;
  workingDir: string;
  cgroupProcs: string[];
}

/** One POSIX-shell word. */
function quote(s: string): string {
  return /^[A-Za-z0-9_\-./=:,@%+]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

class Output {
  private cbs: ((chunk: Uint8Array) => void)[] = [];
  private held: Uint8Array[] = [];

  push(chunk: Uint8Array): void {
    if (this.cbs.length === 0) this.held.push(chunk);
    for (const cb of this.cbs) cb(chunk);
  }

  on(cb: (chunk: Uint8Array) => void): void {
    this.cbs.push(cb);
    for (const c of this.held.splice(0)) cb(c);
  }
}

export class ProcessExec implements ExecSession {
  readonly exited: Promise<number>;
  private child: ChildProcess | undefined;
  private stdout = new Output();
  private stderr = new Output();
  private size: { cols: number; rows: number } | undefined;
  private resizing = false;

  constructor(target: ExecTarget, opts: ExecOptions, private iso: Isolation, private clock: Clock) {
    this.exited = this.run(target, opts);
    this.exited.catch(() => {});
  }

  write(chunk: Uint8Array): void {
    if (this.child?.stdin?.writable) this.child.stdin.write(chunk);
  }

  closeStdin(): void {
    this.child?.stdin?.end();
  }

  resize(cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0) return;
    this.size = { cols, rows };
    if (!this.resizing) void this.applySize(RESIZE_TRIES);
  }

  onStdout(cb: (chunk: Uint8Array) => void): void {
    this.stdout.on(cb);
  }

  onStderr(cb: (chunk: Uint8Array) => void): void {
    this.stderr.on(cb);
  }

  /** Back-pressure: the command blocks on its full pipe until `resume`. */
  pause(): void {
    this.child?.stdout?.pause();
    this.child?.stderr?.pause();
  }

  resume(): void {
    this.child?.stdout?.resume();
    this.child?.stderr?.resume();
  }

  kill(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }

  private run(target: ExecTarget, opts: ExecOptions): Promise<number> {
    if (!target.running) return Promise.reject(badRequest(`container ${target.name} is not running`));
    if (opts.command.length === 0) return Promise.reject(badRequest('you must specify at least one command for the container'));
    const tty = opts.tty && this.iso.tools.script !== undefined;
    const env = { ...target.env };
    if (tty) {
      env.TERM ??= 'xterm';
      env.SHELL = this.iso.tools.sh;
    }
    const command = tty ? [this.iso.tools.script!, '-qfec', opts.command.map(quote).join(' '), '/dev/null'] : opts.command;
    const argv = execArgv(this.iso, target.pid, { workingDir: target.workingDir, cgroupProcs: target.cgroupProcs, argv: command });
    return new Promise<number>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(argv[0]!, argv.slice(1), { stdio: [opts.stdin || tty ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true, env });
      } catch (err) {
        return reject(badRequest(`cannot exec in container ${target.name}: ${(err as Error).message}`));
      }
      this.child = child;
      child.stdin?.on('error', () => {});
      child.stdout!.on('data', (b: Buffer) => this.stdout.push(b));
      child.stderr!.on('data', (b: Buffer) => this.stderr.push(b));
      if (tty && !opts.stdin) child.stdin?.end();
      if (this.size) void this.applySize(RESIZE_TRIES);
      child.on('error', (err) => reject(badRequest(`cannot exec in container ${target.name}: ${err.message}`)));
      child.on('exit', (code, signal) => {
        const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
        const timer = this.clock.setTimeout(() => resolve(exitCode), DRAIN_MS);
        child.once('close', () => {
          timer.cancel();
          resolve(exitCode);
        });
      });
    });
  }

  /** The terminal the command holds: fd 0 of a process under `script` that is a /dev/pts device. */
  private terminal(): string | undefined {
    const root = this.child?.pid;
    if (root === undefined) return undefined;
    for (const pid of processTree(root).slice(1)) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/0`);
        if (link.startsWith('/dev/pts/')) return link;
      } catch {
        // gone or not ours to read
      }
    }
    return undefined;
  }

  private async applySize(tries: number): Promise<void> {
    const stty = this.iso.tools.stty;
    if (!stty || !this.size) return;
    this.resizing = true;
    try {
      for (let i = 0; i < tries; i++) {
        const pts = this.terminal();
        if (pts) {
          const { cols, rows } = this.size;
          await new Promise<void>((r) => spawn(stty, ['-F', pts, 'cols', String(cols), 'rows', String(rows)], { stdio: 'ignore' }).on('close', () => r()).on('error', () => r()));
          return;
        }
        if (this.child?.exitCode !== null || this.child?.signalCode !== null) return;
        await this.clock.sleep(RESIZE_EVERY_MS);
      }
    } finally {
      this.resizing = false;
    }
  }
}
