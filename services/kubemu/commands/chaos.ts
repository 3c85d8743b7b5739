/**
 * `kubemu chaos --every 20s --for 5m [--nodes node-1,node-2] [--mode kill|partition|mixed]
 * [--downtime 10s] [--seed N]`: random node failures, then the healing report.
 *
 * Every interval a random node that is Ready in the API (never the last Ready one) is killed
 * (SIGKILL of its kubelet and kube-proxy) or cut from the bus, and brought back after the downtime
 * (./../chaos/monkey.ts), each action with the CLI's own commands, journalled `by: chaos`. When the
 * time is up (or on Ctrl-C) every node is running again; then it waits until every node is Ready
 * and every ReplicationController, ReplicaSet and Deployment has its replicas Ready
 * (`--settle-timeout`), and prints the summary — each failure with its healing time — and the full
 * report (./report.ts), with its SVG timeline written to `--svg` (default
 * <data-dir>/reports/chaos-<time>.svg).
 *
 * Answers 0 when the cluster settled and every failure healed, 1 otherwise. A second Ctrl-C stops
 * waiting at once (nodes already started stay started).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliContext, Command } from '../cli.js';
import { UsageError, type ParsedArgs } from '../args.js';
import { clockTime, formatDuration } from '../../../shared/healing/durations.js';
import { CHAOS_MODES, seededRandom, type ChaosMode } from '../chaos/plan.js';
import { runChaos } from '../chaos/monkey.js';
import { waitWhole } from '../chaos/settle.js';
import { runControl, type ControlDeps } from '../control.js';
import { DATA_DIR_FLAG, dataDirOf } from '../data-dir.js';
import { durationFlag } from '../durations.js';
import { readNodes } from '../node-readiness.js';
import { allHealed, gatherReport } from '../report/gather.js';
import { reportSvg } from '../report/svg.js';
import { reportText, summaryLines } from '../report/text.js';
import { readState, type ClusterState } from '../state.js';
import { isRunning } from './start.js';

function chosenNodes(raw: unknown, state: ClusterState): string[] {
  if (typeof raw !== 'string') return state.nodes;
  const nodes = raw.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = nodes.filter((n) => !state.nodes.includes(n));
  if (unknown.length) throw new UsageError(`--nodes: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not nodes of this cluster (${state.nodes.join(', ')})`);
  return nodes;
}

export async function chaos(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const everyMs = durationFlag(args.flags.every, 'every', 1000);
  const forMs = durationFlag(args.flags.for, 'for', 1000);
  const downtimeMs = durationFlag(args.flags.downtime, 'downtime', 1);
  const settleMs = durationFlag(args.flags['settle-timeout'], 'settle-timeout', 1000);
  const mode = args.flags.mode as ChaosMode;
  const seed = (args.flags.seed as number | undefined) ?? ctx.clock.now() % 2 ** 31;
  const state = readState(l.dir);
  if (!state) {
    ctx.err(`No kubemu cluster in ${l.dir}; start one with kubemu up.`);
    return 1;
  }
  const nodes = chosenNodes(args.flags.nodes, state);
  if (nodes.length === 0) throw new UsageError('the cluster has no nodes to fail');
  const say = (line: string): void => ctx.out(`${clockTime(ctx.clock.now())}  ${line}`);
  const what = mode === 'mixed' ? 'kill or partition' : mode;
  ctx.out(
    `chaos for ${formatDuration(forMs)}: every ${formatDuration(everyMs)} ${what} a random Ready node of ${nodes.join(', ')}, back after ${formatDuration(downtimeMs)} (seed ${seed})`,
  );
  const signals = ctx.signals();
  try {
    // Operations are not interrupted by the first Ctrl-C (it only ends the chaos): a half-started node helps nobody.
    const control: ControlDeps = { root: ctx.root, dataDir: l.dir, clock: ctx.clock, env: ctx.env, by: 'chaos', signal: signals.hurry };
    const startedAt = ctx.clock.now();
    const actions = await runChaos(
      { everyMs, forMs, downtimeMs, nodes, mode },
      {
        clock: ctx.clock,
        rng: seededRandom(seed),
        readNodes: async () => {
          const r = await readNodes(state.apiUrl);
          return r.ok ? new Map([...r.nodes].map(([n, v]) => [n, v.ready])) : undefined;
        },
        act: (op, req) => runControl(op, req, control),
        say,
        signal: signals.stop,
      },
    );
    const now = readState(l.dir) ?? state;
    for (const node of nodes) {
      if (now.processes.filter((p) => p.node === node).every(isRunning)) continue;
      const r = await runControl('start', { target: node }, control);
      say(`start ${node}: ${r.code === 0 ? 'Ready again' : `failed: ${r.lines.slice(-1)[0] ?? ''}`}`);
    }
    say(`chaos over: ${actions.length} failure${actions.length === 1 ? '' : 's'} made; waiting until every node is Ready and every controller has its replicas Ready…`);
    const wrong = await waitWhole(state.apiUrl, state.nodes, { clock: ctx.clock, deadlineMs: settleMs, signal: signals.hurry });
    if (wrong.length) ctx.err(`not settled after ${formatDuration(settleMs)}: ${wrong.join('; ')}`);
    else say('settled: every node Ready, every controller at its desired replicas');

    const g = await gatherReport(state.apiUrl, l.dir, { sinceMs: startedAt, signal: signals.hurry });
    const svgPath = resolve((args.flags.svg as string | undefined) ?? join(l.dir, 'reports', `chaos-${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}.svg`));
    mkdirSync(join(svgPath, '..'), { recursive: true });
    writeFileSync(svgPath, reportSvg(g.report, { title: 'kubemu chaos: healing report' }));
    ctx.out('');
    ctx.out(`Summary (seed ${seed}): ${g.report.failures.length} failure(s), ${g.report.failures.filter((f) => f.healed).length} healed`);
    for (const line of summaryLines(g.report)) ctx.out(line);
    ctx.out('');
    ctx.out(reportText(g.report, { notes: g.notes }));
    ctx.out(`SVG timeline: ${svgPath}`);
    return wrong.length === 0 && g.error === undefined && allHealed(g.report) ? 0 : 1;
  } finally {
    signals.dispose();
  }
}

export const chaosCommand: Command = {
  name: 'chaos',
  summary: 'fail random nodes (kill or partition) every interval, then report how the cluster healed',
  description: [
    'Every --every, a random node that is Ready (never the last Ready one) is killed (SIGKILL of its kubelet and',
    'kube-proxy) or cut from the bus (--mode partition; mixed picks either), and brought back after --downtime.',
    'After --for (or Ctrl-C) every node is started again; then it waits until every node is Ready and every',
    'ReplicationController, ReplicaSet and Deployment has its replicas Ready, and prints each failure with its',
    'healing time and the full healing report (also as an SVG). Exit 0 when everything healed.',
  ].join('\n'),
  flags: [
    DATA_DIR_FLAG,
    { name: 'every', kind: 'string', placeholder: 'DURATION', default: '20s', help: 'time between failures' },
    { name: 'for', kind: 'string', placeholder: 'DURATION', default: '5m', help: 'how long to make failures' },
    { name: 'nodes', kind: 'string', placeholder: 'NODES', help: 'comma list of the nodes that may fail (default: all)' },
    { name: 'mode', kind: 'string', choices: CHAOS_MODES, default: 'kill', help: 'kill the node, partition it from the bus, or mixed' },
    { name: 'downtime', kind: 'string', placeholder: 'DURATION', default: '10s', help: 'how long a node stays failed before it is brought back' },
    { name: 'seed', kind: 'number', placeholder: 'N', min: 0, help: 'seed of the random choices (default: from the clock; printed)' },
    { name: 'settle-timeout', kind: 'string', placeholder: 'DURATION', default: '3m', help: 'how long to wait at the end for every controller to be back' },
    { name: 'svg', kind: 'string', placeholder: 'FILE', help: 'where to write the SVG timeline (default <data-dir>/reports/chaos-<time>.svg)' },
  ],
  run: chaos,
};
