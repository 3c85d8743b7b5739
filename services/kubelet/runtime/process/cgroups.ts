/**
 * Resource limits through cgroups v1, where this machine lets the kubelet write them: one cgroup
 * per container instance in the `memory` hierarchy (`limits.memory` → memory.limit_in_bytes, the
 * kernel OOM-kills past it, reported as `OOMKilled`) and in the `cpu` hierarchy (`limits.cpu` →
 * CFS quota per 100 ms period).
 *
 * Layout: `<hierarchy>/<the kubelet's own cgroup>/kubemu-<kubelet pid>-<n>/<pod uid>/<container>-<attempt>`
 * (n counts runtimes in one process), so several kubelets on one machine never touch each other's dirs; dirs left by kubelets that
 * died are removed at start. The container's wrapper joins by writing `0` to each `cgroup.procs`
 * before it execs the program, so every process of the container is inside from the start.
 *
 * Off unless the runtime is asked for it (`cgroups: true`): the dirs are made inside the cgroup
 * the kubelet was started in, which belongs to whoever started it.
 *
 * Everything is best effort and optional: no writable v1 hierarchy (cgroup v2 only, a read-only
 * /sys/fs/cgroup, not root) means no limits, said in `note`; a failure for one container means that
 * container runs without limits. Nothing here throws. Requests are not enforced (no cpu.shares).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intValueOrZero, milliValueOrZero } from '../../../../shared/api/quantity.js';
import { isAlive } from '../../../../shared/runtime/proc.js';

export interface ContainerCgroup {
  /** The `cgroup.procs` files the container's wrapper writes itself into. */
  procs: string[];
  dirs: string[];
  memoryDir?: string;
}

export interface Limits {
  cpuMillicores?: number;
  memoryBytes?: number;
}

/** The limits of a container's `resources` that cgroups can enforce. */
export function limitsOf(resources: { limits?: Record<string, string | number> } | undefined): Limits {
  const cpu = milliValueOrZero(resources?.limits?.cpu);
  const mem = intValueOrZero(resources?.limits?.memory);
  return { ...(cpu > 0 ? { cpuMillicores: cpu } : {}), ...(mem > 0 ? { memoryBytes: mem } : {}) };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Mount point and our own path of each v1 hierarchy we use. */
function hierarchies(): Partial<Record<'memory' | 'cpu', string>> {
  const out: Partial<Record<'memory' | 'cpu', string>> = {};
  const own = new Map<string, string>();
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const [, ctrls, path] = line.split(':');
    if (ctrls && path !== undefined) for (const c of ctrls.split(',')) own.set(c, path);
  }
  for (const line of (read('/proc/self/mountinfo') ?? '').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , superOpts] = line.slice(sep + 3).split(' ');
    if (fstype !== 'cgroup') continue;
    const mountPoint = line.split(' ')[4];
    const opts = (superOpts ?? '').split(',');
    for (const c of ['memory', 'cpu'] as const) {
      if (opts.includes(c) && mountPoint && !out[c]) out[c] = join(mountPoint, own.get(c) ?? '/');
    }
  }
  return out;
}

function rmTree(dir: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return;
  }
  for (const e of entries) rmTree(join(dir, e));
  try {
    rmdirSync(dir);
  } catch {
    // busy (processes left) or gone
  }
}

let instances = 0;

export class Cgroups {
  readonly enabled: boolean;
  readonly note: string;
  private roots: Partial<Record<'memory' | 'cpu', string>> = {};

  constructor(opts: { enabled: boolean; ownerPid?: number }) {
    const owner = opts.ownerPid ?? process.pid;
    const instance = ++instances;
    if (!opts.enabled || process.platform !== 'linux' || process.getuid?.() !== 0) {
      this.enabled = false;
      this.note = 'resource limits not enforced (cgroups not enabled)';
      return;
    }
    const found = hierarchies();
    for (const [ctrl, base] of Object.entries(found) as ['memory' | 'cpu', string][]) {
      this.sweep(base);
      const root = join(base, `kubemu-${owner}-${instance}`);
      try {
        mkdirSync(root, { recursive: true });
        this.roots[ctrl] = root;
      } catch {
        // not writable: this controller stays off
      }
    }
    this.enabled = Object.keys(this.roots).length > 0;
    this.note = this.enabled
      ? `limits enforced with cgroups v1 (${Object.keys(this.roots).join(', ')})`
      : 'no writable cgroup v1 hierarchy: resource limits are not enforced';
  }

  /** A cgroup for one container instance with its limits, or undefined (no limits / not possible). */
  create(podUid: string, key: string, limits: Limits): ContainerCgroup | undefined {
    if (!this.enabled || (limits.cpuMillicores === undefined && limits.memoryBytes === undefined)) return undefined;
    const cg: ContainerCgroup = { procs: [], dirs: [] };
    const make = (ctrl: 'memory' | 'cpu', settings: [string, string][]): void => {
      const root = this.roots[ctrl];
      if (!root) return;
      const dir = join(root, podUid, key);
      try {
        mkdirSync(dir, { recursive: true });
        for (const [file, value] of settings) {
          if (existsSync(join(dir, file))) writeFileSync(join(dir, file), value);
        }
        cg.procs.push(join(dir, 'cgroup.procs'));
        cg.dirs.push(dir);
        if (ctrl === 'memory') cg.memoryDir = dir;
      } catch {
        rmTree(dir);
      }
    };
    if (limits.memoryBytes !== undefined) {
      const bytes = String(limits.memoryBytes);
      make('memory', [['memory.limit_in_bytes', bytes], ['memory.memsw.limit_in_bytes', bytes]]);
    }
    if (limits.cpuMillicores !== undefined) {
      make('cpu', [['cpu.cfs_period_us', '100000'], ['cpu.cfs_quota_us', String(Math.max(1000, limits.cpuMillicores * 100))]]);
    }
    return cg.procs.length ? cg : undefined;
  }

  /** Whether the kernel OOM-killed a process of this cgroup. */
  oomKilled(cg: ContainerCgroup | undefined): boolean {
    if (!cg?.memoryDir) return false;
    const m = /oom_kill (\d+)/.exec(read(join(cg.memoryDir, 'memory.oom_control')) ?? '');
    return m !== null && Number(m[1]) > 0;
  }

  release(cg: ContainerCgroup | undefined): void {
    for (const d of cg?.dirs ?? []) rmTree(d);
  }

  releasePod(podUid: string): void {
    for (const root of Object.values(this.roots)) rmTree(join(root, podUid));
  }

  close(): void {
    for (const root of Object.values(this.roots)) rmTree(root);
  }

  /** Removes what kubelets that are gone left behind. */
  private sweep(base: string): void {
    let names: string[] = [];
    try {
      names = readdirSync(base);
    } catch {
      return;
    }
    for (const n of names) {
      const m = /^kubemu-(\d+)-\d+$/.exec(n);
      if (m && !isAlive(Number(m[1]))) rmTree(join(base, n));
    }
  }
}
