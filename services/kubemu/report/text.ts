/**
 * The healing report as text for a terminal: per failure a heading (what failed, who did it, when,
 * how long healing took) and an aligned table of its steps — clock time, time since the failure
 * began, and how long each step of the healing chain took after the one before — then which pods
 * were replaced by which, and at the end every replica controller with its Ready count and
 * whether it is at its desired replicas. Times are UTC, as the stream stamps them.
 *
 * Pure formatting of a HealingReport (shared/healing/timeline.ts); it reads and prints nothing.
 */
import { clockTime, formatDuration, formatOffset } from '../../../shared/healing/durations.js';
import type { Failure, HealingReport, StepKey, TimelineStep } from '../../../shared/healing/timeline.js';
import { textTable } from '../text-table.js';

/** The steps that follow one another while a failure heals; `took` is measured between them. */
export const CHAIN: readonly StepKey[] = ['failed', 'notReady', 'evicted', 'created', 'scheduled', 'running', 'ready', 'controllers'];

/** `killed by chaos`, `partitioned by cli`, `failed (no kubemu action recorded)`. */
export function failureTitle(f: Failure): string {
  const what = f.steps[0]?.label ?? f.cause;
  return `${f.target} ${what}${f.by ? ` by ${f.by}` : ''}`;
}

/** `healed in 6.0s (replacements Ready)` or why not yet. */
export function healingSummary(f: Failure): string {
  if (f.healed && f.healingMs !== undefined) return `healed in ${formatDuration(f.healingMs)}${f.healedBy ? ` (${f.healedBy})` : ''}`;
  const reached = [...f.steps].reverse().find((s) => s.at !== undefined && CHAIN.includes(s.key));
  return `not healed yet${reached && reached.key !== 'failed' ? ` (last: ${reached.label})` : ''}`;
}

function stepLabel(s: TimelineStep): string {
  return s.of !== undefined ? `${s.label} (${s.done ?? 0}/${s.of})` : s.label;
}

/**
 * Whether a step is worth a line: pod steps with no pods to count are left out (a node that ran no
 * pods has nothing to evict: "pods evicted (0/0) not yet" would read as still waiting; the
 * failure says "no pods were running" instead).
 */
function shown(s: TimelineStep): boolean {
  return !(s.of === 0 && ['evicted', 'created', 'scheduled', 'running', 'ready'].includes(s.key));
}

export function failureText(f: Failure): string {
  const rows = [['STEP', 'AT (UTC)', 'SINCE FAILURE', 'TOOK']];
  let previous: number | undefined;
  for (const s of f.steps.filter(shown)) {
    const inChain = CHAIN.includes(s.key);
    const took = inChain && s.at !== undefined && previous !== undefined ? formatDuration(s.at - previous) : '';
    rows.push([stepLabel(s), s.at !== undefined ? clockTime(s.at) : '-', s.offsetMs !== undefined ? formatOffset(s.offsetMs) : 'not yet', took]);
    if (inChain && s.at !== undefined) previous = s.at;
  }
  const lines = [`${failureTitle(f)} at ${clockTime(f.at)} — ${healingSummary(f)}`, indent(textTable(rows))];
  if (f.node !== undefined && f.podsAtFailure.length === 0) lines.push(`  no pods were running on ${f.node}`);
  if (f.replacements.length) {
    lines.push(`  replaced: ${f.replacements.map((p) => `${p.name}${p.node ? ` (on ${p.node})` : ''}`).join(', ')}${f.evicted.length ? ` for ${f.evicted.filter((p) => p.owner).map((p) => p.name).join(', ')}` : ''}`);
  }
  if (f.unowned.length) lines.push(`  not replaced (no controller owns them): ${f.unowned.map((p) => p.name).join(', ')}`);
  return lines.join('\n');
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

export function controllersText(r: HealingReport): string {
  if (r.controllers.length === 0) return 'No ReplicationController, ReplicaSet or Deployment in the stream.';
  const rows = [['CONTROLLER', 'READY', 'AT DESIRED STATE']];
  for (const c of r.controllers) {
    rows.push([`${c.kind}/${c.namespace ? `${c.namespace}/` : ''}${c.name}`, `${c.ready}/${c.desired}`, c.ok ? `yes, since ${c.okSince !== undefined ? clockTime(c.okSince) : '?'}` : 'NO']);
  }
  const verdict = r.allControllersOk
    ? 'Every controller is at its desired replicas.'
    : `${r.controllers.filter((c) => !c.ok).length} controller(s) NOT at their desired replicas.`;
  return `${textTable(rows)}\n${verdict}`;
}

export interface TextOptions {
  /** Only failures that began at or after this instant. */
  sinceMs?: number;
  /** Said under the heading (e.g. how much history the stream still had). */
  notes?: string[];
}

export function reportText(r: HealingReport, opts: TextOptions = {}): string {
  const failures = r.failures.filter((f) => opts.sinceMs === undefined || f.at >= opts.sinceMs);
  const span = r.from !== undefined && r.to !== undefined ? ` (stream from ${clockTime(r.from)} to ${clockTime(r.to)} UTC)` : '';
  const healed = failures.filter((f) => f.healed).length;
  const head = `Healing report: ${failures.length} failure${failures.length === 1 ? '' : 's'}, ${healed} healed${span}`;
  const parts = [head, ...(opts.notes ?? []).map((n) => `note: ${n}`), ''];
  for (const f of failures) parts.push(failureText(f), '');
  if (failures.length === 0) parts.push('No failures in this period.', '');
  parts.push(controllersText(r));
  return parts.join('\n');
}

/** One line per failure: what, when, healing time — the summary `kubemu chaos` ends with. */
export function summaryLines(r: HealingReport, sinceMs?: number): string[] {
  return r.failures
    .filter((f) => sinceMs === undefined || f.at >= sinceMs)
    .map((f) => `  ${clockTime(f.at)}  ${failureTitle(f).padEnd(34)} ${healingSummary(f)}`);
}
