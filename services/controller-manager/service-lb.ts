/**
 * The load-balancer controller: kubemu's stand-in for the cloud provider (the role minikube tunnel
 * or MetalLB play on a laptop). A `type: LoadBalancer` Service gets an external address from the
 * cluster's load-balancer range (network plan: 127.(64+slot).192.0/18, in the one loopback
 * network every node shares) in `status.loadBalancer.ingress[0]` (`ipMode: VIP`), so
 * `kubectl get svc` shows an EXTERNAL-IP; every node's kube-proxy then serves that address.
 *
 * - The address is kept for as long as the Service exists and stays a LoadBalancer: a Service that
 *   already shows an address of the range nobody older claims keeps it (also across controller
 *   restarts: the status is the record). Otherwise the lowest free address is taken.
 * - `spec.loadBalancerIP` (deprecated in Kubernetes, still honoured by MetalLB) is used when it is
 *   in the range and free; otherwise a `SyncLoadBalancerFailed` warning says why and the Service
 *   stays `<pending>` until the address frees up.
 * - An address is free again once its Service is deleted or is no longer a LoadBalancer (then its
 *   ingress is cleared); no finalizer is needed, because what is taken is read from the Services
 *   themselves (plus this controller's own writes the cache does not show yet).
 * - Services with `spec.loadBalancerClass` belong to another implementation and are left alone.
 * - Events as the cloud service controller records them (component `service-controller`):
 *   `EnsuringLoadBalancer` / `EnsuredLoadBalancer` when an address is assigned,
 *   `DeletingLoadBalancer` / `DeletedLoadBalancer` when a Service stops being a LoadBalancer.
 *
 * Level-based: reconciles a Service key; a Service that held an address enqueues, on any change,
 * the LoadBalancer Services still waiting for one (it may have freed the address they want).
 */
import type { Service } from '../../shared/api/core.js';
import { objectKey } from '../../shared/api/meta.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { EventRecorder } from '../../shared/client/event-recorder.js';
import { Controller, type Reconciler } from '../../shared/controller/controller.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import type { ControllerContext } from './context.js';
import { SERVICES } from './endpoints.js';

/** The part of the network plan this controller needs. */
export interface LoadBalancerPool {
  loadBalancerAddress(n: number): string;
  loadBalancerIndex(ip: string): number | undefined;
  loadBalancerCount: number;
}

export interface ServiceLoadBalancerOptions {
  api: ApiClient;
  services: SharedInformer<Service>;
  pool: LoadBalancerPool;
  recorder: EventRecorder;
  log?: Logger;
}

function wantsLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

function ingressIps(svc: Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
}

/** Older first (creation time, then namespace/name): who keeps an address two Services show. */
function older(a: Service, b: Service): boolean {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta !== tb ? ta < tb : objectKey(a) < objectKey(b);
}

export class ServiceLoadBalancer implements Reconciler {
  /** Addresses this controller wrote, by Service key, until the cache shows them. */
  private readonly assigned = new Map<string, { uid?: string; ip: string }>();
  private readonly log: Logger;

  constructor(private readonly o: ServiceLoadBalancerOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'service-lb' });
  }

  startTerm(): void {
    this.assigned.clear();
  }

  /** A Conflict thrown here (someone wrote the object first) is requeued quietly by the controller. */
  async reconcile(key: string): Promise<void> {
    const svc = this.o.services.lister.get(key);
    if (!svc || !wantsLoadBalancer(svc)) {
      this.assigned.delete(key);
      if (svc && !svc.spec?.loadBalancerClass && ingressIps(svc).length > 0) await this.release(svc);
      return;
    }
    const taken = this.taken(svc);
    const current = ingressIps(svc)[0];
    const requested = svc.spec.loadBalancerIP || undefined;
    let target: string | undefined;
    if (requested) {
      const holder = taken.get(requested);
      if (this.o.pool.loadBalancerIndex(requested) === undefined) return this.fail(svc, `requested IP ${requested} is not in this cluster's load balancer range`);
      if (holder) return this.fail(svc, `requested IP ${requested} is already in use by Service ${holder}`);
      target = requested;
    } else if (current && this.o.pool.loadBalancerIndex(current) !== undefined && !taken.has(current)) {
      target = current;
    } else {
      target = this.lowestFree(taken);
      if (!target) return this.fail(svc, 'no load balancer address is free');
    }
    const ingress = svc.status?.loadBalancer?.ingress ?? [];
    if (ingress.length === 1 && ingress[0].ip === target) {
      this.assigned.set(key, { uid: svc.metadata.uid, ip: target });
      return;
    }
    const { recorder } = this.o;
    recorder.record(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    await this.o.api.update<Service>(SERVICES, { ...svc, status: { ...svc.status, loadBalancer: { ingress: [{ ip: target, ipMode: 'VIP' }] } } }, 'status');
    this.assigned.set(key, { uid: svc.metadata.uid, ip: target });
    recorder.record(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    this.log.info({ service: key, ip: target }, 'load balancer address assigned');
  }

  /** Addresses held by other Services (older ones, for an address two Services show), by address. */
  private taken(svc: Service): Map<string, string> {
    const key = objectKey(svc);
    const out = new Map<string, string>();
    for (const other of this.o.services.lister.list()) {
      const k = objectKey(other);
      if (k === key || !wantsLoadBalancer(other)) continue;
      for (const ip of ingressIps(other)) if (!ingressIps(svc).includes(ip) || older(other, svc)) out.set(ip, k);
    }
    for (const [k, a] of this.assigned) {
      if (k === key) continue;
      const other = this.o.services.lister.get(k);
      if (!other || other.metadata.uid !== a.uid || !wantsLoadBalancer(other)) this.assigned.delete(k);
      else if (!out.has(a.ip)) out.set(a.ip, k);
    }
    return out;
  }

  private lowestFree(taken: Map<string, string>): string | undefined {
    const { pool } = this.o;
    for (let n = 1; n <= pool.loadBalancerCount; n++) {
      const ip = pool.loadBalancerAddress(n);
      if (!taken.has(ip)) return ip;
    }
    return undefined;
  }

  private fail(svc: Service, why: string): void {
    this.o.recorder.record(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${why}`);
    this.log.info({ service: objectKey(svc), why }, 'no load balancer address');
  }

  private async release(svc: Service): Promise<void> {
    const { recorder } = this.o;
    recorder.record(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
    await this.o.api.update<Service>(SERVICES, { ...svc, status: { ...svc.status, loadBalancer: {} } }, 'status');
    recorder.record(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
  }
}

/** A Service that held addresses may have freed one: every LoadBalancer Service still waiting is looked at again. */
function waitingServices(services: SharedInformer<Service>): (svc: Service) => string[] {
  return (svc) => {
    const keys = [objectKey(svc)];
    if (ingressIps(svc).length === 0) return keys;
    for (const s of services.lister.list()) if (wantsLoadBalancer(s) && ingressIps(s).length === 0) keys.push(objectKey(s));
    return keys;
  };
}

export function serviceLoadBalancerController(ctx: ControllerContext): Runnable {
  const services = ctx.informer<Service>(SERVICES);
  const reconciler = new ServiceLoadBalancer({ api: ctx.api, services, pool: ctx.network, recorder: ctx.recorder('service-controller'), log: ctx.log });
  // One worker: address choices are made one at a time against what is taken.
  const controller = new Controller({ name: 'service-lb', reconciler, clock: ctx.clock, log: ctx.log, workers: 1 }).watch(services, waitingServices(services));
  return {
    name: controller.name,
    needLeaderElection: true,
    run(signal) {
      reconciler.startTerm();
      return controller.run(signal);
    },
  };
}
