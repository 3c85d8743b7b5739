/**
 * Lists from the watch cache: objects of one kind (one namespace or all), filtered by selectors,
 * in namespace/name order (etcd's key order), with `limit` / `continue` pagination.
 *
 * Consistency: an unset resourceVersion (or one given explicitly) waits until the cache has every
 * write this server made (and at least that version) — kube-apiserver's consistent read from cache;
 * `resourceVersion=0` answers from whatever the cache holds. A continue token resumes after the
 * last key of the previous page at the current state (not a snapshot of the first page's revision);
 * a malformed token is a 400.
 *
 * A kind served in several versions is listed from its storage version and each item converted to
 * the version asked for (./versions.ts).
 */
import { badRequest } from '../../shared/api/errors.js';
import type { KubeList, KubeObject } from '../../shared/api/meta.js';
import { apiVersionOf, storageResourceOf, storeKey, storePrefix, type ResourceInfo } from '../../shared/api/resources.js';
import type { ListOptions } from '../../shared/client/api.js';
import type { WatchCache } from './watch-cache.js';
import type { Registry } from './registry/registry.js';
import { makeFilter } from './filter.js';
import { fromStorage } from './versions.js';

interface ContinueToken {
  k: string; // last store key returned
  rv: number;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof t.k !== 'string' || typeof t.rv !== 'number') throw new Error('shape');
    return t;
  } catch {
    throw badRequest('continue key is not valid: the token is malformed; start the list again without it');
  }
}

export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version "${rv}": must be a non-negative integer`);
  return n;
}

export async function listObjects(
  registry: Registry,
  cache: WatchCache,
  r: ResourceInfo,
  namespace: string | undefined,
  opts: ListOptions,
): Promise<KubeList> {
  const filter = makeFilter(r, namespace, opts.labelSelector, opts.fieldSelector);
  const rv = parseResourceVersion(opts.resourceVersion);
  if (rv !== 0) {
    await registry.sync();
    if (rv) await cache.waitFor(rv, 3000);
  }
  const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
  const after = opts.continue ? decodeContinue(opts.continue).k : undefined;
  const items: KubeObject[] = [];
  let lastKey = '';
  let remaining = 0;
  for (const obj of cache.list(storageResourceOf(r), storePrefix(r, filter.namespace))) {
    const key = storeKey(r, obj.metadata.namespace, obj.metadata.name ?? '');
    if (after !== undefined && key <= after) continue;
    if (!filter.everything && !filter.matches(obj)) continue;
    if (limit && items.length >= limit) {
      remaining++;
      continue;
    }
    items.push(fromStorage(r, obj));
    lastKey = key;
  }
  const list: KubeList = { kind: r.listKind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(cache.revision) }, items };
  if (remaining > 0) {
    list.metadata.continue = encodeContinue({ k: lastKey, rv: cache.revision });
    list.metadata.remainingItemCount = remaining;
  }
  return list;
}
