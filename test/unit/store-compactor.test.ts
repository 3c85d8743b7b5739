import { describe, expect, it } from 'vitest';
import { Compactor, COMPACT_META_KEY } from '../../services/store/compactor.js';
import { MvccIndex, planWrite, type LogEntry, type WriteRequest } from '../../services/store/mvcc.js';
import type { StoreLog } from '../../services/store/log.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { serviceUnavailable } from '../../shared/api/errors.js';
import { eventually } from '../support/eventually.js';

function setup(opts: { historyWindow?: number; metaFails?: boolean } = {}) {
  const index = new MvccIndex();
  const purged: Array<[string, number]> = [];
  const meta = new Map<string, string>();
  const log: StoreLog = {
    append: async () => 0,
    replay: async () => 0,
    lastSeq: async () => index.revision,
    purgeKey: async (key, before) => {
      purged.push([key, before]);
      return 1;
    },
  };
  const clock = new FakeClock();
  const compactor = new Compactor({
    index,
    log,
    meta: {
      put: async (k, v) => {
        if (opts.metaFails) throw serviceUnavailable('meta bucket away');
        meta.set(k, v);
      },
    },
    clock,
    logger: silentLogger(),
    historyWindow: opts.historyWindow ?? 1000,
    intervalMs: 60_000,
  });
  const write = (req: WriteRequest): void => {
    const rev = index.revision + 1;
    index.apply(planWrite(req, index.get(req.key), rev), rev);
    compactor.checkOverflow();
  };
  return { index, purged, meta, clock, compactor, write };
}

const put = (key: string, value = 'v'): WriteRequest => ({ op: 'put', key, value, lease: 0 });

describe('store compactor', () => {
  it('records the point durably, drops history, and trims each key in the log', async () => {
    const { index, purged, meta, compactor, write } = setup();
    write(put('a')); // 1
    write(put('a')); // 2
    write(put('b')); // 3
    write({ op: 'delete', key: 'b' }); // 4
    write(put('a')); // 5
    expect(await compactor.compact(4)).toEqual({ compactRevision: 4 });
    expect(meta.get(COMPACT_META_KEY)).toBe('4');
    expect(index.compactRevision).toBe(4);
    await compactor.stop();
    expect(purged.sort()).toEqual([
      ['a', 2],
      ['b', 5],
    ]);
  });

  it('is a no-op at or below the current point and refuses the future', async () => {
    const { compactor, write, meta } = setup();
    write(put('a'));
    write(put('a'));
    await compactor.compact(2);
    expect(await compactor.compact(1)).toEqual({ compactRevision: 2 });
    await expect(compactor.compact(3)).rejects.toMatchObject({ reason: 'BadRequest' });
    expect(meta.get(COMPACT_META_KEY)).toBe('2');
  });

  it('does not drop history when the point cannot be recorded', async () => {
    const { compactor, write, index } = setup({ metaFails: true });
    write(put('a'));
    write(put('a'));
    await expect(compactor.compact(1)).rejects.toMatchObject({ reason: 'ServiceUnavailable' });
    expect(index.compactRevision).toBe(0);
    expect(index.eventsFrom(1)).toHaveLength(2);
  });

  it('periodically compacts everything older than the history window', async () => {
    const { compactor, write, index, clock } = setup({ historyWindow: 10 });
    compactor.start();
    for (let i = 0; i < 15; i++) write(put(`k${i % 3}`));
    await clock.tick(60_000, 1000);
    await eventually(() => expect(index.compactRevision).toBe(5));
    expect(index.historyLength).toBe(10);
    await compactor.stop();
  });

  it('compacts at once when the history outgrows twice its window', async () => {
    const { write, index, compactor } = setup({ historyWindow: 10 });
    for (let i = 0; i < 21; i++) write(put('k'));
    await eventually(() => expect(index.compactRevision).toBe(11));
    await compactor.stop();
  });

  it('trims entries an interrupted compaction left below its point', async () => {
    const { compactor, purged } = setup();
    const e = (key: string, op: LogEntry['op']): LogEntry => ({ key, op, value: '', lease: 0, createRevision: 1, version: 1 });
    compactor.noteReplayedBelowPoint(e('a', 'put'), 1);
    compactor.noteReplayedBelowPoint(e('a', 'put'), 3);
    compactor.noteReplayedBelowPoint(e('b', 'put'), 4);
    compactor.noteReplayedBelowPoint(e('c', 'put'), 5);
    compactor.noteReplayedBelowPoint(e('c', 'delete'), 6);
    compactor.purgeLeftovers();
    await compactor.stop();
    expect(purged.sort()).toEqual([
      ['a', 3],
      ['c', 7],
    ]);
  });
});
