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
  idle: MemorySample[];
  loaded: MemorySample[];
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

/** Median over samples of the median over a component's processes (one per node). */
function componentMemory(samples: MemorySample[], component: string, pick: (m: MemoryUse) => number): number {
  return median(samples.map((s) => median(s.processes.filter((p) => p.component === component).map((p) => pick(p.mem)))));
}

function memoryComponents(c: ClusterResults): string[] {
  const seen: string[] = [];
  for (const s of [...c.idle, ...c.loaded]) for (const p of s.processes) if (!seen.includes(p.component)) seen.push(p.component);
  return seen;
}

const trio = (samples: MemorySample[], get: (pick: (m: MemoryUse) => number) => number): string =>
  samples.length ? `${fmt(get((m) => m.rssMiB))} / ${fmt(get((m) => m.pssMiB))} / ${fmt(get((m) => m.ussMiB))}` : '–';

export function memorySummary(c: ClusterResults): string {
  const pods = median(c.loaded.map((s) => s.pods));
  const rows = [['process (per process; median over nodes)', 'count', 'idle RSS / PSS / USS MiB', `${fmt(pods)} pods: RSS / PSS / USS MiB`]];
  for (const comp of memoryComponents(c)) {
    const count = Math.max(...[...c.idle, ...c.loaded].map((s) => s.processes.filter((p) => p.component === comp).length));
    rows.push([comp, String(count), trio(c.idle, (pick) => componentMemory(c.idle, comp, pick)), trio(c.loaded, (pick) => componentMemory(c.loaded, comp, pick))]);
  }
  const total = (samples: MemorySample[], pick: (m: MemoryUse) => number): number => median(samples.map((s) => s.processes.reduce((a, p) => a + pick(p.mem), 0)));
  rows.push(['all kubemu processes (sum)', '', trio(c.idle, (pick) => total(c.idle, pick)), trio(c.loaded, (pick) => total(c.loaded, pick))]);
  if (c.floor) rows.push(['floor: an idle node process', '1', `${fmt(c.floor.rssMiB)} / ${fmt(c.floor.pssMiB)} / ${fmt(c.floor.ussMiB)}`, '']);
  const perPod = (pick: (m: MemoryUse) => number): number => median(c.loaded.map((s) => (s.pods ? pick(s.containers) / s.pods : NaN)));
  const procs = median(c.loaded.map((s) => s.containers.processes));
  if (procs > 0) rows.push([`containers: ${fmt(procs)} processes, per pod`, '', '', trio(c.loaded, perPod)]);
  return table(rows);
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
      const rssMiB = componentMemory(c.loaded.length ? c.loaded : c.idle, comp, (m) => m.rssMiB);
      if (!Number.isFinite(rssMiB)) continue;
      const mb = (rssMiB * 2 ** 20) / 1e6;
      out.push({ goal: `${c.cluster}: ${comp} RSS < ${NODE_PROCESS_RSS_GOAL_MB} MB`, value: `${fmt(mb)} MB (${fmt(rssMiB)} MiB)`, pass: mb < NODE_PROCESS_RSS_GOAL_MB });
    }
  }
  return out;
}

export const goalLines = (gs: Goal[]): string => gs.map((g) => `${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.value}`).join('\n');
