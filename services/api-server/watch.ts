/**
 * Serving one watch from the watch cache to a sink (an HTTP chunked response or a NATS push
 * channel), with Kubernetes' semantics:
 *
 * - no resourceVersion (or "0"): the current matching objects as ADDED, then every change after;
 * - resourceVersion N: every change after N, replayed from history, then live — no gap, no
 *   duplicate, because replay and subscription happen in one synchronous step; N older than the
 *   cache's history → an ERROR event carrying 410 Expired, then the end;
 * - selectors apply to both sides of a change: an object that starts matching arrives as ADDED,
 *   one that stops matching leaves as DELETED (this is how a kubelet watching
 *   `spec.nodeName=node-1` sees a pod the moment it is bound);
 * - BOOKMARK events every `bookmarkIntervalMs` when asked for; `timeoutSeconds` ends the watch;
 * - a sink that cannot keep up (send returns false) ends the watch; the client re-watches from the
 *   last resourceVersion it saw;
 * - a kind served in several versions is watched in its storage version and every object is
 *   converted to the version asked for (./versions.ts).
 */
import { expired, toStatus, type StatusError } from '../../shared/api/errors.js';
import type { KubeObject, WatchEvent } from '../../shared/api/meta.js';
import { apiVersionOf, storageResourceOf, storePrefix, type ResourceInfo } from '../../shared/api/resources.js';
import type { WatchOptions } from '../../shared/client/api.js';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { CacheEvent, WatchCache } from './watch-cache.js';
import type { Registry } from './registry/registry.js';
import { makeFilter, type Filter } from './filter.js';
import { parseResourceVersion } from './list.js';
import { fromStorage } from './versions.js';

export interface WatchSink {
  /** Delivers one event; false when the sink is over its buffer limit (the watch then ends). */
  send(event: WatchEvent): boolean;
  /** Ends the stream (idempotent). */
  close(): void;
}

export interface ActiveWatch {
  stop(): void;
}

export interface WatchDeps {
  cache: WatchCache;
  registry: Registry;
  clock: Clock;
  bookmarkIntervalMs?: number;
}

/** A cache change as this watcher sees it through its filter (undefined = not for this watcher). */
export function viewOf(ce: CacheEvent, r: ResourceInfo, filter: Filter): WatchEvent | undefined {
  if (ce.resource !== r) return undefined;
  if (ce.type === 'DELETED') return filter.matches(ce.object) ? { type: 'DELETED', object: ce.object } : undefined;
  const now = filter.matches(ce.object);
  const before = ce.prev ? filter.matches(ce.prev) : false;
  if (now && before) return { type: 'MODIFIED', object: ce.object };
  if (now) return { type: 'ADDED', object: ce.object };
  if (before) return { type: 'DELETED', object: ce.object };
  return undefined;
}

function errorEvent(err: StatusError): WatchEvent {
  return { type: 'ERROR', object: toStatus(err) as unknown as KubeObject };
}

/**
 * Starts a watch. Selector errors throw before anything is sent (the caller answers 400); errors
 * found later (Expired) are sent as an ERROR event and the sink is closed.
 */
export async function startWatch(deps: WatchDeps, r: ResourceInfo, namespace: string | undefined, opts: WatchOptions, sink: WatchSink): Promise<ActiveWatch> {
  const { cache, clock } = deps;
  const filter = makeFilter(r, namespace, opts.labelSelector, opts.fieldSelector);
  const rv = parseResourceVersion(opts.resourceVersion);
  const timers: TimerHandle[] = [];
  let unsubscribe: (() => void) | undefined;
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    unsubscribe?.();
    for (const t of timers) t.cancel();
    sink.close();
  };
  const stored = storageResourceOf(r);
  const deliver = (e: WatchEvent): void => {
    if (stopped) return;
    const out = stored === r || e.type === 'ERROR' || e.type === 'BOOKMARK' ? e : { type: e.type, object: fromStorage(r, e.object) };
    if (!sink.send(out)) stop();
  };

  if (rv === undefined) await deps.registry.sync();
  else if (rv > cache.revision) {
    try {
      await cache.waitFor(rv, 3000);
    } catch (err) {
      deliver(errorEvent(err as StatusError));
      stop();
      return { stop };
    }
  }
  // From here to subscribe() nothing awaits: replay and live delivery meet without a gap.
  if (rv === undefined || rv === 0) {
    for (const obj of cache.list(stored, storePrefix(r, filter.namespace))) {
      if (filter.everything || filter.matches(obj)) deliver({ type: 'ADDED', object: obj });
    }
  } else {
    if (rv < cache.oldestResumable()) {
      deliver(errorEvent(expired(`too old resource version: ${rv} (${cache.oldestResumable() + 1})`)));
      stop();
      return { stop };
    }
    for (const ce of cache.since(rv)) {
      const e = viewOf(ce, stored, filter);
      if (e) deliver(e);
    }
  }
  if (stopped) return { stop };
  unsubscribe = cache.subscribe((events) => {
    for (const ce of events) {
      const e = viewOf(ce, stored, filter);
      if (e) deliver(e);
    }
  });

  if (opts.allowWatchBookmarks) {
    const every = deps.bookmarkIntervalMs ?? 15_000;
    timers.push(
      clock.setInterval(() => {
        const object = { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(cache.revision) } };
        deliver({ type: 'BOOKMARK', object });
      }, every),
    );
  }
  if (opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0) {
    timers.push(clock.setTimeout(stop, opts.timeoutSeconds * 1000));
  }
  return { stop };
}
