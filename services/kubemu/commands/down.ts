/**
 * `kubemu down`: stop every process of the cluster recorded in the data dir's state file.
 *
 * When a foreground `kubemu up` still runs for the data dir, it is asked (SIGTERM) to stop its
 * cluster itself, and `down` waits for it; then every recorded process is stopped by pid — only if
 * the pid still belongs to the process kubemu started (./process-identity.ts) — SIGTERM first,
 * SIGKILL after the grace period, and what a process left in its process group is killed too. The
 * state keeps its records without pids, so `status` shows them stopped, and its network slot, which
 * is given back to the machine (./../network-slot.ts) until the next up. No state: nothing to do.
 */
import type { CliContext, Command } from '../cli.js';
import { DATA_DIR_FLAG, dataDirOf, kubemuCommand } from '../data-dir.js';
import { ownership } from '../process-identity.js';
import { identityOf, launcherRunning, readState, withoutPids, writeState, type ClusterState } from '../state.js';
import { defaultRegistry, releaseSlot } from '../network-slot.js';
import { stopProcesses } from '../supervisor.js';
import type { ParsedArgs } from '../args.js';

async function waitLauncher(pid: number, startTicks: number | undefined, cmdline: string[], ctx: CliContext, ms: number): Promise<boolean> {
  const deadline = ctx.clock.now() + ms;
  while (ownership(identityOf({ pid, cmdline, ...(startTicks !== undefined ? { startTicks } : {}) })) === 'ours') {
    if (ctx.clock.now() >= deadline) return false;
    await ctx.clock.sleep(50);
  }
  return true;
}

/** The slot stays recorded in the state (sticky for the next up); only the machine-wide claim goes. */
function releaseNetworkSlot(state: ClusterState, dir: string, env: NodeJS.ProcessEnv): void {
  if (state.networkSlot !== undefined) releaseSlot(defaultRegistry(env), state.networkSlot, dir);
}

export async function down(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const graceMs = (args.flags.grace as number) * 1000;
  let state = readState(l.dir);
  if (!state) {
    ctx.out(`No kubemu cluster in ${l.dir}; nothing to stop.`);
    return 0;
  }
  const hadLauncher = state.launcher !== undefined && launcherRunning(state);
  if (state.launcher && hadLauncher) {
    const { pid, startTicks, cmdline } = state.launcher;
    ctx.out(`asking the kubemu up in the foreground (pid ${pid}) to stop the cluster…`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // It exited in the meantime.
    }
    // Its own ordered stop takes at most a grace period per tier; then we take over.
    const stopped = await waitLauncher(pid, startTicks, cmdline, ctx, graceMs * 6 + 10_000);
    if (!stopped) ctx.err(`kubemu up (pid ${pid}) did not stop in time; stopping its processes directly`);
    state = readState(l.dir) ?? state;
  }
  const recorded = state.processes.filter((p) => p.pid !== undefined);
  if (recorded.length === 0) {
    ctx.out(hadLauncher ? 'kubemu stopped.' : `kubemu in ${l.dir} is not running.`);
    writeState(l.dir, withoutPids(state));
    releaseNetworkSlot(state, l.dir, ctx.env);
    return 0;
  }
  ctx.out(`stopping kubemu in ${l.dir}…`);
  const outcomes = await stopProcesses(recorded, { clock: ctx.clock, graceMs, say: ctx.out });
  writeState(l.dir, withoutPids(state));
  releaseNetworkSlot(state, l.dir, ctx.env);
  const reused = [...outcomes.values()].filter((o) => o === 'pid-reused').length;
  ctx.out(`kubemu stopped${reused ? ` (${reused} recorded pid(s) belonged to other processes and were left alone)` : ''}.`);
  ctx.out(`Start it again with ${kubemuCommand('up', ctx.root, l.dir, ctx.env)}`);
  return 0;
}

export const downCommand: Command = {
  name: 'down',
  summary: 'stop every process of the cluster (no orphans)',
  description: [
    'Stops the processes recorded in <data-dir>/state.json in reverse start order: SIGTERM, then SIGKILL',
    'after the grace period, checking by /proc that each pid is still the process kubemu started.',
    'Data (the store in <data-dir>/nats), logs and the kubeconfig stay; the next up starts from them.',
  ].join('\n'),
  flags: [DATA_DIR_FLAG, { name: 'grace', kind: 'number', placeholder: 'SECONDS', default: 10, min: 0, help: 'time between SIGTERM and SIGKILL' }],
  run: down,
};
