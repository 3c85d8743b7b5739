/**
 * What `npm run bench:pods` prints: a table per round, then per cluster the medians across rounds
 * ([min–max] over rounds) of each startup test, the memory of its processes, and the verdict on the
 * issue's goals:
 *
 *   pod startup p99 (create → Running seen through a watch): < 100 ms simulated, < 500 ms with the
 *   process runtime (the Kubernetes SLO is 5 s); RSS of each node process (kubelet with the process
 *   runtime, kube-proxy) < 60 MB. A 100-simulated-node kubelet and the control plane are reported,
 *   not judged (KWOK's whole cluster takes ≈300 MB).
 *
 * Pure formatting and arithmetic over the results; prints nothing itself.
 */
import type { MemorySample } from './cluster-memory.js';
import type { MemoryUse } from './memory.js';
import { STAGES, type StartupFigure } from './pod-startup.js';
import { fmt, max, median, min, table } from './stats.js';

/** test id → figure, for one round on one cluster. */
export type StartupRound = Record<string, StartupFigure>;

export interface ClusterResults {
  cluster: string;
  /** `simulated` or `process`: which goal applies. */
  runtime: string;
  description: string;
  tests: { id: string; title: string }[];
  rounds: StartupRound[];
  memory: {
    /** The fresh cluster, no pods. */
    idle?: MemorySample;
    /** The fresh cluster with `memory-pods` pods per node running: what the goal is judged on. */
    loaded?: MemorySample;
    /** As many pods again, after every round (`churnedPods` pods created and deleted by then). */
    churned?: MemorySample;
    churnedPods: number;
  };
  /** An idle `node` process next to the cluster: the floor of any Node.js process. */
  floor?: MemoryUse;
}

export const STARTUP_P99_GOAL_MS: Record<string, number> = { simulated: 100, process: 500 };
export const SLO_P99_MS = 5000;
export const NODE_PROCESS_RSS_GOAL_MB = 60;

const cpuText = (cpu: Record<string, number>): string =>
  Object.entries(cpu)
    .filter(([, v]) => Number.isFinite(v) && v >= 0.05)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');

export function roundTable(c: ClusterResults, round: StartupRound): string {
  const rows = [['test', 'n', 'pods/s', 'p50 ms', 'p99 ms', 'max ms', ...STAGES.slice(1).map((s) => `${s.id} p50`), 'writes/pod', 'CPU ms/pod']];
  for (const t of c.tests) {
    const f = round[t.id];
    if (!f) continue;
    const tot = f.stages.total;
    rows.push([
      t.title,
      String(f.n),
      fmt(f.podsPerSec),
      fmt(tot?.p50),
      fmt(tot?.p99),
      fmt(tot?.max),
      ...STAGES.slice(1).map((s) => fmt(f.stages[s.id]?.p50)),
      fmt(f.writesPerPod),
      f.error ? `FAILED: ${f.error.slice(0, 100)}` : cpuText(f.cpuMsPerPod),
    ]);
  }
  return table(rows);
}

const cell = (values: number[]): string => {
  const m = median(values);
  if (!Number.isFinite(m)) return '–';
  const lo = min(values);
  const hi = max(values);
  return values.length > 1 && lo !== hi ? `${fmt(m)} [${fmt(lo)}–${fmt(hi)}]` : fmt(m);
};

function perRound(c: ClusterResults, id: string, get: (f: StartupFigure) => number): number[] {
  return c.rounds.map((r) => r[id]).map((f) => (f && !f.error ? get(f) : NaN));
}

export function startupSummary(c: ClusterResults): string {
  const rows = [['test', 'pods/s', 'p50 ms', 'p99 ms', ...STAGES.slice(1).map((s) => `${s.id} p50 / p99`), 'writes/pod', 'CPU ms/pod (median)']];
  for (const t of c.tests) {
    const stage = (s: string, p: 'p50' | 'p99'): number => median(perRound(c, t.id, (f) => f.stages[s]?.[p] ?? NaN));
    const groups = new Set(c.rounds.flatMap((r) => Object.keys(r[t.id]?.cpuMsPerPod ?? {})));
    const cpu: Record<string, number> = {};
    for (const g of groups) cpu[g] = median(perRound(c, t.id, (f) => f.cpuMsPerPod[g] ?? NaN));
    rows.push([
      t.title,
      cell(perRound(c, t.id, (f) => f.podsPerSec)),
      cell(perRound(c, t.id, (f) => f.stages.total?.p50 ?? NaN)),
      cell(perRound(c, t.id, (f) => f.stages.total?.p99 ?? NaN)),
      ...STAGES.slice(1).map((s) => `${fmt(stage(s.id, 'p50'))} / ${fmt(stage(s.id, 'p99'))}`),
      fmt(median(perRound(c, t.id, (f) => f.writesPerPod))),
      cpuText(cpu),
    ]);
  }
  return table(rows);
}

/** The median over a component's processes (one per node) in one sample. */
function componentMemory(sample: MemorySample | undefined, component: string, pick: (m: MemoryUse) => number): number {
  return median((sample?.processes ?? []).filter((p) => p.component === component).map((p) => pick(p.mem)));
}

const trio = (m: MemoryUse | undefined, get: (pick: (m: MemoryUse) => number) => number = (pick) => (m ? pick(m) : NaN)): string => {
  const [rss, pss, uss] = [get((x) => x.rssMiB), get((x) => x.pssMiB), get((x) => x.ussMiB)];
  return Number.isFinite(rss) ? `${fmt(rss)} / ${fmt(pss)} / ${fmt(uss)}` : '–';
};

export function memorySummary(c: ClusterResults): string {
  const { idle, loaded, churned } = c.memory;
  const samples = [idle, loaded, churned];
  const components: string[] = [];
  for (const s of samples) for (const p of s?.processes ?? []) if (!components.includes(p.component)) components.push(p.component);
  const head = (label: string, s?: MemorySample): string => `${label}${s ? ` (${s.pods} pods)` : ''}: RSS / PSS / USS`;
  const rows = [['process (per process; median over nodes)', 'count', head('idle', idle), head('fresh', loaded), head(`after ${c.memory.churnedPods} pods came and went`, churned)]];
  for (const comp of components) {
    const count = Math.max(...samples.map((s) => (s?.processes ?? []).filter((p) => p.component === comp).length));
    rows.push([comp, String(count), ...samples.map((s) => trio(undefined, (pick) => componentMemory(s, comp, pick)))]);
  }
  const total = (s: MemorySample | undefined) => (pick: (m: MemoryUse) => number): number => (s ? s.processes.reduce((a, p) => a + pick(p.mem), 0) : NaN);
  rows.push(['all kubemu processes (sum)', '', ...samples.map((s) => trio(undefined, total(s)))]);
  const perPod = (s: MemorySample | undefined) => (pick: (m: MemoryUse) => number): number => (s?.pods && s.containers.processes ? pick(s.containers) / s.pods : NaN);
  if ([loaded, churned].some((s) => s?.containers.processes)) {
    rows.push([`containers, per pod (${loaded?.containers.processes ?? 0} processes)`, '', '', trio(undefined, perPod(loaded)), trio(undefined, perPod(churned))]);
  }
  if (c.floor) rows.push(['floor: an idle node process', '1', trio(c.floor), '', '']);
  return table(rows);
}

/** Deletes answered 409 Conflict over every round (an api-server bug: it should retry itself). */
export function conflictNote(c: ClusterResults): string | undefined {
  const n = c.rounds.reduce((a, r) => a + Object.values(r).reduce((b, f) => b + (f.deleteConflicts ?? 0), 0), 0);
  return n ? `note: ${n} pod DELETE(s) without preconditions were answered 409 Conflict by the api-server and retried by the benchmark` : undefined;
}

export interface Goal {
  goal: string;
  value: string;
  pass: boolean;
}

export function goals(c: ClusterResults): Goal[] {
  const out: Goal[] = [];
  const goalMs = STARTUP_P99_GOAL_MS[c.runtime];
  for (const t of c.tests) {
    const p99 = median(perRound(c, t.id, (f) => f.stages.total?.p99 ?? NaN));
    if (!Number.isFinite(p99)) continue;
    if (goalMs !== undefined) out.push({ goal: `${c.cluster}: ${t.title} p99 < ${goalMs} ms`, value: `${fmt(p99)} ms`, pass: p99 < goalMs });
    out.push({ goal: `${c.cluster}: ${t.title} p99 < ${SLO_P99_MS / 1000} s (Kubernetes SLO)`, value: `${fmt(p99)} ms`, pass: p99 < SLO_P99_MS });
  }
  if (c.runtime === 'process') {
    for (const comp of ['kubelet', 'kube-proxy']) {
      const rssMiB = componentMemory(c.memory.loaded ?? c.memory.idle, comp, (m) => m.rssMiB);
      if (!Number.isFinite(rssMiB)) continue;
      const mb = (rssMiB * 2 ** 20) / 1e6;
      out.push({ goal: `${c.cluster}: ${comp} RSS < ${NODE_PROCESS_RSS_GOAL_MB} MB (${c.memory.loaded ? `${c.memory.loaded.pods} pods running` : 'idle'})`, value: `${fmt(mb)} MB (${fmt(rssMiB)} MiB)`, pass: mb < NODE_PROCESS_RSS_GOAL_MB });
    }
  }
  return out;
}

export const goalLines = (gs: Goal[]): string => gs.map((g) => `${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.value}`).join('\n');
