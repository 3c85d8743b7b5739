/**
 * The controller runner: informer events → keys in a work queue → N workers calling a Reconciler.
 *
 * Level-based, as controller-runtime: a reconciler gets a key (`namespace/name`), never an event,
 * reads the current state from listers and makes the world match; it must be idempotent. Event
 * handlers only enqueue keys (the object's own key, or whatever `toKeys` maps it to, e.g. its
 * owner's); on an update both the old and the new object's keys are enqueued.
 *
 * Per key: success → `forget` (back-off reset), then `requeueAfterMs` if asked; `requeue: true` or
 * a thrown error → rate-limited requeue (the error is logged — but a `Conflict` or an
 * `AlreadyExists` only at debug level: the informer's cache was behind the API, someone wrote or
 * created first, and the next pass reads the fresh state, as Kubernetes controllers requeue on
 * conflict); a key is never reconciled by two workers at once (the queue guarantees it).
 *
 * Lifecycle: `run(signal)` builds a fresh queue, registers the handlers (the informers replay
 * their caches, so every existing object is reconciled once per run), waits for the informers to
 * sync, runs the workers until the signal aborts, then lets in-flight reconciles finish (they get
 * the aborted signal) and drops what is left. A controller can be run again after it stopped
 * (leader election does that), never twice at once. Leadership is needed by default.
 */
import type { KubeObject } from '../api/meta.js';
import { objectKey } from '../api/meta.js';
import { isStatusError } from '../api/errors.js';
import { realClock, type Clock } from '../runtime/clock.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import type { HandlerRegistration, SharedInformer } from '../informer/informer.js';
import { ExponentialRateLimiter, WorkQueue, type RateLimiter } from './workqueue.js';

export interface ReconcileResult {
  /** Reconcile this key again after this long (level-based polling, e.g. waiting for a deadline). */
  requeueAfterMs?: number;
  /** Reconcile again with rate-limited back-off, without logging an error. */
  requeue?: boolean;
}

export interface Reconciler {
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
}

export type KeyMapper<T extends KubeObject> = (obj: T) => string | string[] | undefined;

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  workers?: number;
  clock?: Clock;
  log?: Logger;
  /** A fresh limiter per run; default exponential 5 ms → 1000 s. */
  rateLimiter?: () => RateLimiter;
  needLeaderElection?: boolean;
}

interface Source {
  informer: SharedInformer<KubeObject>;
  toKeys: KeyMapper<KubeObject>;
}

function keysOf(mapped: string | string[] | undefined): string[] {
  return mapped === undefined ? [] : Array.isArray(mapped) ? mapped : [mapped];
}

/** A write lost to one the cache had not shown yet: the next pass, from a fresher cache, settles it. */
const cacheWasBehind = (err: unknown): boolean => isStatusError(err, 'Conflict') || isStatusError(err, 'AlreadyExists');

export class Controller {
  readonly name: string;
  readonly needLeaderElection: boolean;
  private readonly sources: Source[] = [];
  private readonly log: Logger;
  private readonly clock: Clock;
  private queue?: WorkQueue;

  constructor(private readonly opts: ControllerOptions) {
    this.name = opts.name;
    this.needLeaderElection = opts.needLeaderElection ?? true;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.log ?? silentLogger()).child({ controller: opts.name });
  }

  /** Reconcile keys derived from this informer's objects (default: the object's own key). */
  watch<T extends KubeObject>(informer: SharedInformer<T>, toKeys: KeyMapper<T> = objectKey): this {
    this.sources.push({ informer: informer as unknown as SharedInformer<KubeObject>, toKeys: toKeys as KeyMapper<KubeObject> });
    return this;
  }

  /** Queue a key now (ignored while the controller is not running). */
  enqueue(key: string): void {
    this.queue?.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue?.addAfter(key, ms);
  }

  get running(): boolean {
    return this.queue !== undefined;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.queue) throw new Error(`controller ${this.name} is already running`);
    const rateLimiter = this.opts.rateLimiter?.() ?? new ExponentialRateLimiter();
    const queue = new WorkQueue({ clock: this.clock, rateLimiter });
    this.queue = queue;
    const registrations: HandlerRegistration[] = [];
    const onAbort = (): void => queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (const { informer, toKeys } of this.sources) {
        const add = (o: KubeObject): void => keysOf(toKeys(o)).forEach((k) => queue.add(k));
        registrations.push(informer.addEventHandler({ onAdd: add, onUpdate: (old, o) => (add(old), add(o)), onDelete: add }));
      }
      try {
        await Promise.all(this.sources.map((s) => s.informer.waitForSync(signal)));
      } catch {
        return; // aborted before the caches synced
      }
      this.log.info({ workers: this.opts.workers ?? 1 }, 'starting workers');
      const workers = Array.from({ length: Math.max(1, this.opts.workers ?? 1) }, () => this.worker(queue, signal));
      if (signal.aborted) queue.shutDown();
      await Promise.all(workers);
    } finally {
      signal.removeEventListener('abort', onAbort);
      queue.shutDown();
      for (const r of registrations) r.remove();
      this.queue = undefined;
      this.log.info('stopped');
    }
  }

  private async worker(queue: WorkQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (signal.aborted) {
        queue.done(key);
        continue;
      }
      try {
        const result = await this.opts.reconciler.reconcile(key, signal);
        if (result?.requeue) {
          queue.addRateLimited(key);
        } else {
          queue.forget(key);
          if (result?.requeueAfterMs && result.requeueAfterMs > 0) queue.addAfter(key, result.requeueAfterMs);
        }
      } catch (err) {
        if (!signal.aborted) {
          if (cacheWasBehind(err)) this.log.debug({ key, reason: (err as Error).message }, 'the cache was behind the API; requeueing');
          else this.log.error({ err, key, retries: queue.numRequeues(key) }, 'reconcile failed; requeueing with back-off');
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  }
}
