import { describe, expect, it } from 'vitest';
import { MvccIndex, planWrite, decodeContinue, encodeContinue, type LogEntry, type WriteRequest } from '../../services/store/mvcc.js';
import { SortedKeys, prefixEnd } from '../../services/store/sorted-keys.js';
import { MAX_VALUE_BYTES } from '../../shared/client/store.js';
import { isStatusError } from '../../shared/api/errors.js';

/** Applies writes the way the writer does: plan against the index, commit at the next revision. */
function write(index: MvccIndex, req: WriteRequest) {
  const rev = index.revision + 1;
  return index.apply(planWrite(req, index.get(req.key), rev), rev);
}

const put = (key: string, value: string, lease = 0): WriteRequest => ({ op: 'put', key, value, lease });
const del = (key: string, expectedModRevision?: number): WriteRequest => ({ op: 'delete', key, expectedModRevision });

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('mvcc: compare-and-swap rules', () => {
  it('creates only when the key is absent (AlreadyExists otherwise)', () => {
    const index = new MvccIndex();
    const e = write(index, { op: 'create', key: 'a', value: '1', lease: 0 });
    expect(e.kv).toEqual({ key: 'a', value: '1', createRevision: 1, modRevision: 1, version: 1, lease: 0 });
    const err = catchErr(() => write(index, { op: 'create', key: 'a', value: '2', lease: 0 }));
    expect(isStatusError(err, 'AlreadyExists')).toBe(true);
    expect((err as Error).message).toBe('key already exists: a');
  });

  it('updates only at the expected modRevision (Conflict) and only existing keys (NotFound)', () => {
    const index = new MvccIndex();
    write(index, put('a', '1'));
    write(index, put('b', '1'));
    expect(isStatusError(catchErr(() => write(index, { op: 'update', key: 'a', value: 'x', expectedModRevision: 2, lease: 0 })), 'Conflict')).toBe(true);
    expect(isStatusError(catchErr(() => write(index, { op: 'update', key: 'zz', value: 'x', expectedModRevision: 1, lease: 0 })), 'NotFound')).toBe(true);
    const e = write(index, { op: 'update', key: 'a', value: 'x', expectedModRevision: 1, lease: 0 });
    expect(e.kv).toMatchObject({ modRevision: 3, createRevision: 1, version: 2 });
    expect(e.prevKv).toMatchObject({ value: '1', modRevision: 1 });
  });

  it('deletes with or without an expected modRevision, and says NotFound for absent keys', () => {
    const index = new MvccIndex();
    write(index, put('a', '1'));
    expect(isStatusError(catchErr(() => write(index, del('a', 7))), 'Conflict')).toBe(true);
    const e = write(index, del('a', 1));
    expect(e.type).toBe('DELETE');
    expect(e.kv).toMatchObject({ key: 'a', value: '', modRevision: 2 });
    expect(e.prevKv).toMatchObject({ value: '1' });
    expect(isStatusError(catchErr(() => write(index, del('a'))), 'NotFound')).toBe(true);
    expect(index.get('a')).toBeUndefined();
  });

  it('refuses values over the size limit with RequestEntityTooLarge', () => {
    const err = catchErr(() => planWrite(put('a', 'x'.repeat(MAX_VALUE_BYTES + 1)), undefined, 1));
    expect(isStatusError(err, 'RequestEntityTooLarge')).toBe(true);
    expect(planWrite(put('a', 'x'.repeat(MAX_VALUE_BYTES)), undefined, 1).op).toBe('put');
  });

  it('counts one global revision over all keys and restarts version after a delete', () => {
    const index = new MvccIndex();
    write(index, put('a', '1'));
    write(index, put('b', '1'));
    write(index, put('a', '2'));
    write(index, del('a'));
    const e = write(index, put('a', '3'));
    expect(index.revision).toBe(5);
    expect(e.kv).toMatchObject({ createRevision: 5, modRevision: 5, version: 1 });
    expect(e.prevKv).toBeUndefined();
  });
});

describe('mvcc: range', () => {
  function filled(keys: string[]): MvccIndex {
    const index = new MvccIndex();
    for (const k of keys) write(index, put(k, k));
    return index;
  }

  it('lists a prefix in key order with the current revision', () => {
    const index = filled(['/p/b', '/q/a', '/p/a', '/p/c', '/pa']);
    const r = index.range('/p/');
    expect(r.kvs.map((k) => k.key)).toEqual(['/p/a', '/p/b', '/p/c']);
    expect(r.revision).toBe(5);
    expect(r.remaining).toBe(0);
    expect(r.continue).toBeUndefined();
  });

  it('pages with limit and continue, counting the remaining keys', () => {
    const index = filled(['/p/1', '/p/2', '/p/3', '/p/4', '/p/5', '/z']);
    const first = index.range('/p/', { limit: 2 });
    expect(first.kvs.map((k) => k.key)).toEqual(['/p/1', '/p/2']);
    expect(first.remaining).toBe(3);
    const second = index.range('/p/', { limit: 2, continue: first.continue });
    expect(second.kvs.map((k) => k.key)).toEqual(['/p/3', '/p/4']);
    expect(second.remaining).toBe(1);
    const third = index.range('/p/', { limit: 2, continue: second.continue });
    expect(third.kvs.map((k) => k.key)).toEqual(['/p/5']);
    expect(third.remaining).toBe(0);
    expect(third.continue).toBeUndefined();
  });

  it('resumes a continue token after the last key even when keys changed in between', () => {
    const index = filled(['/p/1', '/p/2', '/p/3', '/p/4']);
    const first = index.range('/p/', { limit: 2 });
    write(index, del('/p/2'));
    write(index, put('/p/0', 'new'));
    write(index, put('/p/25', 'new'));
    const next = index.range('/p/', { continue: first.continue });
    expect(next.kvs.map((k) => k.key)).toEqual(['/p/25', '/p/3', '/p/4']);
  });

  it('counts only, from the start or from a continue token', () => {
    const index = filled(['/p/1', '/p/2', '/p/3']);
    expect(index.range('/p/', { countOnly: true })).toMatchObject({ kvs: [], remaining: 3 });
    expect(index.range('/p/', { countOnly: true, continue: encodeContinue('/p/1') }).remaining).toBe(2);
  });

  it('rejects a forged continue token with BadRequest', () => {
    expect(isStatusError(catchErr(() => decodeContinue('!!not base64url!!')), 'BadRequest')).toBe(true);
  });
});

describe('mvcc: history and compaction', () => {
  it('replays events from a revision with prevKv, and says Expired at or below the compaction point', () => {
    const index = new MvccIndex();
    write(index, put('a', '1'));
    write(index, put('a', '2'));
    write(index, put('b', '1'));
    write(index, del('a'));
    expect(index.eventsFrom(2).map((e) => [e.type, e.kv.key, e.kv.modRevision, e.prevKv?.value])).toEqual([
      ['PUT', 'a', 2, '1'],
      ['PUT', 'b', 3, undefined],
      ['DELETE', 'a', 4, '2'],
    ]);
    index.compact(2);
    expect(index.compactRevision).toBe(2);
    expect(index.eventsFrom(3).map((e) => e.kv.modRevision)).toEqual([3, 4]);
    const err = catchErr(() => index.eventsFrom(2));
    expect(isStatusError(err, 'Expired')).toBe(true);
    expect((err as Error).message).toBe('required revision has been compacted');
  });

  it('plans the log trim: keep the version visible at the point, drop tombstones below it', () => {
    const index = new MvccIndex();
    write(index, put('a', '1')); // 1
    write(index, put('a', '2')); // 2
    write(index, put('b', '1')); // 3
    write(index, del('b')); // 4
    write(index, put('c', '1')); // 5
    write(index, put('a', '3')); // 6
    const plan = index.compact(5);
    expect(Object.fromEntries(plan)).toEqual({ a: 2, b: 5, c: 5 });
    expect(index.historyLength).toBe(1);
  });

  it('refuses to compact a future revision and ignores an older point', () => {
    const index = new MvccIndex();
    write(index, put('a', '1'));
    expect(isStatusError(catchErr(() => index.compact(5)), 'BadRequest')).toBe(true);
    index.compact(1);
    expect(index.compact(1).size).toBe(0);
    expect(index.compactRevision).toBe(1);
  });

  it('rebuilds from self-describing entries after a trim, with history only above the point', () => {
    const index = new MvccIndex();
    index.startAt(4);
    const entry = (key: string, value: string, c: number, n: number): LogEntry => ({ key, op: 'put', value, lease: 0, createRevision: c, version: n });
    index.apply(entry('a', '2', 1, 2), 2); // kept: the version of a visible at 4
    index.apply(entry('a', '3', 1, 3), 5);
    index.advanceTo(5);
    expect(index.get('a')).toMatchObject({ createRevision: 1, version: 3, modRevision: 5 });
    expect(index.eventsFrom(5)).toEqual([
      expect.objectContaining({ type: 'PUT', prevKv: expect.objectContaining({ value: '2', modRevision: 2 }) }),
    ]);
    expect(isStatusError(catchErr(() => index.eventsFrom(4)), 'Expired')).toBe(true);
  });

  it('treats a gap above the point as compaction, so a watch never sees a hole', () => {
    const index = new MvccIndex();
    const e: LogEntry = { key: 'a', op: 'put', value: 'v', lease: 0, createRevision: 1, version: 1 };
    index.apply(e, 1);
    index.apply({ ...e, version: 2 }, 3);
    expect(index.compactRevision).toBe(2);
    expect(index.eventsFrom(3).map((x) => x.kv.modRevision)).toEqual([3]);
    index.advanceTo(6);
    expect(index.revision).toBe(6);
    expect(index.compactRevision).toBe(6);
  });
});

describe('sorted keys', () => {
  it('keeps keys ordered across many chunk splits and deletes', () => {
    const keys = new SortedKeys();
    const all: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const k = `/k/${(i * 7919) % 5000}`.padEnd(10, 'x');
      keys.add(k);
      all.push(k);
    }
    for (let i = 0; i < 5000; i += 3) keys.delete(all[i]);
    const expected = all.filter((_, i) => i % 3 !== 0).sort();
    expect([...keys.from('')]).toEqual(expected);
    expect(keys.size).toBe(expected.length);
    expect(keys.rank(expected[100])).toBe(100);
    expect(keys.rank(expected[100], true)).toBe(101);
    expect([...keys.from(expected[10], false)][0]).toBe(expected[11]);
    expect(keys.countPrefix('/k/1')).toBe(expected.filter((k) => k.startsWith('/k/1')).length);
    expect(keys.add(expected[5])).toBe(false);
    expect(keys.delete('nope')).toBe(false);
  });

  it('computes the end of a prefix range', () => {
    expect(prefixEnd('/a/')).toBe('/a0');
    expect(prefixEnd('')).toBeUndefined();
    expect(prefixEnd('a\uffff')).toBe('b');
  });
});
