/**
 * One phase of the scale benchmark: a scale write to the Deployment, then the wait until every pod
 * it brings about has reached the end of the phase — `up` (0 → N: every new pod Ready, and the
 * Deployment's status saying N ready and available), `down` (N → 0: every pod gone, and the status
 * saying 0 replicas).
 *
 * The clock starts just before the scale write. What happens to each pod comes from the pod watch
 * (./pod-timeline.ts: created by the ReplicaSet controller = ADDED, bound = nodeName set, accepted
 * = the kubelet's first status, Running, Ready; down: deletionTimestamp set, DELETED), so the phase
 * ends at the last pod's milestone as a watching client sees it, not when a poll noticed.
 * Per milestone the first, median and last pod are reported in ms since the write: how those
 * spread shows which stage of the pipeline holds the others back. Alongside: CPU seconds of each
 * component over the phase (./cpu.ts, by the pid groups of ./kubemu-cluster.ts), the store writes
 * by kind (./store-writes.ts, replayed from the store's history once the phase is over), the
 * machine's load average before and after, and how the pods spread over the nodes.
 *
 * A phase that does not finish within its timeout answers its figures so far with `error` set.
 */
import type { ApiClient } from '../../shared/client/api.js';
import type { StoreClient } from '../../shared/client/store.js';
import { eventually } from '../../test/support/eventually.js';
import { startCpuMeter, type CpuGroups } from './cpu.js';
import type { Milestone, PodRecord, PodTimeline } from './pod-timeline.js';
import { load } from './run-info.js';
import { scaleTo, statusReached, type DeploymentWatch } from './scale-workload.js';
import { countWrites } from './store-writes.js';
import { median, percentile } from './stats.js';

export type Direction = 'up' | 'down';

/** ms since the scale write: the first, the median and the last pod to reach a milestone. */
export interface Spread {
  n: number;
  first: number;
  median: number;
  last: number;
}

export interface PhaseFigure {
  direction: Direction;
  /** Pods that went through the phase (created for up, deleted for down). */
  pods: number;
  /** The scale write → the last pod Ready (up) or gone (down), seconds. */
  seconds: number;
  podsPerSec: number;
  /** How long the scale PATCH itself took, ms. */
  writeMs: number;
  /** The scale write → the Deployment's status first showing the end state, seconds. */
  statusSeconds: number;
  milestones: Partial<Record<Milestone, Spread>>;
  /** Per-pod time between two milestones, ms (p50 / p99 / max over the pods). */
  stages: Record<string, { p50: number; p99: number; max: number }>;
  /** CPU seconds by process group from the write until the phase ended. */
  cpuSeconds: Record<string, number>;
  /** The wall time the CPU was measured over, seconds. */
  cpuWallSeconds: number;
  storeWrites: number;
  /** The store writes by kind (./store-writes.ts): `pods bind`, `events Scheduled`, … */
  writes: Record<string, number>;
  loadBefore: string;
  loadAfter: string;
  /** Pods per node at the end of an up phase. */
  spread?: { nodes: number; min: number; max: number };
  /** The phase on the machine's monotonic clock (ns): the scale write → the end (for CPU profiles). */
  window: { fromNs: bigint; toNs: bigint };
  error?: string;
}

export interface PhaseContext {
  api: ApiClient;
  timeline: PodTimeline;
  deployment: DeploymentWatch;
  namespace: string;
  name: string;
  groups: CpuGroups;
  store: StoreClient;
  timeoutMs: number;
}

const MILESTONES: Record<Direction, Milestone[]> = {
  up: ['added', 'scheduled', 'accepted', 'running', 'ready'],
  down: ['terminating', 'deleted'],
};

const STAGES: Record<Direction, { id: string; from: Milestone; to: Milestone }[]> = {
  up: [
    { id: 'created → bound', from: 'added', to: 'scheduled' },
    { id: 'bound → accepted', from: 'scheduled', to: 'accepted' },
    { id: 'accepted → Running', from: 'accepted', to: 'running' },
    { id: 'Running → Ready', from: 'running', to: 'ready' },
    { id: 'created → Ready', from: 'added', to: 'ready' },
  ],
  down: [{ id: 'terminating → gone', from: 'terminating', to: 'deleted' }],
};

const ms = (t: bigint, t0: bigint): number => Number(t - t0) / 1e6;

function spreadOf(times: number[]): Spread | undefined {
  if (times.length === 0) return undefined;
  const sorted = [...times].sort((a, b) => a - b);
  return { n: sorted.length, first: sorted[0], median: median(sorted), last: sorted[sorted.length - 1] };
}

/** The pods a phase concerns: created after the write (up), or alive at the write (down). */
function phasePods(timeline: PodTimeline, direction: Direction, t0: bigint, alive: Set<string>): PodRecord[] {
  const all = timeline.all();
  return direction === 'up' ? all.filter((r) => r.at.added !== undefined && r.at.added >= t0) : all.filter((r) => alive.has(r.name));
}

export async function runPhase(ctx: PhaseContext, direction: Direction, replicas: number): Promise<PhaseFigure> {
  const alive = new Set(ctx.timeline.all().filter((r) => r.at.deleted === undefined).map((r) => r.name));
  const loadBefore = load();
  const revBefore = (await ctx.store.status()).revision;
  const status = ctx.deployment.until((d) => statusReached(d, replicas), ctx.timeoutMs);
  status.catch(() => undefined);
  const cpu = startCpuMeter(ctx.groups);
  const t0 = process.hrtime.bigint();
  await scaleTo(ctx.api, ctx.namespace, ctx.name, replicas);
  const writeMs = ms(process.hrtime.bigint(), t0);
  const end: Milestone = direction === 'up' ? 'ready' : 'deleted';
  const want = direction === 'up' ? replicas : alive.size;
  let error: string | undefined;
  let statusAt: bigint | undefined;
  try {
    await eventually(
      () => {
        ctx.timeline.check();
        const done = phasePods(ctx.timeline, direction, t0, alive).filter((r) => r.at[end] !== undefined).length;
        if (done < want) throw new Error(`${done} of ${want} pods ${direction === 'up' ? 'Ready' : 'gone'}`);
      },
      { timeoutMs: ctx.timeoutMs, intervalMs: 25, message: `scale ${direction} did not finish` },
    );
    statusAt = await status;
  } catch (err) {
    error = (err as Error).message;
  }
  const tEnd = process.hrtime.bigint();
  const wall = Number(tEnd - t0) / 1e9;
  const cpuSeconds = cpu();
  const revAfter = (await ctx.store.status()).revision;
  const writes = await countWrites(ctx.store, revBefore + 1, revAfter).catch((err: unknown) => ({ [`(not counted: ${(err as Error).message})`]: NaN }));
  const pods = phasePods(ctx.timeline, direction, t0, alive);
  const milestones: PhaseFigure['milestones'] = {};
  for (const m of MILESTONES[direction]) {
    const s = spreadOf(pods.map((r) => r.at[m]).filter((t): t is bigint => t !== undefined).map((t) => ms(t, t0)));
    if (s) milestones[m] = s;
  }
  const stages: PhaseFigure['stages'] = {};
  for (const s of STAGES[direction]) {
    const d = pods
      .map((r) => (r.at[s.from] !== undefined && r.at[s.to] !== undefined ? Math.max(0, ms(r.at[s.to]!, r.at[s.from]!)) : NaN))
      .filter((x) => Number.isFinite(x))
      .sort((a, b) => a - b);
    stages[s.id] = { p50: percentile(d, 50), p99: percentile(d, 99), max: d.length ? d[d.length - 1] : NaN };
  }
  const last = milestones[end]?.last ?? NaN;
  const seconds = last / 1000;
  const fig: PhaseFigure = {
    direction,
    pods: pods.length,
    seconds,
    podsPerSec: (milestones[end]?.n ?? 0) / seconds,
    writeMs,
    statusSeconds: statusAt === undefined ? NaN : ms(statusAt, t0) / 1000,
    milestones,
    stages,
    cpuSeconds,
    cpuWallSeconds: wall,
    storeWrites: revAfter - revBefore,
    writes,
    loadBefore,
    loadAfter: load(),
    window: { fromNs: t0, toNs: tEnd },
  };
  if (direction === 'up') {
    const perNode = new Map<string, number>();
    for (const r of pods) if (r.node) perNode.set(r.node, (perNode.get(r.node) ?? 0) + 1);
    const counts = [...perNode.values()];
    fig.spread = { nodes: counts.length, min: counts.length ? Math.min(...counts) : 0, max: counts.length ? Math.max(...counts) : 0 };
  }
  if (error) fig.error = error;
  return fig;
}
