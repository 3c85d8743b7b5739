/**
 * Driving asynchronous code under a FakeClock without real waiting: `settle()` lets every pending
 * promise continuation run (a few macrotask turns; no time passes), `advance(clock, ms)` moves fake
 * time forward in steps and settles after each, so timers and the async work they start interleave
 * as they would in real time. Neither is a sleep: a test still asserts on state, not on timing luck.
 */
import type { FakeClock } from '../../shared/runtime/clock.js';

export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export async function advance(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    clock.advance(Math.min(stepMs, ms - done));
    await settle();
  }
}

/**
 * Steps fake time (`stepMs` at a time, `ms` per attempt) until `fn` stops throwing — it asserts —
 * and answers its value; after `attempts` the last try's error is thrown.
 */
export async function advanceUntil<T>(clock: FakeClock, fn: () => Promise<T>, opts: { ms?: number; stepMs?: number; attempts?: number } = {}): Promise<T> {
  for (let i = 0; i < (opts.attempts ?? 100); i++) {
    try {
      return await fn();
    } catch {
      await advance(clock, opts.ms ?? 20, opts.stepMs ?? 10);
    }
  }
  return fn();
}
