/**
 * The api-server's watch cache (kube-apiserver's "cacher"): one store watch over every key under
 * `/registry/`, the current objects decoded once, and a bounded history of recent changes.
 *
 * - Reads (get, list) and watches are served from here, never from the store; writes go to the
 *   store and come back through the watch. `waitFor(rev)` gives read-your-writes: a handler that
 *   just wrote revision R waits until the cache has applied R.
 * - History holds the last `capacity` events (with the previous object), so a client watch can
 *   resume from any resourceVersion newer than `oldestResumable()`; older → 410 Expired. At start
 *   the history is back-filled from the store (as far as the store still has it), so watches
 *   resume across an api-server restart.
 * - Start-up without a snapshot read: watch from the back-fill revision first, then range; an event
 *   is applied to state only if it is newer than what the range saw for that key.
 *
 * Objects handed out are shared and must be treated as read-only (copy before changing).
 */
import type { KeyValue, StoreClient, StoreEvent, StoreWatch } from '../../shared/client/store.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { REGISTRY_PREFIX, resourceForKey, type ResourceInfo } from '../../shared/api/resources.js';
import { timeout } from '../../shared/api/errors.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Clock } from '../../shared/runtime/clock.js';

export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: ResourceInfo;
  key: string;
  rev: number;
  /** The object after the change (for DELETED: its last state, resourceVersion = deletion revision). */
  object: KubeObject;
  /** The object before the change (absent for ADDED). */
  prev?: KubeObject;
}

interface Entry {
  object: KubeObject;
  modRevision: number;
}

export type CacheListener = (events: CacheEvent[]) => void;

export class WatchCache {
  private readonly byResource = new Map<ResourceInfo, Map<string, Entry>>();
  private readonly history: CacheEvent[] = [];
  private historyStart = 0; // index of the oldest live entry in `history`
  private rev = 0;
  /** Every revision above this is in history. */
  private complete = 0;
  private readonly listeners = new Set<CacheListener>();
  private readonly waiters: { rev: number; resolve: () => void }[] = [];
  private watch?: StoreWatch;
  private ready = false;

  constructor(
    private readonly store: StoreClient,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly capacity = 50_000,
  ) {}

  get revision(): number {
    return this.rev;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Oldest resourceVersion a watch can start after; anything older is 410 Expired. */
  oldestResumable(): number {
    return this.complete;
  }

  async start(): Promise<void> {
    const st = await this.store.status();
    const from = Math.max(st.compactRevision + 1, st.revision - this.capacity + 1, 1);
    const buffered: StoreEvent[] = [];
    let initialising = true;
    this.watch = await this.store.watch(REGISTRY_PREFIX, from, {
      onEvents: (events) => (initialising ? buffered.push(...events) : this.apply(events, true)),
      onProgress: (rev) => this.progress(rev),
      onError: (err) => {
        this.log.fatal({ err }, 'the store watch failed; the cache cannot continue');
        process.exitCode = 1;
        process.kill(process.pid, 'SIGTERM');
      },
    });
    let cont: string | undefined;
    let rangeRev = 0;
    do {
      const page = await this.store.range(REGISTRY_PREFIX, { limit: 1000, continue: cont });
      for (const kv of page.kvs) this.setEntry(kv);
      cont = page.continue;
      rangeRev = Math.max(rangeRev, page.revision);
    } while (cont);
    // The state is complete up to the last event the watch delivered (range pages may hold newer
    // data, never older), so the revision advances only with events and progress notifications.
    this.complete = from - 1;
    this.rev = Math.max(this.rev, from - 1);
    initialising = false;
    this.apply(buffered, false);
    // Serve only once the watch has caught up with the newest range page: from then on the state
    // is exactly the state at `revision`, never ahead of it.
    await this.waitFor(rangeRev, 60_000);
    this.ready = true;
    this.log.info({ revision: this.rev, objects: this.count(), historyFrom: this.complete }, 'watch cache ready');
  }

  async stop(): Promise<void> {
    await this.watch?.cancel();
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  get(resource: ResourceInfo, key: string): KubeObject | undefined {
    return this.byResource.get(resource)?.get(key)?.object;
  }

  /** Objects of a kind whose store key starts with `prefix`, in key order. */
  list(resource: ResourceInfo, prefix: string): KubeObject[] {
    const m = this.byResource.get(resource);
    if (!m) return [];
    const keys = [...m.keys()].filter((k) => k.startsWith(prefix)).sort();
    return keys.map((k) => m.get(k)!.object);
  }

  /** Events with revision > `after`, in order (caller checks `after >= oldestResumable()`). */
  since(after: number): CacheEvent[] {
    const out: CacheEvent[] = [];
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      if (this.history[i].rev <= after) break;
      out.push(this.history[i]);
    }
    return out.reverse();
  }

  subscribe(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the cache has applied `rev`; Timeout after `ms`. */
  waitFor(rev: number, ms = 5000): Promise<void> {
    if (this.rev >= rev) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = this.clock.setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(timeout(`Too large resource version: ${rev}, current: ${this.rev}`));
      }, ms);
      const w = {
        rev,
        resolve: () => {
          t.cancel();
          resolve();
        },
      };
      this.waiters.push(w);
    });
  }

  private count(): number {
    let n = 0;
    for (const m of this.byResource.values()) n += m.size;
    return n;
  }

  private decode(kv: KeyValue, rev: number): KubeObject | undefined {
    try {
      const obj = JSON.parse(kv.value) as KubeObject;
      obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rev) };
      return obj;
    } catch (err) {
      this.log.error({ err, key: kv.key }, 'undecodable object in the store; ignored');
      return undefined;
    }
  }

  private setEntry(kv: KeyValue): void {
    const resource = resourceForKey(kv.key);
    if (!resource) return;
    const object = this.decode(kv, kv.modRevision);
    if (!object) return;
    let m = this.byResource.get(resource);
    if (!m) this.byResource.set(resource, (m = new Map()));
    m.set(kv.key, { object, modRevision: kv.modRevision });
  }

  private apply(events: StoreEvent[], live: boolean): void {
    const out: CacheEvent[] = [];
    for (const e of events) {
      const rev = e.kv.modRevision;
      if (rev <= this.complete) continue; // duplicate of history we already hold
      const ce = this.toCacheEvent(e, rev);
      if (ce) {
        this.record(ce);
        this.applyToState(ce);
        out.push(ce);
      }
      this.rev = Math.max(this.rev, rev);
    }
    if (out.length && live) for (const l of this.listeners) l(out);
    this.release();
  }

  private progress(rev: number): void {
    if (rev > this.rev) {
      this.rev = rev;
      this.release();
    }
  }

  private release(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].rev <= this.rev) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private toCacheEvent(e: StoreEvent, rev: number): CacheEvent | undefined {
    const resource = resourceForKey(e.kv.key);
    if (!resource) return undefined;
    const prev = e.prevKv ? this.decode(e.prevKv, e.prevKv.modRevision) : undefined;
    if (e.type === 'DELETE') {
      if (!e.prevKv) return undefined;
      const object = this.decode(e.prevKv, rev);
      return object ? { type: 'DELETED', resource, key: e.kv.key, rev, object, prev } : undefined;
    }
    const object = this.decode(e.kv, rev);
    if (!object) return undefined;
    return { type: prev ? 'MODIFIED' : 'ADDED', resource, key: e.kv.key, rev, object, prev };
  }

  /** Applies a change unless the range already showed that key at this revision or later. */
  private applyToState(ce: CacheEvent): void {
    let m = this.byResource.get(ce.resource);
    if (!m) this.byResource.set(ce.resource, (m = new Map()));
    const cur = m.get(ce.key);
    if (cur && cur.modRevision >= ce.rev) return;
    if (ce.type === 'DELETED') m.delete(ce.key);
    else m.set(ce.key, { object: ce.object, modRevision: ce.rev });
  }

  private record(ce: CacheEvent): void {
    this.history.push(ce);
    const live = this.history.length - this.historyStart;
    if (live > this.capacity) {
      this.complete = this.history[this.historyStart].rev;
      this.historyStart++;
      if (this.historyStart > this.capacity) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
  }
}
