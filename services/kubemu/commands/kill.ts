/**
 * `kubemu kill <target> [--signal KILL]`: make a node or a component fail, on purpose.
 *
 * `kill node-2` SIGKILLs that node's kubelet and kube-proxy — a machine losing power: its
 * containers die with the kubelet, heartbeats stop, and after the profile's grace the node turns
 * NotReady and its pods are evicted. `kill scheduler|controller-manager|api-server|store|nats`
 * kills that component (see ./../targets.ts for every target). By pid from the state file, only
 * while the pid is still ours; marked `killed` in the state first (./../killing.ts), and recorded
 * in <data-dir>/chaos.jsonl for the healing report. The agent is never a target.
 *
 * Answers 0 when every target process is dead (or was not running), 1 when one survived a
 * catchable signal, 2 for an unknown target or signal.
 */
import type { CliContext, Command } from '../cli.js';
import { UsageError, type ParsedArgs } from '../args.js';
import { journal, msTime } from '../chaos-journal.js';
import { DATA_DIR_FLAG, dataDirOf, kubemuCommand } from '../data-dir.js';
import { killRecorded, parseSignal, type KillOutcome } from '../killing.js';
import { PROFILES, type ProfileName } from '../../../shared/runtime/profile.js';
import { readState, type ClusterState, type ProcessRecord } from '../state.js';
import { nodesOf } from '../relaunch.js';
import { resolveTarget } from '../targets.js';
import { isRunning } from './start.js';

function describe(outcome: KillOutcome, r: ProcessRecord, signal: string): string {
  switch (outcome) {
    case 'killed':
      return `killed (${signal}, pid ${r.pid})`;
    case 'still-running':
      return `still running after ${signal} (pid ${r.pid}); try --signal KILL`;
    case 'not-running':
      return 'was not running';
    case 'pid-reused':
      return `pid ${r.pid} now belongs to another process; left alone`;
  }
}

/** What happens next, for a person watching the cluster heal. */
function whatNext(state: ClusterState, target: string, killed: ProcessRecord[], cmd: (sub: string) => string): string[] {
  const back = `Bring it back with: ${cmd(`start ${target}`)}`;
  const profile = PROFILES[(state.profile ?? 'default') as ProfileName] ?? PROFILES.default;
  if (!killed.some((r) => r.component === 'kubelet')) {
    const standbys = state.processes.filter((p) => killed.some((k) => k.component === p.component) && !killed.includes(p) && isRunning(p));
    const lease = profile.leaderElection.leaseDurationMs / 1000;
    const electing = ['scheduler', 'controller-manager'].includes(standbys[0]?.component ?? '');
    return [...(electing ? [`${standbys.map((p) => p.name).join(', ')} stands by: it takes the lead within ~${lease}s if the killed one led.`] : []), back];
  }
  const grace = profile.nodeMonitorGraceMs / 1000;
  const eviction =
    profile.defaultTolerationSeconds === 0 ? 'its pods are evicted at once' : `its pods are evicted ${profile.defaultTolerationSeconds}s later`;
  const nodes = nodesOf(killed, state);
  const which = nodes.length === 1 ? `${nodes[0]} turns` : `its ${nodes.length} nodes turn`;
  const their = nodes.length === 1 ? 'its' : 'their';
  return [`Without heartbeats ${which} NotReady after ~${grace}s (profile ${profile.name}) and ${eviction.replace('its', their)}.`, back];
}

export async function kill(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const signal = parseSignal(args.flags.signal as string);
  const target = args.positionals[0];
  const state = readState(l.dir);
  if (!state) {
    ctx.err(`No kubemu cluster in ${l.dir}.`);
    return 1;
  }
  const records = resolveTarget(state, target);
  if (records.some((r) => r.component === 'agent')) throw new UsageError('the agent is not a target of kill (it carries out kills for the dashboard); kubemu restart agent restarts it');
  const at = msTime(ctx.clock);
  const { outcomes } = await killRecorded(records, { clock: ctx.clock, dataDir: l.dir, signal, say: ctx.out, warn: ctx.err });
  for (const r of records) ctx.out(`  ${r.name.padEnd(24)} ${describe(outcomes.get(r.name) ?? 'not-running', r, signal)}`);
  const killed = records.filter((r) => outcomes.get(r.name) === 'killed');
  if (killed.length) journal(l.dir, { clock: ctx.clock, action: 'kill', target, by: ctx.by, state, records: killed, time: at });
  if (killed.length) for (const line of whatNext(state, target, killed, (sub) => kubemuCommand(sub, ctx.root, l.dir, ctx.env))) ctx.out(line);
  return [...outcomes.values()].includes('still-running') ? 1 : 0;
}

export const killCommand: Command = {
  name: 'kill',
  summary: 'kill a node (its kubelet and kube-proxy) or a component, by default with SIGKILL',
  description: [
    'Kills the processes of <target> by pid from <data-dir>/state.json (only while the pid is still the',
    'process kubemu started) and marks them killed, so status shows it and a foreground up does not',
    'report a crash. A node target (node-2) kills its kubelet and kube-proxy: its containers die with',
    'the kubelet, heartbeats stop, the node turns NotReady and its pods are evicted.',
    '',
    'Targets: a node (node-2), a component (scheduler, controller-manager, api-server, store, nats,',
    'kubelet, kube-proxy: all of its processes), or one process by name (scheduler-2, kubelet-sim).',
  ].join('\n'),
  positionals: [{ name: 'target', help: 'a node, component or process to kill (node-2, scheduler, nats, …)' }],
  flags: [
    DATA_DIR_FLAG,
    { name: 'signal', kind: 'string', placeholder: 'SIGNAL', default: 'KILL', help: 'KILL, TERM, INT, HUP or QUIT (also SIGKILL, 9, …)' },
  ],
  run: kill,
};
