/**
 * The store benchmark's tests, each run the same way against any `StoreTarget`:
 *
 * - `put-seq`: n unconditional puts one after another over a keyspace of 1,000 fresh keys per
 *   round (the first 1,000 create, the rest update), ~1 KB each: ops/s, p50/p99 per put.
 * - `put-64`: the same with 64 puts in flight (5·n of them).
 * - `cas-seq`: n compare-and-swap updates one after another over 100 keys, each expecting the
 *   modRevision its previous write returned (what kube-apiserver does for every update).
 * - `watch-hot` / `watch-idle`: n sequential puts on a watched prefix, back to back or with 5 ms
 *   of idle between them (n/2 of those); a watcher in another process times put-start →
 *   event-received. Latency figures are the watcher's; ops/s is the writer's.
 * - floors, to show where a write's time goes: `ping-seq`, n round trips that write nothing
 *   (kubemu: a `status` request to the store over NATS; etcd: a serializable range), and, for
 *   kubemu only, `append-seq`: n bare 1 KB JetStream appends with the expected-last-sequence
 *   check, which is the store's durable step. A put costs about ping + append + the store's work.
 *
 * Every test also reports the CPU each process group spent per operation (client = this
 * process; the store's processes by name: store and nats, or etcd; watcher). Latencies are read
 * on the monotonic clock (`process.hrtime`): the injected Clock is millisecond-grained and meant
 * for logic, not for timing. A failed test is reported with its error and the run goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startCpuMeter, type CpuGroups } from './cpu.js';
import { sinceNs, summariseNs } from './stats.js';
import { objectValue, type StoreTarget } from './target.js';
import type { WatcherProcess } from './watcher-process.js';

export type TestId = 'put-seq' | 'put-64' | 'cas-seq' | 'watch-hot' | 'watch-idle' | 'ping-seq' | 'append-seq';

export const TESTS: { id: TestId; title: string }[] = [
  { id: 'put-seq', title: 'put, sequential' },
  { id: 'put-64', title: 'put, 64 in flight' },
  { id: 'cas-seq', title: 'CAS update, sequential' },
  { id: 'watch-hot', title: 'put → watch event, hot' },
  { id: 'watch-idle', title: 'put → watch event, idle (5 ms gap)' },
  { id: 'ping-seq', title: 'floor: round trip, no write' },
  { id: 'append-seq', title: 'floor: bare JetStream append' },
];

export interface Figure {
  n: number;
  seconds: number;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** CPU µs per operation by process group (client, the store's processes, watcher). */
  cpuUsPerOp: Record<string, number>;
  error?: string;
}

export interface TestContext {
  target: StoreTarget;
  watcher: WatcherProcess;
  /** Ops of a sequential test; put-64 runs 5·n, watch-idle n/2. */
  n: number;
  /** Distinguishes this round's keys from earlier rounds' (so put-seq creates before it updates). */
  round: number;
  concurrency: number;
  idleGapMs: number;
}

const PUT_KEYS = 1000;
const CAS_KEYS = 100;
const WATCH_KEYS = 100;
export const WATCH_PREFIX = '/registry/bench-watch/';

function keyOf(ctx: TestContext, test: string, i: number): string {
  return `/registry/bench-${test}/r${ctx.round}/obj-${i}`;
}

async function measured(groups: CpuGroups, n: number, body: () => Promise<number[] | Float64Array>): Promise<Figure> {
  const cpu = startCpuMeter(groups);
  const t0 = process.hrtime.bigint();
  const samples = await body();
  const seconds = sinceNs(t0) / 1e9;
  const used = cpu();
  const cpuUsPerOp: Record<string, number> = {};
  for (const [k, s] of Object.entries(used)) cpuUsPerOp[k] = (s * 1e6) / n;
  return { ...summariseNs(samples), n, seconds, opsPerSec: n / seconds, cpuUsPerOp };
}

async function timedPuts(ctx: TestContext, test: string, n: number, inFlight: number): Promise<Float64Array> {
  const lat = new Float64Array(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const key = keyOf(ctx, test, i % PUT_KEYS);
      const t0 = process.hrtime.bigint();
      await ctx.target.put(key, objectValue(key, t0));
      lat[i] = sinceNs(t0);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return lat;
}

async function sequential(n: number, op: (i: number) => Promise<void>): Promise<Float64Array> {
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await op(i);
    lat[i] = sinceNs(t0);
  }
  return lat;
}

async function casUpdates(ctx: TestContext, n: number): Promise<Figure> {
  const revs: number[] = [];
  for (let k = 0; k < CAS_KEYS; k++) {
    const key = keyOf(ctx, 'cas', k);
    revs.push(await ctx.target.put(key, objectValue(key, process.hrtime.bigint())));
  }
  return measured(ctx.target.serverGroups, n, () =>
    sequential(n, async (i) => {
      const k = i % CAS_KEYS;
      const key = keyOf(ctx, 'cas', k);
      revs[k] = await ctx.target.update(key, objectValue(key, process.hrtime.bigint()), revs[k]);
    }),
  );
}

async function watchDelivery(ctx: TestContext, n: number, gapMs: number): Promise<Figure> {
  const budgetMs = 60_000 + n * (gapMs + 20);
  const { delivered } = await ctx.watcher.arm(n, budgetMs);
  return measured({ ...ctx.target.serverGroups, watcher: [ctx.watcher.pid] }, n, async () => {
    for (let i = 0; i < n; i++) {
      const key = `${WATCH_PREFIX}r${ctx.round}/obj-${i % WATCH_KEYS}`;
      await ctx.target.put(key, objectValue(key, process.hrtime.bigint()));
      if (gapMs > 0) await sleep(gapMs);
    }
    return delivered;
  });
}

/**
 * Both stores must do the same work: a put answers a new, higher revision, a CAS update on the
 * right revision succeeds and one on a stale revision is refused. Throws when a store does not.
 */
export async function checkSameSemantics(target: StoreTarget): Promise<void> {
  const key = '/registry/bench-check/obj';
  const r1 = await target.put(key, objectValue(key, 0n));
  const r2 = await target.update(key, objectValue(key, 1n), r1);
  if (!(r2 > r1)) throw new Error(`${target.name}: CAS update answered revision ${r2} after ${r1}`);
  const stale = await target.update(key, objectValue(key, 2n), r1).then(
    () => true,
    () => false,
  );
  if (stale) throw new Error(`${target.name}: a CAS update on a stale revision was accepted`);
}

function failed(n: number, err: unknown): Figure {
  return { n, seconds: NaN, opsPerSec: NaN, p50Us: NaN, p99Us: NaN, maxUs: NaN, cpuUsPerOp: {}, error: (err as Error)?.message ?? String(err) };
}

/** Runs one test; undefined when the target has nothing to run for it (append-seq on etcd). */
export async function runTest(id: TestId, ctx: TestContext): Promise<Figure | undefined> {
  const n = id === 'put-64' ? ctx.n * 5 : id === 'watch-idle' ? Math.max(1, Math.floor(ctx.n / 2)) : ctx.n;
  const server = ctx.target.serverGroups;
  try {
    switch (id) {
      case 'put-seq':
        return await measured(server, n, () => timedPuts(ctx, 'seq', n, 1));
      case 'put-64':
        return await measured(server, n, () => timedPuts(ctx, 'conc', n, ctx.concurrency));
      case 'cas-seq':
        return await casUpdates(ctx, n);
      case 'watch-hot':
        return await watchDelivery(ctx, n, 0);
      case 'watch-idle':
        return await watchDelivery(ctx, n, ctx.idleGapMs);
      case 'ping-seq':
        return await measured(server, n, () => sequential(n, () => ctx.target.ping()));
      case 'append-seq': {
        const append = ctx.target.logAppend;
        if (!append) return undefined;
        return await measured(server, n, () => sequential(n, () => append(objectValue('append', process.hrtime.bigint()))));
      }
    }
  } catch (err) {
    return failed(n, err);
  }
}
