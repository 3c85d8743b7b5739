/**
 * What one `/stream` client asks for, parsed once before the WebSocket upgrade (a bad parameter is
 * a 400 Status answered as plain HTTP), and how a change is seen through it.
 *
 * - `kinds`: comma list; each item is a plural (`pods`), singular (`pod`), short name (`po`), Kind
 *   (`Pod`) or `plural.group` (`deployments.apps`), case-insensitive. A kind served in several
 *   versions is streamed in its storage version. Unknown → 400. Default: every watchable kind,
 *   except the Leases in `kube-node-lease` — one write per node every heartbeat, which would drown
 *   everything else; node health shows as Node status changes instead. Asking for `leases`
 *   explicitly brings them all.
 * - `namespace`: namespaced kinds only from this namespace; cluster-scoped kinds (Nodes) pass.
 * - `labelSelector`: the Kubernetes grammar, applied to every kind, on both sides of a change, as
 *   a watch does: an object that starts matching arrives as ADDED, one that stops as DELETED.
 * - `resourceVersion`: a non-negative integer; `objects=false|0` leaves objects out.
 */
import { badRequest } from '../../../shared/api/errors.js';
import type { StreamChangeType } from '../../../shared/api/stream.js';
import { RESOURCES, storageResourceOf, type ResourceInfo } from '../../../shared/api/resources.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import type { CacheEvent } from '../watch-cache.js';
import { makeFilter, type Filter } from '../filter.js';
import { parseResourceVersion } from '../list.js';
import { viewOf } from '../watch.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface StreamQuery {
  /** Storage rows of the kinds streamed, in resource-table order. */
  resources: ResourceInfo[];
  namespace?: string;
  labelSelector?: string;
  /** undefined: live from now; 0: current objects first; N: every change after N. */
  resourceVersion?: number;
  objects: boolean;
  /** The default kind set (without node Leases). */
  defaultKinds: boolean;
}

/** Every stored, watchable kind once, as its storage row. */
export function streamableResources(): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const r of RESOURCES) {
    if (!r.verbs.includes('watch')) continue;
    const s = storageResourceOf(r);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

function namesOf(r: ResourceInfo): string[] {
  return [r.plural, r.singular, r.kind.toLowerCase(), ...r.shortNames, ...(r.group ? [`${r.plural}.${r.group}`] : [])];
}

export function parseKinds(raw: string): ResourceInfo[] {
  const all = streamableResources();
  const wanted = new Set<ResourceInfo>();
  for (const item of raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const r = all.find((x) => namesOf(x).includes(item));
    if (!r) throw badRequest(`kinds: unknown kind "${item}"; known: ${all.map((x) => x.plural).join(', ')}`);
    wanted.add(r);
  }
  if (wanted.size === 0) throw badRequest('kinds: name at least one kind, or leave the parameter out for all');
  return all.filter((r) => wanted.has(r));
}

export function parseStreamQuery(q: URLSearchParams): StreamQuery {
  const kinds = q.get('kinds');
  const objects = q.get('objects');
  if (objects !== null && !['true', 'false', '1', '0', ''].includes(objects)) throw badRequest(`objects: "${objects}" is not true or false`);
  const query: StreamQuery = {
    resources: kinds === null || kinds === '' ? streamableResources() : parseKinds(kinds),
    namespace: q.get('namespace') || undefined,
    labelSelector: q.get('labelSelector') || undefined,
    resourceVersion: parseResourceVersion(q.get('resourceVersion') ?? undefined),
    objects: objects !== 'false' && objects !== '0',
    defaultKinds: kinds === null || kinds === '',
  };
  streamSelection(query); // a bad selector fails here, before the upgrade
  return query;
}

/** A change as one client sees it. */
export interface StreamSelection {
  resources: ResourceInfo[];
  /** The change's type for this client, or undefined when it is not for this client. */
  view(ce: CacheEvent): StreamChangeType | undefined;
  /** Whether a current object is in this client's initial state. */
  matches(r: ResourceInfo, obj: KubeObject): boolean;
}

export function streamSelection(query: StreamQuery): StreamSelection {
  const filters = new Map<ResourceInfo, Filter>();
  for (const r of query.resources) {
    const f = makeFilter(r, query.namespace, query.labelSelector);
    const dropNodeLeases = query.defaultKinds && r.plural === 'leases' && r.group === 'coordination.k8s.io';
    filters.set(r, dropNodeLeases ? { ...f, everything: false, matches: (o) => o.metadata.namespace !== NODE_LEASE_NAMESPACE && f.matches(o) } : f);
  }
  return {
    resources: query.resources,
    view(ce) {
      const f = filters.get(ce.resource);
      return f ? viewOf(ce, ce.resource, f)?.type as StreamChangeType | undefined : undefined;
    },
    matches(r, obj) {
      const f = filters.get(r);
      return f !== undefined && f.matches(obj);
    },
  };
}
