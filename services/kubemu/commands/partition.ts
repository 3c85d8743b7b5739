/**
 * `kubemu partition <node> [--for 30s]`: cut a node from the bus while it keeps running.
 *
 * Its kubelet and kube-proxy get SIGUSR2 (./../partitioning.ts): heartbeats and API traffic stop,
 * so the control plane marks the node NotReady after the profile's grace and evicts its pods,
 * whose replacements start elsewhere — while the node's containers go on serving. kube-proxy
 * releases the shared addresses it held. When the partition ends (`--for` elapsed: the processes
 * heal themselves; or `kubemu heal <node>`), the node is Ready again and its kubelet stops the
 * containers of pods that were deleted or moved away meanwhile, as in Kubernetes.
 *
 * Recorded in <data-dir>/chaos.jsonl (with the duration). Answers at once (it does not wait for
 * NotReady); 0 when every process of the target was cut, 1 when one was not running.
 */
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import { journal } from '../chaos-journal.js';
import { DATA_DIR_FLAG, dataDirOf, kubemuCommand } from '../data-dir.js';
import { durationFlag } from '../durations.js';
import { describeSignal, partitionProcesses, partitionRecords } from '../partitioning.js';
import { nodesOf } from '../relaunch.js';
import { readState } from '../state.js';
import { PROFILES, type ProfileName } from '../../../shared/runtime/profile.js';
import { formatDuration } from '../../../shared/healing/durations.js';

export async function partition(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const target = args.positionals[0];
  const forMs = args.flags.for !== undefined ? durationFlag(args.flags.for, 'for', 1) : undefined;
  const state = readState(l.dir);
  if (!state) {
    ctx.err(`No kubemu cluster in ${l.dir}.`);
    return 1;
  }
  const records = partitionRecords(state, target);
  const outcomes = partitionProcesses(records, { clock: ctx.clock, ...(forMs !== undefined ? { forMs } : {}), env: ctx.env });
  for (const r of records) ctx.out(`  ${r.name.padEnd(24)} ${describeSignal(outcomes.get(r.name) ?? 'not-running', r, 'cut from the bus')}`);
  const cut = records.filter((r) => outcomes.get(r.name) === 'signalled');
  if (cut.length === 0) return 1;
  journal(l.dir, { clock: ctx.clock, action: 'partition', target, by: ctx.by, state, records: cut, ...(forMs !== undefined ? { forMs } : {}) });
  const profile = PROFILES[(state.profile ?? 'default') as ProfileName] ?? PROFILES.default;
  const nodes = nodesOf(cut, state);
  const heal = kubemuCommand(`heal ${target}`, ctx.root, l.dir, ctx.env);
  if (nodes.length) {
    const eviction = profile.defaultTolerationSeconds === 0 ? 'its pods are evicted at once' : `its pods are evicted ${profile.defaultTolerationSeconds}s later`;
    ctx.out(
      `${nodes.join(', ')} keeps running (its containers keep serving) but hears nothing and says nothing: NotReady after ~${profile.nodeMonitorGraceMs / 1000}s (profile ${profile.name}), then ${eviction} and replaced elsewhere.`,
    );
  }
  ctx.out(forMs !== undefined ? `It heals itself in ${formatDuration(forMs)}; earlier with: ${heal}` : `Heal it with: ${heal}`);
  return cut.length === records.length ? 0 : 1;
}

export const partitionCommand: Command = {
  name: 'partition',
  summary: 'cut a node from the bus while it keeps running (--for 30s heals it by itself)',
  description: [
    "Sends SIGUSR2 to the node's kubelet and kube-proxy: they close their NATS connection and keep",
    'running. Heartbeats and API traffic stop, so the node turns NotReady and its pods are evicted and',
    "replaced elsewhere, while its containers keep serving. When it heals (--for elapsed, or kubemu heal),",
    "the node is Ready again and its kubelet stops the containers of pods deleted meanwhile.",
    'Under docker compose the same is: docker compose kill -s SIGUSR2 node-2 (heal: -s SIGCONT).',
  ].join('\n'),
  positionals: [{ name: 'node', help: 'the node to cut off (node-2), or one of its processes (kubelet-node-2)' }],
  flags: [DATA_DIR_FLAG, { name: 'for', kind: 'string', placeholder: 'DURATION', help: 'heal by itself after this long (30s, 2m); default: until kubemu heal' }],
  run: partition,
};
