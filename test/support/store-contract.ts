/**
 * The StoreClient contract as one suite, run against every implementation (today: the store
 * process over NATS through NatsStoreClient). Each test works under its own key prefix so tests
 * do not see each other's keys; they share one store, so revisions are global and only compared
 * relative to what a test itself wrote.
 *
 * `setup` starts the implementation; the store it starts must send progress notifications every
 * `progressIntervalMs` (keep it short, e.g. 200 ms).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_VALUE_BYTES, type StoreClient, type StoreEvent, type StoreWatch } from '../../shared/client/store.js';
import { isStatusError } from '../../shared/api/errors.js';
import { eventually } from './eventually.js';

export interface StoreContractTarget {
  client: StoreClient;
  /** Another client with its own connection (another process in real life). */
  newClient(): Promise<StoreClient>;
  progressIntervalMs: number;
  teardown(): Promise<void>;
}

/** Records what a watch delivers. */
export class WatchRecorder {
  events: StoreEvent[] = [];
  progress: number[] = [];
  errors: Error[] = [];
  batches = 0;

  handler = {
    onEvents: (events: StoreEvent[]): void => {
      this.batches++;
      this.events.push(...events);
    },
    onProgress: (rev: number): void => void this.progress.push(rev),
    onError: (err: Error): void => void this.errors.push(err),
  };

  revisions(): number[] {
    return this.events.map((e) => e.kv.modRevision);
  }

  /** Every revision once, increasing. */
  expectOrderedUnique(): void {
    const revs = this.revisions();
    for (let i = 1; i < revs.length; i++) expect(revs[i], `event ${i} after ${revs[i - 1]}`).toBeGreaterThan(revs[i - 1]);
  }
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return isStatusError(err) ? err.reason : `not a StatusError: ${String(err)}`;
  }
  return 'no error';
}

let unique = 0;
function prefix(name: string): string {
  return `/contract/${name}-${Date.now().toString(36)}-${unique++}/`;
}

export function describeStoreContract(name: string, setup: () => Promise<StoreContractTarget>): void {
  describe(`StoreClient contract: ${name}`, () => {
    let t: StoreContractTarget;
    let c: StoreClient;
    const watches: StoreWatch[] = [];
    const watch = async (p: string, from: number, rec: WatchRecorder, client = c): Promise<StoreWatch> => {
      const w = await client.watch(p, from, rec.handler);
      watches.push(w);
      return w;
    };

    beforeAll(async () => {
      t = await setup();
      c = t.client;
    });
    afterAll(async () => {
      for (const w of watches) await w.cancel().catch(() => undefined);
      await t?.teardown();
    });

    it('gives every change the next global revision, published as modRevision', async () => {
      const p = prefix('rev');
      const a = await c.create(`${p}a`, '{"n":1}');
      const b = await c.create(`${p}b`, '{"n":2}');
      const a2 = await c.update(`${p}a`, '{"n":3}', a.modRevision);
      expect(b.modRevision).toBe(a.modRevision + 1);
      expect(a2.modRevision).toBe(b.modRevision + 1);
      expect(a2).toMatchObject({ createRevision: a.modRevision, version: 2, value: '{"n":3}', lease: 0 });
      const got = await c.get(`${p}a`);
      expect(got.kv).toEqual(a2);
      expect(got.revision).toBeGreaterThanOrEqual(a2.modRevision);
      expect((await c.status()).revision).toBeGreaterThanOrEqual(a2.modRevision);
      expect((await c.get(`${p}missing`)).kv).toBeNull();
    });

    it('creates only if absent: AlreadyExists otherwise', async () => {
      const p = prefix('create');
      await c.create(`${p}x`, 'v');
      expect(await reason(c.create(`${p}x`, 'v2'))).toBe('AlreadyExists');
      expect((await c.get(`${p}x`)).kv?.value).toBe('v');
    });

    it('updates only at the expected modRevision: Conflict when changed, NotFound when absent', async () => {
      const p = prefix('update');
      const v1 = await c.create(`${p}x`, '1');
      const v2 = await c.update(`${p}x`, '2', v1.modRevision);
      expect(await reason(c.update(`${p}x`, '3', v1.modRevision))).toBe('Conflict');
      expect(await reason(c.update(`${p}missing`, '3', v2.modRevision))).toBe('NotFound');
      expect((await c.get(`${p}x`)).kv?.value).toBe('2');
    });

    it('deletes conditionally or not, returning the deletion revision and the old value', async () => {
      const p = prefix('delete');
      const v1 = await c.create(`${p}x`, '1');
      await c.create(`${p}y`, '1');
      expect(await reason(c.delete(`${p}x`, v1.modRevision + 1000))).toBe('Conflict');
      const d = await c.delete(`${p}x`, v1.modRevision);
      expect(d.prevKv).toEqual(v1);
      expect(d.revision).toBeGreaterThan(v1.modRevision);
      expect(await reason(c.delete(`${p}x`))).toBe('NotFound');
      expect((await c.delete(`${p}y`)).prevKv.value).toBe('1');
      expect((await c.range(p)).kvs).toEqual([]);
    });

    it('puts unconditionally: creates, then overwrites', async () => {
      const p = prefix('put');
      const a = await c.put(`${p}x`, '1');
      const b = await c.put(`${p}x`, '2');
      expect(a.version).toBe(1);
      expect(b).toMatchObject({ version: 2, createRevision: a.modRevision, value: '2' });
    });

    it('ranges a prefix in key order, pages with limit/continue, and continues across writes', async () => {
      const p = prefix('range');
      for (const k of ['e', 'a', 'd', 'b', 'c']) await c.create(`${p}${k}`, k);
      await c.create(`${p.slice(0, -1)}x`, 'outside the prefix');
      const all = await c.range(p);
      expect(all.kvs.map((k) => k.value)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(all.remaining).toBe(0);
      const page1 = await c.range(p, { limit: 2 });
      expect(page1.kvs.map((k) => k.value)).toEqual(['a', 'b']);
      expect(page1.remaining).toBe(3);
      expect(page1.continue).toBeTruthy();
      await c.delete(`${p}c`);
      await c.create(`${p}bb`, 'bb');
      await c.create(`${p}0`, 'before the page');
      const page2 = await c.range(p, { limit: 2, continue: page1.continue });
      expect(page2.kvs.map((k) => k.value)).toEqual(['bb', 'd']);
      expect(page2.remaining).toBe(1);
      expect(page2.revision).toBeGreaterThan(page1.revision);
      const page3 = await c.range(p, { limit: 2, continue: page2.continue });
      expect(page3.kvs.map((k) => k.value)).toEqual(['e']);
      expect(page3.remaining).toBe(0);
      expect(page3.continue).toBeUndefined();
      expect((await c.range(p, { countOnly: true })).remaining).toBe(6);
    });

    it('watches from a past revision: replays, then goes on live, in order, with prevKv', async () => {
      const p = prefix('watch');
      const a1 = await c.create(`${p}a`, '1');
      await c.update(`${p}a`, '2', a1.modRevision);
      await c.create(`${p.slice(0, -1)}-other`, 'not mine');
      const rec = new WatchRecorder();
      const w = await watch(p, a1.modRevision, rec);
      await eventually(() => expect(rec.events).toHaveLength(2));
      const d = await c.delete(`${p}a`);
      await eventually(() => expect(rec.events).toHaveLength(3));
      expect(rec.events.map((e) => [e.type, e.kv.value, e.prevKv?.value])).toEqual([
        ['PUT', '1', undefined],
        ['PUT', '2', '1'],
        ['DELETE', '', '2'],
      ]);
      expect(rec.events[2].kv.modRevision).toBe(d.revision);
      expect(w.revision).toBe(d.revision);
      rec.expectOrderedUnique();
    });

    it('watches from 0: only changes after the watch was accepted', async () => {
      const p = prefix('now');
      await c.create(`${p}before`, 'b');
      const rec = new WatchRecorder();
      await watch(p, 0, rec);
      const after = await c.create(`${p}after`, 'a');
      await eventually(() => expect(rec.events.map((e) => e.kv.key)).toEqual([`${p}after`]));
      expect(rec.events[0].kv.modRevision).toBe(after.modRevision);
    });

    it('delivers 2,000 concurrent writes to two watchers from different revisions: in order, no gaps, no duplicates', async () => {
      const p = prefix('burst');
      const start = (await c.status()).revision + 1;
      const early = new WatchRecorder();
      await watch(p, start, early, await t.newClient());
      const acked: number[] = [];
      await Promise.all(
        Array.from({ length: 2000 }, (_, i) => c.put(`${p}${i % 137}`, `v${i}`).then((kv) => acked.push(kv.modRevision))),
      );
      acked.sort((x, y) => x - y);
      const from = acked[700];
      const late = new WatchRecorder();
      await watch(p, from, late);
      await eventually(() => expect(early.events.length).toBe(2000), { timeoutMs: 20_000 });
      await eventually(() => expect(late.events.length).toBe(2000 - 700), { timeoutMs: 20_000 });
      expect(early.revisions()).toEqual(acked);
      expect(late.revisions()).toEqual(acked.slice(700));
      // prevKv is the previous version of the same key, so each key's history chains up.
      const lastSeen = new Map<string, number>();
      for (const e of early.events) {
        expect(e.prevKv?.modRevision).toBe(lastSeen.get(e.kv.key));
        lastSeen.set(e.kv.key, e.kv.modRevision);
      }
      expect(early.errors).toEqual([]);
    });

    it('after compaction, a watch from a compacted revision fails with Expired (410)', async () => {
      const p = prefix('compact');
      const a = await c.create(`${p}a`, '1');
      const b = await c.update(`${p}a`, '2', a.modRevision);
      const { compactRevision } = await c.compact(b.modRevision);
      expect(compactRevision).toBe(b.modRevision);
      const st = await c.status();
      expect(st.compactRevision).toBe(b.modRevision);
      expect(st.oldestWatchRevision).toBe(b.modRevision + 1);
      const err = await c.watch(p, a.modRevision, new WatchRecorder().handler).catch((e) => e);
      expect(isStatusError(err, 'Expired')).toBe(true);
      expect((err as { code: number }).code).toBe(410);
      expect((err as Error).message).toBe('required revision has been compacted');
      // The data itself is untouched, and a watch just after the point works.
      expect((await c.get(`${p}a`)).kv?.value).toBe('2');
      const rec = new WatchRecorder();
      await watch(p, b.modRevision + 1, rec);
      await c.update(`${p}a`, '3', b.modRevision);
      await eventually(() => expect(rec.events.map((e) => [e.kv.value, e.prevKv?.value])).toEqual([['3', '2']]));
      expect(await reason(c.compact(st.revision + 1000))).toBe('BadRequest');
    });

    it('sends progress notifications to an idle watch', async () => {
      const p = prefix('progress');
      const rec = new WatchRecorder();
      const w = await watch(p, 0, rec);
      await c.put(`${prefix('elsewhere')}x`, 'moves the revision');
      const rev = (await c.status()).revision;
      await eventually(() => expect(Math.max(0, ...rec.progress)).toBeGreaterThanOrEqual(rev), { timeoutMs: t.progressIntervalMs * 10 + 2000 });
      expect(rec.events).toEqual([]);
      expect(w.revision).toBeGreaterThanOrEqual(rev);
    });

    it('expires a lease: its keys are deleted and a watcher sees the DELETE events', async () => {
      const p = prefix('lease-expiry');
      const { id, ttl } = await c.leaseGrant(1);
      expect(ttl).toBe(1);
      await c.put(`${p}a`, 'x', { lease: id });
      await c.put(`${p}b`, 'x', { lease: id });
      await c.put(`${p}keep`, 'x');
      const rec = new WatchRecorder();
      await watch(p, 0, rec);
      await eventually(() => expect(rec.events.filter((e) => e.type === 'DELETE').map((e) => e.kv.key).sort()).toEqual([`${p}a`, `${p}b`]), {
        timeoutMs: 6000,
      });
      expect(rec.events.every((e) => e.prevKv?.lease === id)).toBe(true);
      expect((await c.range(p)).kvs.map((k) => k.key)).toEqual([`${p}keep`]);
      expect(await reason(c.leaseKeepAlive(id))).toBe('NotFound');
      expect(await reason(c.put(`${p}c`, 'x', { lease: id }))).toBe('NotFound');
    });

    it('keeps a lease alive with keepalives and reports its TTL and keys', async () => {
      const p = prefix('lease-keepalive');
      const { id } = await c.leaseGrant(2);
      await c.put(`${p}a`, 'x', { lease: id });
      const until = Date.now() + 3500;
      while (Date.now() < until) {
        expect(await c.leaseKeepAlive(id)).toEqual({ ttl: 2 });
        await new Promise((r) => setTimeout(r, 500)); // the keepalive cadence itself, not a wait for a condition
      }
      expect((await c.get(`${p}a`)).kv).not.toBeNull();
      const ttl = await c.leaseTimeToLive(id);
      expect(ttl).toMatchObject({ id, grantedTtl: 2, keys: [`${p}a`] });
      expect(ttl.ttl).toBeGreaterThan(0);
      await c.leaseRevoke(id);
    });

    it('revokes a lease: its keys are deleted at once through the write path', async () => {
      const p = prefix('lease-revoke');
      const { id } = await c.leaseGrant(60);
      await c.put(`${p}a`, 'x', { lease: id });
      const rec = new WatchRecorder();
      await watch(p, 0, rec);
      await c.leaseRevoke(id);
      expect((await c.get(`${p}a`)).kv).toBeNull();
      await eventually(() => expect(rec.events.map((e) => e.type)).toEqual(['DELETE']));
      expect(await reason(c.leaseRevoke(id))).toBe('NotFound');
      expect(await reason(c.leaseTimeToLive(id))).toBe('NotFound');
    });

    it('refuses a value over the size limit with RequestEntityTooLarge', async () => {
      const p = prefix('large');
      expect(await reason(c.put(`${p}x`, 'x'.repeat(MAX_VALUE_BYTES + 1)))).toBe('RequestEntityTooLarge');
      const big = await c.put(`${p}y`, 'y'.repeat(1024 * 1024));
      expect((await c.get(`${p}y`)).kv?.value.length).toBe(1024 * 1024);
      expect(big.version).toBe(1);
    });

    it('ranges more data than one reply can carry: short pages with a limit, everything without', async () => {
      const p = prefix('huge');
      const big = 'b'.repeat(1200 * 1024);
      for (let i = 0; i < 5; i++) await c.put(`${p}${i}`, big);
      const page = await c.range(p, { limit: 5 });
      expect(page.kvs.length).toBeGreaterThan(0);
      expect(page.kvs.length).toBeLessThan(5);
      expect(page.remaining).toBe(5 - page.kvs.length);
      expect(page.continue).toBeTruthy();
      const all = await c.range(p);
      expect(all.kvs.map((kv) => kv.key)).toEqual([0, 1, 2, 3, 4].map((i) => `${p}${i}`));
      expect(all.kvs.every((kv) => kv.value === big)).toBe(true);
      expect(all.remaining).toBe(0);
      for (let i = 0; i < 5; i++) await c.delete(`${p}${i}`);
    });

    it('answers malformed requests with BadRequest', async () => {
      expect(await reason(c.get(''))).toBe('BadRequest');
      expect(await reason(c.update('/contract/x', 'v', -1))).toBe('BadRequest');
      expect(await reason(c.range('/contract/', { continue: '%%%' }))).toBe('BadRequest');
      expect(await reason(c.leaseGrant(0))).toBe('BadRequest');
      expect(await reason(c.put('/contract/x', 'v', { lease: -5 }))).toBe('BadRequest');
      expect(await reason(c.watch('/contract/', -3, new WatchRecorder().handler))).toBe('BadRequest');
    });

    it('stops delivering after a watch is cancelled', async () => {
      const p = prefix('cancel');
      const rec = new WatchRecorder();
      const w = await c.watch(p, 0, rec.handler);
      await c.put(`${p}a`, '1');
      await eventually(() => expect(rec.events).toHaveLength(1));
      await w.cancel();
      await c.put(`${p}a`, '2');
      const marker = new WatchRecorder();
      await watch(p, 0, marker);
      await c.put(`${p}a`, '3');
      await eventually(() => expect(marker.events).toHaveLength(1));
      expect(rec.events).toHaveLength(1);
    });
  });
}
