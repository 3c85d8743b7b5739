/**
 * `kubemu report`: the text a person reads, the SVG a browser opens (parsed strictly here), and
 * reading the event stream's history from a stand-in `/stream` server on a local port — resuming
 * from the oldest version it still holds, stopping when caught up, falling back to the current
 * objects — then the whole command with a journal, text, `--svg` and `--json`.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { StreamChange, StreamMessage } from '../../shared/api/stream.js';
import { buildHealingReport } from '../../shared/healing/timeline.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { appendChaos } from '../../services/kubemu/chaos-journal.js';
import { runCli, type CliContext } from '../../services/kubemu/cli.js';
import { freePort } from '../../services/kubemu/ports.js';
import { readStreamHistory } from '../../services/kubemu/report/stream-history.js';
import { escapeXml, reportSvg, tickStep } from '../../services/kubemu/report/svg.js';
import { reportText, summaryLines } from '../../services/kubemu/report/text.js';
import { writeState } from '../../services/kubemu/state.js';
import { chaos, killAndHeal, node, T0 } from '../support/healing-stream.js';
import { allElements, parseXml, textOf } from '../support/xml-tree.js';
import { testClusterState } from '../support/cluster-state.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-report-'));
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const { messages, journal } = killAndHeal();
const report = buildHealingReport(messages, journal);

describe('the report as text', () => {
  const text = reportText(report);

  it('heads each failure with what failed, who did it, when, and how long healing took', () => {
    expect(text).toContain('Healing report: 1 failure, 1 healed (stream from 11:59:00.000 to 12:00:32.500 UTC)');
    expect(text).toContain('node-2 killed by cli at 12:00:10.000 — healed in 6.0s (replacements Ready)');
  });

  it('aligns the steps with their clock time, time since the failure, and how long each took after the one before', () => {
    const rows = text.split('\n').filter((l) => l.startsWith('  ') && /\d\d:\d\d:\d\d\.\d{3}/.test(l));
    const cells = rows.map((l) => l.trim().split(/ {3,}/));
    expect(cells).toEqual([
      ['killed', '12:00:10.000', '+0ms'],
      ['NotReady detected', '12:00:14.100', '+4.1s', '4.1s'],
      ['pods evicted (2/2)', '12:00:14.200', '+4.2s', '100ms'],
      ['replacements created (1/1)', '12:00:14.300', '+4.3s', '100ms'],
      ['replacements scheduled (1/1)', '12:00:14.350', '+4.3s', '50ms'],
      ['replacements Running (1/1)', '12:00:15.000', '+5.0s', '650ms'],
      ['replacements Ready (1/1)', '12:00:16.000', '+6.0s', '1.0s'],
      ['controllers at desired replicas', '12:00:16.000', '+6.0s', '0ms'],
      ['started again', '12:00:30.000', '+20.0s'],
      ['node Ready again', '12:00:32.000', '+22.0s'],
    ]);
    const at = rows.map((l) => l.indexOf('12:00:'));
    expect(new Set(at).size).toBe(1);
  });

  it('names the replacements, the pods nothing replaces, and every controller’s verdict', () => {
    expect(text).toContain('replaced: kubia-d (on node-3) for kubia-b');
    expect(text).toContain('not replaced (no controller owns them): bare');
    expect(text).toMatch(/ReplicationController\/default\/kubia\s+3\/3\s+yes, since 12:00:16\.000/);
    expect(text).toContain('Every controller is at its desired replicas.');
  });

  it('says "not yet" for steps still to come, and the chaos summary has one line per failure', () => {
    const open = buildHealingReport(messages.filter((m) => Date.parse(m.time) < T0 + 15_500), journal);
    const t = reportText(open);
    expect(t).toContain('node-2 killed by cli at 12:00:10.000 — not healed yet (last: replacements Running)');
    expect(t).toMatch(/replacements Ready \(0\/1\)\s+-\s+not yet/);
    expect(summaryLines(report)).toHaveLength(1);
    expect(summaryLines(report)[0]).toMatch(/^ {2}12:00:10\.000 {2}node-2 killed by cli +healed in 6\.0s \(replacements Ready\)$/);
  });

  it('leaves out the pod steps of a node that ran no pods, and says so', () => {
    const empty = buildHealingReport(
      [node(-60, 'node-4', 'True', 'ADDED'), ...messages, node(13, 'node-4', 'Unknown'), node(22.5, 'node-4', 'True')].sort((a, b) => Date.parse(a.time) - Date.parse(b.time)),
      [...journal, chaos(9, 'kill', 'node-4', { nodes: ['node-4'] }), chaos(20, 'start', 'node-4', { nodes: ['node-4'] })],
    );
    const section = reportText(empty).split('\n\n').find((p) => p.startsWith('node-4 killed'))!;
    expect(section).toContain('node-4 killed by cli at 12:00:09.000 — healed in 13.5s (node Ready again)');
    expect(section).toContain('no pods were running on node-4');
    expect(section).not.toMatch(/pods evicted|replacements|not yet/);
    expect(section).toMatch(/NotReady detected\s+12:00:13\.000/);
  });
});

describe('the report as an SVG picture', () => {
  it('is well-formed XML with one lane per failure and a mark per step that happened', () => {
    const svg = parseXml(reportSvg(report));
    expect(svg.name).toBe('svg');
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    const lanes = allElements(svg).filter((e) => e.attrs.class === 'lane');
    expect(lanes.map((l) => l.attrs['data-target'])).toEqual(['node-2']);
    const marks = allElements(lanes[0]!).filter((e) => e.name === 'circle');
    expect(marks.map((m) => m.attrs['data-step'])).toEqual(['failed', 'notReady', 'evicted', 'created', 'scheduled', 'running', 'ready', 'controllers', 'restored', 'nodeReady']);
    expect(textOf(marks[6]!)).toBe('replacements Ready (1/1): +6.0s at 12:00:16.000 UTC');
  });

  it('places marks by time since the failure on one axis, labels durations, and draws the healing bar to Ready', () => {
    const svg = parseXml(reportSvg(report));
    const marks = allElements(svg).filter((e) => e.name === 'circle' && e.attrs['data-step']);
    const x = Object.fromEntries(marks.map((m) => [m.attrs['data-step'], Number(m.attrs.cx)]));
    const perMs = (x.nodeReady! - x.failed!) / 22_000;
    expect((x.ready! - x.failed!) / perMs).toBeCloseTo(6000, -1);
    expect(x.notReady!).toBeLessThan(x.evicted!);
    const bar = allElements(svg).find((e) => e.attrs.class === 'healing')!;
    expect(Number(bar.attrs.width) / perMs).toBeCloseTo(6000, -1);
    expect(bar.attrs.fill).toBe('#66bb6a');
    const took = allElements(svg).filter((e) => e.attrs.class === 'took').map(textOf);
    expect(took).toContain('4.1s');
    const ticks = allElements(svg).filter((e) => e.attrs.class === 'tick').map(textOf);
    expect(ticks[0]).toBe('0ms');
    expect(ticks).toContain('10.0s');
    expect(textOf(svg)).toContain('ReplicationController/default/kubia: 3/3 Ready');
  });

  it('escapes what it writes, so odd names cannot break the document', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    const odd = buildHealingReport([node(0, 'n<&>"1', 'True', 'ADDED'), node(5, 'n<&>"1', 'Unknown')], []);
    const svg = parseXml(reportSvg(odd));
    expect(allElements(svg).find((e) => e.attrs.class === 'lane')?.attrs['data-target']).toBe('n<&>"1');
  });

  it('still draws an empty period, and picks readable tick spacings', () => {
    expect(textOf(parseXml(reportSvg(buildHealingReport([], []))))).toContain('No failures in this period.');
    expect([8000, 30_000, 110_000, 600_000].map(tickStep)).toEqual([1000, 5000, 15_000, 60_000]);
  });
});

/** A stand-in api-server: `/stream` over WebSocket answering per requested resourceVersion. */
async function streamServer(answer: (rv: string | null) => StreamMessage[]): Promise<{ url: string; asked: (string | null)[] }> {
  const port = await freePort();
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, path: '/stream' });
  const asked: (string | null)[] = [];
  wss.on('connection', (ws, req) => {
    const rv = new URL(req.url ?? '/', 'http://x').searchParams.get('resourceVersion');
    asked.push(rv);
    const out = answer(rv);
    for (const m of out) ws.send(JSON.stringify(m));
    if (out.some((m) => m.type === 'ERROR')) ws.close(1000, 'Expired');
  });
  await new Promise<void>((r) => http.listen(port, '127.0.0.1', r));
  servers.push(http);
  return { url: `http://127.0.0.1:${port}`, asked };
}

const expiredAt = (oldest: number) => (rv: string | null): StreamMessage[] =>
  rv !== null && Number(rv) < oldest
    ? [{ type: 'ERROR', code: 410, reason: 'Expired', message: `too old resource version: ${rv} (${oldest + 1})` }]
    : [...messages, { type: 'BOOKMARK', resourceVersion: '999', time: '2026-01-01T12:01:00.000Z', caughtUp: true }];

describe('reading the stream’s history', () => {
  it('resumes from the oldest version the api-server holds and stops once caught up', async () => {
    const s = await streamServer(expiredAt(40));
    const h = await readStreamHistory(s.url);
    expect(s.asked).toEqual(['1', '40']);
    expect(h).toMatchObject({ from: '40', notes: [] });
    expect(h.error).toBeUndefined();
    expect(h.changes).toHaveLength(messages.length);
  });

  it('falls back to the current objects when the history gives no way back, and says so', async () => {
    const s = await streamServer((rv) =>
      rv === '0' ? [messages[0]!, { type: 'BOOKMARK', resourceVersion: '5', time: messages[0]!.time, caughtUp: true }] : [{ type: 'ERROR', code: 410, reason: 'Expired', message: 'gone' }],
    );
    const h = await readStreamHistory(s.url);
    expect(s.asked).toEqual(['1', '0']);
    expect(h.from).toBe('0');
    expect(h.changes).toHaveLength(1);
    expect(h.notes[0]).toContain('did not reach back far enough');
  });

  it('reports an api-server it cannot reach, without throwing', async () => {
    const h = await readStreamHistory(`http://127.0.0.1:${await freePort()}`);
    expect(h.changes).toEqual([]);
    expect(h.error).toMatch(/unreachable/);
  });
});

describe('kubemu report', () => {
  async function run(argv: string[]) {
    const s = await streamServer(expiredAt(10));
    const dataDir = mkdtempSync(join(dir, 'cluster-'));
    writeState(dataDir, testClusterState(dataDir, [], { apiUrl: s.url, nodes: ['node-1', 'node-2', 'node-3'], profile: undefined }));
    for (const r of journal) appendChaos(dataDir, r);
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CliContext = {
      root: dir,
      clock: new FakeClock(T0 + 60_000),
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: {},
      signals: () => ({ stop: new AbortController().signal, hurry: new AbortController().signal, dispose: () => undefined }),
    };
    const code = await runCli(['report', '--data-dir', dataDir, ...argv], ctx);
    return { code, out: out.join('\n'), err: err.join('\n'), dataDir };
  }

  it('prints the timelines from the journal and the stream, and answers 0 when all healed', async () => {
    const r = await run([]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('node-2 killed by cli at 12:00:10.000 — healed in 6.0s (replacements Ready)');
  });

  it('writes the SVG where asked, prints JSON with --json, and keeps to --since', async () => {
    const svgPath = join(dir, 'heal.svg');
    const r = await run(['--svg', svgPath, '--json']);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out) as { failures: { target: string; healingMs: number }[]; allControllersOk: boolean };
    expect(data.failures.map((f) => [f.target, f.healingMs])).toEqual([['node-2', 6000]]);
    expect(data.allControllersOk).toBe(true);
    expect(r.err).toContain(`SVG timeline written to ${svgPath}`);
    expect(parseXml(readFileSync(svgPath, 'utf8')).name).toBe('svg');

    const recent = await run(['--since', '10s']);
    expect(recent.out).toContain('Healing report: 0 failures');
  });

  it('answers 1 when a failure has not healed', async () => {
    const s = await run([]);
    appendChaos(s.dataDir, { time: new Date(T0 + 40_000).toISOString(), action: 'kill', target: 'node-3', by: 'cli', nodes: ['node-3'] });
    const out: string[] = [];
    const ctx: CliContext = {
      root: dir,
      clock: new FakeClock(T0 + 60_000),
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      env: {},
      signals: () => ({ stop: new AbortController().signal, hurry: new AbortController().signal, dispose: () => undefined }),
    };
    expect(await runCli(['report', '--data-dir', s.dataDir], ctx)).toBe(1);
    expect(out.join('\n')).toContain('node-3 killed by cli at 12:00:40.000 — not healed yet');
  });
});

describe('stream messages in reports', () => {
  it('are the api-server’s own shape', () => {
    const m: StreamChange = messages[0]!;
    expect(Object.keys(m).sort()).toEqual(['apiVersion', 'kind', 'name', 'object', 'resourceVersion', 'time', 'type', 'uid']);
  });
});
