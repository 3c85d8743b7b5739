import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { ExponentialRateLimiter, WorkQueue } from '../../shared/controller/workqueue.js';
import { settle } from '../support/settle.js';

/** Takes whatever is immediately available, without waiting. */
async function drainNow(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) {
    const k = await q.get();
    if (k === undefined) break;
    out.push(k);
  }
  return out;
}

describe('WorkQueue', () => {
  it('hands out a key added several times before processing only once, in FIFO order', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
    expect(q.len()).toBe(3);
    expect(await drainNow(q)).toEqual(['a', 'b', 'c']);
  });

  it('never hands a key in process to a second worker', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('b');
    const second = await q.get();
    expect(second).toBe('b');
    expect(q.len()).toBe(0);
    expect(q.isProcessing('a')).toBe(true);
  });

  it('re-queues a key added while it was processed when done is called, once', async () => {
    const q = new WorkQueue();
    q.add('a');
    const k = await q.get();
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    q.done(k as string);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue();
    let got: string | undefined;
    void q.get().then((k) => (got = k));
    await settle();
    expect(got).toBeUndefined();
    q.add('x');
    await settle();
    expect(got).toBe('x');
  });

  it('adds a key after a delay on the clock, keeping the earliest of several delays', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    q.addAfter('now', 0);
    expect(await drainNow(q)).toEqual(['now']);
    clock.advance(49);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    expect(await drainNow(q)).toEqual(['a']);
    clock.advance(1000);
    expect(q.len()).toBe(0);
  });

  it('backs off a failing key exponentially and resets on forget', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = clock.now();
      q.addRateLimited('k');
      while (q.len() === 0) clock.advance(1);
      delays.push(clock.now() - start);
      const k = (await q.get()) as string;
      q.done(k);
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(q.numRequeues('k')).toBe(4);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
    const start = clock.now();
    q.addRateLimited('k');
    while (q.len() === 0) clock.advance(1);
    expect(clock.now() - start).toBe(5);
  });

  it('caps the back-off and takes a configurable limiter', () => {
    const limiter = new ExponentialRateLimiter(100, 1000);
    expect([1, 2, 3, 4, 5, 6].map(() => limiter.when('x'))).toEqual([100, 200, 400, 800, 1000, 1000]);
    const dflt = new ExponentialRateLimiter();
    for (let i = 0; i < 40; i++) dflt.when('y');
    expect(dflt.when('y')).toBe(1_000_000);
    expect(limiter.when('other')).toBe(100);
  });

  it('on shutdown refuses new keys, drops delays, lets workers drain, then ends them', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('a');
    q.add('b');
    q.addAfter('later', 10);
    const inFlight = (await q.get()) as string;
    q.shutDown();
    q.add('c');
    clock.advance(100);
    expect(await q.get()).toBe('b');
    q.done('b');
    let drained = false;
    void q.drained().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    q.done(inFlight);
    await settle();
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });

  it('releases idle workers at shutdown', async () => {
    const q = new WorkQueue();
    const waiting = [q.get(), q.get()];
    q.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
  });
});
