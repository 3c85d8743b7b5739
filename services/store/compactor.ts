/**
 * Compaction: forgetting history, in memory and in the log, the way kube-apiserver asks etcd to.
 *
 * - `compact(rev)` records the compaction point durably first (meta bucket key `compact`), then
 *   drops the in-memory history at and below it, then trims the log per key in the background
 *   (each key keeps the version visible at `rev` and everything after; a key deleted by then loses
 *   its tombstone). A crash between the steps only leaves extra entries in the log, which
 *   `purgeLeftovers` removes at the next start. Compacting at or below the current point is a
 *   no-op; above the current revision is a BadRequest.
 * - Periodically (`intervalMs`, default 5 min) it compacts everything older than the last
 *   `historyWindow` events; if the history grows past twice the window between two runs, it
 *   compacts at once, so memory stays bounded under a write burst.
 * - Compactions run one at a time.
 */
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { badRequest } from '../../shared/api/errors.js';
import type { MetaBucket } from '../../shared/nats/jetstream.js';
import type { LogEntry, MvccIndex } from './mvcc.js';
import type { StoreLog } from './log.js';

export const COMPACT_META_KEY = 'compact';

export interface CompactorDeps {
  index: MvccIndex;
  log: StoreLog;
  meta: Pick<MetaBucket, 'put'>;
  clock: Clock;
  logger: Logger;
  historyWindow: number;
  intervalMs: number;
}

/** Concurrent purge requests while trimming the log. */
const PURGE_CONCURRENCY = 8;

export class Compactor {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: TimerHandle | undefined;
  private overflowQueued = false;
  /** Replay bookkeeping for entries at or below the compaction point: key → [last seq, last op, count]. */
  private readonly belowPoint = new Map<string, { seq: number; op: LogEntry['op']; count: number }>();
  private purging: Promise<void> = Promise.resolve();

  constructor(private readonly deps: CompactorDeps) {}

  start(): void {
    this.timer = this.deps.clock.setInterval(() => void this.compactToWindow().catch(() => undefined), this.deps.intervalMs);
  }

  /** Stops the timer and waits for a trim in progress. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    await this.chain.catch(() => undefined);
    await this.purging;
  }

  compact(rev: number): Promise<{ compactRevision: number }> {
    const run = this.chain.then(() => this.compactNow(rev));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Called after commits: compacts at once when the history outgrew twice its window. */
  checkOverflow(): void {
    if (this.overflowQueued || this.deps.index.historyLength <= 2 * this.deps.historyWindow) return;
    this.overflowQueued = true;
    void this.compactToWindow()
      .catch(() => undefined)
      .finally(() => (this.overflowQueued = false));
  }

  private compactToWindow(): Promise<{ compactRevision: number }> {
    const target = this.deps.index.revision - this.deps.historyWindow;
    if (target <= this.deps.index.compactRevision) return Promise.resolve({ compactRevision: this.deps.index.compactRevision });
    return this.compact(target);
  }

  private async compactNow(rev: number): Promise<{ compactRevision: number }> {
    const { index } = this.deps;
    if (!Number.isSafeInteger(rev) || rev < 0) throw badRequest('compact: revision must be an integer ≥ 0');
    if (rev > index.revision) throw badRequest(`required revision ${rev} is a future revision (current ${index.revision})`);
    if (rev <= index.compactRevision) return { compactRevision: index.compactRevision };
    try {
      await this.deps.meta.put(COMPACT_META_KEY, String(rev));
    } catch (err) {
      this.deps.logger.warn({ err, revision: rev }, 'could not record the compaction point');
      throw err;
    }
    const plan = index.compact(rev);
    this.deps.logger.info({ revision: rev, keysToTrim: plan.size }, 'compacted');
    this.trim(plan);
    return { compactRevision: rev };
  }

  /** During start-up replay: notes an entry at or below the recorded compaction point. */
  noteReplayedBelowPoint(entry: LogEntry, seq: number): void {
    const prev = this.belowPoint.get(entry.key);
    this.belowPoint.set(entry.key, { seq, op: entry.op, count: (prev?.count ?? 0) + 1 });
  }

  /** After replay: trims what an interrupted compaction left behind below its point. */
  purgeLeftovers(): void {
    const plan = new Map<string, number>();
    for (const [key, n] of this.belowPoint) {
      if (n.op === 'delete') plan.set(key, n.seq + 1);
      else if (n.count > 1) plan.set(key, n.seq);
    }
    this.belowPoint.clear();
    if (plan.size > 0) {
      this.deps.logger.info({ keys: plan.size }, 'trimming entries left by an interrupted compaction');
      this.trim(plan);
    }
  }

  private trim(plan: Map<string, number>): void {
    const work = [...plan];
    const worker = async (): Promise<void> => {
      for (let item = work.pop(); item; item = work.pop()) {
        const [key, before] = item;
        await this.deps.log.purgeKey(key, before).catch((err) => {
          // Only disk space is at stake: the index already forgot these revisions.
          this.deps.logger.debug({ err, key }, 'log trim failed for a key');
        });
      }
    };
    const previous = this.purging;
    this.purging = previous.then(() => Promise.all(Array.from({ length: PURGE_CONCURRENCY }, worker)).then(() => undefined));
  }
}
