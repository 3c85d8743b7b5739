/**
 * API discovery, generated from the resource table and nothing else: the legacy documents
 * (`/api`, `/apis`, `/apis/<group>`, `/api/v1`, `/apis/<group>/<version>`) and the aggregated v2
 * documents kubectl 1.32 asks for first (`/api`, `/apis` with the APIGroupDiscoveryList Accept),
 * which must be answered with that exact content type or kubectl misreads them.
 */
import { RESOURCES, servedGroups, type ResourceInfo } from '../../shared/api/resources.js';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && /g=apidiscovery\.k8s\.io;\s*v=v2(beta1)?;\s*as=APIGroupDiscoveryList/.test(accept.replace(/ /g, ''));
}

function inGroupVersion(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

function gv(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]): object {
  const vs = versions.map((v) => ({ groupVersion: gv(group, v), version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(): object {
  const groups = servedGroups().filter((g) => g.group !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(g.group, g.versions)) };
}

export function apiGroupDoc(group: string): object | undefined {
  const g = servedGroups().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) } : undefined;
}

export function apiResourceList(group: string, version: string): object {
  const resources: object[] = [];
  for (const r of inGroupVersion(group, version)) {
    const main: Record<string, unknown> = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length) main.shortNames = r.shortNames;
    if (r.categories.length) main.categories = r.categories;
    resources.push(main);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind?.kind ?? r.kind, verbs: s.verbs };
      if (s.kind) {
        sub.group = s.kind.group;
        sub.version = s.kind.version;
      }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources };
}

function aggregatedResource(r: ResourceInfo): object {
  const out: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: s.kind ?? { group: r.group, version: r.version, kind: r.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

/** Aggregated discovery: `legacy` = the core group (`/api`), otherwise every named group (`/apis`). */
export function aggregatedDiscovery(legacy: boolean): object {
  const groups = servedGroups().filter((g) => (legacy ? g.group === '' : g.group !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.group },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: inGroupVersion(g.group, v).map(aggregatedResource),
      })),
    })),
  };
}
