/**
 * An in-memory `ApiClient` for unit tests of every controller: kube-apiserver semantics without a
 * process. Keep it faithful; tests of later components rely on what it promises:
 *
 * - One global resourceVersion counter; every write bumps it and stamps the object.
 * - create: AlreadyExists, generateName (+5 random chars), uid, creationTimestamp, generation 1;
 *   rejects a set resourceVersion and a namespace that differs from the request's.
 * - update: Conflict on a stale resourceVersion (none given = unconditional); uid, creation time
 *   and deletion fields are immutable; `status` is only written through the status subresource
 *   for kinds that have one; a no-op write changes nothing and emits nothing; generation bumps on
 *   spec changes; `scale` reads and writes spec.replicas (status: replicas and the selector string).
 * - delete: preconditions, finalizers (and `foregroundDeletion` / `orphan` for those policies; a
 *   ReplicationController deleted without a policy orphans, as in core/v1) set
 *   deletionTimestamp instead of deleting; a bound pod is deleted gracefully (deletionTimestamp +
 *   grace) until deleted with gracePeriodSeconds 0 or it has finished; removing the last finalizer
 *   of a deleting object deletes it. Pods support `binding` (sets spec.nodeName once) and `eviction`.
 * - list / watch with label and field selectors (the real parsers; unsupported fields → 400),
 *   limit / continue; watch from a resourceVersion replays the history after it; no version (or
 *   "0") starts with the current state as ADDED. Filtered watches turn updates that enter or leave
 *   the selection into ADDED / DELETED, as the watch cache does. A watch from before `compact()`
 *   ends with 410 Expired through `onError`.
 * - merge / strategic (approximated) / json patches; `request()` routes REST paths to the above.
 *
 * Everything is asynchronous (a microtask per call, watch events in order on microtasks) so
 * concurrent callers interleave as against a real server. Test hooks: `reactor` (inject failures
 * or delays), `compact`, `expireWatches`, `failWatches`, `sendBookmarks`, `connect` (a client that
 * can be cut off). It does not check that namespaces exist and does not garbage-collect.
 */
import { randomUUID } from 'node:crypto';
import type { ApiClient, ApiRequest, ApiResponse, ApiWatch, DeleteOptions, ListOptions, PatchType, WatchHandlers, WatchOptions } from '../../shared/client/api.js';
import type { KubeList, KubeObject } from '../../shared/api/meta.js';
import { apiVersionOf, resourceFor, storeKey, storePrefix, type ResourceInfo } from '../../shared/api/resources.js';
import {
  alreadyExists, badRequest, conflict, expired, invalid, methodNotAllowed, MODIFIED_CONFLICT, notFound, successStatus, unknownPath, type Status,
} from '../../shared/api/errors.js';
import { isoTime, realClock, type Clock } from '../../shared/runtime/clock.js';
import { labelSelectorToString, parseLabelSelector, selectorFromSet } from '../../shared/selectors/labels.js';
import { matchesFields, validateFieldSelector } from '../../shared/selectors/fields.js';
import { jsonPatch, mergePatch } from './fake-patch.js';
import { FakeWatchStream, sameResource, type Change } from './fake-watch.js';
import { FakeConnection } from './fake-connection.js';

export type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'watch';
export interface Call { verb: Verb; resource: ResourceInfo; namespace?: string; name?: string; subresource?: string; body?: unknown }
/** Runs before every call; throw (or reject) to fail it, await something to delay it. */
export type Reactor = (call: Call) => void | Promise<void>;


const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const clone = <T>(v: T): T => structuredClone(v);
const hasSub = (r: ResourceInfo, name: string): boolean => r.subresources.some((s) => s.name === name);

/** JSON equality ignoring key order (a no-op update must not look like a change). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export class FakeApi implements ApiClient {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: Change[] = [];
  private readonly watchers = new Set<FakeWatchStream>();
  private readonly reactors: Reactor[] = [];
  private rv = 0;
  private compactedRv = 0;

  constructor(readonly clock: Clock = realClock) {}

  // ---- test hooks ----

  /** The current global resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  reactor(fn: Reactor): () => void {
    this.reactors.push(fn);
    return () => this.reactors.splice(this.reactors.indexOf(fn), 1);
  }

  /** Forgets history up to `rv` (default: now): watches from older versions get 410 Expired. */
  compact(rv = this.rv): void {
    this.compactedRv = Math.max(this.compactedRv, rv);
    while (this.history.length && this.history[0].rv <= this.compactedRv) this.history.shift();
  }

  /** Ends every open watch with 410 Expired, through `onError` or (asEvent) an ERROR event. */
  expireWatches(asEvent = false): void {
    const err = expired(`too old resource version: ${this.compactedRv} (${this.rv})`);
    for (const w of [...this.watchers]) {
      if (!asEvent) w.fail(err);
      else {
        // A real server sends the ERROR event and closes the stream; nothing more follows.
        w.send({ type: 'ERROR', object: err.status as unknown as KubeObject });
        w.end();
      }
    }
  }

  /** Ends every open watch (of one resource, if given) with `err`, as a broken connection would. */
  failWatches(err: Error, r?: ResourceInfo): void {
    for (const w of [...this.watchers]) if (!r || sameResource(r, w.r)) w.fail(err);
  }

  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) w.send({ type: 'BOOKMARK', object: { apiVersion: apiVersionOf(w.r), kind: w.r.kind, metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  openWatches(r?: ResourceInfo): number {
    return [...this.watchers].filter((w) => !r || sameResource(r, w.r)).length;
  }

  /** A client over this store that tests can cut off (`down = true`) to simulate a partition. */
  connect(): FakeConnection {
    return new FakeConnection(this);
  }

  // ---- ApiClient ----

  async get<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, name: string, subresource?: string): Promise<T> {
    await this.react({ verb: 'get', resource: r, namespace, name, subresource });
    const obj = this.mustGet(r, namespace, name);
    return (subresource === 'scale' ? this.scaleOf(r, obj) : clone(obj)) as T;
  }

  async list<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    await this.react({ verb: 'list', resource: r, namespace });
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = validateFieldSelector(r.plural, opts.fieldSelector);
    const prefix = storePrefix(r, namespace);
    let keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    if (opts.continue) {
      const after = Buffer.from(opts.continue, 'base64url').toString();
      keys = keys.filter((k) => k > after);
    }
    let items = keys.map((k) => this.objects.get(k) as KubeObject).filter((o) => labels.matches(o.metadata.labels) && matchesFields(r.plural, o, fields));
    const metadata: KubeList['metadata'] = { resourceVersion: String(this.rv) };
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      metadata.remainingItemCount = items.length - opts.limit;
      items = items.slice(0, opts.limit);
      const last = items[items.length - 1];
      metadata.continue = Buffer.from(storeKey(r, last.metadata.namespace, last.metadata.name ?? '')).toString('base64url');
    }
    return { apiVersion: apiVersionOf(r), kind: r.listKind, metadata, items: clone(items) as T[] };
  }

  async create<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, body: unknown, subresource?: string, name?: string): Promise<T> {
    await this.react({ verb: 'create', resource: r, namespace, name, subresource, body });
    if (subresource) return (await this.createSubresource(r, namespace, name ?? '', subresource, body)) as unknown as T;
    const obj = clone(body) as KubeObject;
    obj.metadata = obj.metadata ?? {};
    const meta = obj.metadata;
    if (r.namespaced) {
      if (namespace && meta.namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest(`${r.plural} must be created in a namespace`);
    } else delete meta.namespace;
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name && meta.generateName) {
      do {
        meta.name = meta.generateName + Array.from({ length: 5 }, () => NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)]).join('');
      } while (this.objects.has(storeKey(r, meta.namespace, meta.name)));
    }
    if (!meta.name) throw invalid(r.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    const key = storeKey(r, meta.namespace, meta.name);
    if (this.objects.has(key)) throw alreadyExists(r.plural, meta.name, r.group);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    Object.assign(meta, { uid: randomUUID(), creationTimestamp: isoTime(this.clock), generation: 1 });
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    return clone(this.write(r, 'ADDED', obj)) as T;
  }

  async update<T extends KubeObject = KubeObject>(r: ResourceInfo, obj: T, subresource?: string): Promise<T> {
    const { namespace, name = '' } = obj.metadata ?? {};
    await this.react({ verb: 'update', resource: r, namespace, name, subresource, body: obj });
    return this.doUpdate(r, clone(obj), subresource) as Promise<T>;
  }

  async patch<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, subresource?: string): Promise<T> {
    await this.react({ verb: 'patch', resource: r, namespace, name, subresource, body: patch });
    const body = typeof patch === 'string' ? (JSON.parse(patch) as unknown) : patch;
    const stored = this.mustGet(r, namespace, name);
    const target = subresource === 'scale' ? this.scaleOf(r, stored) : clone(stored);
    if (type === 'apply') throw badRequest('server-side apply is not supported by the fake api');
    const patched = (type === 'json' ? jsonPatch(target, body) : mergePatch(target, body)) as KubeObject;
    return this.doUpdate(r, patched, subresource) as Promise<T>;
  }

  async delete(r: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | Status> {
    await this.react({ verb: 'delete', resource: r, namespace, name });
    const stored = this.mustGet(r, namespace, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== stored.metadata.uid) {
      throw conflict(r.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${stored.metadata.uid}`, r.group);
    }
    if (pre.resourceVersion && pre.resourceVersion !== stored.metadata.resourceVersion) {
      throw conflict(r.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${stored.metadata.resourceVersion}`, r.group);
    }
    if (opts.dryRun?.length) return clone(stored);
    const next = clone(stored);
    const meta = next.metadata;
    // Without a policy, core/v1 ReplicationControllers orphan (Kubernetes' compatibility default); everything else is Background.
    const policy = opts.propagationPolicy ?? (r.group === '' && r.plural === 'replicationcontrollers' ? 'Orphan' : 'Background');
    const policyFinalizer = { Foreground: 'foregroundDeletion', Orphan: 'orphan', Background: undefined }[policy];
    if (policyFinalizer && !meta.deletionTimestamp && !meta.finalizers?.includes(policyFinalizer)) meta.finalizers = [...(meta.finalizers ?? []), policyFinalizer];
    const grace = this.gracePeriod(r, stored, opts);
    if (!meta.finalizers?.length && grace === 0) return clone(this.remove(r, stored));
    if (!meta.deletionTimestamp || grace < (meta.deletionGracePeriodSeconds ?? 0)) {
      meta.deletionTimestamp = new Date(this.clock.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      meta.deletionGracePeriodSeconds = grace;
    }
    return clone(sameJson(next, stored) ? stored : this.write(r, 'MODIFIED', next, stored));
  }

  async watch<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, opts: WatchOptions, handlers: WatchHandlers<T>): Promise<ApiWatch> {
    await this.react({ verb: 'watch', resource: r, namespace });
    const ns = r.namespaced ? namespace : undefined;
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = validateFieldSelector(r.plural, opts.fieldSelector);
    const w: FakeWatchStream = new FakeWatchStream(r, ns, labels, fields, opts.allowWatchBookmarks === true, handlers as unknown as WatchHandlers<KubeObject>, () =>
      this.watchers.delete(w),
    );
    this.watchers.add(w);
    const from = opts.resourceVersion && opts.resourceVersion !== '0' ? Number(opts.resourceVersion) : undefined;
    if (from === undefined) {
      for (const k of [...this.objects.keys()].filter((x) => x.startsWith(storePrefix(r, ns))).sort()) {
        const o = this.objects.get(k) as KubeObject;
        if (w.inScope(o)) w.send({ type: 'ADDED', object: clone(o) });
      }
    } else if (!Number.isFinite(from)) {
      w.fail(badRequest(`invalid resource version "${opts.resourceVersion}"`));
    } else if (from < this.compactedRv) {
      w.fail(expired(`too old resource version: ${from} (${this.compactedRv})`));
    } else {
      for (const c of this.history) if (c.rv > from) w.deliver(c);
    }
    return { stop: async () => w.stop() };
  }

  async request(req: ApiRequest): Promise<ApiResponse> {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(req.path);
    const r = m ? resourceFor(m[2] ?? '', m[1] ?? m[3], m[5]) : undefined;
    if (!m || !r) throw unknownPath();
    const [ns, name, sub] = [m[4] && decodeURIComponent(m[4]), m[6] && decodeURIComponent(m[6]), m[7]];
    const q = (k: string): string | undefined => [req.query?.[k]].flat()[0];
    const body = typeof req.body === 'string' ? (JSON.parse(req.body) as unknown) : req.body;
    const ok = (code: number, b: unknown): ApiResponse => ({ code, body: b, contentType: 'application/json' });
    switch (req.method) {
      case 'GET':
        return ok(200, name ? await this.get(r, ns, name, sub) : await this.list(r, ns, { labelSelector: q('labelSelector'), fieldSelector: q('fieldSelector'), limit: q('limit') ? Number(q('limit')) : undefined, continue: q('continue') }));
      case 'POST':
        return ok(201, await this.create(r, ns, body, name ? sub : undefined, name));
      case 'PUT':
        return ok(200, await this.update(r, body as KubeObject, sub));
      case 'PATCH': {
        const type = (Object.entries({ merge: 'merge-patch', strategic: 'strategic-merge', json: 'json-patch', apply: 'apply-patch' }).find(([, v]) => req.contentType?.includes(v))?.[0] ?? 'merge') as PatchType;
        return ok(200, await this.patch(r, ns, name ?? '', type, body, sub));
      }
      case 'DELETE':
        return ok(200, await this.delete(r, ns, name ?? '', (body ?? {}) as DeleteOptions));
    }
  }

  async close(): Promise<void> {
    for (const w of [...this.watchers]) w.stop();
  }

  // ---- internals ----

  private async react(call: Call): Promise<void> {
    await Promise.resolve();
    for (const fn of [...this.reactors]) await fn(call);
  }

  private mustGet(r: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const obj = this.objects.get(storeKey(r, namespace, name));
    if (!obj) throw notFound(r.plural, name, r.group);
    return obj;
  }

  private scaleOf(r: ResourceInfo, obj: KubeObject): KubeObject {
    if (!hasSub(r, 'scale')) throw notFound(r.plural, obj.metadata.name ?? '', r.group);
    const spec = (obj.spec ?? {}) as { replicas?: number; selector?: Record<string, unknown> };
    const status = (obj.status ?? {}) as { replicas?: number };
    // The selector as a string, as the api-server's scale subresource gives it (an RC's map, or a LabelSelector).
    const sel = spec.selector;
    const selector = !sel ? '' : 'matchLabels' in sel || 'matchExpressions' in sel ? labelSelectorToString(sel as never) : selectorFromSet(sel as Record<string, string>).toString();
    return {
      apiVersion: 'autoscaling/v1', kind: 'Scale',
      metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
      spec: { replicas: spec.replicas ?? 0 }, status: { replicas: status.replicas ?? 0, selector },
    };
  }

  private async doUpdate(r: ResourceInfo, obj: KubeObject, subresource?: string): Promise<KubeObject> {
    const meta = obj.metadata ?? {};
    const stored = this.mustGet(r, r.namespaced ? meta.namespace : undefined, meta.name ?? '');
    const name = meta.name ?? '';
    if (meta.resourceVersion && meta.resourceVersion !== stored.metadata.resourceVersion) throw conflict(r.plural, name, MODIFIED_CONFLICT, r.group);
    if (meta.uid && meta.uid !== stored.metadata.uid) {
      throw conflict(r.plural, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${stored.metadata.uid}`, r.group);
    }
    let next: KubeObject;
    if (subresource === 'status') next = { ...clone(stored), status: clone(obj.status) };
    else if (subresource === 'scale') next = { ...clone(stored), spec: { ...(stored.spec as object), replicas: (obj.spec as { replicas?: number })?.replicas } };
    else if (subresource) throw methodNotAllowed();
    else {
      next = { ...obj, apiVersion: stored.apiVersion, kind: stored.kind };
      if (hasSub(r, 'status')) next.status = clone(stored.status);
      if (next.status === undefined) delete next.status;
      const { uid, creationTimestamp, namespace, deletionTimestamp, deletionGracePeriodSeconds, generation } = stored.metadata;
      next.metadata = { ...meta, uid, creationTimestamp, namespace, deletionTimestamp, deletionGracePeriodSeconds, generation };
      for (const k of ['namespace', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) if (next.metadata[k] === undefined) delete next.metadata[k];
      const specOf = (o: KubeObject): unknown => ({ ...o, metadata: undefined, status: undefined });
      if (!sameJson(specOf(next), specOf(stored))) next.metadata.generation = (generation ?? 0) + 1;
    }
    next.metadata.resourceVersion = stored.metadata.resourceVersion;
    let result = stored;
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length && !this.gracefulPending(r, next)) result = this.remove(r, next);
    else if (!sameJson(next, stored)) result = this.write(r, 'MODIFIED', next, stored);
    return subresource === 'scale' ? this.scaleOf(r, result) : clone(result);
  }

  private async createSubresource(r: ResourceInfo, namespace: string | undefined, name: string, sub: string, body: unknown): Promise<Status> {
    const pod = this.mustGet(r, namespace, name);
    if (r.plural === 'pods' && sub === 'binding') {
      const target = (body as { target?: { name?: string } }).target?.name ?? '';
      const spec = pod.spec as { nodeName?: string };
      if (spec.nodeName) throw conflict('pods/binding', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      if (pod.metadata.deletionTimestamp) throw conflict('pods/binding', name, `pod ${name} is being deleted, cannot be assigned to a host`);
      const next = clone(pod);
      next.spec = { ...(next.spec as object), nodeName: target };
      this.write(r, 'MODIFIED', next, pod);
      return { ...successStatus(), code: 201 };
    }
    if (r.plural === 'pods' && sub === 'eviction') {
      await this.delete(r, namespace, name, (body as { deleteOptions?: DeleteOptions }).deleteOptions ?? {});
      return { ...successStatus(), code: 201 };
    }
    throw methodNotAllowed();
  }

  private gracePeriod(r: ResourceInfo, obj: KubeObject, opts: DeleteOptions): number {
    if (r.plural !== 'pods') return 0;
    const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, opts.gracePeriodSeconds ?? obj.metadata.deletionGracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30);
  }

  /** A pod still within its grace period stays until the kubelet deletes it with grace 0. */
  private gracefulPending(r: ResourceInfo, obj: KubeObject): boolean {
    return r.plural === 'pods' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  private write(r: ResourceInfo, type: 'ADDED' | 'MODIFIED', obj: KubeObject, old?: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(storeKey(r, obj.metadata.namespace, obj.metadata.name ?? ''), obj);
    this.record({ rv: this.rv, r, type, object: obj, old });
    return obj;
  }

  private remove(r: ResourceInfo, last: KubeObject): KubeObject {
    const obj = clone(last);
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.delete(storeKey(r, obj.metadata.namespace, obj.metadata.name ?? ''));
    this.record({ rv: this.rv, r, type: 'DELETED', object: obj });
    return obj;
  }

  private record(c: Change): void {
    this.history.push(c);
    for (const w of [...this.watchers]) w.deliver(c);
  }
}
