/**
 * Service networking. Services: NAME, TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE; wide: SELECTOR.
 * Endpoints: NAME, ENDPOINTS, AGE. EndpointSlices: NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE.
 *
 * EXTERNAL-IP is `<none>` for ClusterIP/NodePort services without externalIPs, the sorted
 * load-balancer ingress addresses (then any externalIPs) for LoadBalancer ones — `<pending>`
 * until an ingress address exists — and the external name for ExternalName. PORT(S) reads
 * `80/TCP` or `80:30123/TCP` with a node port. Address lists show three entries, then
 * ` + N more...`; an Endpoints object without subsets is `<none>`, an empty slice list `<unset>`.
 */
import type { Endpoints, Service } from '../../../../shared/api/core.js';
import type { EndpointSlice } from '../../../../shared/api/apps.js';
import { AGE_COLUMN, NAME_COLUMN, age, column, doc, formatLabels, listWithMore, printer } from './column.js';

const CORE = 'io.k8s.api.core.v1.';
const DISCOVERY = 'io.k8s.api.discovery.v1.';

/** host:port, with brackets around IPv6 hosts (net.JoinHostPort). */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((a) => a !== '');
      const lb = [...new Set(ingress)].sort();
      if (external.length > 0) return [...lb, ...external].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function ports(svc: Service): string {
  const text = (svc.spec?.ports ?? [])
    .map((p) => (p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`))
    .join(',');
  return text || '<none>';
}

export const servicePrinter = printer<Service>({
  columns: [
    NAME_COLUMN,
    column('Type', doc(`${CORE}ServiceSpec`, 'type')),
    column('Cluster-IP', doc(`${CORE}ServiceSpec`, 'clusterIP')),
    column('External-IP', doc(`${CORE}ServiceSpec`, 'externalIPs')),
    column('Port(s)', doc(`${CORE}ServiceSpec`, 'ports')),
    AGE_COLUMN,
    column('Selector', doc(`${CORE}ServiceSpec`, 'selector'), { priority: 1 }),
  ],
  row(svc, clock) {
    // clusterIPs is authoritative; a writer that set only clusterIP still shows its address.
    const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
    return [svc.metadata.name ?? '', svc.spec?.type ?? '', clusterIP, externalIP(svc), ports(svc), age(svc, clock), formatLabels(svc.spec?.selector)];
  },
});

/** Up to three `ip:port` (or bare ip for port-less subsets), then ` + N more...`. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const all: string[] = [];
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) all.push(...addresses.map((a) => a.ip));
    else for (const p of ports) all.push(...addresses.map((a) => joinHostPort(a.ip, p.port)));
  }
  return listWithMore(all);
}

export const endpointsPrinter = printer<Endpoints>({
  columns: [NAME_COLUMN, column('Endpoints', doc(`${CORE}Endpoints`, 'subsets')), AGE_COLUMN],
  row(ep, clock) {
    return [ep.metadata.name ?? '', formatEndpoints(ep), age(ep, clock)];
  },
});

function orUnset(s: string): string {
  return s === '' ? '<unset>' : s;
}

export const endpointSlicePrinter = printer<EndpointSlice>({
  columns: [
    NAME_COLUMN,
    column('AddressType', doc(`${DISCOVERY}EndpointSlice`, 'addressType')),
    column('Ports', doc(`${DISCOVERY}EndpointSlice`, 'ports')),
    column('Endpoints', doc(`${DISCOVERY}EndpointSlice`, 'endpoints')),
    AGE_COLUMN,
  ],
  row(s, clock) {
    const ports = (s.ports ?? []).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name ?? '*'));
    const addresses = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [s.metadata.name ?? '', s.addressType ?? '', orUnset(listWithMore(ports)), orUnset(listWithMore(addresses)), age(s, clock)];
  },
});
