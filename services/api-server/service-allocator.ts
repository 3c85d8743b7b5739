/**
 * ClusterIP and NodePort allocation for Services, done by the api-server as in Kubernetes.
 *
 * kubemu's network lives in 127.0.0.0/8 (one network namespace; see shared/api/network.ts): service
 * IPs come from the network plan's service range (`kubernetes` gets …0.1, `kube-dns` …0.10;
 * allocation starts at …0.11), NodePorts from 30000–32767. What is taken is read from the watch cache plus what this server handed
 * out for services the cache does not show yet (a create in flight). An explicit `clusterIP` must be in
 * range and free (422 otherwise); `None` makes a headless service; ExternalName services get none.
 * On update the old addresses and ports are kept unless the type change frees or needs them.
 */
import type { Service, ServicePort } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceByPlural, storePrefix, type ResourceInfo } from '../../shared/api/resources.js';
import type { WatchCache } from './watch-cache.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { NetworkPlan } from '../../shared/api/network.js';
import type { Admission } from './registry/registry.js';
import { FieldErrors } from './validation.js';

const SERVICES = resourceByPlural('services');

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

/** How long a fresh allocation is held in memory (the cache has the stored service long before). */
const HOLD_MS = 10_000;

export function serviceAllocator(cache: WatchCache, clock: Clock, plan: NetworkPlan): Admission {
  /** Allocations not yet visible in the cache, by service key. */
  const recent = new Map<string, { ip?: string; ports: number[]; at: number }>();
  let nextIp = 11; // .0.1 and .0.10 are the well-known ones; the rest from .0.11 on
  let nextPort = NODE_PORT_MIN;

  function used(): { ips: Set<string>; ports: Set<number> } {
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (const o of cache.list(SERVICES, storePrefix(SERVICES))) {
      const s = o as Service;
      recent.delete(`${s.metadata.namespace}/${s.metadata.name}`); // the cache knows it now
      if (s.spec?.clusterIP && s.spec.clusterIP !== 'None') ips.add(s.spec.clusterIP);
      for (const p of s.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    }
    const cutoff = clock.now() - HOLD_MS;
    for (const [key, r] of recent) {
      if (r.at < cutoff) recent.delete(key);
      else {
        if (r.ip) ips.add(r.ip);
        for (const p of r.ports) ports.add(p);
      }
    }
    return { ips, ports };
  }

  function allocateIp(taken: Set<string>): string {
    for (let tries = 0; tries < plan.serviceIpCount; tries++) {
      const ip = plan.serviceIp(nextIp);
      nextIp = nextIp >= plan.serviceIpCount ? 11 : nextIp + 1;
      if (!taken.has(ip)) return ip;
    }
    throw new Error('the service IP range is full');
  }

  function allocatePort(taken: Set<number>): number {
    const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    for (let tries = 0; tries < span; tries++) {
      const p = nextPort;
      nextPort = nextPort >= NODE_PORT_MAX ? NODE_PORT_MIN : nextPort + 1;
      if (!taken.has(p)) return p;
    }
    throw new Error('the NodePort range is full');
  }

  function assign(svc: Service, old: Service | undefined): void {
    const spec = svc.spec;
    if (!spec || typeof spec !== 'object') return;
    const errs = new FieldErrors();
    const { ips, ports } = used();
    if (old?.spec?.clusterIP) ips.delete(old.spec.clusterIP);
    for (const p of old?.spec?.ports ?? []) if (p.nodePort) ports.delete(p.nodePort);
    if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    } else if (!spec.clusterIP) {
      spec.clusterIP = old?.spec?.clusterIP && old.spec.clusterIP !== 'None' ? old.spec.clusterIP : allocateIp(ips);
    } else if (spec.clusterIP !== 'None' && spec.clusterIP !== old?.spec?.clusterIP) {
      if (plan.serviceIpIndex(spec.clusterIP) === undefined) {
        errs.invalid('spec.clusterIPs', spec.clusterIP, `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${plan.serviceCidr}`);
      } else if (ips.has(spec.clusterIP)) {
        errs.invalid('spec.clusterIPs', spec.clusterIP, `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`);
      }
    }
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
    const wantsNodePorts = spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
    (spec.ports ?? []).forEach((p: ServicePort, i) => {
      if (!wantsNodePorts) {
        delete p.nodePort;
        return;
      }
      const kept = old?.spec?.ports?.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
      if (!p.nodePort) p.nodePort = kept ?? allocatePort(ports);
      else if (p.nodePort !== kept && ports.has(p.nodePort)) {
        errs.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated');
      }
      ports.add(p.nodePort);
    });
    errs.throwIfAny('Service', svc.metadata.name ?? '');
    const held = (spec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p);
    recent.set(`${svc.metadata.namespace}/${svc.metadata.name}`, { ip: spec.clusterIP === 'None' ? undefined : spec.clusterIP, ports: held, at: clock.now() });
  }

  return {
    admitCreate(r: ResourceInfo, obj: KubeObject) {
      if (r === SERVICES) assign(obj as Service, undefined);
    },
    admitUpdate(r: ResourceInfo, obj: KubeObject, old: KubeObject) {
      if (r === SERVICES) assign(obj as Service, old as Service);
    },
  };
}
