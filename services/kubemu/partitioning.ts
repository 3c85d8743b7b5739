/**
 * Partitioning a node on purpose (`kubemu partition`, `heal`): the node's kubelet and kube-proxy
 * keep running — their containers keep serving — but are cut from the bus, by signal
 * (shared/runtime/partition-signals.ts: SIGUSR2 cuts, SIGCONT heals). With a duration, a partition
 * order is left for each process first, so it heals itself even if nobody is there to heal it.
 *
 * Only kubelet and kube-proxy processes take these signals (SIGUSR2 would kill any other kubemu
 * process), so a target that resolves to nothing of theirs is a UsageError. Only a pid that is
 * still the process kubemu started is signalled; the others are reported, never guessed at.
 */
import { HEAL_SIGNAL, PARTITION_SIGNAL, writePartitionOrder } from '../../shared/runtime/partition-signals.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { UsageError } from './args.js';
import { ownership } from './process-identity.js';
import { identityOf, type ClusterState, type ProcessRecord } from './state.js';
import { resolveTarget } from './targets.js';

/** The components that can be partitioned (they handle the signals). */
export const PARTITIONABLE: readonly string[] = ['kubelet', 'kube-proxy'];

export type SignalOutcome = 'signalled' | 'not-running' | 'pid-reused';

/** The kubelet and kube-proxy processes of `target` (a node, `kubelet-node-2`, `kube-proxy`, …). */
export function partitionRecords(state: ClusterState, target: string): ProcessRecord[] {
  const records = resolveTarget(state, target).filter((r) => PARTITIONABLE.includes(r.component));
  if (records.length === 0) throw new UsageError(`"${target}" is not a node: partition cuts a node's kubelet and kube-proxy from the bus (e.g. node-2)`);
  return records;
}

function signalRecords(records: ProcessRecord[], signal: NodeJS.Signals, before?: (pid: number) => void): Map<string, SignalOutcome> {
  const out = new Map<string, SignalOutcome>();
  for (const r of records) {
    if (r.pid === undefined) {
      out.set(r.name, 'not-running');
      continue;
    }
    const own = ownership(identityOf({ ...r, pid: r.pid }));
    if (own !== 'ours') {
      out.set(r.name, own === 'gone' ? 'not-running' : 'pid-reused');
      continue;
    }
    before?.(r.pid);
    try {
      process.kill(r.pid, signal);
      out.set(r.name, 'signalled');
    } catch {
      out.set(r.name, 'not-running');
    }
  }
  return out;
}

/** Cuts the processes from the bus; with `forMs`, each heals itself after that long. */
export function partitionProcesses(records: ProcessRecord[], opts: { clock: Clock; forMs?: number; env?: NodeJS.ProcessEnv }): Map<string, SignalOutcome> {
  return signalRecords(records, PARTITION_SIGNAL, (pid) => writePartitionOrder(pid, { writtenAt: opts.clock.now(), ...(opts.forMs ? { forMs: opts.forMs } : {}) }, opts.env));
}

/** Connects the processes to the bus again (a no-op for those not cut). */
export function healProcesses(records: ProcessRecord[]): Map<string, SignalOutcome> {
  return signalRecords(records, HEAL_SIGNAL);
}

export function describeSignal(outcome: SignalOutcome, r: ProcessRecord, what: string): string {
  switch (outcome) {
    case 'signalled':
      return `${what} (pid ${r.pid})`;
    case 'not-running':
      return 'is not running; nothing to do';
    case 'pid-reused':
      return `pid ${r.pid} now belongs to another process; left alone`;
  }
}
