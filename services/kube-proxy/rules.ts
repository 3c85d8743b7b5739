/**
 * What a kube-proxy serves, computed from Services and EndpointSlices alone (pure: no sockets, no
 * clock). The proxier (./proxier.ts) makes this table true with TCP listeners.
 *
 * One **frontend** per address:port that should accept connections, each with the backends a new
 * connection may go to:
 *   - ClusterIP      `spec.clusterIP:port` for every TCP port (not for headless or ExternalName);
 *   - ExternalIP     each of `spec.externalIPs` `:port`;
 *   - LoadBalancer   each `status.loadBalancer.ingress[].ip` `:port` of a LoadBalancer Service;
 *   - NodePort       `<this node's IP>:nodePort` of NodePort / LoadBalancer Services.
 * All but NodePorts are **shared**: every node's kube-proxy computes them and at most one of them
 * can hold the address (they all live in one network namespace); NodePorts are this node's own.
 *
 * Backends of a Service port come from the EndpointSlices labelled `kubernetes.io/service-name`
 * with the Service's name in its namespace (IPv4 only), the slice port matched by the Service
 * port's name and protocol. An endpoint counts when `conditions.ready` is true or unset (the API's
 * rule: unset means ready); an address listed in several slices (mid-update) counts once. When no
 * endpoint is ready, serving-but-terminating ones are used, as kube-proxy does since 1.28.
 * `externalTrafficPolicy: Local` limits NodePort backends to pods on this node. Shared addresses
 * always use every node's endpoints: whoever holds the address serves the whole Service (there
 * is no load balancer in front choosing nodes, as a cloud's would).
 *
 * `sessionAffinity: ClientIP` gives the frontend an affinity timeout
 * (`sessionAffinityConfig.clientIP.timeoutSeconds`, default 10800 s).
 *
 * Only TCP is proxied: UDP and SCTP ports are reported in `skipped`, as are addresses claimed by
 * two Services (the first Service by namespace/name keeps it). `endpointIps` is every address any
 * slice lists, ready or not: a connection to an address outside it goes to a pod that is gone.
 */
import type { Service, ServicePort } from '../../shared/api/core.js';
import type { EndpointSlice } from '../../shared/api/apps.js';
import { objectKey } from '../../shared/api/meta.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const DEFAULT_AFFINITY_SECONDS = 10_800;

export type FrontendKind = 'ClusterIP' | 'ExternalIP' | 'LoadBalancer' | 'NodePort';

export interface Backend {
  ip: string;
  port: number;
  nodeName?: string;
  /** `namespace/name` of the pod behind it, when the slice says. */
  pod?: string;
}

export interface Frontend {
  /** `ip:port`, unique in a rules table. */
  id: string;
  ip: string;
  port: number;
  kind: FrontendKind;
  shared: boolean;
  /** `namespace/name` of the Service. */
  service: string;
  portName: string;
  /** Sorted by ip then port; empty means a connection must be refused. */
  backends: Backend[];
  /** Set for `sessionAffinity: ClientIP`. */
  affinityTimeoutMs?: number;
}

export interface ProxyRules {
  /** Sorted by id. */
  frontends: Frontend[];
  endpointIps: Set<string>;
  skipped: { service: string; what: string; reason: string }[];
}

export interface RulesInput {
  services: readonly Service[];
  slices: readonly EndpointSlice[];
  nodeName: string;
  nodeIp: string;
}

interface Candidate {
  ip: string;
  port: number;
  ready: boolean;
  servingTerminating: boolean;
  nodeName?: string;
  pod?: string;
}

const byIpPort = (a: { ip: string; port: number }, b: { ip: string; port: number }): number => ipOrder(a.ip, b.ip) || a.port - b.port;

function ipOrder(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Slices by `namespace/service-name`. */
function slicesByService(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc || s.addressType !== 'IPv4') continue;
    const key = `${s.metadata.namespace ?? ''}/${svc}`;
    const list = out.get(key);
    if (list) list.push(s);
    else out.set(key, [s]);
  }
  return out;
}

/** The endpoints of one Service port, deduplicated by address (a ready entry wins). */
function candidates(slices: EndpointSlice[], sp: ServicePort): Candidate[] {
  const name = sp.name ?? '';
  const protocol = sp.protocol ?? 'TCP';
  const byIp = new Map<string, Candidate>();
  for (const slice of slices) {
    const port = slice.ports?.find((p) => (p.name ?? '') === name && (p.protocol ?? 'TCP') === protocol)?.port;
    if (port === undefined || port === null) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip) continue;
      const c = ep.conditions ?? {};
      const ready = c.ready !== false;
      const serving = c.serving ?? ready;
      const cand: Candidate = {
        ip,
        port,
        ready,
        servingTerminating: !ready && serving && c.terminating === true,
        ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
        ...(ep.targetRef?.kind === 'Pod' ? { pod: `${ep.targetRef.namespace ?? slice.metadata.namespace ?? ''}/${ep.targetRef.name}` } : {}),
      };
      const seen = byIp.get(ip);
      if (!seen || (!seen.ready && cand.ready)) byIp.set(ip, cand);
    }
  }
  return [...byIp.values()];
}

function toBackends(cands: Candidate[], onlyNode?: string): Backend[] {
  const local = onlyNode === undefined ? cands : cands.filter((c) => c.nodeName === onlyNode);
  let chosen = local.filter((c) => c.ready);
  if (chosen.length === 0) chosen = local.filter((c) => c.servingTerminating);
  return chosen
    .map((c) => ({ ip: c.ip, port: c.port, ...(c.nodeName ? { nodeName: c.nodeName } : {}), ...(c.pod ? { pod: c.pod } : {}) }))
    .sort(byIpPort);
}

function affinityMs(svc: Service): number | undefined {
  if (svc.spec?.sessionAffinity !== 'ClientIP') return undefined;
  const s = svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  return (typeof s === 'number' && s > 0 ? s : DEFAULT_AFFINITY_SECONDS) * 1000;
}

export function computeRules(input: RulesInput): ProxyRules {
  const slices = slicesByService(input.slices);
  const frontends = new Map<string, Frontend>();
  const skipped: ProxyRules['skipped'] = [];
  const endpointIps = new Set<string>();
  for (const s of input.slices) for (const ep of s.endpoints ?? []) for (const a of ep.addresses ?? []) endpointIps.add(a);

  const services = [...input.services].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
  for (const svc of services) {
    const spec = svc.spec;
    if (!spec || spec.type === 'ExternalName') continue;
    const key = objectKey(svc);
    const svcSlices = slices.get(key) ?? [];
    const affinity = affinityMs(svc);
    const clusterIp = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
    const lbIps = spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip) : [];
    const nodePortsWanted = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const localOnly = spec.externalTrafficPolicy === 'Local';

    for (const sp of spec.ports ?? []) {
      const portName = sp.name ?? '';
      if ((sp.protocol ?? 'TCP') !== 'TCP') {
        skipped.push({ service: key, what: `${sp.port}/${sp.protocol}`, reason: 'only TCP is proxied' });
        continue;
      }
      const cands = candidates(svcSlices, sp);
      const all = toBackends(cands);
      const add = (kind: FrontendKind, ip: string, port: number, backends: Backend[]): void => {
        const id = `${ip}:${port}`;
        const taken = frontends.get(id);
        if (taken) {
          skipped.push({ service: key, what: `${kind} ${id}`, reason: `already served for ${taken.service}` });
          return;
        }
        frontends.set(id, {
          id,
          ip,
          port,
          kind,
          shared: kind !== 'NodePort',
          service: key,
          portName,
          backends,
          ...(affinity !== undefined ? { affinityTimeoutMs: affinity } : {}),
        });
      };
      if (clusterIp) add('ClusterIP', clusterIp, sp.port, all);
      for (const ip of spec.externalIPs ?? []) add('ExternalIP', ip, sp.port, all);
      for (const ip of lbIps) add('LoadBalancer', ip, sp.port, all);
      if (nodePortsWanted && sp.nodePort) add('NodePort', input.nodeIp, sp.nodePort, localOnly ? toBackends(cands, input.nodeName) : all);
    }
  }
  return { frontends: [...frontends.values()].sort((a, b) => byIpPort(a, b)), endpointIps, skipped };
}
