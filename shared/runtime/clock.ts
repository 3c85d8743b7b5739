/**
 * Time, injected. Logic never calls `Date.now()` or `setTimeout` directly: it takes a `Clock`, so
 * tests drive time with `FakeClock` (advance by hand, timers fire in order, no real waiting).
 *
 * `realClock` is the only place kubemu reads the wall clock for logic.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Runs `fn` every `ms` until cancelled. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function isoTime(clock: Clock): string {
  return new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microseconds, as Kubernetes writes MicroTime (Lease renewTime, Event eventTime). */
export function microTime(clock: Clock): string {
  return microTimeAt(clock.now());
}

/** MicroTime of a given instant (ms since the epoch), e.g. when a heartbeat was heard. */
export function microTimeAt(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function abortable(signal: AbortSignal | undefined, register: (done: () => void) => TimerHandle): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      handle.cancel();
      reject(signal?.reason);
    };
    const handle = register(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
  sleep(ms, signal) {
    return abortable(signal, (done) => realClock.setTimeout(done, ms));
  },
};

interface FakeTimer {
  id: number;
  at: number;
  every?: number;
  fn: () => void;
}

/** A clock that only moves when told to. Timers due at the same instant fire in creation order. */
export class FakeClock implements Clock {
  private current: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add({ id: this.nextId++, at: this.current + Math.max(0, ms), fn });
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    return this.add({ id: this.nextId++, at: this.current + every, every, fn });
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortable(signal, (done) => this.setTimeout(done, ms));
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.current = next.at;
      if (next.every) next.at += next.every;
      else this.timers.shift();
      next.fn();
    }
    this.current = end;
  }

  /** Advances in steps, letting promise continuations run between timers (for async code under test). */
  async tick(ms: number, step = 10): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      this.advance(Math.min(step, ms - done));
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  private add(t: FakeTimer): TimerHandle {
    this.timers.push(t);
    return { cancel: () => (this.timers = this.timers.filter((x) => x !== t)) };
  }
}
