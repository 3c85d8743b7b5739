/**
 * The objects every cluster has, kept in place the way kube-apiserver's own controllers do:
 * the namespaces `default`, `kube-system`, `kube-public`, `kube-node-lease`; the `kubernetes`
 * Service in `default` (ClusterIP …0.1:443 of the service range → this api-server, with its Endpoints and
 * EndpointSlice); and the `kube-dns` and `kubemu-dashboard` cluster services in `kube-system`
 * (labelled `kubernetes.io/cluster-service`, which `kubectl cluster-info` lists; the dashboard's
 * Endpoints name this api-server, see dashboard-service.ts).
 *
 * `ensureSystemObjects` creates what is missing and repairs what drifted; the api-server runs it at
 * start and every few seconds, so `kubectl delete all --all` gets its `kubernetes` Service back as
 * on a real cluster. Everything goes through the registry (defaulted, validated, watched).
 */
import { isStatusError } from '../../shared/api/errors.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceByPlural, type ResourceInfo } from '../../shared/api/resources.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Registry } from './registry/registry.js';
import type { NetworkPlan } from '../../shared/api/network.js';
import { dashboardEndpoints, dashboardService } from './dashboard-service.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface SystemConfig {
  /** The cluster's network plan (the `kubernetes` and `kube-dns` Service IPs come from it). */
  plan: NetworkPlan;
  /** Where clients reach this api-server (the `kubernetes` Service's endpoint). */
  apiHost: string;
  apiPort: number;
}

function kubernetesService(plan: NetworkPlan): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: plan.serviceIp(1), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 0 }], sessionAffinity: 'None' },
  };
}

function kubeDnsService(plan: NetworkPlan): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    },
    spec: {
      selector: { 'k8s-app': 'kube-dns' },
      clusterIP: plan.serviceIp(10),
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
}

function apiEndpoints(cfg: SystemConfig): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: cfg.apiHost }], ports: [{ name: 'https', port: cfg.apiPort, protocol: 'TCP' }] }],
  };
}

function apiEndpointSlice(cfg: SystemConfig): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [cfg.apiHost], conditions: { ready: true } }],
    ports: [{ name: 'https', port: cfg.apiPort, protocol: 'TCP' }],
  };
}

async function ensure(registry: Registry, r: ResourceInfo, want: KubeObject, drifted: (cur: KubeObject) => boolean, log: Logger): Promise<void> {
  const { namespace, name } = want.metadata;
  try {
    const cur = await registry.get(r, namespace, name!);
    if (cur.metadata.deletionTimestamp || !drifted(cur)) return;
    await registry.guaranteedUpdate(r, namespace, name!, (obj) => ({ ...want, metadata: { ...obj.metadata, labels: want.metadata.labels } }));
    log.info({ kind: r.kind, namespace, name }, 'repaired system object');
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
    try {
      await registry.create(r, namespace, want);
      log.info({ kind: r.kind, namespace, name }, 'created system object');
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists') && !isStatusError(e, 'Forbidden')) throw e;
    }
  }
}

export async function ensureSystemObjects(registry: Registry, cfg: SystemConfig, log: Logger): Promise<void> {
  const namespaces = resourceByPlural('namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(registry, namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, () => false, log);
  }
  const services = resourceByPlural('services');
  const svc = kubernetesService(cfg.plan);
  ((svc.spec as { ports: { targetPort: number }[] }).ports[0]).targetPort = cfg.apiPort;
  const targetOf = (o: KubeObject): unknown => (o.spec as { ports?: { targetPort?: unknown }[] } | undefined)?.ports?.[0]?.targetPort;
  await ensure(registry, services, svc, (cur) => targetOf(cur) !== cfg.apiPort, log);
  await ensure(registry, services, kubeDnsService(cfg.plan), () => false, log);
  await ensure(registry, services, dashboardService(cfg.apiPort), (cur) => targetOf(cur) !== cfg.apiPort, log);
  const dashEps = dashboardEndpoints(cfg.apiHost, cfg.apiPort);
  await ensure(registry, resourceByPlural('endpoints'), dashEps, (cur) => JSON.stringify(cur.subsets) !== JSON.stringify(dashEps.subsets), log);
  const eps = apiEndpoints(cfg);
  await ensure(registry, resourceByPlural('endpoints'), eps, (cur) => JSON.stringify(cur.subsets) !== JSON.stringify(eps.subsets), log);
  const slice = apiEndpointSlice(cfg);
  await ensure(registry, resourceByPlural('endpointslices'), slice, (cur) => JSON.stringify([cur.endpoints, cur.ports]) !== JSON.stringify([slice.endpoints, slice.ports]), log);
}
