/**
 * How pods are isolated on this machine, and the command lines that do it (util-linux tools).
 *
 * With namespaces (root, and a trial `unshare` works), a pod is a sandbox process:
 *   setpriv --pdeathsig KILL → unshare --mount --uts --pid --fork --mount-proc --kill-child → sh
 *   (sets the hostname, says `ready`) → sleep: the pod's PID 1.
 * A container joins it: setpriv --pdeathsig KILL → nsenter --target <pod init> --mount --uts
 * --pid (forks into the pod's PID namespace) → unshare --mount (its own mount namespace, copied
 * from the pod's, so its volume mounts are its own) → the wrapper script (bind mounts, cgroups,
 * working dir) → setsid (own process group, the target of stop signals) → setpriv --pdeathsig KILL
 * → the program. Every link dies with its parent, and the pod init's death empties the PID
 * namespace, so a kubelet killed by any signal takes every container with it.
 *
 * Without namespaces (not root, tools missing, unshare refused, or `isolation: 'none'`), a
 * container is setpriv --pdeathsig KILL → the wrapper → the program, in its own session; volumes
 * are plain directories named in its environment. The main process dies with the kubelet by its
 * parent-death signal, the rest of its process group by the pod's reaper (sandbox.ts); a process
 * that leaves the group (setsid) can outlive the kubelet.
 *
 * The wrapper speaks on fd 3: `E<message>` and exit 128 when the program cannot start (mount,
 * working dir, executable not found), or `S` right before it execs the program (the runtime's
 * "started" signal; fd 3 is closed for the program). Tools are found once, by absolute path, so a
 * container's PATH cannot break the wrapper. This module builds argv only; it spawns nothing but
 * the one trial `unshare` of `detectIsolation`.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Tools {
  sh: string;
  mkdir?: string;
  mount?: string;
  unshare?: string;
  nsenter?: string;
  setpriv?: string;
  setsid?: string;
  script?: string;
  stty?: string;
}

export interface Isolation {
  namespaces: boolean;
  /** Why there are no namespaces (or what is weaker than it should be). */
  note?: string;
  tools: Tools;
}

export type IsolationMode = 'auto' | 'namespaces' | 'none';

export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `name` resolved against PATH (absolute), or undefined. */
export function which(name: string, path: string): string | undefined {
  for (const dir of path.split(':')) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function findTools(path = `${process.env.PATH ?? ''}:${SYSTEM_PATH}`): Tools {
  const t: Tools = { sh: which('sh', path) ?? '/bin/sh' };
  for (const n of ['mkdir', 'mount', 'unshare', 'nsenter', 'setpriv', 'setsid', 'script', 'stty'] as const) {
    const p = which(n, path);
    if (p) t[n] = p;
  }
  return t;
}

/** Decides, once per runtime, whether pods get namespaces (throws for `namespaces` when impossible). */
export function detectIsolation(mode: IsolationMode, tools: Tools = findTools()): Isolation {
  const weak = tools.setpriv ? undefined : 'setpriv (util-linux) not found: containers may outlive a killed kubelet';
  const none = (why: string): Isolation => {
    if (mode === 'namespaces') throw new Error(`pod namespaces requested but unavailable: ${why}`);
    return { namespaces: false, note: weak ? `${why}; ${weak}` : why, tools };
  };
  if (mode === 'none') return none('pod namespaces disabled by configuration: containers run as plain processes');
  if (process.platform !== 'linux') return none(`no Linux namespaces on ${process.platform}: containers run as plain processes`);
  if (process.getuid?.() !== 0) return none('not running as root: no pod namespaces, containers run as plain processes');
  const missing = (['unshare', 'nsenter', 'setpriv', 'setsid', 'mount', 'mkdir'] as const).filter((n) => !tools[n]);
  if (missing.length) return none(`util-linux tools missing (${missing.join(', ')}): containers run as plain processes`);
  const trial = spawnSync(tools.unshare!, ['--mount', '--uts', '--pid', '--fork', '--mount-proc', '--kill-child', tools.sh, '-c', 'exit 0'], {
    timeout: 5000,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (trial.status !== 0) {
    const why = (trial.stderr || trial.error?.message || `exit ${trial.status ?? trial.signal}`).trim().split('\n')[0];
    return none(`unshare failed (${why}): containers run as plain processes`);
  }
  return { namespaces: true, tools };
}

/** The pod sandbox: prints `ready` once the hostname is set, then is the pod's PID 1. */
const SANDBOX_SCRIPT = 'printf "%s" "$1" > /proc/sys/kernel/hostname || exit 1; echo ready; exec sleep 2147483647';

export function sandboxArgv(iso: Isolation, hostname: string): string[] {
  const t = iso.tools;
  return [t.setpriv!, '--pdeathsig', 'KILL', '--', t.unshare!, '--mount', '--uts', '--pid', '--fork', '--mount-proc', '--kill-child', '--', t.sh, '-c', SANDBOX_SCRIPT, 'kubemu-sandbox', hostname];
}

/**
 * Positional parameters: mkdir mount setsid setpriv ("-" when not used) workdir, N cgroup.procs
 * files, N mounts as (source target rw|ro), `--`, then the program's argv.
 */
const CONTAINER_SCRIPT = `
fail() { printf 'E%s' "$*" >&3; exit 128; }
mk=$1; mnt=$2; sid=$3; sp=$4; wd=$5; n=$6; shift 6
while [ "$n" -gt 0 ]; do echo 0 > "$1" 2>/dev/null || fail "failed to join cgroup $1"; shift; n=$((n - 1)); done
n=$1; shift
while [ "$n" -gt 0 ]; do
  src=$1; dst=$2; mode=$3; shift 3; n=$((n - 1))
  if [ -d "$src" ]; then "$mk" -p "$dst" 2>/dev/null || fail "failed to create mount point $dst"
  else "$mk" -p "\${dst%/*}" 2>/dev/null; [ -e "$dst" ] || : > "$dst" 2>/dev/null || fail "failed to create mount point $dst"; fi
  "$mnt" --bind "$src" "$dst" 2>/dev/null || fail "failed to mount $src at $dst"
  if [ "$mode" = ro ]; then "$mnt" -o remount,bind,ro "$dst" 2>/dev/null || fail "failed to make $dst read-only"; fi
done
shift
[ -d "$wd" ] || "$mk" -p "$wd" 2>/dev/null
cd "$wd" 2>/dev/null || fail "chdir to cwd (\\"$wd\\") set in config.json failed: no such file or directory"
case "$1" in
  */*) [ -f "$1" ] && [ -x "$1" ] || fail "exec: \\"$1\\": stat $1: no such file or directory" ;;
  *) command -v "$1" >/dev/null 2>&1 || fail "exec: \\"$1\\": executable file not found in \\$PATH" ;;
esac
printf S >&3
exec 3>&-
if [ "$sid" != - ]; then set -- "$sid" -- "$@"; fi
if [ "$sp" != - ]; then set -- "$sp" --pdeathsig KILL -- "$@"; fi
exec "$@"
`;

export interface WrapperParams {
  workingDir: string;
  cgroupProcs: string[];
  mounts: { source: string; target: string; readOnly: boolean }[];
  argv: string[];
}

function wrapper(iso: Isolation, p: WrapperParams, opts: { setsid: boolean; setpriv: boolean }): string[] {
  const t = iso.tools;
  return [
    t.sh, '-c', CONTAINER_SCRIPT, 'kubemu-container',
    t.mkdir ?? 'mkdir', t.mount ?? 'mount',
    opts.setsid && t.setsid ? t.setsid : '-',
    opts.setpriv && t.setpriv ? t.setpriv : '-',
    p.workingDir,
    String(p.cgroupProcs.length), ...p.cgroupProcs,
    String(p.mounts.length), ...p.mounts.flatMap((m) => [m.source, m.target, m.readOnly ? 'ro' : 'rw']),
    '--', ...p.argv,
  ];
}

/** A container inside the pod whose PID 1 is `initPid`. */
export function containerArgv(iso: Isolation, initPid: number, p: WrapperParams): string[] {
  const t = iso.tools;
  return [
    t.setpriv!, '--pdeathsig', 'KILL', '--',
    t.nsenter!, '--target', String(initPid), '--mount', '--uts', '--pid', '--',
    t.unshare!, '--mount', '--',
    ...wrapper(iso, p, { setsid: true, setpriv: true }),
  ];
}

/** A container as a plain process (spawned detached, so it leads its own process group). */
export function plainContainerArgv(iso: Isolation, p: WrapperParams): string[] {
  const w = wrapper(iso, { ...p, mounts: [] }, { setsid: false, setpriv: false });
  return iso.tools.setpriv ? [iso.tools.setpriv, '--pdeathsig', 'KILL', '--', ...w] : w;
}

/** Positional parameters: workdir, N cgroup.procs files, then the command. */
const EXEC_SCRIPT = `wd=$1; n=$2; shift 2
while [ "$n" -gt 0 ]; do echo 0 > "$1" 2>/dev/null; shift; n=$((n - 1)); done
cd "$wd" 2>/dev/null || cd /
exec "$@"`;

/** A command run in a running container (its namespaces when it has them, `containerPid` its main process). */
export function execArgv(iso: Isolation, containerPid: number | undefined, p: { workingDir: string; cgroupProcs: string[]; argv: string[] }): string[] {
  const t = iso.tools;
  const inner = [t.sh, '-c', EXEC_SCRIPT, 'kubemu-exec', p.workingDir, String(p.cgroupProcs.length), ...p.cgroupProcs, ...p.argv];
  const enter = iso.namespaces && containerPid ? [t.nsenter!, '--target', String(containerPid), '--mount', '--uts', '--pid', '--'] : [];
  const guard = t.setpriv ? [t.setpriv, '--pdeathsig', 'KILL', '--'] : [];
  return [...guard, ...enter, ...inner];
}
