/**
 * Durability of the store: acknowledged writes survive SIGKILL of the store process and of
 * nats-server, and watches opened before a crash continue afterwards with no gap and no duplicate.
 * The tests run in order against one nats-server and one store process; only this file writes to
 * them, so the global revisions are exactly 1, 2, 3, … and any hole is a lost event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../support/nats.js';
import { startStoreProcess, type StoreProcess } from '../support/store-process.js';
import { WatchRecorder } from '../support/store-contract.js';
import { eventually } from '../support/eventually.js';
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { connectStore, type NatsStoreClient } from '../../shared/client/nats-store-client.js';
import type { KeyValue } from '../../shared/client/store.js';
import { openStream } from '../../shared/nats/jetstream.js';
import { logStreamConfig } from '../../services/store/log.js';

function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

describe('store durability', () => {
  let nats: TestNats;
  let store: StoreProcess;
  let bus: Bus;
  let client: NatsStoreClient;
  /** Watches every key from revision 1, opened before anything was written. */
  const all = new WatchRecorder();
  const acked = new Map<string, KeyValue>();

  const putAll = async (keys: string[]): Promise<void> => {
    await Promise.all(keys.map(async (k) => acked.set(k, await client.put(k, `value of ${k}`))));
  };

  const expectEveryAckedWrite = async (): Promise<void> => {
    const { kvs } = await client.range('/');
    const stored = new Map(kvs.map((kv) => [kv.key, kv]));
    for (const [key, kv] of acked) expect(stored.get(key), key).toEqual(kv);
  };

  beforeAll(async () => {
    nats = await startTestNats();
    // A short append timeout, so a nats-server outage of a couple of seconds breaks the writer.
    store = await startStoreProcess({ natsUrl: nats.url, args: ['--progress-interval-ms', '200', '--append-timeout-ms', '1000'] });
    bus = await connectBus({ servers: nats.url, name: 'durability' });
    client = connectStore(bus, { clientId: 'durability', timeoutMs: 3000, keepaliveIntervalMs: 500 });
    await client.watch('/', 1, all.handler);
  });
  afterAll(async () => {
    await client?.close();
    await bus?.close();
    await store?.stop();
    await nats?.dispose();
  });

  it('keeps every acknowledged write across SIGKILL of the store, and the open watch resumes without a gap', async () => {
    await putAll(range(500).map((i) => `/a/${i}`));
    await eventually(() => expect(all.events).toHaveLength(500));
    const seenBeforeCrash = all.events.length;

    await store.kill();
    await store.restart();
    await expectEveryAckedWrite();
    expect((await client.status()).revision).toBe(500);

    await putAll(range(100).map((i) => `/b/${i}`));
    await eventually(() => expect(all.events).toHaveLength(600), { timeoutMs: 15_000 });
    expect(all.revisions()).toEqual(range(600));
    expect(all.errors).toEqual([]);
    expect(seenBeforeCrash).toBe(500);

    // A new watch can resume from the last revision a consumer saw before the crash.
    const resumed = new WatchRecorder();
    const w = await client.watch('/', 451, resumed.handler);
    await eventually(() => expect(resumed.revisions()).toEqual(range(150, 451)));
    expect(resumed.events[0].kv.key).toBe(all.events[450].kv.key);
    await w.cancel();
  });

  it('survives SIGKILL of nats-server: resyncs, keeps every acknowledged write, and the open watch continues', async () => {
    const before = (await client.status()).revision;
    await nats.kill();
    await nats.restart();
    await eventually(async () => expect((await client.status()).revision).toBe(before), { timeoutMs: 20_000 });
    await eventually(async () => void (await client.put('/c/probe', 'after restart')), { timeoutMs: 20_000 });
    await putAll(range(100).map((i) => `/c/${i}`));
    await expectEveryAckedWrite();
    const last = (await client.status()).revision;
    await eventually(() => expect(all.events.length).toBe(last), { timeoutMs: 20_000 });
    expect(all.revisions()).toEqual(range(last));
    expect(all.errors).toEqual([]);
  });

  /** 16 writers putting fresh keys under `prefix` until stopped; each write ends acked or failed. */
  const startLoad = (prefix: string) => {
    const outcomes = new Map<number, 'acked' | 'failed'>();
    const inFlight = new Set<number>();
    let stopped = false;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!stopped) {
        const n = next++;
        const key = `${prefix}${n}`;
        inFlight.add(n);
        try {
          acked.set(key, await client.put(key, `value of ${key}`));
          outcomes.set(n, 'acked');
        } catch {
          outcomes.set(n, 'failed');
        }
        inFlight.delete(n);
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    const count = (o: 'acked' | 'failed'): number => [...outcomes.values()].filter((x) => x === o).length;
    return {
      count,
      /** Waits until every write begun so far has ended and 50 begun after that were acked. */
      async flowing(): Promise<void> {
        const from = next;
        await eventually(
          () => {
            expect([...inFlight].filter((n) => n < from)).toEqual([]);
            expect([...outcomes].filter(([n, o]) => n >= from && o === 'acked').length).toBeGreaterThanOrEqual(50);
          },
          { timeoutMs: 30_000 },
        );
      },
      async stop() {
        stopped = true;
        await Promise.all(workers);
      },
    };
  };

  /** Every committed change reached the open watch exactly once, and it matches what is stored. */
  const expectWatchEqualsLog = async (prefix: string): Promise<void> => {
    const last = (await client.status()).revision;
    await eventually(() => expect(all.events.length).toBe(last), { timeoutMs: 20_000 });
    expect(all.revisions()).toEqual(range(last));
    const { kvs } = await client.range(prefix);
    const watched = new Set(all.events.filter((e) => e.kv.key.startsWith(prefix)).map((e) => e.kv.key));
    expect(new Set(kvs.map((kv) => kv.key))).toEqual(watched);
    expect(all.errors).toEqual([]);
  };

  it('never acknowledges and then loses a write that was in flight while nats-server died', async () => {
    const load = startLoad('/inflight/');
    await eventually(() => expect(load.count('acked')).toBeGreaterThan(300));
    await nats.kill();
    await nats.restart();
    await load.flowing();
    await load.stop();
    expect(load.count('failed'), 'some writes were in flight when nats-server died').toBeGreaterThan(0);
    await expectEveryAckedWrite();
    // Whatever landed, acknowledged or not, is a real committed event that the watch saw.
    await expectWatchEqualsLog('/inflight/');
  });

  it('commits appends that timed out but landed, after a freeze of nats-server longer than the append timeout', async () => {
    const load = startLoad('/frozen/');
    await eventually(() => expect(load.count('acked')).toBeGreaterThan(300));
    // The store must hold appends at the moment of the freeze; it usually does under this load,
    // and when it happened to be idle, thaw and freeze again.
    let mark = 0;
    for (let attempt = 0; ; attempt++) {
      mark = store.output().length;
      nats.pause();
      const broke = await eventually(() => expect(store.output().indexOf('append failed; resyncing', mark)).toBeGreaterThan(0), {
        timeoutMs: 1500,
      }).then(
        () => true,
        () => false,
      );
      nats.resume();
      if (broke) break;
      expect(attempt, 'the store never had an append in flight at a freeze').toBeLessThan(10);
      await load.flowing();
    }
    await load.flowing();
    await load.stop();
    // The timed-out appends reached JetStream after the thaw; the resync found and committed them.
    expect(store.output().slice(mark)).toMatch(/"entries":[1-9]\d*[^\n]*resync committed entries found in the log/);
    await expectEveryAckedWrite();
    await expectWatchEqualsLog('/frozen/');
  });

  it('keeps the compaction point and the data across a restart, with the log trimmed to one entry per key', async () => {
    const point = (await client.status()).revision;
    const keys = (await client.range('/', { countOnly: true })).remaining;
    expect(await client.compact(point)).toEqual({ compactRevision: point });
    const stream = await openStream(bus, logStreamConfig(1));
    await eventually(async () => expect((await stream.state()).messages).toBe(keys));

    const before = acked.get('/a/1')!;
    await putAll(['/a/1', ...range(19).map((i) => `/after-compaction/${i}`)]);
    await store.kill();
    await store.restart();
    expect(await client.status()).toMatchObject({ compactRevision: point, revision: point + 20, oldestWatchRevision: point + 1 });
    await expectEveryAckedWrite();
    const err = await client.watch('/', point, new WatchRecorder().handler).catch((e) => e);
    expect(err).toMatchObject({ reason: 'Expired', code: 410 });
    // Events after the point still carry their prevKv: the version visible at the point was kept.
    const after = new WatchRecorder();
    const w = await client.watch('/', point + 1, after.handler);
    await eventually(() => expect(after.events).toHaveLength(20));
    expect(after.events.find((e) => e.kv.key === '/a/1')?.prevKv).toEqual(before);
    await w.cancel();
    await eventually(() => expect(all.revisions()).toEqual(range(point + 20)));
  });

  it('restores leases after a restart: full TTL again, keys still attached, expiry still deletes them', async () => {
    const long = await client.leaseGrant(30);
    const short = await client.leaseGrant(2);
    await client.put('/leased/long', 'x', { lease: long.id });
    await client.put('/leased/short', 'x', { lease: short.id });
    await store.kill();
    await store.restart();
    const ttl = await client.leaseTimeToLive(long.id);
    expect(ttl).toMatchObject({ id: long.id, grantedTtl: 30, keys: ['/leased/long'] });
    expect(ttl.ttl).toBeGreaterThanOrEqual(29);
    expect(await client.leaseKeepAlive(long.id)).toEqual({ ttl: 30 });
    await eventually(async () => expect((await client.get('/leased/short')).kv).toBeNull(), { timeoutMs: 8000 });
    await client.leaseRevoke(long.id);
    expect((await client.get('/leased/long')).kv).toBeNull();
    expect((await client.status()).leases).toBe(0);
  });
});

describe('store start-up', () => {
  it('waits for a nats-server that is not up yet, then serves', async () => {
    const nats = await startTestNats();
    await nats.stop();
    const starting = startStoreProcess({ natsUrl: nats.url });
    await nats.restart();
    const store = await starting;
    const bus = await connectBus({ servers: nats.url, name: 'late-start' });
    const client = connectStore(bus, { clientId: 'late-start' });
    try {
      await client.put('/x', 'v');
      expect((await client.get('/x')).kv?.value).toBe('v');
    } finally {
      await client.close();
      await bus.close();
      await store.stop();
      await nats.dispose();
    }
  });
});
