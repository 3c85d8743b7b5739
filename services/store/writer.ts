/**
 * The store's one write path: serialized CAS decisions, pipelined appends, in-order commits.
 *
 * - `submit` decides a write at once against the *predicted* state: the committed index plus every
 *   write still in flight (the overlay), then appends it expecting the previous prediction as the
 *   log's last sequence. Several appends are in flight at a time; JetStream's sequence check keeps
 *   them in exactly the predicted order.
 * - Commits happen strictly in revision order as acks arrive: `commit` updates the index, tells the
 *   watchers and the leases; only then is the client answered. So an answered write is durable and
 *   every watcher sees it.
 * - If an append fails (timeout, conflict, JetStream gone), the writer breaks: it refuses new writes
 *   and fails every uncommitted one with ServiceUnavailable (the write may or may not have landed —
 *   never "acknowledged but lost"). Once all appends have settled it **resyncs**: it reads the log
 *   from the last committed revision + 1 and commits whatever landed (watchers see it like any other
 *   change), then takes writes again. A write that lands later still (a buffered publish flushed
 *   after a reconnect) makes the next append fail, which resyncs again.
 *
 * Must not: answer a client before its entry is committed, or commit out of order.
 */
import type { Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { KeyValue, StoreEvent } from '../../shared/client/store.js';
import { serviceUnavailable, statusError } from '../../shared/api/errors.js';
import { entryToKv, planWrite, type LogEntry, type MvccIndex, type WriteRequest } from './mvcc.js';
import type { StoreLog } from './log.js';

export interface WriterDeps {
  log: StoreLog;
  index: MvccIndex;
  /** Applies a committed entry everywhere (index, watchers, leases) and returns its event. */
  commit(entry: LogEntry, rev: number): StoreEvent;
  leaseExists(id: number): boolean;
  clock: Clock;
  logger: Logger;
  /** Called after every successful resync (e.g. to announce the store again). */
  onResynced?(): void;
}

interface InFlight {
  rev: number;
  entry: LogEntry;
  settled: 'pending' | 'acked' | 'failed';
  error?: unknown;
  answered: boolean;
  resolve(e: StoreEvent): void;
  reject(err: unknown): void;
}

type State = 'ready' | 'broken' | 'resyncing' | 'stopped';

export class Writer {
  private readonly queue: InFlight[] = [];
  /** Predicted value of keys with writes in flight (undefined = deleted), with the predicting revision. */
  private readonly overlay = new Map<string, { kv: KeyValue | undefined; rev: number }>();
  private predicted: number;
  private state: State = 'ready';
  private resyncWanted = false;
  private closing = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: WriterDeps) {
    this.predicted = deps.index.revision;
  }

  get inFlight(): number {
    return this.queue.length;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Decides and appends one write; resolves with its committed event. */
  submit(req: WriteRequest): Promise<StoreEvent> {
    if (this.closing) return Promise.reject(serviceUnavailable('the store is stopping; retry'));
    if (this.state !== 'ready') {
      return Promise.reject(serviceUnavailable('the store is resynchronising with its log; retry'));
    }
    if (req.op !== 'delete' && req.lease !== 0 && !this.deps.leaseExists(req.lease)) {
      return Promise.reject(statusError('NotFound', `requested lease not found: ${req.lease}`));
    }
    const o = this.overlay.get(req.key);
    const current = o ? o.kv : this.deps.index.get(req.key);
    const rev = this.predicted + 1;
    let entry: LogEntry;
    try {
      entry = planWrite(req, current, rev);
    } catch (err) {
      return Promise.reject(err);
    }
    this.predicted = rev;
    this.overlay.set(req.key, { kv: entryToKv(entry, rev), rev });
    return new Promise<StoreEvent>((resolve, reject) => {
      const f: InFlight = { rev, entry, settled: 'pending', answered: false, resolve, reject };
      this.queue.push(f);
      this.deps.log.append(entry, rev - 1).then(
        (seq) => {
          if (seq === rev) f.settled = 'acked';
          else {
            f.settled = 'failed';
            f.error = new Error(`log acknowledged sequence ${seq}, predicted ${rev}`);
          }
          this.drain();
        },
        (err) => {
          f.settled = 'failed';
          f.error = err;
          this.drain();
        },
      );
    });
  }

  /** Commits acked entries in order; on the first failure breaks and, once all settled, resyncs. */
  private drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.settled === 'pending') break;
      this.queue.shift();
      if (head.settled === 'acked' && this.state === 'ready') {
        let event: StoreEvent;
        try {
          event = this.deps.commit(head.entry, head.rev);
        } catch (err) {
          // A bug, not an outage: whatever part of the commit happened, the resync re-reads the rest.
          this.deps.logger.error({ err, revision: head.rev }, 'commit failed');
          this.break(err);
          this.answerFailed(head);
          continue;
        }
        if (this.overlay.get(head.entry.key)?.rev === head.rev) this.overlay.delete(head.entry.key);
        head.answered = true;
        head.resolve(event);
        continue;
      }
      if (this.state === 'ready') this.break(head.error);
      this.answerFailed(head);
    }
    if (this.queue.length === 0) {
      this.notifyIdle();
      if (this.state === 'broken' || (this.state === 'ready' && this.resyncWanted)) void this.resync();
    }
  }

  private break(cause: unknown): void {
    this.state = 'broken';
    this.deps.logger.warn({ err: cause, revision: this.deps.index.revision, inFlight: this.queue.length + 1 }, 'append failed; resyncing with the log');
    for (const f of this.queue) this.answerFailed(f);
  }

  private answerFailed(f: InFlight): void {
    if (f.answered) return;
    f.answered = true;
    f.reject(serviceUnavailable('the store lost its log while writing; the write may or may not have been applied'));
  }

  /**
   * Asks for a resync (e.g. after the bus reconnected): done at once when nothing is in flight,
   * else after the in-flight appends settle.
   */
  requestResync(): void {
    if (this.state !== 'ready') return;
    if (this.queue.length > 0) this.resyncWanted = true;
    else void this.resync();
  }

  private async resync(): Promise<void> {
    if (this.state === 'resyncing' || this.state === 'stopped') return;
    this.state = 'resyncing';
    this.resyncWanted = false;
    let delay = 100;
    for (;;) {
      try {
        const from = this.deps.index.revision + 1;
        const n = await this.deps.log.replay(from, (entry, seq) => {
          if (seq > this.deps.index.revision) this.deps.commit(entry, seq);
        });
        const last = await this.deps.log.lastSeq();
        if (last > this.deps.index.revision) throw new Error(`log grew to ${last} during the resync`);
        if (n > 0) this.deps.logger.info({ entries: n, revision: this.deps.index.revision }, 'resync committed entries found in the log');
        break;
      } catch (err) {
        if ((this.state as State) === 'stopped') return;
        this.deps.logger.warn({ err, retryInMs: delay }, 'resync failed; retrying');
        await this.deps.clock.sleep(delay);
        if ((this.state as State) === 'stopped') return;
        delay = Math.min(delay * 2, 2000);
      }
    }
    this.overlay.clear();
    this.predicted = this.deps.index.revision;
    this.state = 'ready';
    this.deps.logger.info({ revision: this.predicted }, 'resynced with the log; taking writes');
    this.deps.onResynced?.();
  }

  /** Refuses new writes and waits (bounded by the appends' own timeouts) for the in-flight ones. */
  async stop(): Promise<void> {
    this.closing = true;
    if (this.queue.length > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    this.state = 'stopped';
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
