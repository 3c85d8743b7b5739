/**
 * The endpoints controller: one `Endpoints` object per Service with a selector, named like the
 * Service, listing the pods the selector matches in its namespace — and the rules, shared with
 * the EndpointSlice controller (./endpointslices.ts), of which pod is an endpoint and on which port.
 *
 * Which pods (Kubernetes' ShouldPodBeInEndpoints): not Succeeded/Failed, with a pod IP; a pod
 * being deleted only where the caller includes terminating pods (slices do, Endpoints only with
 * `publishNotReadyAddresses`). Ready (the pod's Ready condition is True, or the Service publishes
 * not-ready addresses) → `addresses`, otherwise `notReadyAddresses`. Pods of a node that stopped
 * reporting drop to not-ready on their own: the node lifecycle controller sets their Ready=False.
 *
 * Which port (findPort): a numeric `targetPort` is taken as is; a named one is looked up among the
 * pod's container ports with that name and the Service port's protocol. A pod without that port is
 * left out of that port only; a headless Service without ports lists addresses without ports.
 *
 * The object: addresses carry `nodeName`, a `targetRef` to the pod and, when the pod's
 * `hostname`/`subdomain` name this Service, `hostname`; subsets group addresses with the same port
 * set, everything sorted so the same pods always give the same object; labels are the Service's
 * (+ `service.kubernetes.io/headless` for headless ones). Nothing is written when the object already
 * says that. Services without a selector are left alone (their Endpoints are the user's), and the
 * Endpoints of a deleted Service are deleted. Level-based: reconciles a Service key; pod changes
 * enqueue the Services selecting the pod before and after the change.
 */
import type { EndpointAddress, EndpointSubset, Endpoints, Pod, Service, ServicePort } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import { objectKey, splitKey } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { Controller, type Reconciler } from '../../shared/controller/controller.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import { selectorFromSet } from '../../shared/selectors/labels.js';
import type { ControllerContext } from './context.js';
import { podCondition } from './pod-conditions.js';

export const SERVICES = resourceByPlural('services');
export const ENDPOINTS = resourceByPlural('endpoints');
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

export function podIp(pod: Pod): string | undefined {
  return pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || undefined;
}

export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!podIp(pod)) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** The pod port a Service port reaches, or undefined when the pod has no such named port. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** The pods a Service's selector matches in its namespace; undefined for a Service without a selector. */
export function selectedPods(pods: SharedInformer<Pod>, svc: Service): Pod[] | undefined {
  const sel = svc.spec?.selector;
  if (sel === undefined || sel === null) return undefined;
  return pods.lister.listNamespace(svc.metadata.namespace ?? '', selectorFromSet(sel));
}

/** Keys of the Services (with a selector) in the pod's namespace whose selector matches it. */
export function servicesSelecting(services: SharedInformer<Service>): (pod: Pod) => string[] {
  return (pod) =>
    services.lister
      .listNamespace(pod.metadata.namespace ?? '')
      .filter((s) => s.spec?.selector && selectorFromSet(s.spec.selector).matches(pod.metadata.labels))
      .map(objectKey);
}

export function ipOrder(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return a.localeCompare(b);
}

type EndpointPort = NonNullable<EndpointSubset['ports']>[number];

function portSig(p: EndpointPort): string {
  return `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`;
}

function addressSig(a: EndpointAddress): string {
  return [a.ip, a.nodeName ?? '', a.hostname ?? '', a.targetRef?.kind ?? '', a.targetRef?.namespace ?? '', a.targetRef?.name ?? '', a.targetRef?.uid ?? ''].join('|');
}

function subsetsSig(subsets: EndpointSubset[] | undefined): string {
  return (subsets ?? [])
    .map((s) => [(s.ports ?? []).map(portSig).join(','), (s.addresses ?? []).map(addressSig).join(','), (s.notReadyAddresses ?? []).map(addressSig).join(',')].join(';'))
    .join('\n');
}

function labelsSig(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The subsets a Service's pods give (pure). */
export function endpointSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address: EndpointAddress = {
      ip: podIp(pod) as string,
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name ?? '', uid: pod.metadata.uid },
      ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec.hostname } : {}),
    };
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (ports.length === 0 && (svc.spec?.ports?.length ?? 0) > 0) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const key = ports.map(portSig).join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (publishNotReady || isPodReady(pod) ? g.ready : g.notReady).push(address);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress): number => ipOrder(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
}

export function endpointsLabels(svc: Service): Record<string, string> {
  return { ...(svc.metadata.labels ?? {}), ...(isHeadless(svc) ? { [HEADLESS_LABEL]: '' } : {}) };
}

export interface EndpointsOptions {
  api: ApiClient;
  services: SharedInformer<Service>;
  pods: SharedInformer<Pod>;
  endpoints: SharedInformer<Endpoints>;
  log?: Logger;
}

export class EndpointsReconciler implements Reconciler {
  private readonly log: Logger;

  constructor(private readonly o: EndpointsOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'endpoints' });
  }

  /** A Conflict or AlreadyExists thrown here (the cache was behind) is requeued quietly by the controller. */
  async reconcile(key: string): Promise<void> {
    const { api } = this.o;
    const { namespace, name } = splitKey(key);
    const svc = this.o.services.lister.get(key);
    const current = this.o.endpoints.lister.get(key);
    if (!svc) {
      if (!current) return;
      try {
        await api.delete(ENDPOINTS, namespace, name);
        this.log.info({ service: key }, 'deleted the Endpoints of a deleted Service');
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
      }
      return;
    }
    const pods = selectedPods(this.o.pods, svc);
    if (!pods) return; // no selector: the user's Endpoints, if any
    const subsets = endpointSubsets(svc, pods);
    const labels = endpointsLabels(svc);
    if (current && subsetsSig(current.subsets) === subsetsSig(subsets) && labelsSig(current.metadata.labels) === labelsSig(labels)) return;
    if (!current) {
      await api.create(ENDPOINTS, namespace, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets });
    } else {
      await api.update<Endpoints>(ENDPOINTS, { ...current, metadata: { ...current.metadata, labels }, subsets });
    }
    this.log.debug({ service: key, subsets: subsets.length }, 'endpoints written');
  }
}

export function endpointsController(ctx: ControllerContext): Runnable {
  const services = ctx.informer<Service>(SERVICES);
  const pods = ctx.pods();
  const endpoints = ctx.informer<Endpoints>(ENDPOINTS);
  const reconciler = new EndpointsReconciler({ api: ctx.api, services, pods, endpoints, log: ctx.log });
  // An Endpoints object changed or deleted by someone else is put back, but only for Services we manage.
  const ownService = (ep: Endpoints): string[] => {
    const svc = services.lister.get(objectKey(ep));
    return svc?.spec?.selector ? [objectKey(ep)] : [];
  };
  const controller = new Controller({ name: 'endpoints', reconciler, clock: ctx.clock, log: ctx.log, workers: 4 })
    .watch(services)
    .watch(pods, servicesSelecting(services))
    .watch(endpoints, ownService);
  return controller;
}
