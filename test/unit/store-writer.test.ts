import { describe, expect, it } from 'vitest';
import { Writer } from '../../services/store/writer.js';
import { MvccIndex, type LogEntry } from '../../services/store/mvcc.js';
import type { StoreLog } from '../../services/store/log.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { conflict, isStatusError, serviceUnavailable } from '../../shared/api/errors.js';
import type { StoreEvent } from '../../shared/client/store.js';

interface PendingAppend {
  entry: LogEntry;
  expected: number;
  resolve(seq: number): void;
  reject(err: unknown): void;
}

/** A log the test acks by hand; `land` puts an entry in the log without acking (a lost ack). */
class ManualLog implements StoreLog {
  readonly entries: LogEntry[] = [];
  readonly pending: PendingAppend[] = [];

  append(entry: LogEntry, expected: number): Promise<number> {
    return new Promise((resolve, reject) => this.pending.push({ entry, expected, resolve, reject }));
  }

  /** Acks the oldest pending append the way JetStream would (sequence check included). */
  ackNext(): void {
    const p = this.pending.shift()!;
    if (p.expected !== this.entries.length) return p.reject(conflict('log', 'x', 'wrong last sequence'));
    this.entries.push(p.entry);
    p.resolve(this.entries.length);
  }

  /** The append reaches the log but its ack is lost: the writer sees a timeout. */
  landButTimeOut(): void {
    const p = this.pending.shift()!;
    if (p.expected === this.entries.length) this.entries.push(p.entry);
    p.reject(serviceUnavailable('timeout'));
  }

  async replay(fromSeq: number, onEntry: (e: LogEntry, seq: number) => void): Promise<number> {
    let n = 0;
    for (let seq = fromSeq; seq <= this.entries.length; seq++, n++) onEntry(this.entries[seq - 1], seq);
    return n;
  }

  async lastSeq(): Promise<number> {
    return this.entries.length;
  }

  async purgeKey(): Promise<number> {
    return 0;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function setup() {
  const log = new ManualLog();
  const index = new MvccIndex();
  const committed: StoreEvent[] = [];
  const clock = new FakeClock();
  const writer = new Writer({
    log,
    index,
    commit: (entry, rev) => {
      const e = index.apply(entry, rev);
      committed.push(e);
      return e;
    },
    leaseExists: () => false,
    clock,
    logger: silentLogger(),
  });
  return { log, index, committed, writer, clock };
}

const put = (key: string, value: string) => ({ op: 'put' as const, key, value, lease: 0 });

describe('store writer', () => {
  it('keeps several appends in flight, each expecting the previous predicted sequence', async () => {
    const { log, writer } = setup();
    const results = [writer.submit(put('a', '1')), writer.submit(put('b', '1')), writer.submit(put('a', '2'))];
    expect(log.pending.map((p) => p.expected)).toEqual([0, 1, 2]);
    log.ackNext();
    log.ackNext();
    log.ackNext();
    const events = await Promise.all(results);
    expect(events.map((e) => e.kv.modRevision)).toEqual([1, 2, 3]);
    expect(events[2].kv.version).toBe(2);
  });

  it('decides CAS against writes still in flight', async () => {
    const { log, writer } = setup();
    const created = writer.submit({ op: 'create', key: 'a', value: '1', lease: 0 });
    await expect(writer.submit({ op: 'create', key: 'a', value: '2', lease: 0 })).rejects.toMatchObject({ reason: 'AlreadyExists' });
    const updated = writer.submit({ op: 'update', key: 'a', value: '2', expectedModRevision: 1, lease: 0 });
    log.ackNext();
    log.ackNext();
    expect((await created).kv.modRevision).toBe(1);
    expect((await updated).kv).toMatchObject({ modRevision: 2, version: 2 });
  });

  it('answers a client only after its entry and all before it are committed', async () => {
    const { log, writer, committed } = setup();
    let secondDone = false;
    const first = writer.submit(put('a', '1'));
    void writer.submit(put('b', '1')).then(() => (secondDone = true));
    // The second ack cannot overtake the first: acks are applied in order.
    const [p1, p2] = log.pending.splice(0, 2);
    log.entries.push(p1.entry, p2.entry);
    p2.resolve(2);
    await settle();
    expect(secondDone).toBe(false);
    expect(committed).toHaveLength(0);
    p1.resolve(1);
    await first;
    await settle();
    expect(secondDone).toBe(true);
    expect(committed.map((e) => e.kv.modRevision)).toEqual([1, 2]);
  });

  it('on a failed append fails the in-flight writes, then commits whatever landed from the log', async () => {
    const { log, writer, committed, index } = setup();
    const a = writer.submit(put('a', '1'));
    const b = writer.submit(put('b', '1'));
    const c = writer.submit(put('c', '1'));
    log.ackNext(); // a committed
    log.landButTimeOut(); // b is in the log, but its ack was lost
    log.ackNext(); // c lands too (its expectation held)
    await expect(a).resolves.toMatchObject({ kv: { modRevision: 1 } });
    await expect(b).rejects.toMatchObject({ reason: 'ServiceUnavailable' });
    await expect(c).rejects.toMatchObject({ reason: 'ServiceUnavailable' });
    await settle();
    expect(committed.map((e) => [e.kv.key, e.kv.modRevision])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(index.revision).toBe(3);
    expect(writer.ready).toBe(true);
    const d = writer.submit(put('d', '1'));
    expect(log.pending[0].expected).toBe(3);
    log.ackNext();
    await expect(d).resolves.toMatchObject({ kv: { modRevision: 4 } });
  });

  it('refuses writes while resyncing and retries the resync until the log answers', async () => {
    const { log, writer, clock } = setup();
    let failReads = 2;
    const replay = log.replay.bind(log);
    log.replay = async (from, fn) => {
      if (failReads-- > 0) throw serviceUnavailable('jetstream not ready');
      return replay(from, fn);
    };
    const a = writer.submit(put('a', '1'));
    log.pending.shift()!.reject(serviceUnavailable('gone'));
    await expect(a).rejects.toMatchObject({ reason: 'ServiceUnavailable' });
    await settle();
    const refused = await writer.submit(put('b', '1')).catch((e) => e);
    expect(isStatusError(refused, 'ServiceUnavailable')).toBe(true);
    await clock.tick(1000);
    expect(writer.ready).toBe(true);
  });

  it('resyncs on request (a reconnect) and commits entries that landed meanwhile', async () => {
    const { log, writer, committed } = setup();
    log.entries.push({ key: 'late', op: 'put', value: 'v', lease: 0, createRevision: 1, version: 1 });
    writer.requestResync();
    await settle();
    expect(committed.map((e) => e.kv.key)).toEqual(['late']);
    expect(writer.ready).toBe(true);
  });
});
