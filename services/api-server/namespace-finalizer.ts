/**
 * Namespace deletion, as Kubernetes' namespace controller does it, running inside the api-server
 * next to the watch cache it reads:
 *
 * A namespace marked for deletion (status.phase Terminating, `kubernetes` in spec.finalizers) is
 * emptied: every object of every namespaced kind in it is deleted with the default options (pods
 * bound to a node get their grace period and are finished by their kubelet; finalizers are
 * respected). Once nothing is left, the `kubernetes` finalizer is removed and the registry deletes
 * the namespace. While content remains, the namespace is looked at again shortly (level-based: the
 * key is requeued, never an event handled). Creating in a Terminating namespace is refused by
 * admission meanwhile.
 */
import { isStatusError } from '../../shared/api/errors.js';
import type { Namespace } from '../../shared/api/core.js';
import { RESOURCES, resourceByPlural, storeKey, storePrefix } from '../../shared/api/resources.js';
import { WorkQueue } from '../../shared/controller/workqueue.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Registry } from './registry/registry.js';
import type { WatchCache } from './watch-cache.js';
import { deleteObject } from './registry/delete.js';

const NAMESPACES = resourceByPlural('namespaces');
const FINALIZER = 'kubernetes';

export interface NamespaceFinalizer {
  stop(): void;
}

export function startNamespaceFinalizer(deps: { registry: Registry; cache: WatchCache; clock: Clock; log: Logger; recheckMs?: number }): NamespaceFinalizer {
  const { registry, cache, clock, log } = deps;
  const queue = new WorkQueue<string>({ clock });
  const terminating = (ns: Namespace | undefined): boolean => !!ns?.metadata.deletionTimestamp && (ns.spec?.finalizers ?? []).includes(FINALIZER);

  const unsubscribe = cache.subscribe((events) => {
    for (const e of events) if (e.resource === NAMESPACES && e.type !== 'DELETED' && terminating(e.object as Namespace)) queue.add(e.object.metadata.name!);
  });
  for (const ns of cache.list(NAMESPACES, storePrefix(NAMESPACES))) if (terminating(ns as Namespace)) queue.add(ns.metadata.name!);

  /** Deletes what is left in `name`; true when nothing remains. */
  async function empty(name: string): Promise<boolean> {
    let remaining = 0;
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      for (const obj of cache.list(r, storePrefix(r, name))) {
        remaining++;
        if (obj.metadata.deletionTimestamp) continue;
        try {
          await deleteObject(registry, clock, r, name, obj.metadata.name!, {});
        } catch (err) {
          if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
        }
      }
    }
    return remaining === 0;
  }

  async function reconcile(name: string): Promise<void> {
    const ns = cache.get(NAMESPACES, storeKey(NAMESPACES, undefined, name)) as Namespace | undefined;
    if (!terminating(ns)) return;
    await registry.sync();
    if (!(await empty(name))) {
      queue.addAfter(name, deps.recheckMs ?? 500);
      return;
    }
    await registry.guaranteedUpdate(NAMESPACES, undefined, name, (obj) => {
      const o = obj as Namespace;
      o.spec = { ...(o.spec ?? {}), finalizers: (o.spec?.finalizers ?? []).filter((f) => f !== FINALIZER) };
      return o;
    });
    log.info({ namespace: name }, 'namespace emptied and removed');
  }

  void (async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) log.warn({ err, namespace: key }, 'namespace deletion failed; retrying');
        if (!isStatusError(err, 'NotFound')) queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  })();

  return {
    stop() {
      unsubscribe();
      queue.shutDown();
    },
  };
}
