/**
 * The healing report as a picture: a standalone SVG file a browser opens. One lane per failure,
 * all on one time axis measured from each failure's start (so lanes compare at a glance): a mark
 * per step (coloured by step, named above it, its time in a tooltip), the healing bar from the
 * failure to the last replacement Ready (green when healed, amber as far as it got), the window
 * the node was down or cut off (red, to when kubemu brought it back), and each step's duration
 * written under the gap it took. Below: the axis, a legend, and every controller's verdict.
 *
 * Pure: a HealingReport in, SVG text out (every text escaped; no script, no external reference).
 */
import { clockTime, formatDuration } from '../../../shared/healing/durations.js';
import type { Failure, HealingReport, StepKey } from '../../../shared/healing/timeline.js';
import { CHAIN, failureTitle, healingSummary } from './text.js';

export const STEP_COLOURS: Record<StepKey, string> = {
  failed: '#c62828',
  notReady: '#ef6c00',
  evicted: '#f9a825',
  created: '#1565c0',
  scheduled: '#6a1b9a',
  running: '#00838f',
  ready: '#2e7d32',
  controllers: '#1b5e20',
  restored: '#546e7a',
  nodeReady: '#8d6e63',
};

const SHORT: Record<StepKey, string> = {
  failed: 'failed',
  notReady: 'NotReady',
  evicted: 'evicted',
  created: 'created',
  scheduled: 'scheduled',
  running: 'Running',
  ready: 'Ready',
  controllers: 'desired',
  restored: 'back',
  nodeReady: 'node Ready',
};

const WIDTH = 1000;
const LEFT = 260;
const RIGHT = 50;
const TOP = 78;
const LANE = 112;
/** Where a lane's time line runs, below its top. */
const MID = 66;
/** Step names sit in rows above the line; a name goes to the lowest row where it does not overlap. */
const LABEL_ROWS = 4;
const ROW_PX = 13;
const CHAR_PX = 6;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const text = (x: number, y: number, body: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(body)}</text>`;

/** A tick spacing (ms) that gives at most ~10 ticks over `spanMs`. */
export function tickStep(spanMs: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].map((s) => s * 1000);
  return steps.find((s) => spanMs / s <= 10) ?? Math.ceil(spanMs / 10 / 3_600_000) * 3_600_000;
}

function spanOf(failures: Failure[]): number {
  let max = 1000;
  for (const f of failures) for (const s of f.steps) if (s.offsetMs !== undefined) max = Math.max(max, s.offsetMs);
  const step = tickStep(max);
  return Math.ceil(max / step) * step;
}

function lane(f: Failure, i: number, x: (ms: number) => number): string {
  const y = TOP + i * LANE;
  const mid = y + MID;
  const out: string[] = [`<g class="lane" data-target="${escapeXml(f.target)}" data-cause="${f.cause}">`];
  if (i % 2 === 1) out.push(`<rect x="0" y="${y}" width="${WIDTH}" height="${LANE}" fill="#f7f7f7"/>`);
  out.push(text(16, y + 36, `${failureTitle(f)}`, 'class="title" font-weight="bold"'));
  out.push(text(16, y + 56, `at ${clockTime(f.at)} UTC`, 'class="sub"'));
  out.push(text(16, y + 76, healingSummary(f), `class="sub" fill="${f.healed ? '#2e7d32' : '#b26a00'}"`));
  const ends = f.steps.filter((s) => s.offsetMs !== undefined).map((s) => s.offsetMs!);
  out.push(`<line x1="${x(0)}" y1="${mid}" x2="${x(Math.max(...ends, 0))}" y2="${mid}" stroke="#9e9e9e" stroke-width="1"/>`);
  if (f.restoredAt !== undefined) {
    const w = x(f.restoredAt - f.at) - x(0);
    out.push(`<rect class="down" x="${x(0)}" y="${mid + 7}" width="${w.toFixed(1)}" height="4" fill="#e57373"><title>${escapeXml(`${f.node ?? f.target} down or cut off for ${formatDuration(f.restoredAt - f.at)}`)}</title></rect>`);
  }
  const chain = f.steps.filter((s) => CHAIN.includes(s.key) && s.offsetMs !== undefined);
  const reached = f.healed && f.healingMs !== undefined ? f.healingMs : Math.max(0, ...chain.map((s) => s.offsetMs!));
  out.push(
    `<rect class="healing" x="${x(0)}" y="${mid - 4}" width="${(x(reached) - x(0)).toFixed(1)}" height="8" rx="3" fill="${f.healed ? '#66bb6a' : '#ffb74d'}" opacity="0.55"/>`,
  );
  for (let k = 1; k < chain.length; k++) {
    const a = chain[k - 1]!;
    const b = chain[k]!;
    const gap = x(b.offsetMs!) - x(a.offsetMs!);
    if (gap >= 34) out.push(text((x(a.offsetMs!) + x(b.offsetMs!)) / 2, mid + 26, formatDuration(b.offsetMs! - a.offsetMs!), 'class="took" text-anchor="middle" font-size="10" fill="#555"'));
  }
  const rowEnds = Array<number>(LABEL_ROWS).fill(-Infinity);
  const marks = f.steps.filter((s) => s.offsetMs !== undefined && !(s.of === 0 && s.key !== 'evicted')).sort((a, b) => a.offsetMs! - b.offsetMs!);
  for (const s of marks) {
    const cx = x(s.offsetMs!);
    const tip = `${s.label}${s.of !== undefined ? ` (${s.done}/${s.of})` : ''}: +${formatDuration(s.offsetMs!)} at ${clockTime(s.at!)} UTC`;
    out.push(`<circle class="mark" data-step="${s.key}" cx="${cx.toFixed(1)}" cy="${mid}" r="5" fill="${STEP_COLOURS[s.key]}"><title>${escapeXml(tip)}</title></circle>`);
    const name = SHORT[s.key];
    const lx = Math.min(cx - 3, WIDTH - 4 - name.length * CHAR_PX);
    const free = rowEnds.findIndex((end) => end < lx);
    const row = free < 0 ? rowEnds.indexOf(Math.min(...rowEnds)) : free;
    rowEnds[row] = lx + name.length * CHAR_PX + 4;
    const ly = mid - 12 - row * ROW_PX;
    if (row > 0) out.push(`<line x1="${cx.toFixed(1)}" y1="${mid - 5}" x2="${cx.toFixed(1)}" y2="${ly + 2}" stroke="${STEP_COLOURS[s.key]}" stroke-width="0.7"/>`);
    out.push(text(lx, ly, name, `class="step" font-size="10" fill="${STEP_COLOURS[s.key]}"`));
  }
  out.push('</g>');
  return out.join('\n');
}

export interface SvgOptions {
  sinceMs?: number;
  title?: string;
}

export function reportSvg(r: HealingReport, opts: SvgOptions = {}): string {
  const failures = r.failures.filter((f) => opts.sinceMs === undefined || f.at >= opts.sinceMs);
  const span = spanOf(failures);
  const plot = WIDTH - LEFT - RIGHT;
  const x = (ms: number): number => LEFT + (Math.max(0, ms) / span) * plot;
  const axisY = TOP + Math.max(1, failures.length) * LANE + 8;
  const body: string[] = [];
  const healed = failures.filter((f) => f.healed).length;
  body.push(text(16, 30, opts.title ?? 'kubemu healing report', 'font-size="20" font-weight="bold"'));
  body.push(
    text(16, 52, `${failures.length} failure${failures.length === 1 ? '' : 's'}, ${healed} healed; time since each failure began${r.from !== undefined && r.to !== undefined ? ` — stream ${clockTime(r.from)}–${clockTime(r.to)} UTC` : ''}`, 'fill="#555"'),
  );
  if (failures.length === 0) body.push(text(LEFT, TOP + 40, 'No failures in this period.', 'fill="#555"'));
  failures.forEach((f, i) => body.push(lane(f, i, x)));
  const step = tickStep(span);
  body.push(`<line x1="${x(0)}" y1="${axisY}" x2="${x(span)}" y2="${axisY}" stroke="#333"/>`);
  for (let t = 0; t <= span; t += step) {
    body.push(`<line x1="${x(t).toFixed(1)}" y1="${axisY}" x2="${x(t).toFixed(1)}" y2="${axisY + 5}" stroke="#333"/>`);
    body.push(text(x(t), axisY + 18, formatDuration(t), 'class="tick" text-anchor="middle" font-size="11"'));
  }
  let y = axisY + 46;
  let lx = 16;
  for (const key of [...CHAIN, 'restored', 'nodeReady'] as StepKey[]) {
    body.push(`<circle cx="${lx + 5}" cy="${y - 4}" r="5" fill="${STEP_COLOURS[key]}"/>`);
    body.push(text(lx + 14, y, SHORT[key], 'font-size="11"'));
    lx += 22 + SHORT[key].length * 7;
  }
  y += 30;
  body.push(text(16, y, r.allControllersOk ? 'Every controller is at its desired replicas:' : 'Controllers NOT all at their desired replicas:', 'font-weight="bold"'));
  for (const c of r.controllers) {
    y += 18;
    body.push(text(28, y, `${c.kind}/${c.namespace ? `${c.namespace}/` : ''}${c.name}: ${c.ready}/${c.desired} Ready${c.ok ? '' : ' — short'}`, `class="controller" fill="${c.ok ? '#1b5e20' : '#c62828'}"`));
  }
  const height = y + 24;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
