/**
 * `kubemu report [--since 30m] [--svg out.svg] [--json]`: how the cluster healed from each failure.
 *
 * Reads the chaos journal (<data-dir>/chaos.jsonl: every kill, partition, start and heal) and the
 * event stream's history (everything the api-server still holds, replayed until caught up), and
 * prints for each failure its timeline — killed/partitioned → NotReady detected → pods evicted →
 * replacements created → scheduled → Running → Ready → controllers at desired replicas — with
 * times and durations, then whether every ReplicationController, ReplicaSet and Deployment is at
 * its desired replicas. `--svg` also writes the timeline as a picture; `--json` prints the report
 * as data instead of text.
 *
 * Answers 0 when every failure shown healed and every controller is at its desired replicas,
 * 1 otherwise (also when the stream could not be read to the end: the report says why).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import { DATA_DIR_FLAG, dataDirOf } from '../data-dir.js';
import { durationFlag } from '../durations.js';
import { readState } from '../state.js';
import { allHealed, gatherReport } from '../report/gather.js';
import { reportSvg } from '../report/svg.js';
import { reportText } from '../report/text.js';

export async function report(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const sinceMs = args.flags.since !== undefined ? ctx.clock.now() - durationFlag(args.flags.since, 'since', 1) : undefined;
  const apiUrl = (args.flags.server as string | undefined) ?? readState(l.dir)?.apiUrl;
  if (!apiUrl) {
    ctx.err(`No kubemu cluster in ${l.dir} (or name an api-server with --server URL).`);
    return 1;
  }
  const signals = ctx.signals();
  try {
    const g = await gatherReport(apiUrl, l.dir, { ...(sinceMs !== undefined ? { sinceMs } : {}), signal: signals.stop });
    if (args.flags.json === true) ctx.out(JSON.stringify({ ...g.report, notes: g.notes }, null, 2));
    else ctx.out(reportText(g.report, { notes: g.notes }));
    const svg = args.flags.svg as string | undefined;
    if (svg) {
      const path = resolve(svg);
      writeFileSync(path, reportSvg(g.report));
      (args.flags.json === true ? ctx.err : ctx.out)(`SVG timeline written to ${path} (open it in a browser)`);
    }
    return g.error === undefined && allHealed(g.report) ? 0 : 1;
  } finally {
    signals.dispose();
  }
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'how the cluster healed from each failure: timelines as text, --svg picture, --json',
  description: [
    'Reads <data-dir>/chaos.jsonl and the event stream (everything the api-server still remembers) and shows',
    'for each failure: killed or partitioned → NotReady detected → pods evicted → replacements created →',
    'scheduled → Running → Ready → controllers at desired replicas, with times and durations, then whether',
    'every ReplicationController, ReplicaSet and Deployment has its replicas Ready. Nodes that went NotReady',
    'without a kubemu action (docker compose kill, a crash) are failures too. Exit 0 when all healed.',
  ].join('\n'),
  flags: [
    DATA_DIR_FLAG,
    { name: 'since', kind: 'string', placeholder: 'DURATION', help: 'only failures that began this long ago or later (30m, 2h)' },
    { name: 'svg', kind: 'string', placeholder: 'FILE', help: 'also write the timeline as an SVG picture to FILE' },
    { name: 'json', kind: 'boolean', help: 'print the report as JSON' },
    { name: 'server', kind: 'string', placeholder: 'URL', help: "the api-server (default: the data dir's cluster)" },
  ],
  run: report,
};
