/**
 * The pod startup latency tests of `npm run bench:pods`: how long from "create this pod" until a
 * watcher sees it Running — the Kubernetes pod startup SLI (p99 ≤ 5 s for stateless pods whose
 * image is present, creation → all containers started, observed through a watch).
 *
 * A test creates n pods of one image, `concurrency` at a time (1 = one after another): each worker
 * marks `created`, sends the create through the API, waits until the pod timeline (./pod-timeline.ts)
 * shows it Running, deletes it (normal grace, not waited for; a 409 Conflict on that DELETE is
 * counted and retried, see `deletePod`) and goes on with the next. The pods
 * are deleted as they go so a node never holds more than `concurrency` of them plus those
 * terminating. The test ends when every pod is gone, so its CPU covers whole pod lives (create,
 * schedule, start, stop, delete).
 *
 * Per pod the latency is split where the watch can see it:
 *   create → added (the API's create and the watch delivery), added → scheduled (the scheduler),
 *   scheduled → accepted (the kubelet's first status write: it has the pod and its sandbox),
 *   accepted → running (container started and status written), and the total created → running.
 * Stage figures are p50/p99 of each stage on its own, so they do not add up to the total's p99.
 */
import type { Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { isStatusError } from '../../shared/api/errors.js';
import type { ApiClient } from '../../shared/client/api.js';
import { reapedChildrenCpuSeconds, startCpuMeter, type CpuGroups } from './cpu.js';
import type { Milestone, PodTimeline } from './pod-timeline.js';
import { percentile } from './stats.js';
import { eventually } from '../../test/support/eventually.js';

export interface StartupTest {
  id: string;
  title: string;
  image: string;
  concurrency: number;
}

export const IMAGES = { pause: 'registry.k8s.io/pause:3.9', kubia: 'luksa/kubia' } as const;

export function startupTests(concurrency: number): StartupTest[] {
  return [
    { id: 'pause-seq', title: 'pause, one at a time', image: IMAGES.pause, concurrency: 1 },
    { id: `pause-c${concurrency}`, title: `pause, ${concurrency} in flight`, image: IMAGES.pause, concurrency },
    { id: 'kubia-seq', title: 'luksa/kubia, one at a time', image: IMAGES.kubia, concurrency: 1 },
    { id: `kubia-c${concurrency}`, title: `luksa/kubia, ${concurrency} in flight`, image: IMAGES.kubia, concurrency },
  ];
}

/** The stages of a start, each between two milestones; `total` is the SLI. */
export const STAGES: { id: string; from: Milestone; to: Milestone }[] = [
  { id: 'total', from: 'created', to: 'running' },
  { id: 'create→added', from: 'created', to: 'added' },
  { id: 'added→scheduled', from: 'added', to: 'scheduled' },
  { id: 'scheduled→accepted', from: 'scheduled', to: 'accepted' },
  { id: 'accepted→running', from: 'accepted', to: 'running' },
];

export interface StartupFigure {
  n: number;
  seconds: number;
  podsPerSec: number;
  /** stage → p50 / p99 / max in ms. */
  stages: Record<string, { p50: number; p99: number; max: number }>;
  /** CPU ms per pod by process group (client = the benchmark; containers = those that exited). */
  cpuMsPerPod: Record<string, number>;
  /** Store writes per pod over its whole life (Events included), the idle background subtracted. */
  writesPerPod: number;
  /** Deletes the api-server answered with 409 Conflict (no precondition was given); retried. */
  deleteConflicts: number;
  error?: string;
}

export interface StartupContext {
  api: ApiClient;
  timeline: PodTimeline;
  namespace: string;
  /** Unique per test run (names are never reused). */
  prefix: string;
  /** Pids by group, for CPU per pod; `kubelet` pids also give the containers' CPU. */
  groups: CpuGroups;
  timeoutMs: number;
  storeRevision(): Promise<number>;
  /** Writes per second the cluster makes with no pods (heartbeat leases, leader election). */
  idleWritesPerSec: number;
}

const PODS = resourceByPlural('pods');

export function benchPod(name: string, image: string, labels: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent' }],
      // kubia dies on SIGTERM at once and pause exits on it; a short grace only bounds a pile-up.
      terminationGracePeriodSeconds: 5,
    },
  } as Pod;
}

function stageFigures(ctx: StartupContext, names: string[]): StartupFigure['stages'] {
  const out: StartupFigure['stages'] = {};
  for (const s of STAGES) {
    const ms = names
      .map((n) => ctx.timeline.get(n)?.at)
      .map((at) => (at?.[s.from] !== undefined && at[s.to] !== undefined ? Number(at[s.to]! - at[s.from]!) / 1e6 : NaN))
      .filter((x) => Number.isFinite(x))
      .map((x) => Math.max(0, x))
      .sort((a, b) => a - b);
    out[s.id] = { p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.length ? ms[ms.length - 1] : NaN };
  }
  return out;
}

/** Waits until every named pod is gone (DELETED seen). */
export async function allGone(timeline: PodTimeline, names: string[], timeoutMs: number): Promise<void> {
  await eventually(
    () => {
      timeline.check();
      const left = names.filter((n) => timeline.get(n)?.at.deleted === undefined);
      if (left.length) throw new Error(`${left.length} pod(s) left, e.g. ${left.slice(0, 3).join(', ')}`);
    },
    { timeoutMs, message: 'the pods were not all gone' },
  );
}

/**
 * DELETE without preconditions, retried on 409 Conflict — which it should never answer (the
 * api-server retries its own read-modify-write); each one is counted so the report shows it.
 */
async function deletePod(ctx: StartupContext, name: string, conflicts: { n: number }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.api.delete(PODS, ctx.namespace, name);
      return;
    } catch (err) {
      if (!isStatusError(err, 'Conflict') || attempt >= 5) throw err;
      conflicts.n++;
    }
  }
}

const reaped = (pids: number[]): number => pids.reduce((s, p) => s + reapedChildrenCpuSeconds(p), 0);

export async function runStartupTest(test: StartupTest, n: number, ctx: StartupContext): Promise<StartupFigure> {
  const names = Array.from({ length: n }, (_, i) => `${ctx.prefix}-${i}`);
  const labels = { app: 'bench-pods', test: test.id };
  const kubelets = ctx.groups.kubelet ?? [];
  const cpu = startCpuMeter(ctx.groups);
  const reapedBefore = reaped(kubelets);
  const revBefore = await ctx.storeRevision();
  const t0 = process.hrtime.bigint();
  let next = 0;
  let failure: Error | undefined;
  const conflicts = { n: 0 };
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n && !failure; i = next++) {
      const name = names[i];
      try {
        ctx.timeline.mark(name, 'created');
        await ctx.api.create(PODS, ctx.namespace, benchPod(name, test.image, labels));
        await ctx.timeline.until(name, 'running', ctx.timeoutMs);
        await deletePod(ctx, name, conflicts);
      } catch (err) {
        failure ??= err as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(test.concurrency, n) }, worker));
  const started = process.hrtime.bigint();
  const created = names.slice(0, Math.min(next, n)).filter((x) => ctx.timeline.get(x)?.at.created !== undefined);
  // Pods a failure left behind are deleted too, so the next test starts from an empty namespace.
  if (failure) await Promise.all(created.map((x) => ctx.api.delete(PODS, ctx.namespace, x).catch(() => undefined)));
  await allGone(ctx.timeline, created, ctx.timeoutMs + 30_000);
  const used = cpu();
  const revAfter = await ctx.storeRevision();
  const ended = process.hrtime.bigint();
  used.containers = reaped(kubelets) - reapedBefore;
  const cpuMsPerPod: Record<string, number> = {};
  for (const [k, s] of Object.entries(used)) cpuMsPerPod[k] = (s * 1000) / Math.max(1, created.length);
  const seconds = Number(started - t0) / 1e9;
  const background = (ctx.idleWritesPerSec * Number(ended - t0)) / 1e9;
  const writesPerPod = (revAfter - revBefore - background) / Math.max(1, created.length);
  const fig: StartupFigure = { n: created.length, seconds, podsPerSec: created.length / seconds, stages: stageFigures(ctx, created), cpuMsPerPod, writesPerPod, deleteConflicts: conflicts.n };
  if (failure) fig.error = failure.message;
  return fig;
}
