/**
 * Namespace deletion, as Kubernetes' namespace controller does it, running inside the api-server
 * next to the watch cache it reads:
 *
 * A namespace marked for deletion (status.phase Terminating, `kubernetes` in spec.finalizers) is
 * emptied: every object of every namespaced kind in it is deleted in the background (pods
 * bound to a node get their grace period and are finished by their kubelet; finalizers are
 * respected). Once nothing is left, the `kubernetes` finalizer is removed and the registry deletes
 * the namespace. Meanwhile the namespace's status conditions say what remains
 * (NamespaceContentRemaining, NamespaceFinalizersRemaining, …, as `kubectl describe ns` shows
 * them). While content remains, the namespace is looked at again shortly (level-based: the
 * key is requeued, never an event handled). Creating in a Terminating namespace is refused by
 * admission meanwhile.
 */
import { isStatusError } from '../../shared/api/errors.js';
import type { Namespace } from '../../shared/api/core.js';
import { RESOURCES, resourceByPlural, storeKey, storePrefix } from '../../shared/api/resources.js';
import { WorkQueue } from '../../shared/controller/workqueue.js';
import { isoTime, type Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Registry } from './registry/registry.js';
import type { WatchCache } from './watch-cache.js';
import { deleteObject } from './registry/delete.js';

const NAMESPACES = resourceByPlural('namespaces');

interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}
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

  /** Deletes what is left in `name`; answers what remains (by resource, and by finalizer). */
  async function empty(name: string): Promise<{ resources: Map<string, number>; finalizers: Map<string, number> }> {
    const resources = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      for (const obj of cache.list(r, storePrefix(r, name))) {
        const label = `${r.plural}.${r.group}`;
        resources.set(label, (resources.get(label) ?? 0) + 1);
        for (const f of obj.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
        if (obj.metadata.deletionTimestamp) continue;
        try {
          // Background, as Kubernetes' namespace deleter asks: no kind's orphaning default may hold the namespace up.
          await deleteObject(registry, clock, r, name, obj.metadata.name!, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
        }
      }
    }
    return { resources, finalizers };
  }

  /** The deletion conditions kube-controller-manager's namespace controller reports. */
  function conditions(left: { resources: Map<string, number>; finalizers: Map<string, number> }): NamespaceCondition[] {
    const at = isoTime(clock);
    const c = (type: string, status: 'True' | 'False', reason: string, message: string): NamespaceCondition => ({ type, status, lastTransitionTime: at, reason, message });
    const list = (m: Map<string, number>): string => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} has ${n} resource instances`).join(', ');
    const fins = (m: Map<string, number>): string => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} in ${n} resource instances`).join(', ');
    return [
      c('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'),
      c('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
      c('NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
      left.resources.size
        ? c('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${list(left.resources)}`)
        : c('NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'),
      left.finalizers.size
        ? c('NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${fins(left.finalizers)}`)
        : c('NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
    ];
  }

  /** Writes the conditions when their status/reason/message changed (transition times kept otherwise). */
  async function report(name: string, next: NamespaceCondition[]): Promise<void> {
    const key = (cs: NamespaceCondition[] | undefined): string => JSON.stringify((cs ?? []).map(({ type, status, reason, message }) => [type, status, reason, message]));
    const ns = cache.get(NAMESPACES, storeKey(NAMESPACES, undefined, name)) as Namespace | undefined;
    if (!ns || key(ns.status?.conditions as NamespaceCondition[] | undefined) === key(next)) return;
    await registry.guaranteedUpdate(NAMESPACES, undefined, name, (obj) => {
      const o = obj as Namespace;
      o.status = { ...(o.status ?? {}), conditions: next };
      return o;
    });
  }

  async function reconcile(name: string): Promise<void> {
    const ns = cache.get(NAMESPACES, storeKey(NAMESPACES, undefined, name)) as Namespace | undefined;
    if (!terminating(ns)) return;
    await registry.sync();
    const left = await empty(name);
    await report(name, conditions(left));
    if (left.resources.size > 0) {
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
