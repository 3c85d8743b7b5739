/**
 * One node failure of the healing benchmark, and its timeline.
 *
 * `killNode`: the node's processes (kubelet and kube-proxy, from the state file) get SIGKILL at
 * t0, as `kill -9` or a machine losing power would do it — directly, not through `kubemu kill`, so
 * that t0 is the signal itself. Then, each time measured from t0 on the monotonic clock:
 *
 *   containers gone   none of the kubelet's descendants (its containers, recorded just before) runs
 *                     any more: each is gone, a zombie, or in the kernel's exit path (PF_EXITING)
 *   processes gone    … and none is left in the process table at all (a pod's PID-namespace init
 *                     stays in its exit path until the namespace's zombies are reaped)
 *   NotReady          the node's Ready condition is seen not True (the node lifecycle controller)
 *   tainted           a NoExecute not-ready / unreachable taint is seen on it
 *   evicted           each of its pods is seen Terminating (first / last)
 *   created           each replacement pod is seen (first / last): pods that appear after t0
 *   scheduled, running, ready   the last replacement to get there
 * and `healed` = the last replacement Ready, once as many replacements are Ready off the dead node
 * as the node had pods. Everything is read from the benchmark's watches (./pod-timeline.ts,
 * ./node-timeline.ts), never asked of the components.
 *
 * `restoreNode`: `kubemu start <node>` (same flags, waits until the node is Ready again), then
 * until the pods evicted from it are gone (the returning kubelet confirms their deletion).
 */
import { isAlive as runsCode, procStat, processTree } from '../../shared/runtime/proc.js';
import { eventually } from '../../test/support/eventually.js';
import type { BenchCluster } from './kubemu-cluster.js';
import type { NodeTimeline } from './node-timeline.js';
import type { PodRecord, PodTimeline } from './pod-timeline.js';

export interface KillTimeline {
  node: string;
  /** The pods it ran (evicted, then removed when it came back). */
  victims: string[];
  /** Pods the node ran when it was killed. */
  pods: number;
  /** Container processes the kubelet had. */
  containers: number;
  /** ms after the kill; undefined when never seen. */
  containersGone?: number;
  processesGone?: number;
  notReady?: number;
  tainted?: number;
  evictedFirst?: number;
  evictedLast?: number;
  createdFirst?: number;
  createdLast?: number;
  scheduledLast?: number;
  runningLast?: number;
  readyLast?: number;
  /** = readyLast when healing completed. */
  healed?: number;
  /** `kubemu start <node>` until Ready, and until its evicted pods were gone (ms). */
  restartMs?: number;
  cleanupMs?: number;
  error?: string;
}

export interface KillContext {
  cluster: BenchCluster;
  pods: PodTimeline;
  nodes: NodeTimeline;
  replicas: number;
  healTimeoutMs: number;
}

const live = (r: PodRecord): boolean => r.at.terminating === undefined && r.at.deleted === undefined;

/** The node with the most live benchmark pods (ties: the first in `order` after `previous`). */
export function chooseVictim(pods: PodRecord[], order: string[], previous?: string): string {
  const count = (n: string): number => pods.filter((p) => p.node === n && live(p)).length;
  const start = previous ? (order.indexOf(previous) + 1) % order.length : 0;
  const rotated = [...order.slice(start), ...order.slice(0, start)];
  return rotated.reduce((best, n) => (count(n) > count(best) ? n : best), rotated[0]);
}

const msSince = (t0: bigint, t: bigint | undefined): number | undefined => (t === undefined ? undefined : Number(t - t0) / 1e6);
const maxOf = (xs: (number | undefined)[]): number | undefined => (xs.some((x) => x === undefined) || xs.length === 0 ? undefined : Math.max(...(xs as number[])));
const minOf = (xs: (number | undefined)[]): number | undefined => {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length ? Math.min(...d) : undefined;
};

/** Still listed by the kernel: any state but zombie (Z) or dead (X), exiting or not. */
function inProcessTable(pid: number): boolean {
  const st = procStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

/** ms after t0 when no pid is `alive` any more; undefined when some outlived `timeoutMs`. */
async function waitGone(pids: number[], alive: (pid: number) => boolean, t0: bigint, timeoutMs: number): Promise<number | undefined> {
  try {
    await eventually(() => pids.every((p) => !alive(p)), { timeoutMs, intervalMs: 5 });
    return msSince(t0, process.hrtime.bigint());
  } catch {
    return undefined;
  }
}

export async function killNode(node: string, ctx: KillContext): Promise<KillTimeline> {
  const procs = ctx.cluster.processes().filter((p) => p.node === node && p.pid !== undefined);
  const kubelet = procs.find((p) => p.component === 'kubelet');
  if (!kubelet?.pid) throw new Error(`${node} has no running kubelet in the state file`);
  const victims = ctx.pods.all().filter((p) => p.node === node && live(p));
  const containers = processTree(kubelet.pid).filter((p) => p !== kubelet.pid);
  const result: KillTimeline = { node, victims: victims.map((v) => v.name), pods: victims.length, containers: containers.length };

  const t0 = process.hrtime.bigint();
  for (const p of procs) process.kill(p.pid!, 'SIGKILL');
  const stopped = waitGone(containers, runsCode, t0, 10_000);
  const gone = waitGone(containers, inProcessTable, t0, 10_000);

  const replacements = (): PodRecord[] => ctx.pods.all().filter((p) => p.at.added !== undefined && p.at.added >= t0);
  try {
    await eventually(
      () => {
        ctx.pods.check();
        const evicted = victims.every((v) => ctx.pods.get(v.name)?.at.terminating !== undefined || ctx.pods.get(v.name)?.at.deleted !== undefined);
        const ready = replacements().filter((p) => p.node !== node && p.at.ready !== undefined && live(p));
        if (!evicted || ready.length < victims.length) throw new Error(`${victims.length} pod(s) to replace; evicted: ${evicted}; replacements ready: ${ready.length}`);
      },
      { timeoutMs: ctx.healTimeoutMs, intervalMs: 20, message: `${node}'s pods were not replaced` },
    );
  } catch (err) {
    result.error = (err as Error).message;
  }
  // With no container processes (the simulated runtime) there is nothing to time.
  if (containers.length > 0) {
    result.containersGone = await stopped;
    result.processesGone = await gone;
  }
  const fresh = replacements();
  result.notReady = msSince(t0, ctx.nodes.firstAfter(node, t0, (s) => s.ready !== 'True')?.at);
  result.tainted = msSince(t0, ctx.nodes.firstAfter(node, t0, (s) => s.noExecute)?.at);
  const evictions = victims.map((v) => msSince(t0, ctx.pods.get(v.name)?.at.terminating ?? ctx.pods.get(v.name)?.at.deleted));
  result.evictedFirst = minOf(evictions);
  result.evictedLast = maxOf(evictions);
  result.createdFirst = minOf(fresh.map((p) => msSince(t0, p.at.added)));
  result.createdLast = maxOf(fresh.map((p) => msSince(t0, p.at.added)));
  result.scheduledLast = maxOf(fresh.map((p) => msSince(t0, p.at.scheduled)));
  result.runningLast = maxOf(fresh.map((p) => msSince(t0, p.at.running)));
  result.readyLast = maxOf(fresh.map((p) => msSince(t0, p.at.ready)));
  if (!result.error) result.healed = result.readyLast;
  return result;
}

export async function restoreNode(ctx: KillContext, timeline: KillTimeline): Promise<void> {
  const { node, victims: evicted } = timeline;
  const t0 = process.hrtime.bigint();
  const r = await ctx.cluster.kubemu(['start', node], 180_000);
  if (r.code !== 0) throw new Error(`kubemu start ${node} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  timeline.restartMs = msSince(t0, process.hrtime.bigint());
  await eventually(
    () => {
      const left = evicted.filter((n) => ctx.pods.get(n)?.at.deleted === undefined);
      if (left.length) throw new Error(`still there: ${left.join(', ')}`);
    },
    { timeoutMs: 60_000, intervalMs: 50, message: `the pods evicted from ${node} were not removed after it came back` },
  );
  timeline.cleanupMs = msSince(t0, process.hrtime.bigint());
}
