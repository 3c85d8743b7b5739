/**
 * The work queue between noticing a change and acting on it, with client-go's semantics:
 *
 * - Dedup: a key added several times before a worker takes it is handed out once.
 * - Exclusivity: a key being processed (between `get` and `done`) is never handed to a second
 *   worker; if it is added meanwhile it is marked dirty and queued again when `done` is called.
 * - FIFO among distinct keys.
 * - `addAfter(key, ms)`: adds after a delay on the injected Clock; of several pending delays for a
 *   key the earliest wins.
 * - `addRateLimited(key)`: `addAfter` with the rate limiter's per-key delay (default exponential:
 *   5 ms doubling per failure up to 1000 s); `forget(key)` resets the key's count (call it when the
 *   key was processed successfully).
 * - `shutDown()`: no new keys are accepted and pending delays are dropped; `get` keeps handing out
 *   what is already queued (workers drain it) and then resolves `undefined`. `drained()` resolves
 *   when nothing is queued or in process.
 */
import { realClock, type Clock, type TimerHandle } from '../runtime/clock.js';

export interface RateLimiter<K = string> {
  /** The delay before the key's next attempt; counts the attempt. */
  when(key: K): number;
  forget(key: K): void;
  numRequeues(key: K): number;
}

/** Per-key exponential back-off: `baseMs * 2^failures`, capped at `maxMs`. */
export class ExponentialRateLimiter<K = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {}

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface WorkQueueOptions<K = string> {
  clock?: Clock;
  rateLimiter?: RateLimiter<K>;
}

export class WorkQueue<K = string> {
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { at: number; timer: TimerHandle }>();
  private getters: ((key: K | undefined) => void)[] = [];
  private idle: (() => void)[] = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? new ExponentialRateLimiter<K>();
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.handOut();
  }

  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, timer });
  }

  addRateLimited(key: K): void {
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /** The next key to process; `undefined` once shut down and drained. Call `done(key)` after. */
  get(): Promise<K | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.handOut();
    }
    this.checkIdle();
  }

  /** Keys waiting to be handed out (not counting those in process or delayed). */
  len(): number {
    return this.queue.length;
  }

  isProcessing(key: K): boolean {
    return this.processing.has(key);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    this.handOut();
    this.checkIdle();
  }

  /** Resolves once nothing is queued or in process. */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private take(): K | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  private handOut(): void {
    while (this.getters.length && this.queue.length) (this.getters.shift() as (k: K | undefined) => void)(this.take());
    if (this.shuttingDown && this.queue.length === 0) {
      for (const g of this.getters.splice(0)) g(undefined);
    }
  }

  private checkIdle(): void {
    if (this.queue.length || this.processing.size) return;
    for (const f of this.idle.splice(0)) f();
  }
}
