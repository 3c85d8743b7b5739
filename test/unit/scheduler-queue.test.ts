import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { SchedulingQueue, type QueueTimings } from '../../services/scheduler/queue.js';
import { queueTimingsFor } from '../../services/scheduler/config.js';

const timings: QueueTimings = { initialBackoffMs: 100, maxBackoffMs: 800, maxUnschedulableMs: 5000, flushIntervalMs: 1000 };
let queue: SchedulingQueue;
afterEach(() => queue?.close());

function setup(t: QueueTimings = timings): { clock: FakeClock; q: SchedulingQueue } {
  const clock = new FakeClock();
  queue = new SchedulingQueue(clock, t);
  return { clock, q: queue };
}

async function popKey(q: SchedulingQueue): Promise<string | undefined> {
  return (await q.pop())?.key;
}

/** Keys handed out right now, without waiting. */
async function drainNow(q: SchedulingQueue): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const ac = new AbortController();
    const p = q.pop(ac.signal);
    ac.abort();
    const got = await p;
    if (!got) return out;
    out.push(got.key);
  }
}

describe('SchedulingQueue', () => {
  it('hands out pending pods first in, first out, each once', async () => {
    const { q } = setup();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(await drainNow(q)).toEqual(['a', 'b']);
    expect(q.stats()).toEqual({ active: 0, backoff: 0, unschedulable: 0, inFlight: 2 });
  });

  it('wakes a waiting pop when a pod arrives, and a pop aborted resolves empty', async () => {
    const { q } = setup();
    const waiting = q.pop();
    q.add('a');
    expect((await waiting)?.key).toBe('a');
    const ac = new AbortController();
    const aborted = q.pop(ac.signal);
    ac.abort();
    expect(await aborted).toBeUndefined();
    q.add('b');
    expect(await popKey(q)).toBe('b');
  });

  it('keeps an unschedulable pod until the cluster changes', async () => {
    const { clock, q } = setup();
    q.add('a');
    await popKey(q);
    q.failed('a', 'unschedulable');
    expect(q.isUnschedulable('a')).toBe(true);
    clock.advance(4000);
    expect(await drainNow(q)).toEqual([]);
    q.moveAll();
    expect(await drainNow(q)).toEqual(['a']);
    clock.advance(1000);
    expect(clock.pendingTimers()).toBe(0); // nothing parked, nothing backing off: no timers
  });

  it('retries unschedulable pods after maxUnschedulableMs even without any event', async () => {
    const { clock, q } = setup();
    q.add('a');
    await popKey(q);
    q.failed('a', 'unschedulable');
    clock.advance(4999);
    expect(await drainNow(q)).toEqual([]);
    clock.advance(1001);
    expect(await drainNow(q)).toEqual(['a']);
  });

  it('backs off exponentially between attempts, up to the bound', async () => {
    const { clock, q } = setup();
    expect([1, 2, 3, 4, 5, 10].map((n) => q.backoffMs(n))).toEqual([100, 200, 400, 800, 800, 800]);
    q.add('a');
    for (const wait of [100, 200, 400, 800, 800]) {
      expect(await popKey(q)).toBe('a');
      q.failed('a', 'error');
      clock.advance(wait - 1);
      expect(q.stats()).toMatchObject({ active: 0, backoff: 1 });
      clock.advance(1);
      expect(q.stats()).toMatchObject({ active: 1, backoff: 0 });
    }
  });

  it('respects the remaining back-off when a cluster change moves a pod', async () => {
    const { clock, q } = setup();
    q.add('a');
    await popKey(q);
    q.failed('a', 'unschedulable');
    await drainNow(q);
    q.moveAll();
    expect(q.stats().backoff).toBe(1);
    expect(await drainNow(q)).toEqual([]);
    clock.advance(100);
    expect(await drainNow(q)).toEqual(['a']);
  });

  it('does not park a pod as unschedulable when the cluster changed while it was being tried', async () => {
    const { clock, q } = setup();
    q.add('a');
    q.add('b');
    await popKey(q); // a in flight
    q.moveAll(); // e.g. a node was added meanwhile
    q.failed('a', 'unschedulable');
    expect(q.isUnschedulable('a')).toBe(false);
    expect(await popKey(q)).toBe('b');
    q.add('b'); // the pod itself changed while in flight
    q.failed('b', 'unschedulable');
    expect(q.isUnschedulable('b')).toBe(false);
    clock.advance(100);
    expect((await drainNow(q)).sort()).toEqual(['a', 'b']);
    // a later attempt without any change does park it
    q.failed('a', 'unschedulable');
    expect(q.isUnschedulable('a')).toBe(true);
  });

  it('moves a parked pod at once when the pod itself changes', async () => {
    const { clock, q } = setup();
    q.add('a');
    await popKey(q);
    q.failed('a', 'unschedulable');
    clock.advance(100);
    q.add('a');
    expect(await drainNow(q)).toEqual(['a']);
  });

  it('forgets a pod wherever it is, and its back-off with it', async () => {
    const { clock, q } = setup();
    for (const k of ['active', 'flying', 'parked', 'backing']) q.add(k);
    await drainNow(q);
    q.failed('parked', 'unschedulable');
    q.failed('backing', 'error');
    q.add('active');
    for (const k of ['active', 'flying', 'parked', 'backing']) q.delete(k);
    expect(q.stats()).toEqual({ active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
    clock.advance(10_000);
    q.failed('flying', 'error');
    expect(await drainNow(q)).toEqual([]);
    q.add('backing');
    expect(await drainNow(q)).toEqual(['backing']);
  });

  it('forgets the back-off of a pod that was bound', async () => {
    const { q } = setup();
    q.add('a');
    await popKey(q);
    q.failed('a', 'error');
    q.delete('a');
    q.add('a');
    await popKey(q);
    q.done('a');
    q.add('a');
    expect(await drainNow(q)).toEqual(['a']);
  });

  it('releases waiting pops and stops its timers on close', async () => {
    const { clock, q } = setup();
    const waiting = q.pop();
    q.close();
    expect(await waiting).toBeUndefined();
    q.add('a');
    expect(await q.pop()).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('uses quick timings by default and Kubernetes\' under the kubernetes profile', () => {
    expect(queueTimingsFor({ name: 'default' })).toMatchObject({ initialBackoffMs: 100, maxBackoffMs: 1000, maxUnschedulableMs: 5000 });
    expect(queueTimingsFor({ name: 'kubernetes' })).toMatchObject({ initialBackoffMs: 1000, maxBackoffMs: 10_000, maxUnschedulableMs: 300_000 });
  });
});
