/**
 * The informer's cache: objects keyed `namespace/name` (`name` for cluster-scoped kinds, the key
 * form of `objectKey`), with named secondary indexes kept in step on every write.
 *
 * An index function maps an object to the values it is filed under (`namespace` by default; e.g.
 * pods by `spec.nodeName`); `byIndex(name, value)` answers from the index without scanning.
 *
 * Invariants: every index reflects exactly the objects in the store; objects are deep-frozen on the
 * way in, because listers hand out the cached objects themselves (no copy per read) and a caller
 * mutating one would silently corrupt the cache: clone (structuredClone) before changing anything.
 * Single-threaded JS makes locking moot; nothing here is asynchronous.
 */
import { objectKey, type KubeObject } from '../api/meta.js';

export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';

export function namespaceIndexFunc(obj: KubeObject): string[] {
  return [obj.metadata.namespace ?? ''];
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

export class Indexer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → indexed value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc, ...indexers });
  }

  /** Adds indexes (at any time: existing objects are indexed at once). A name is bound to one function. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing === fn) continue;
      if (existing) throw new Error(`indexer "${name}" already exists with a different function`);
      this.indexers.set(name, fn);
      this.indices.set(name, new Map());
      for (const [key, obj] of this.items) this.file(name, fn, key, obj);
    }
  }

  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): T[] {
    return [...this.items.values()];
  }

  /** Inserts or replaces; returns the previous object under the same key. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unfileAll(key, old);
    this.items.set(key, deepFreeze(obj));
    for (const [name, fn] of this.indexers) this.file(name, fn, key, obj);
    return old;
  }

  /** Removes by key; returns what was there. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unfileAll(key, old);
    this.items.delete(key);
    return old;
  }

  /** Objects filed under `value` in index `name`. Throws for an index that does not exist. */
  byIndex(name: string, value: string): T[] {
    return this.indexKeys(name, value).map((k) => this.items.get(k) as T);
  }

  indexKeys(name: string, value: string): string[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  /** Every value present in index `name`. */
  indexValues(name: string): string[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return [...index.keys()];
  }

  private file(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const index = this.indices.get(name) as Map<string, Set<string>>;
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unfileAll(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys && keys.size === 0) index.delete(value);
      }
    }
  }
}
