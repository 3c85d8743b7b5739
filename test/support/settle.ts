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
