/**
 * What the store benchmark prints: a table per round, a summary of medians across rounds with the
 * ratio kubemu/etcd per figure, and the verdict on the goals.
 *
 * Ratios are taken per round (both stores measured minutes apart at most, under the same
 * neighbours) and the median of those ratios is reported, which is steadier on a noisy machine
 * than a ratio of medians. For ops/s a ratio above 1 favours kubemu; for latency and CPU, below 1.
 * CPU is reported for all processes together and for the store's own (server) processes alone:
 * the clients differ (NATS vs HTTP/2), the servers are what is being compared.
 *
 * Goals (from the issue): kubemu's sequential put throughput ≥ etcd's at equal durability (the
 * etcd on tmpfs), and the watch p99 < 5 ms (checked hot and idle).
 */
import { fmt, max, median, min, ratio, table } from './stats.js';
import { TESTS, type Figure, type TestId } from './workload.js';

export type RoundResults = Partial<Record<TestId, Record<string, Figure>>>;

export const WATCH_P99_GOAL_US = 5000;

type Metric = { label: string; get(f: Figure): number };

const METRICS: Metric[] = [
  { label: 'ops/s', get: (f) => f.opsPerSec },
  { label: 'p50 µs', get: (f) => f.p50Us },
  { label: 'p99 µs', get: (f) => f.p99Us },
  { label: 'CPU µs/op', get: (f) => Object.values(f.cpuUsPerOp).reduce((a, b) => a + b, 0) },
  {
    label: 'server CPU µs/op',
    get: (f) =>
      Object.entries(f.cpuUsPerOp)
        .filter(([k]) => k !== 'client' && k !== 'watcher')
        .reduce((a, [, v]) => a + v, 0),
  },
];

const cpuText = (f: Figure): string =>
  Object.entries(f.cpuUsPerOp)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');

export function roundTable(round: RoundResults, targets: string[]): string {
  const rows = [['test', 'store', 'n', 'ops/s', 'p50 µs', 'p99 µs', 'max µs', 'CPU µs/op']];
  for (const t of TESTS) {
    for (const name of targets) {
      const f = round[t.id]?.[name];
      if (!f) continue;
      if (f.error) rows.push([t.title, name, String(f.n), 'FAILED', '', '', '', f.error.slice(0, 80)]);
      else rows.push([t.title, name, String(f.n), fmt(f.opsPerSec), fmt(f.p50Us), fmt(f.p99Us), fmt(f.maxUs), cpuText(f)]);
    }
  }
  return table(rows);
}

export interface SummaryCell {
  median: number;
  min: number;
  max: number;
}

export interface Summary {
  /** test → metric → store → value across rounds */
  values: Record<string, Record<string, Record<string, SummaryCell>>>;
  /** test → metric → reference store → median of per-round ratios ours/reference */
  ratios: Record<string, Record<string, Record<string, number>>>;
  goals: { goal: string; value: string; pass: boolean }[];
}

/** The tests that ran in at least one round (all of them unless `--only` chose). */
function testsRun(rounds: RoundResults[]): typeof TESTS {
  return TESTS.filter((t) => rounds.some((r) => Object.keys(r[t.id] ?? {}).length > 0));
}

export function summarise(rounds: RoundResults[], ours: string, refs: string[]): Summary {
  const values: Summary['values'] = {};
  const ratios: Summary['ratios'] = {};
  for (const t of testsRun(rounds)) {
    values[t.id] = {};
    ratios[t.id] = {};
    for (const m of METRICS) {
      const per = (name: string): number[] => rounds.map((r) => r[t.id]?.[name]).map((f) => (f && !f.error ? m.get(f) : NaN));
      values[t.id][m.label] = {};
      for (const name of [ours, ...refs]) {
        const v = per(name);
        values[t.id][m.label][name] = { median: median(v), min: min(v), max: max(v) };
      }
      ratios[t.id][m.label] = {};
      const mine = per(ours);
      for (const ref of refs) {
        const theirs = per(ref);
        ratios[t.id][m.label][ref] = median(mine.map((v, i) => ratio(v, theirs[i])));
      }
    }
  }
  const goals: Summary['goals'] = [];
  const fairRef = refs[0];
  if (fairRef && ratios['put-seq']) {
    const r = ratios['put-seq']['ops/s'][fairRef];
    goals.push({ goal: `sequential put throughput ≥ ${fairRef}'s`, value: `ratio ${fmt(r)}`, pass: r >= 1 });
  }
  for (const id of ['watch-hot', 'watch-idle'] as const) {
    if (!values[id]) continue;
    const p99 = values[id]['p99 µs'][ours].median;
    goals.push({ goal: `${id} p99 < ${WATCH_P99_GOAL_US / 1000} ms`, value: `${fmt(p99 / 1000)} ms`, pass: p99 < WATCH_P99_GOAL_US });
  }
  return { values, ratios, goals };
}

function cellText(c: SummaryCell, withRange: boolean): string {
  if (!Number.isFinite(c.median)) return '–';
  return withRange && c.min !== c.max ? `${fmt(c.median)} [${fmt(c.min)}–${fmt(c.max)}]` : fmt(c.median);
}

export function summaryTable(s: Summary, ours: string, refs: string[], rounds: number): string {
  const rows = [['test', 'figure', ours, ...refs, ...refs.map((r) => `${ours}/${r}`)]];
  for (const t of TESTS) {
    if (!s.values[t.id]) continue;
    for (const m of METRICS) {
      const v = s.values[t.id][m.label];
      rows.push([t.title, m.label, ...[ours, ...refs].map((n) => cellText(v[n], rounds > 1)), ...refs.map((r) => fmt(s.ratios[t.id][m.label][r]))]);
    }
  }
  return table(rows);
}

export function goalLines(s: Summary): string {
  if (s.goals.length === 0) return '(none of the goals\' tests ran)';
  return s.goals.map((g) => `${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.value}`).join('\n');
}
