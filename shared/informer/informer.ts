/**
 * A shared informer: one reflector + one indexed cache for a resource (in a namespace or all, with
 * optional label / field selectors), shared by every handler that wants to hear about it.
 *
 * - Handlers (`addEventHandler`) get `onAdd(obj, isInitialList)`, `onUpdate(old, new)` and
 *   `onDelete(lastKnown)`; a handler added late is first replayed the cache as adds. Handlers are
 *   called synchronously, in registration order, after the cache is updated (so a lister read from
 *   a handler sees the new state); a throwing handler is logged and does not affect the others.
 * - On a (re)list, `replace` diffs the new state against the cache, as client-go's DeltaFIFO Replace:
 *   new keys are adds, changed resourceVersions are updates, and keys missing from the list (deleted
 *   while the watch was down) are deletes carrying the last state we knew. Unchanged objects are not
 *   re-announced; set `resyncMs` for periodic `onUpdate(obj, obj)` of everything.
 * - A watch DELETED for an object the cache never had is ignored; ADDED for a known key is an update.
 * - `hasSynced()` turns true once the first list is in the cache and handlers have heard it.
 * - The lister hands out cached objects, deep-frozen: never mutate, clone first.
 *
 * `run(signal)` drives it until the signal aborts (once per informer).
 */
import type { ApiClient } from '../client/api.js';
import { objectKey, type KubeObject } from '../api/meta.js';
import type { ResourceInfo } from '../api/resources.js';
import { realClock, type Clock, type TimerHandle } from '../runtime/clock.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import { parseLabelSelector, type Selector } from '../selectors/labels.js';
import { Indexer, NAMESPACE_INDEX, type IndexFunc } from './indexer.js';
import { Reflector, type BackoffOptions, type ReflectorSink } from './reflector.js';

export interface EventHandler<T extends KubeObject = KubeObject> {
  onAdd?(obj: T, isInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface HandlerRegistration {
  remove(): void;
}

export interface Lister<T extends KubeObject = KubeObject> {
  /** By cache key: `namespace/name`, or `name` for cluster-scoped kinds. */
  get(key: string): T | undefined;
  /** Everything cached, optionally filtered by a label selector (parsed, or its string form). */
  list(selector?: Selector | string): T[];
  /** Objects of one namespace, optionally filtered by labels. */
  listNamespace(namespace: string, selector?: Selector | string): T[];
  byIndex(indexName: string, value: string): T[];
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  api: ApiClient;
  resource: ResourceInfo;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, IndexFunc<T>>;
  clock?: Clock;
  log?: Logger;
  backoff?: BackoffOptions;
  pageSize?: number;
  /** Re-announce every cached object as `onUpdate(obj, obj)` this often (0 = never, the default). */
  resyncMs?: number;
}

function asSelector(s: Selector | string | undefined): Selector | undefined {
  return typeof s === 'string' ? parseLabelSelector(s) : s;
}

export class SharedInformer<T extends KubeObject = KubeObject> implements ReflectorSink<T> {
  readonly resource: ResourceInfo;
  readonly lister: Lister<T>;
  private readonly indexer: Indexer<T>;
  private readonly handlers: EventHandler<T>[] = [];
  private readonly reflector: Reflector<T>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private synced = false;
  private started = false;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly opts: InformerOptions<T>) {
    this.resource = opts.resource;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.log ?? silentLogger()).child({ informer: opts.resource.plural, namespace: opts.namespace || undefined });
    this.indexer = new Indexer<T>(opts.indexers ?? {});
    this.reflector = new Reflector<T>({ ...opts, clock: this.clock, log: this.log }, this);
    const idx = this.indexer;
    this.lister = {
      get: (key) => idx.get(key),
      list: (sel) => {
        const s = asSelector(sel);
        return s && !s.empty ? idx.list().filter((o) => s.matches(o.metadata.labels)) : idx.list();
      },
      listNamespace: (ns, sel) => {
        const s = asSelector(sel);
        const items = idx.byIndex(NAMESPACE_INDEX, ns);
        return s && !s.empty ? items.filter((o) => s.matches(o.metadata.labels)) : items;
      },
      byIndex: (name, value) => idx.byIndex(name, value),
    };
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.indexer.addIndexers(indexers);
  }

  addEventHandler(handler: EventHandler<T>): HandlerRegistration {
    this.handlers.push(handler);
    for (const obj of this.indexer.list()) this.call('onAdd', () => handler.onAdd?.(obj, true));
    return {
      remove: () => {
        const i = this.handlers.indexOf(handler);
        if (i >= 0) this.handlers.splice(i, 1);
      },
    };
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once synced; rejects with the signal's reason if it aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
        reject(signal?.reason);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.syncWaiters.push(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get lastResourceVersion(): string {
    return this.reflector.lastResourceVersion;
  }

  get isStarted(): boolean {
    return this.started;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`informer for ${this.resource.plural} already started`);
    this.started = true;
    let resync: TimerHandle | undefined;
    if (this.opts.resyncMs && this.opts.resyncMs > 0) resync = this.clock.setInterval(() => this.resync(), this.opts.resyncMs);
    try {
      await this.reflector.run(signal);
    } finally {
      resync?.cancel();
    }
  }

  // ---- ReflectorSink ----

  replace(items: T[], _rv: string): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.indexer.upsert(obj);
      if (!old) this.notify('onAdd', (h) => h.onAdd?.(obj, initial));
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.notify('onUpdate', (h) => h.onUpdate?.(old, obj));
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const gone = this.indexer.delete(key) as T;
      this.notify('onDelete', (h) => h.onDelete?.(gone));
    }
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  add(obj: T): void {
    const old = this.indexer.upsert(obj);
    if (old) this.notify('onUpdate', (h) => h.onUpdate?.(old, obj));
    else this.notify('onAdd', (h) => h.onAdd?.(obj, false));
  }

  update(obj: T): void {
    this.add(obj);
  }

  delete(obj: T): void {
    const old = this.indexer.delete(objectKey(obj));
    if (old) this.notify('onDelete', (h) => h.onDelete?.(obj));
  }

  // ---- internals ----

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.indexer.list()) this.notify('onUpdate', (h) => h.onUpdate?.(obj, obj));
  }

  private notify(what: string, fn: (h: EventHandler<T>) => void): void {
    for (const h of [...this.handlers]) this.call(what, () => fn(h));
  }

  private call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, handler: what }, 'event handler threw');
    }
  }
}
