/**
 * Admission plugins and their chain. NamespaceLifecycle, as in kube-apiserver: a namespaced object needs
 * its namespace to exist (404 `namespaces "x" not found`) and not be terminating (403 Forbidden
 * `unable to create new content in namespace x because it is being terminated`). Reads the watch
 * cache, which the registry has synced before calling.
 */
import { forbidden, notFound } from '../../shared/api/errors.js';
import type { Namespace } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceByPlural, storeKey, type ResourceInfo } from '../../shared/api/resources.js';
import type { WatchCache } from './watch-cache.js';
import type { Admission } from './registry/registry.js';

const NAMESPACES = resourceByPlural('namespaces');

export function namespaceLifecycle(cache: WatchCache): Admission {
  return {
    admitCreate(r: ResourceInfo, obj: KubeObject): void {
      if (!r.namespaced) return;
      const name = obj.metadata.namespace ?? '';
      const ns = cache.get(NAMESPACES, storeKey(NAMESPACES, undefined, name)) as Namespace | undefined;
      if (!ns) throw notFound('namespaces', name);
      if (ns.status?.phase === 'Terminating' || ns.metadata.deletionTimestamp) {
        throw forbidden(r.plural, obj.metadata.name ?? obj.metadata.generateName ?? '', `unable to create new content in namespace ${name} because it is being terminated`, r.group);
      }
    },
  };
}

/** Runs admission plugins in order. */
export function chain(...plugins: Admission[]): Admission {
  return {
    admitCreate(r, obj) {
      for (const p of plugins) p.admitCreate(r, obj);
    },
    admitUpdate(r, obj, old) {
      for (const p of plugins) p.admitUpdate?.(r, obj, old);
    },
  };
}
