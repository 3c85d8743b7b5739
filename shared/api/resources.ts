/**
 * The resource table: the one source of truth for every kind kubemu serves.
 *
 * Group, version, kind, plural/singular names, short names, scope, categories, verbs and
 * subresources live here and nowhere else; discovery, REST routing, store keys, NATS subjects and
 * OpenAPI are all derived from this table. Adding a kind means adding one row (and, where it needs
 * validation or defaulting beyond the generic rules, one strategy in the api-server).
 *
 * Store keys follow etcd's layout for Kubernetes: `/registry/<group|core>/<plural>/<namespace>/<name>`
 * (cluster-scoped kinds have no namespace segment), so a prefix range lists a kind in one namespace
 * or across all of them.
 *
 * This module imports nothing.
 */

export interface Subresource {
  name: string; // 'status', 'scale', 'log', …
  /** The kind answered by the subresource, when it is not the parent kind. */
  kind?: { group: string; version: string; kind: string };
  verbs: string[];
}

export interface ResourceInfo {
  group: string; // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  categories: string[];
  verbs: string[];
  subresources: Subresource[];
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS: Subresource = { name: 'status', verbs: ['get', 'patch', 'update'] };
const SCALE: Subresource = {
  name: 'scale',
  kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  verbs: ['get', 'patch', 'update'],
};

function row(
  group: string,
  version: string,
  kind: string,
  plural: string,
  opts: { short?: string[]; namespaced?: boolean; categories?: string[]; sub?: Subresource[]; verbs?: string[] } = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: opts.short ?? [],
    namespaced: opts.namespaced ?? true,
    categories: opts.categories ?? [],
    verbs: opts.verbs ?? CRUD,
    subresources: opts.sub ?? [],
  };
}

/** Discovery order matters: `kubectl get all` prints kinds in this order. */
export const RESOURCES: readonly ResourceInfo[] = [
  row('', 'v1', 'Pod', 'pods', {
    short: ['po'],
    categories: ['all'],
    sub: [
      STATUS,
      { name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
      { name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
      { name: 'log', verbs: ['get'] },
      { name: 'exec', kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
      { name: 'portforward', kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
    ],
  }),
  row('', 'v1', 'Service', 'services', { short: ['svc'], categories: ['all'], sub: [STATUS] }),
  row('', 'v1', 'ReplicationController', 'replicationcontrollers', {
    short: ['rc'],
    categories: ['all'],
    sub: [STATUS, SCALE],
  }),
  row('', 'v1', 'Namespace', 'namespaces', {
    short: ['ns'],
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    sub: [STATUS, { name: 'finalize', verbs: ['update'] }],
  }),
  row('', 'v1', 'Node', 'nodes', { short: ['no'], namespaced: false, sub: [STATUS] }),
  row('', 'v1', 'Endpoints', 'endpoints', { short: ['ep'] }),
  row('', 'v1', 'Event', 'events', { short: ['ev'] }),
  row('', 'v1', 'ConfigMap', 'configmaps', { short: ['cm'] }),
  row('', 'v1', 'Secret', 'secrets'),
  row('', 'v1', 'ServiceAccount', 'serviceaccounts', { short: ['sa'] }),
  row('apps', 'v1', 'Deployment', 'deployments', { short: ['deploy'], categories: ['all'], sub: [STATUS, SCALE] }),
  row('apps', 'v1', 'ReplicaSet', 'replicasets', { short: ['rs'], categories: ['all'], sub: [STATUS, SCALE] }),
  // Served in two versions, stored in the first (v2); v1 is converted on the way in and out.
  row('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', { short: ['hpa'], categories: ['all'], sub: [STATUS] }),
  row('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', { short: ['hpa'], categories: ['all'], sub: [STATUS] }),
  row('coordination.k8s.io', 'v1', 'Lease', 'leases'),
  row('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
  // Resource metrics (metrics-server's API): served from the kubelets' latest summaries, never stored.
  row('metrics.k8s.io', 'v1beta1', 'NodeMetrics', 'nodes', { namespaced: false, verbs: ['get', 'list'] }),
  row('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'pods', { verbs: ['get', 'list'] }),
];

export function apiVersionOf(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Splits `apps/v1` → {group:'apps', version:'v1'} and `v1` → {group:'', version:'v1'}. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const byPlural = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));
const byKind = new Map(RESOURCES.map((r) => [`${apiVersionOf(r)}/${r.kind}`, r]));

export function resourceFor(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byPlural.get(`${group}/${version}/${plural}`);
}

export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

const storageRows = new Map<string, ResourceInfo>();
for (const r of RESOURCES) if (!storageRows.has(`${r.group}/${r.plural}`)) storageRows.set(`${r.group}/${r.plural}`, r);

/**
 * The row a resource is stored as. A kind served in several versions has one row per version and
 * is stored (and cached, and watched) in the first of them; every other row is a view converted on
 * the way in and out. For a kind served in one version this is the row itself.
 */
export function storageResourceOf(r: Pick<ResourceInfo, 'group' | 'plural'>): ResourceInfo {
  const s = storageRows.get(`${r.group}/${r.plural}`);
  if (!s) throw new Error(`unknown resource ${r.group}/${r.plural}`);
  return s;
}

/** The resource for a well-known plural in any served group (`pods`, `deployments`, …). */
export function resourceByPlural(plural: string): ResourceInfo {
  const r = RESOURCES.find((x) => x.plural === plural);
  if (!r) throw new Error(`unknown resource ${plural}`);
  return r;
}

/** The groups served, each with its versions, in discovery order ('' = core). */
export function servedGroups(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const r of RESOURCES) {
    let g = out.find((x) => x.group === r.group);
    if (!g) out.push((g = { group: r.group, versions: [] }));
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

// ---- store keys ----

const REGISTRY = '/registry/';

function groupSegment(group: string): string {
  return group || 'core';
}

export function storeKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  const base = `${REGISTRY}${groupSegment(r.group)}/${r.plural}/`;
  return r.namespaced ? `${base}${namespace ?? ''}/${name}` : `${base}${name}`;
}

/** Prefix for a range over one kind, in one namespace or (namespace omitted) in all. */
export function storePrefix(r: ResourceInfo, namespace?: string): string {
  const base = `${REGISTRY}${groupSegment(r.group)}/${r.plural}/`;
  return r.namespaced && namespace ? `${base}${namespace}/` : base;
}

/** The prefix covering every object of every kind. */
export const REGISTRY_PREFIX = REGISTRY;

/** Reverse of storeKey: which resource a key belongs to, as its storage row (for watch fan-out of a single registry watch). */
export function resourceForKey(key: string): ResourceInfo | undefined {
  if (!key.startsWith(REGISTRY)) return undefined;
  const [groupSeg, plural] = key.slice(REGISTRY.length).split('/', 2);
  const group = groupSeg === 'core' ? '' : groupSeg;
  return RESOURCES.find((r) => r.group === group && r.plural === plural);
}
