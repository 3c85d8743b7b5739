/**
 * `kubemu restart <target>`: stop it gracefully (SIGTERM, SIGKILL after `--grace`, marked killed
 * so a foreground `up` does not call it a crash), then start it again as `kubemu start` does.
 * A kubelet stopped this way stops its containers first (a node shutting down), unlike `kill`.
 */
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import { DATA_DIR_FLAG, dataDirOf, kubemuCommand } from '../data-dir.js';
import { journal } from '../chaos-journal.js';
import { isoTime } from '../../../shared/runtime/clock.js';
import { relaunch } from '../relaunch.js';
import { readState, updateState } from '../state.js';
import { describeOutcome, stopProcesses } from '../supervisor.js';
import { resolveTarget } from '../targets.js';
import { cannotStart, isRunning, START_TIMEOUT_FLAG } from './start.js';

export async function restart(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const state = readState(l.dir);
  if (!state) {
    ctx.err(`No kubemu cluster in ${l.dir}; start one with kubemu up.`);
    return 1;
  }
  const records = resolveTarget(state, args.positionals[0]);
  const graceMs = (args.flags.grace as number) * 1000;
  const running = records.filter(isRunning);
  const refused = cannotStart(state, records, kubemuCommand('up', ctx.root, l.dir, ctx.env));
  if (refused) {
    ctx.err(refused);
    return 1;
  }
  journal(l.dir, { clock: ctx.clock, action: 'restart', target: args.positionals[0], by: ctx.by, state, records });
  const mark = { signal: 'SIGTERM', at: isoTime(ctx.clock) };
  updateState(l.dir, (s) => ({
    ...s,
    processes: s.processes.map((p) => (running.some((r) => r.name === p.name && r.pid === p.pid) ? { ...p, killed: mark } : p)),
  }));
  const signals = ctx.signals();
  try {
    const outcomes = await stopProcesses(running, { clock: ctx.clock, graceMs, hurry: signals.hurry });
    for (const r of running) ctx.out(`  ${r.name.padEnd(24)} ${describeOutcome(outcomes.get(r.name) ?? 'not-running', r.pid)}`);
    const fresh = readState(l.dir) ?? state;
    const again = resolveTarget(fresh, args.positionals[0]).filter((r) => !isRunning(r));
    return await relaunch(fresh, again, {
      clock: ctx.clock,
      layout: l,
      root: ctx.root,
      env: ctx.env,
      startTimeoutMs: (args.flags['start-timeout'] as number) * 1000,
      graceMs,
      say: ctx.out,
      warn: ctx.err,
      signal: signals.stop,
    });
  } finally {
    signals.dispose();
  }
}

export const restartCommand: Command = {
  name: 'restart',
  summary: 'stop a node or component gracefully and start it again',
  description: [
    'Stops the processes of <target> with SIGTERM (SIGKILL after --grace), then starts them again with',
    'their recorded command lines and waits until they are healthy (for a node: Ready in the API).',
  ].join('\n'),
  positionals: [{ name: 'target', help: 'a node, component or process to restart (node-2, api-server, …)' }],
  flags: [
    DATA_DIR_FLAG,
    { name: 'grace', kind: 'number', placeholder: 'SECONDS', default: 10, min: 0, help: 'time between SIGTERM and SIGKILL' },
    START_TIMEOUT_FLAG,
  ],
  run: restart,
};
