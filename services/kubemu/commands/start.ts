/**
 * `kubemu start <target>`: start a killed or crashed node or component again, with the flags it
 * had (its recorded command line: the same ports, the same data dir for the store and
 * nats-server), and wait until it is healthy — and, for a node, until it is Ready in the API.
 *
 * Processes of the target that still run are left alone (said so). Targets as for `kill`
 * (./../targets.ts). It does not start a stopped cluster (that is `kubemu up`), nor anything but
 * nats-server while nats-server is down (nothing else could become healthy). Answers 0 when everything of the target runs healthy (and its nodes are
 * Ready), 1 otherwise.
 */
import type { CliContext, Command } from '../cli.js';
import type { FlagSpec, ParsedArgs } from '../args.js';
import { DATA_DIR_FLAG, dataDirOf, kubemuCommand } from '../data-dir.js';
import { journal } from '../chaos-journal.js';
import { ownership } from '../process-identity.js';
import { relaunch } from '../relaunch.js';
import { identityOf, readState, type ClusterState, type ProcessRecord } from '../state.js';
import { resolveTarget } from '../targets.js';

export const START_TIMEOUT_FLAG: FlagSpec = {
  name: 'start-timeout',
  kind: 'number',
  placeholder: 'SECONDS',
  default: 60,
  min: 1,
  help: 'how long it may take to become healthy (and its nodes Ready)',
};

export function isRunning(r: ProcessRecord): boolean {
  return r.pid !== undefined && ownership(identityOf({ ...r, pid: r.pid })) === 'ours';
}

/** Why `toStart` cannot be started in this cluster now, or undefined. */
export function cannotStart(state: ClusterState, toStart: ProcessRecord[], upCommand: string): string | undefined {
  if (!state.processes.some(isRunning)) return `The cluster in ${state.dataDir} is not running; start it with ${upCommand}`;
  const nats = state.processes.find((p) => p.component === 'nats-server');
  if (nats && !isRunning(nats) && !toStart.some((p) => p.name === nats.name)) return 'nats-server is not running; start it first (kubemu start nats)';
  return undefined;
}

export async function start(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const state = readState(l.dir);
  if (!state) {
    ctx.err(`No kubemu cluster in ${l.dir}; start one with kubemu up.`);
    return 1;
  }
  const records = resolveTarget(state, args.positionals[0]);
  const running = records.filter(isRunning);
  for (const r of running) ctx.out(`  ${r.name.padEnd(24)} already running (pid ${r.pid})`);
  const toStart = records.filter((r) => !running.includes(r));
  if (toStart.length === 0) return 0;
  const refused = cannotStart(state, toStart, kubemuCommand('up', ctx.root, l.dir, ctx.env));
  if (refused) {
    ctx.err(refused);
    return 1;
  }
  journal(l.dir, { clock: ctx.clock, action: 'start', target: args.positionals[0], by: ctx.by, state, records: toStart });
  const signals = ctx.signals();
  try {
    return await relaunch(state, toStart, {
      clock: ctx.clock,
      layout: l,
      root: ctx.root,
      env: ctx.env,
      startTimeoutMs: (args.flags['start-timeout'] as number) * 1000,
      graceMs: 5000,
      say: ctx.out,
      warn: ctx.err,
      signal: signals.stop,
    });
  } finally {
    signals.dispose();
  }
}

export const startCommand: Command = {
  name: 'start',
  summary: 'start a killed node or component again and wait until it is healthy (and Ready)',
  description: [
    'Starts the processes of <target> that do not run, with the command lines recorded when the cluster',
    'came up (same flags, ports and data), appending to their logs, and waits until they are healthy;',
    'for a node also until the API shows it Ready again. Targets as for kill (node-2, scheduler, nats, …).',
  ].join('\n'),
  positionals: [{ name: 'target', help: 'a node, component or process to start (node-2, scheduler, nats, …)' }],
  flags: [DATA_DIR_FLAG, START_TIMEOUT_FLAG],
  run: start,
};
