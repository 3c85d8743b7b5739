/**
 * What the scale benchmark prints: per round, each phase's headline (pods/s, the Deployment's
 * status, store writes, spread over nodes), its milestone timeline (first / median / last pod,
 * ms since the scale write), the per-pod stage latencies and every component's CPU over the phase
 * (seconds, and cores = CPU seconds / wall seconds: a single-threaded Node process near 1.0 is
 * saturated); then medians over the rounds and the goal's verdict next to the anchors.
 *
 * The goal (issue 5): scale-up ≥ 500 pods/s until all Ready. Anchors from research/anchors.md:
 * kube-scheduler's CI threshold of 680–810 pods/s (scheduler_perf, 5,000 nodes, pods created by
 * the test, scheduler alone) and KWOK's ≈20 pods/s (a whole simulated cluster).
 */
import { availableParallelism } from 'node:os';
import type { Milestone } from './pod-timeline.js';
import type { Direction, PhaseFigure } from './scale-phase.js';
import { fmt, max, median, min, table } from './stats.js';

export const GOAL_PODS_PER_SEC = 500;

export interface ScaleRound {
  round: number;
  up?: PhaseFigure;
  down?: PhaseFigure;
  /** RSS of each process (MiB) with every pod Ready. */
  rssMiB?: Record<string, number>;
}

const LABELS: Partial<Record<Milestone, string>> = {
  added: 'created (ReplicaSet controller)',
  scheduled: 'bound (scheduler)',
  accepted: 'accepted (kubelet status)',
  running: 'Running',
  ready: 'Ready',
  terminating: 'terminating (deletion set)',
  deleted: 'gone (DELETED)',
};

const CPU_ORDER = ['api-server', 'store', 'nats', 'scheduler', 'controller-manager', 'kubelet', 'kube-proxy', 'client'];

function cpuGroups(f: PhaseFigure): string[] {
  const known = CPU_ORDER.filter((g) => g in f.cpuSeconds);
  return [...known, ...Object.keys(f.cpuSeconds).filter((g) => !CPU_ORDER.includes(g))];
}

export function headline(f: PhaseFigure, replicasFrom: number, replicasTo: number): string {
  const verb = f.direction === 'up' ? 'Ready' : 'gone';
  const spread = f.spread ? `; on ${f.spread.nodes} nodes, ${f.spread.min}–${f.spread.max} each` : '';
  const err = f.error ? `\n  FAILED: ${f.error}` : '';
  return (
    `scale ${f.direction} ${replicasFrom} → ${replicasTo}: ${fmt(f.pods)} pods ${verb} in ${fmt(f.seconds)} s = ${fmt(f.podsPerSec)} pods/s; ` +
    `Deployment status after ${fmt(f.statusSeconds)} s; scale write ${fmt(f.writeMs)} ms; ${fmt(f.storeWrites)} store writes (${fmt(f.storeWrites / Math.max(1, f.pods))} per pod)${spread}; ` +
    `load ${f.loadBefore} → ${f.loadAfter}${err}`
  );
}

export function phaseTables(f: PhaseFigure): string {
  const m = [['milestone', 'pods', 'first ms', 'median ms', 'last ms']];
  for (const [id, s] of Object.entries(f.milestones)) m.push([LABELS[id as Milestone] ?? id, fmt(s.n), fmt(s.first), fmt(s.median), fmt(s.last)]);
  const st = [['per pod', 'p50 ms', 'p99 ms', 'max ms']];
  for (const [id, s] of Object.entries(f.stages)) st.push([id, fmt(s.p50), fmt(s.p99), fmt(s.max)]);
  const c = [['CPU over the phase', ...cpuGroups(f)]];
  c.push(['seconds', ...cpuGroups(f).map((g) => fmt(f.cpuSeconds[g]))]);
  c.push(['cores', ...cpuGroups(f).map((g) => fmt(f.cpuSeconds[g] / f.cpuWallSeconds))]);
  c.push(['ms per pod', ...cpuGroups(f).map((g) => fmt(cpuMsPerPod(f, g)))]);
  const total = totalCpuMsPerPod(f);
  const cores = availableParallelism();
  const ceiling = `cluster processes together: ${fmt(total)} CPU ms per pod, so ${cores} cores could do at most ${fmt((cores * 1000) / total)} pods/s`;
  const w = [['store writes', 'count', 'per pod']];
  for (const [k, n] of Object.entries(f.writes).sort((a, b) => b[1] - a[1])) w.push([k, fmt(n), fmt(n / Math.max(1, f.pods))]);
  return [table(m), table(st), table(c), ceiling, table(w)].join('\n\n');
}

/** CPU ms a component spent per pod of the phase. */
export function cpuMsPerPod(f: PhaseFigure, group: string): number {
  return (1000 * (f.cpuSeconds[group] ?? NaN)) / Math.max(1, f.pods);
}

/** CPU ms per pod of every cluster process together (the benchmark's own process left out). */
export function totalCpuMsPerPod(f: PhaseFigure): number {
  return cpuGroups(f)
    .filter((g) => g !== 'client')
    .reduce((s, g) => s + cpuMsPerPod(f, g), 0);
}

type Pick = (f: PhaseFigure) => number;

function cell(rounds: ScaleRound[], dir: Direction, get: Pick): string {
  const v = rounds.map((r) => r[dir]).filter((f): f is PhaseFigure => f !== undefined && !f.error).map(get);
  if (v.length === 0) return '–';
  const mid = median(v);
  return v.length > 1 && min(v) !== max(v) ? `${fmt(mid)} [${fmt(min(v))}–${fmt(max(v))}]` : fmt(mid);
}

/** Medians over the rounds that finished, [min–max]. */
export function summary(rounds: ScaleRound[]): string {
  const rows = [['figure', 'scale up', 'scale down']];
  const both = (label: string, get: Pick): void => void rows.push([label, cell(rounds, 'up', get), cell(rounds, 'down', get)]);
  both('pods/s (until the last pod is Ready / gone)', (f) => f.podsPerSec);
  both('seconds', (f) => f.seconds);
  both('Deployment status reached, s', (f) => f.statusSeconds);
  both('scale write, ms', (f) => f.writeMs);
  both('store writes per pod', (f) => f.storeWrites / Math.max(1, f.pods));
  const milestones: [Direction, Milestone][] = [
    ['up', 'added'],
    ['up', 'scheduled'],
    ['up', 'running'],
    ['up', 'ready'],
    ['down', 'terminating'],
    ['down', 'deleted'],
  ];
  for (const [dir, m] of milestones) {
    for (const which of ['first', 'median', 'last'] as const) {
      const get: Pick = (f) => f.milestones[m]?.[which] ?? NaN;
      rows.push([`${LABELS[m]}: ${which} pod, ms`, dir === 'up' ? cell(rounds, 'up', get) : '', dir === 'down' ? cell(rounds, 'down', get) : '']);
    }
  }
  const groups = new Set(rounds.flatMap((r) => [r.up, r.down]).flatMap((f) => (f ? cpuGroups(f) : [])));
  for (const g of CPU_ORDER.filter((x) => groups.has(x))) both(`${g} CPU, ms per pod`, (f) => cpuMsPerPod(f, g));
  both('cluster CPU, ms per pod (all but the client)', totalCpuMsPerPod);
  both(`pods/s ${availableParallelism()} cores could do at that CPU cost`, (f) => (availableParallelism() * 1000) / totalCpuMsPerPod(f));
  for (const g of CPU_ORDER.filter((x) => groups.has(x))) both(`${g} CPU, cores used`, (f) => f.cpuSeconds[g] / f.cpuWallSeconds);
  const rss = new Set(rounds.flatMap((r) => Object.keys(r.rssMiB ?? {})));
  for (const p of rss) {
    const v = rounds.map((r) => r.rssMiB?.[p] ?? NaN);
    rows.push([`${p} RSS with all pods Ready, MiB`, fmt(median(v)), '']);
  }
  return table(rows);
}

export function goalLine(rounds: ScaleRound[]): { line: string; pass: boolean } {
  const v = rounds.map((r) => r.up).filter((f): f is PhaseFigure => f !== undefined && !f.error).map((f) => f.podsPerSec);
  const mid = median(v);
  const pass = mid >= GOAL_PODS_PER_SEC;
  return {
    pass,
    line:
      `${pass ? 'PASS' : 'FAIL'}  scale-up ≥ ${GOAL_PODS_PER_SEC} pods/s until all Ready: median ${fmt(mid)} pods/s over ${v.length} round(s)\n` +
      `      anchors: kube-scheduler CI 680–810 pods/s (scheduler alone, 5,000 nodes); KWOK ≈20 pods/s`,
  };
}
