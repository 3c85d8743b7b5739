import { describe, expect, it } from 'vitest';
import { LeaseManager, type LeaseRecord } from '../../services/store/lease.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { serviceUnavailable } from '../../shared/api/errors.js';
import type { KeyValue, StoreEvent } from '../../shared/client/store.js';

/** A lease manager over an in-memory key table, deleting through a function the test controls. */
function setup(opts: { failDeletes?: () => boolean } = {}) {
  const clock = new FakeClock();
  const kvs = new Map<string, KeyValue>();
  const records = new Map<number, number>();
  const deleted: string[] = [];
  let rev = 0;
  let nextId = 100;
  let mgr: LeaseManager;
  const commit = (event: StoreEvent): void => {
    if (event.type === 'PUT') kvs.set(event.kv.key, event.kv);
    else kvs.delete(event.kv.key);
    mgr.onCommit(event);
  };
  mgr = new LeaseManager({
    clock,
    log: silentLogger(),
    records: {
      save: async (r: LeaseRecord) => void records.set(r.id, r.ttl),
      remove: async (id) => void records.delete(id),
    },
    deleteKey: async (key) => {
      if (opts.failDeletes?.()) throw serviceUnavailable('log away');
      const prevKv = kvs.get(key)!;
      deleted.push(key);
      commit({ type: 'DELETE', kv: { ...prevKv, value: '', modRevision: ++rev }, prevKv });
    },
    currentKey: (key) => kvs.get(key),
    sweepMs: 100,
    newId: () => nextId++,
  });
  const putKey = (key: string, lease: number): void => {
    const prevKv = kvs.get(key);
    const kv = { key, value: 'v', createRevision: prevKv?.createRevision ?? rev + 1, modRevision: ++rev, version: (prevKv?.version ?? 0) + 1, lease };
    commit(prevKv ? { type: 'PUT', kv, prevKv } : { type: 'PUT', kv });
  };
  mgr.start();
  return { clock, mgr, kvs, records, deleted, putKey };
}

describe('leases', () => {
  it('grants a durable lease and reports its remaining TTL and keys', async () => {
    const { mgr, clock, records, putKey } = setup();
    const { id, ttl } = await mgr.grant(10);
    expect(ttl).toBe(10);
    expect(records.get(id)).toBe(10);
    putKey('/a', id);
    putKey('/b', id);
    clock.advance(3500);
    expect(mgr.timeToLive(id)).toEqual({ id, ttl: 7, grantedTtl: 10, keys: ['/a', '/b'] });
  });

  it('deletes the attached keys through the write path when the TTL runs out', async () => {
    const { mgr, clock, deleted, records, putKey, kvs } = setup();
    const { id } = await mgr.grant(2);
    putKey('/a', id);
    putKey('/b', id);
    putKey('/c', 0);
    await clock.tick(1900);
    expect(deleted).toEqual([]);
    await clock.tick(300);
    expect(deleted.sort()).toEqual(['/a', '/b']);
    expect([...kvs.keys()]).toEqual(['/c']);
    expect(records.has(id)).toBe(false);
    expect(() => mgr.keepAlive(id)).toThrow(/requested lease not found/);
  });

  it('keepalive resets the TTL', async () => {
    const { mgr, clock, deleted, putKey } = setup();
    const { id } = await mgr.grant(2);
    putKey('/a', id);
    for (let i = 0; i < 5; i++) {
      await clock.tick(1500);
      expect(mgr.keepAlive(id)).toEqual({ ttl: 2 });
    }
    expect(deleted).toEqual([]);
    await clock.tick(2500);
    expect(deleted).toEqual(['/a']);
  });

  it('revoke deletes the keys at once and forgets the lease', async () => {
    const { mgr, deleted, putKey, records } = setup();
    const { id } = await mgr.grant(60);
    putKey('/a', id);
    await mgr.revoke(id);
    expect(deleted).toEqual(['/a']);
    expect(records.size).toBe(0);
    await expect(mgr.revoke(id)).rejects.toMatchObject({ reason: 'NotFound' });
    expect(mgr.exists(id)).toBe(false);
  });

  it('leaves a key alone that was re-put without the lease', async () => {
    const { mgr, clock, deleted, putKey } = setup();
    const { id } = await mgr.grant(1);
    putKey('/a', id);
    putKey('/a', 0);
    await clock.tick(1500);
    expect(deleted).toEqual([]);
  });

  it('retries an expiry whose deletes failed', async () => {
    let failing = true;
    const { mgr, clock, deleted, putKey } = setup({ failDeletes: () => failing });
    const { id } = await mgr.grant(1);
    putKey('/a', id);
    await clock.tick(1500);
    expect(deleted).toEqual([]);
    expect(mgr.exists(id)).toBe(false); // already being revoked: no keepalive, no new keys
    failing = false;
    await clock.tick(300);
    expect(deleted).toEqual(['/a']);
  });

  it('gives restored leases their full TTL and deletes keys of unknown leases', async () => {
    const { mgr, clock, deleted, kvs } = setup();
    kvs.set('/kept', { key: '/kept', value: 'v', createRevision: 1, modRevision: 1, version: 1, lease: 7 });
    kvs.set('/orphan', { key: '/orphan', value: 'v', createRevision: 2, modRevision: 2, version: 1, lease: 8 });
    mgr.restore([{ id: 7, ttl: 5 }], [...kvs.values()]);
    expect(mgr.timeToLive(7)).toMatchObject({ ttl: 5, keys: ['/kept'] });
    expect(mgr.size).toBe(1);
    await clock.tick(300);
    expect(deleted).toEqual(['/orphan']);
    await clock.tick(5000);
    expect(deleted).toEqual(['/orphan', '/kept']);
  });

  it('rejects a TTL that is not a positive integer', async () => {
    const { mgr } = setup();
    await expect(mgr.grant(0)).rejects.toMatchObject({ reason: 'BadRequest' });
    await expect(mgr.grant(1.5)).rejects.toMatchObject({ reason: 'BadRequest' });
  });
});
