/**
 * The generic registry: create, get, list, update (whole object or a subresource), delete and
 * guaranteed read-modify-write for every resource in the table, with the kind-specific parts
 * delegated to its Strategy.
 *
 * Reads come from the watch cache after waiting for the last revision this server wrote (read your
 * writes); writes go to the store with the expected modRevision, so concurrent writers get 409
 * Conflict instead of lost updates. Nothing is stored before defaulting, admission and validation
 * pass: a rejected request leaves the store untouched.
 *
 * Every method takes the resource row the client asked for; a kind served in several versions is
 * converted here (../versions.ts): bodies to the storage version on the way in, answers back to the
 * asked version on the way out. Strategies, admission and the store only see the storage version;
 * a `guaranteedUpdate` mutator sees the asked version.
 */
import { alreadyExists, conflict, isStatusError, MODIFIED_CONFLICT, notFound, badRequest, tooLarge, type StatusError } from '../../../shared/api/errors.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import { storageResourceOf, storeKey, type ResourceInfo } from '../../../shared/api/resources.js';
import type { StoreClient } from '../../../shared/client/store.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { Logger } from '../../../shared/runtime/logger.js';
import type { WatchCache } from '../watch-cache.js';
import { FieldErrors, validateObjectMeta } from '../validation.js';
import { checkTypeMeta, keepSystemMeta, prepareCreateMeta, reconcileNamespace, storedForm } from './object-meta.js';
import { clone, specOf, type Strategy, type StrategyContext } from './strategy.js';
import { strategyFor } from './strategies/index.js';
import type { LeaseManager } from './lease-manager.js';
import { fromStorage, toStorage } from '../versions.js';

export interface Admission {
  /** Called before validation on every create (namespace lifecycle, IP allocation, …); may mutate `obj`. */
  admitCreate(r: ResourceInfo, obj: KubeObject): void;
  /** Called before validation on every update; may mutate `obj`. */
  admitUpdate?(r: ResourceInfo, obj: KubeObject, old: KubeObject): void;
}

export interface RegistryDeps {
  store: StoreClient;
  /** Gives store leases to kinds that expire (strategy.expires); without it they never expire. */
  leases?: LeaseManager;
  /** Lifetime of expiring objects after their last write (default 3600 s, Kubernetes' event TTL). */
  ttlSeconds?: number;
  /** The not-ready / unreachable toleration admission gives pods (default 300 s). */
  defaultTolerationSeconds?: number;
  cache: WatchCache;
  clock: Clock;
  log: Logger;
  admission: Admission;
}

export interface WriteOptions {
  /** `?dryRun=All`: run every check, store nothing, answer what would have been stored. */
  dryRun?: boolean;
}

export type Mutator = (current: KubeObject) => KubeObject | Promise<KubeObject>;

const MAX_RETRIES = 20;

export class Registry {
  private lastWritten = 0;
  private readonly ctx: StrategyContext;

  constructor(private readonly deps: RegistryDeps) {
    this.ctx = { clock: deps.clock, defaultTolerationSeconds: deps.defaultTolerationSeconds };
  }

  /** Waits until the cache holds every write this server made. */
  async sync(): Promise<void> {
    await this.deps.cache.waitFor(this.lastWritten);
  }

  noteWritten(rev: number): void {
    if (rev > this.lastWritten) this.lastWritten = rev;
  }

  /** The current object, or NotFound. Returned objects are shared: do not mutate. */
  async get(r: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    await this.sync();
    const stored = storageResourceOf(r);
    const obj = this.deps.cache.get(stored, storeKey(stored, namespace, name));
    if (!obj) throw notFound(r.plural, name, r.group);
    return fromStorage(r, obj);
  }

  async create(asked: ResourceInfo, namespace: string | undefined, input: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const r = storageResourceOf(asked);
    const strategy = strategyFor(r);
    const view = clone(input);
    checkTypeMeta(asked, view);
    const obj = toStorage(asked, view);
    await this.sync();
    reconcileNamespace(r, obj.metadata, namespace);
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    for (let attempt = 0; ; attempt++) {
      const candidate = clone(obj);
      prepareCreateMeta(candidate.metadata, this.deps.clock, !!strategy.tracksGeneration);
      strategy.default?.(candidate, this.ctx);
      strategy.prepareForCreate?.(candidate, this.ctx);
      this.deps.admission.admitCreate(r, candidate);
      this.validate(r, strategy, candidate);
      if (opts.dryRun) return fromStorage(asked, candidate);
      try {
        const kv = await this.deps.store.create(storeKey(r, candidate.metadata.namespace, candidate.metadata.name!), storedForm(candidate), await this.writeOptions(strategy));
        this.noteWritten(kv.modRevision);
        candidate.metadata.resourceVersion = String(kv.modRevision);
        return fromStorage(asked, candidate);
      } catch (err) {
        if (isStatusError(err, 'AlreadyExists')) {
          if (generated && attempt < 7) continue; // a generated name collided: draw again
          throw alreadyExists(r.plural, candidate.metadata.name!, r.group);
        }
        throw this.storeError(err, r, candidate.metadata.name!);
      }
    }
  }

  /**
   * PUT: replace the object (or only its status when `subresource` is 'status'). With a
   * resourceVersion in the body the write is conditional (409 when stale); without, it retries.
   */
  async update(r: ResourceInfo, namespace: string | undefined, name: string, input: KubeObject, subresource?: string, opts: WriteOptions = {}): Promise<KubeObject> {
    const body = clone(input);
    checkTypeMeta(r, body);
    if (body.metadata.name && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    body.metadata.name = name;
    reconcileNamespace(r, body.metadata, namespace);
    const precondition = body.metadata.resourceVersion;
    return this.guaranteedUpdate(r, namespace, name, (current) => {
      if (precondition && precondition !== current.metadata.resourceVersion) {
        throw conflict(r.plural, name, MODIFIED_CONFLICT, r.group);
      }
      return this.merge(r, current, body, subresource);
    }, { ...opts, subresource });
  }

  /**
   * The stored object after applying a PUT body to `current` (status split, system metadata).
   * `current` is the private copy a `guaranteedUpdate` mutator gets: it may become part of the
   * result. `body` is left as it is (an update retries with the same body).
   */
  merge(r: ResourceInfo, current: KubeObject, body: KubeObject, subresource?: string): KubeObject {
    const strategy = strategyFor(r);
    let next: KubeObject;
    if (subresource === 'status') {
      next = current;
      next.status = clone(body.status);
    } else {
      next = clone(body);
      if (strategy.statusSubresource) next.status = current.status;
      keepSystemMeta(next.metadata, current.metadata);
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    return next;
  }

  /**
   * Read-modify-write with retries on conflict: `mutate` gets the current object (a private copy)
   * and returns the desired one; defaulting, generation, validation and the finalizer/deletion
   * rules are applied here. A mutator may throw to abort (e.g. a stale precondition). Only the
   * server's own delete path passes `setsDeletion` to set `deletionTimestamp`.
   */
  async guaranteedUpdate(
    asked: ResourceInfo,
    namespace: string | undefined,
    name: string,
    mutate: Mutator,
    opts: WriteOptions & { setsDeletion?: boolean; subresource?: string } = {},
  ): Promise<KubeObject> {
    const r = storageResourceOf(asked);
    const strategy = strategyFor(r);
    const key = storeKey(r, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(r, namespace, name);
      const view = await mutate(fromStorage(asked, clone(current)));
      checkTypeMeta(asked, view);
      const next = toStorage(asked, view);
      const { deletionTimestamp, deletionGracePeriodSeconds } = next.metadata;
      keepSystemMeta(next.metadata, current.metadata);
      if (opts.setsDeletion) Object.assign(next.metadata, { deletionTimestamp, deletionGracePeriodSeconds });
      next.metadata.name = name;
      strategy.default?.(next, this.ctx);
      strategy.prepareForUpdate?.(next, current, this.ctx);
      this.deps.admission.admitUpdate?.(r, next, current);
      if (strategy.tracksGeneration && specOf(next) !== specOf(current)) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
      this.validate(r, strategy, next, current, opts.subresource, opts.setsDeletion);
      if (opts.dryRun) return fromStorage(asked, next);
      const expected = Number(current.metadata.resourceVersion);
      try {
        if (
          next.metadata.deletionTimestamp &&
          (next.metadata.deletionGracePeriodSeconds ?? 0) === 0 &&
          (next.metadata.finalizers ?? []).length === 0 &&
          this.finalizable(r, next)
        ) {
          const { revision } = await this.deps.store.delete(key, expected);
          this.noteWritten(revision);
          next.metadata.resourceVersion = String(revision);
          return fromStorage(asked, next);
        }
        const stored = storedForm(next);
        if (stored === storedForm(current)) return fromStorage(asked, current); // nothing changed: no new revision
        const kv = await this.deps.store.update(key, stored, expected, await this.writeOptions(strategy));
        this.noteWritten(kv.modRevision);
        next.metadata.resourceVersion = String(kv.modRevision);
        return fromStorage(asked, next);
      } catch (err) {
        if (isStatusError(err, 'Conflict') && attempt < MAX_RETRIES) {
          await this.catchUp(key);
          continue;
        }
        if (isStatusError(err, 'NotFound')) throw notFound(r.plural, name, r.group);
        throw this.storeError(err, r, name);
      }
    }
  }

  /** Removes the object from the store now (expected revision = the given object's). */
  async remove(r: ResourceInfo, obj: KubeObject): Promise<number> {
    try {
      const { revision } = await this.deps.store.delete(storeKey(r, obj.metadata.namespace, obj.metadata.name!), Number(obj.metadata.resourceVersion));
      this.noteWritten(revision);
      return revision;
    } catch (err) {
      if (isStatusError(err, 'NotFound')) throw notFound(r.plural, obj.metadata.name!, r.group);
      if (isStatusError(err, 'Conflict')) {
        await this.catchUp(storeKey(r, obj.metadata.namespace, obj.metadata.name!));
        throw conflict(r.plural, obj.metadata.name!, MODIFIED_CONFLICT, r.group);
      }
      throw this.storeError(err, r, obj.metadata.name!);
    }
  }

  /**
   * After a lost compare-and-swap: the cache is behind the store on `key` (a write that won is
   * applied but its watch event, or its writer's acknowledgement, has not arrived yet). Reads the
   * key's revision from the store, as kube-apiserver re-reads etcd after a conflict, so the next
   * `get` waits for the cache to hold it instead of retrying against the same stale copy.
   */
  private async catchUp(key: string): Promise<void> {
    try {
      const { kv, revision } = await this.deps.store.get(key);
      this.noteWritten(kv ? kv.modRevision : revision);
    } catch {
      // the retry reads the cache as it is; a store that cannot answer fails the write itself
    }
  }

  private async writeOptions(strategy: Strategy): Promise<{ lease?: number }> {
    if (!strategy.expires || !this.deps.leases) return {};
    return { lease: await this.deps.leases.leaseFor(this.deps.ttlSeconds ?? 3600) };
  }

  /** Namespaces finalize through `spec.finalizers` too; other kinds only through metadata.finalizers. */
  private finalizable(r: ResourceInfo, obj: KubeObject): boolean {
    if (r.plural === 'namespaces' && r.group === '') return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length === 0;
    return true;
  }

  /** `deleting`: the server's own delete path, which may swap the propagation finalizers of an object already being deleted. */
  private validate(r: ResourceInfo, strategy: Strategy, obj: KubeObject, old?: KubeObject, subresource?: string, deleting = false): void {
    const errs = new FieldErrors();
    validateObjectMeta(obj.metadata, { nameRule: strategy.nameRule ?? 'subdomain', namespaced: r.namespaced }, errs);
    strategy.validate?.(obj, errs);
    if (old) {
      strategy.validateUpdate?.(obj, old, errs, subresource);
      if (old.metadata.deletionTimestamp && !deleting) {
        const added = (obj.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
        if (added.length) errs.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`);
      }
    }
    errs.throwIfAny(r.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', r.group);
  }

  private storeError(err: unknown, r: ResourceInfo, name: string): StatusError | unknown {
    if (isStatusError(err, 'RequestEntityTooLarge')) return tooLarge(`${r.plural} "${name}" is too large to store: objects are limited to 1.5 MiB`);
    return err;
  }
}
