/**
 * `kubemu heal <node>`: end a partition made by `kubemu partition`: the node's kubelet and
 * kube-proxy get SIGCONT and connect to the bus again; then it waits until they answer their
 * health checks and the node is Ready in the API again (`--start-timeout`).
 *
 * Healing a node that is not cut is harmless (the processes ignore it). Recorded in
 * <data-dir>/chaos.jsonl. Answers 0 once the node is Ready, 1 otherwise.
 */
import { connectBus } from '../../../shared/nats/connection.js';
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import { journal } from '../chaos-journal.js';
import { DATA_DIR_FLAG, dataDirOf } from '../data-dir.js';
import { waitHealthy } from '../health.js';
import { abbreviate, waitNodesReady } from '../node-readiness.js';
import { describeSignal, healProcesses, partitionRecords } from '../partitioning.js';
import { nodesOf } from '../relaunch.js';
import { readState } from '../state.js';
import { START_TIMEOUT_FLAG } from './start.js';

export async function heal(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const target = args.positionals[0];
  const deadlineMs = (args.flags['start-timeout'] as number) * 1000;
  const state = readState(l.dir);
  if (!state) {
    ctx.err(`No kubemu cluster in ${l.dir}.`);
    return 1;
  }
  const records = partitionRecords(state, target);
  const outcomes = healProcesses(records);
  for (const r of records) ctx.out(`  ${r.name.padEnd(24)} ${describeSignal(outcomes.get(r.name) ?? 'not-running', r, 'connecting to the bus again')}`);
  const healed = records.filter((r) => outcomes.get(r.name) === 'signalled');
  if (healed.length === 0) return 1;
  journal(l.dir, { clock: ctx.clock, action: 'heal', target, by: ctx.by, state, records: healed });
  const signals = ctx.signals();
  const bus = await connectBus({ servers: state.natsUrl, name: 'kubemu-cli', connectTimeoutMs: 5000 });
  try {
    await Promise.all(healed.map((r) => waitHealthy(r.health, { bus, clock: ctx.clock, deadlineMs, signal: signals.stop })));
    const nodes = nodesOf(healed, state);
    if (nodes.length) {
      await waitNodesReady(state.apiUrl, nodes, { clock: ctx.clock, deadlineMs, signal: signals.stop });
      ctx.out(`Ready: ${abbreviate(nodes)}`);
    }
    return healed.length === records.length ? 0 : 1;
  } catch (err) {
    ctx.err(`${(err as Error).message}; the processes keep running`);
    return 1;
  } finally {
    signals.dispose();
    await bus.close();
  }
}

export const healCommand: Command = {
  name: 'heal',
  summary: 'end a partition: reconnect a node to the bus and wait until it is Ready',
  description: [
    "Sends SIGCONT to the node's kubelet and kube-proxy, which connect to the bus again and restore",
    'their subscriptions and watches; waits until they are healthy and the node is Ready in the API.',
  ].join('\n'),
  positionals: [{ name: 'node', help: 'the partitioned node (node-2)' }],
  flags: [DATA_DIR_FLAG, START_TIMEOUT_FLAG],
  run: heal,
};
