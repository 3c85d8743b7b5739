/**
 * Network partitions by signal, for the processes of a node (kubelet, kube-proxy): SIGUSR2 cuts
 * the process from the bus (`Bus.partition`), SIGCONT heals it (`Bus.heal`). Signals, because a
 * partitioned process cannot hear NATS, and because `docker compose kill -s SIGUSR2 node-2` then
 * works too. The process keeps running (its containers keep serving) while cut.
 *
 * Not SIGUSR1: Node 20 reserves it for the inspector (a listener never runs, and a debugger opens
 * on port 9229). SIGCONT ("continue") is harmless to any process without the handler.
 *
 * A partition may carry a duration: whoever sends SIGUSR2 first leaves a *partition order*,
 * `{"forMs": N, "writtenAt": <epoch ms>}`, in `partitionOrderPath(pid)` (directory
 * `KUBEMU_PARTITION_DIR`, default `<tmpdir>/kubemu-partitions`); the process reads and removes it
 * when the signal arrives and heals itself after N ms — so the partition ends even if the CLI that
 * made it is gone. No order (or one older than a minute: left behind by a signal never delivered)
 * means "until SIGCONT". A second SIGUSR2 while cut replaces the timer with its own order.
 *
 * Must not exit the process or touch anything but the bus it is given.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, TimerHandle } from './clock.js';
import type { Logger } from './logger.js';

export const PARTITION_SIGNAL: NodeJS.Signals = 'SIGUSR2';
export const HEAL_SIGNAL: NodeJS.Signals = 'SIGCONT';

/** Orders older than this were never picked up by their process; ignored. */
const ORDER_TTL_MS = 60_000;

export interface PartitionOrder {
  forMs?: number;
  writtenAt: number;
}

/** What can be cut and healed (the Bus). */
export interface Partitionable {
  partition(): Promise<void>;
  heal(): Promise<void>;
  readonly partitioned: boolean;
}

export function partitionOrderDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEMU_PARTITION_DIR || join(tmpdir(), 'kubemu-partitions');
}

export function partitionOrderPath(pid: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(partitionOrderDir(env), `${pid}.json`);
}

/** Leaves the order for `pid`, to be sent PARTITION_SIGNAL right after. */
export function writePartitionOrder(pid: number, order: PartitionOrder, env: NodeJS.ProcessEnv = process.env): void {
  mkdirSync(partitionOrderDir(env), { recursive: true });
  writeFileSync(partitionOrderPath(pid, env), `${JSON.stringify(order)}\n`);
}

/** Takes (reads and removes) the order for `pid`; undefined when there is none, it is stale or unreadable. */
export function takePartitionOrder(pid: number, now: number, env: NodeJS.ProcessEnv = process.env): PartitionOrder | undefined {
  const path = partitionOrderPath(pid, env);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  rmSync(path, { force: true });
  try {
    const o = JSON.parse(raw) as Partial<PartitionOrder>;
    if (typeof o.writtenAt !== 'number' || now - o.writtenAt > ORDER_TTL_MS) return undefined;
    const forMs = typeof o.forMs === 'number' && o.forMs > 0 ? o.forMs : undefined;
    return { writtenAt: o.writtenAt, ...(forMs !== undefined ? { forMs } : {}) };
  } catch {
    return undefined;
  }
}

export interface PartitionListenerDeps {
  bus: Partitionable;
  clock: Clock;
  log: Logger;
  /** Where the signals arrive (process). */
  signals?: NodeJS.EventEmitter;
  pid?: number;
  env?: NodeJS.ProcessEnv;
}

export interface PartitionListener {
  dispose(): void;
}

export function listenForPartition(deps: PartitionListenerDeps): PartitionListener {
  const target = deps.signals ?? process;
  const pid = deps.pid ?? process.pid;
  let timer: TimerHandle | undefined;
  const heal = (why: string): void => {
    timer?.cancel();
    timer = undefined;
    if (!deps.bus.partitioned) return;
    deps.log.warn({ why }, 'healing the partition');
    void deps.bus.heal().catch((err: unknown) => deps.log.error({ err }, 'heal failed'));
  };
  const onPartition = (): void => {
    const order = takePartitionOrder(pid, deps.clock.now(), deps.env);
    timer?.cancel();
    timer = undefined;
    if (order?.forMs !== undefined) timer = deps.clock.setTimeout(() => heal(`partition of ${order.forMs} ms over`), order.forMs);
    deps.log.warn({ forMs: order?.forMs ?? null }, order?.forMs ? `partitioned from the bus (${PARTITION_SIGNAL}) for a while` : `partitioned from the bus (${PARTITION_SIGNAL}) until ${HEAL_SIGNAL}`);
    void deps.bus.partition().catch((err: unknown) => deps.log.error({ err }, 'partition failed'));
  };
  const onHeal = (): void => heal(HEAL_SIGNAL);
  target.on(PARTITION_SIGNAL, onPartition);
  target.on(HEAL_SIGNAL, onHeal);
  return {
    dispose() {
      timer?.cancel();
      target.off(PARTITION_SIGNAL, onPartition);
      target.off(HEAL_SIGNAL, onHeal);
    },
  };
}
