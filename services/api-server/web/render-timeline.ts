/**
 * The healing timeline of the last failure, computed by the shared timeline module
 * (shared/healing/timeline.ts, loaded compiled from `lib/healing/timeline.js`, with its duration
 * words from `lib/healing/durations.js`, so the page says what `kubemu report` says) and drawn
 * here as an SVG: one row per step (killed → NotReady → evicted → replacements created →
 * scheduled → Running → Ready → controllers at desired replicas → node back), a bar to the moment
 * it happened, `2/3` while a pod step is under way; a headline with the healing time, and whether
 * every controller is at its desired replicas.
 *
 * The view keeps what the module needs: the stream's changes (bounded: the oldest go first) and
 * the chaos records of this page's own buttons — kills made elsewhere (the CLI, `kubemu chaos`)
 * show as failures too, from the node turning NotReady. It redraws at most once a second. If the
 * module cannot be loaded the panel says so; nothing else on the page depends on it.
 */
import type { StreamChange } from '../../../shared/api/stream.js';
import type { ChaosRecord } from '../../../shared/healing/messages.js';
import type { Failure, HealingReport, TimelineStep } from '../../../shared/healing/timeline.js';
import { clockTime, el } from './elements.js';

type TimelineModule = typeof import('../../../shared/healing/timeline.js');
type DurationsModule = typeof import('../../../shared/healing/durations.js');

/** Changes kept for the timeline: enough for many failures on a small cluster, bounded for memory. */
const KEEP = 10_000;
const REDRAW_MS = 1000;
const SVG = 'http://www.w3.org/2000/svg';
const ROW = 26;
const LABEL_W = 280;
const BAR_W = 380;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function headline(f: Failure, d: DurationsModule): string {
  const what = `${f.target} ${f.steps[0]?.label ?? f.cause}${f.by ? ` by ${f.by}` : ''} at ${clockTime(new Date(f.at).toISOString())}`;
  if (f.healed && f.healingMs !== undefined) return `${what} — healed in ${d.formatDuration(f.healingMs)} (${f.healedBy})`;
  return `${what} — healing, ${d.formatDuration(Date.now() - f.at)} so far`;
}

function stepText(s: TimelineStep, d: DurationsModule): string {
  if (s.of === 0) return 'none to wait for';
  const count = s.of !== undefined ? ` ${s.done}/${s.of}` : '';
  return s.offsetMs !== undefined ? `${d.formatOffset(s.offsetMs)}${count}` : `waiting${count}`;
}

function drawFailure(f: Failure, d: DurationsModule): SVGSVGElement {
  const span = Math.max(1000, ...f.steps.map((s) => s.offsetMs ?? 0));
  const height = f.steps.length * ROW + 12;
  const root = svg('svg', { viewBox: `0 0 ${LABEL_W + BAR_W + 150} ${height}`, width: LABEL_W + BAR_W + 150, height, role: 'img', 'aria-label': `Healing timeline of ${f.target}` });
  root.append(svg('title', {}, `Healing timeline of ${f.target}`));
  f.steps.forEach((s, i) => {
    const y = 6 + i * ROW;
    const done = s.offsetMs !== undefined;
    const tone = s.of === 0 ? 'done' : done ? (s.key === 'failed' || s.key === 'notReady' || s.key === 'evicted' ? 'failing' : 'ok') : 'progress';
    const g = svg('g', { 'data-step': s.key, 'data-tone': tone });
    g.append(svg('text', { x: 0, y: y + 16, 'font-size': 13, fill: '#1b1f24' }, s.label));
    g.append(svg('line', { x1: LABEL_W, y1: y + 12, x2: LABEL_W + BAR_W, y2: y + 12, stroke: '#d0d7de', 'stroke-width': 2 }));
    if (done) {
      const x = LABEL_W + (BAR_W * (s.offsetMs ?? 0)) / span;
      const colour = tone === 'failing' ? '#b42318' : '#1a7f37';
      g.append(svg('line', { x1: LABEL_W, y1: y + 12, x2: x, y2: y + 12, stroke: colour, 'stroke-width': 6, 'stroke-linecap': 'round' }));
      g.append(svg('circle', { cx: x, cy: y + 12, r: 5, fill: colour }));
    }
    g.append(svg('text', { x: LABEL_W + BAR_W + 10, y: y + 16, 'font-size': 13, fill: done || s.of === 0 ? '#1b1f24' : '#9a5b00' }, stepText(s, d)));
    root.append(g);
  });
  return root;
}

function drawReport(report: HealingReport, f: Failure, d: DurationsModule): Node[] {
  const controllers = report.controllers.map((c) => `${c.kind} ${c.name} ${c.ready}/${c.desired}`).join(', ');
  const verdict = report.controllers.length === 0 ? 'no controllers' : report.allControllersOk ? `every controller at its desired replicas (${controllers})` : `not every controller at its desired replicas yet (${controllers})`;
  const pods = f.evicted.length ? `evicted: ${f.evicted.map((p) => p.name).join(', ')}; replacements: ${f.replacements.map((p) => `${p.name}${p.node ? ` on ${p.node}` : ''}`).join(', ') || 'none yet'}` : 'no pods were evicted';
  return [
    el('p', { class: 'headline', 'data-healed': String(f.healed) }, [headline(f, d)]),
    drawFailure(f, d),
    el('p', { class: 'pods-moved' }, [pods]),
    el('p', { class: 'verdict', 'data-tone': report.allControllersOk ? 'ok' : 'progress' }, [verdict]),
    el('p', { class: 'count' }, [`${report.failures.length} failure(s) seen by this page; this is the last.`]),
  ];
}

export function timelineView(root: HTMLElement, load: () => Promise<[TimelineModule, DurationsModule]> = loadModules) {
  let changes: StreamChange[] = [];
  const chaos: ChaosRecord[] = [];
  let dirty = false;
  let lastDraw = 0;
  let modules: [TimelineModule, DurationsModule] | undefined;
  let failed: string | undefined;

  load().then(
    (m) => {
      modules = m;
      dirty = true;
    },
    (err: unknown) => {
      failed = `The timeline module could not be loaded (${String(err)}); run npm run build.`;
      dirty = true;
    },
  );

  return {
    record(m: StreamChange): void {
      changes.push(m);
      if (changes.length > KEEP) changes = changes.slice(-Math.floor(KEEP * 0.75));
      dirty = true;
    },
    chaos(r: ChaosRecord): void {
      chaos.push(r);
      dirty = true;
    },
    reset(): void {
      changes = [];
      dirty = true;
    },
    /** Redraws when something changed (or a failure is still healing: its "so far" moves), at most once a second. */
    update(): void {
      const now = Date.now();
      if (!dirty || now - lastDraw < REDRAW_MS) return;
      if (failed) {
        root.replaceChildren(el('p', { class: 'empty' }, [failed]));
        dirty = false;
        return;
      }
      if (!modules) return;
      lastDraw = now;
      dirty = false;
      const [timeline, durations] = modules;
      const report = timeline.buildHealingReport(changes, chaos);
      const last = timeline.lastFailure(report);
      if (!last) return;
      root.replaceChildren(...drawReport(report, last, durations));
      if (!last.healed) dirty = true;
    },
  };
}

/** The compiled shared modules, next to the page under lib/ (a variable URL: TS must not resolve it). */
async function loadModules(): Promise<[TimelineModule, DurationsModule]> {
  const base = new URL('lib/healing/', document.baseURI).href;
  const [timeline, durations] = await Promise.all([import(`${base}timeline.js`), import(`${base}durations.js`)]);
  return [timeline as TimelineModule, durations as DurationsModule];
}
