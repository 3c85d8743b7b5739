/**
 * The EndpointSlice controller: the `discovery.k8s.io/v1` EndpointSlices of every Service with a
 * selector, which is what kube-proxy and `kubectl describe svc` read.
 *
 * Which pods and ports: the endpoints controller's rules (./endpoints.ts), terminating pods
 * included. Each pod becomes one endpoint: its IP, `conditions` as Kubernetes sets them
 * (`serving` = pod Ready, `terminating` = being deleted, `ready` = serving and not terminating, or
 * always true with `publishNotReadyAddresses`), `nodeName`, a `targetRef` to the pod, `hostname`
 * when the pod names this Service as its subdomain.
 *
 * Slices: endpoints with the same resolved port list share slices (at most `maxEndpointsPerSlice`,
 * 100 as in Kubernetes, per slice), named `<service>-<random>` (generateName), labelled
 * `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
 * endpointslice-controller.k8s.io` (+ the Service's labels, + `service.kubernetes.io/headless`),
 * owned by the Service (controller ownerReference, so the garbage collector removes them with it).
 * A Service without endpoints keeps one empty placeholder slice. Updates keep each endpoint in the
 * slice that already holds it and fill free room before creating a slice; a slice that would be
 * deleted is rewritten instead of creating a new one; a slice that would be unchanged is not
 * written, surplus ones are deleted.
 *
 * Slices are created with generated names, so a write the cache has not shown yet could be
 * repeated: after writing, a Service is not synced again until the slice cache has caught up with
 * those writes (the revision of each create/update reached, each deleted slice gone), as
 * Kubernetes' endpoint slice tracker does; the cache's own events requeue it, a timer backs that up.
 *
 * Only slices carrying our managed-by label are touched: slices users (or the api-server, for the
 * `kubernetes` Service) write for selector-less Services are theirs. Level-based: reconciles a
 * Service key; pod changes enqueue the Services selecting the pod; a change to one of our slices
 * enqueues its Service (someone edited or deleted it).
 */
import type { EndpointSlice } from '../../shared/api/apps.js';
import type { Pod, Service } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import { rvOf, splitKey } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../shared/controller/controller.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import type { ControllerContext } from './context.js';
import { HEADLESS_LABEL, SERVICES, findPort, ipOrder, isHeadless, isPodReady, podIp, selectedPods, servicesSelecting, shouldPodBeInEndpoints, shouldSetHostname } from './endpoints.js';

export const ENDPOINT_SLICES = resourceByPlural('endpointslices');
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

type SliceEndpoint = EndpointSlice['endpoints'][number];
type SlicePort = NonNullable<EndpointSlice['ports']>[number];

function portsSig(ports: readonly SlicePort[] | undefined): string {
  return (ports ?? []).map((p) => `${p.name ?? ''}/${p.port ?? ''}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`).join(',');
}

function endpointSig(e: SliceEndpoint): string {
  const c = e.conditions ?? {};
  const t = e.targetRef;
  return [(e.addresses ?? []).join('+'), c.ready, c.serving, c.terminating, e.nodeName ?? '', e.hostname ?? '', t?.kind ?? '', t?.namespace ?? '', t?.name ?? '', t?.uid ?? ''].join('|');
}

function labelsSig(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const firstIp = (e: SliceEndpoint): string => e.addresses?.[0] ?? '';
const byAddress = (a: SliceEndpoint, b: SliceEndpoint): number => ipOrder(firstIp(a), firstIp(b));

/** The endpoint of one pod (pure). */
export function podToEndpoint(pod: Pod, svc: Service): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  return {
    addresses: [podIp(pod) as string],
    conditions: { ready, serving, terminating },
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name ?? '', uid: pod.metadata.uid },
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec.hostname } : {}),
  };
}

/** Desired endpoints grouped by their port list (pure). */
export function desiredEndpoints(svc: Service, pods: readonly Pod[]): Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }> {
  const groups = new Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>();
  const servicePorts = svc.spec?.ports ?? [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports: SlicePort[] = [];
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (ports.length === 0 && servicePorts.length > 0) continue;
    const key = portsSig(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(pod, svc));
  }
  for (const g of groups.values()) g.endpoints.sort(byAddress);
  return groups;
}

export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[SERVICE_NAME_LABEL];
  delete labels[MANAGED_BY_LABEL];
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

interface Planned {
  /** The existing slice this becomes, or undefined for a new one. */
  existing?: EndpointSlice;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

/**
 * Which slices to write and delete (pure): endpoints stay in the slice that holds them, new ones
 * fill free room first, surplus slices go, and a Service without endpoints keeps one placeholder.
 */
export function planSlices(existing: readonly EndpointSlice[], desired: Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>, max = MAX_ENDPOINTS_PER_SLICE): { keep: Planned[]; remove: EndpointSlice[] } {
  const keep: Planned[] = [];
  const remove: EndpointSlice[] = [];
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const k = portsSig(s.ports);
    byPorts.set(k, [...(byPorts.get(k) ?? []), s]);
  }
  for (const [key, group] of desired) {
    const want = new Map(group.endpoints.map((e) => [firstIp(e), e]));
    const planned: Planned[] = [];
    for (const s of byPorts.get(key) ?? []) {
      const stay: SliceEndpoint[] = [];
      for (const e of s.endpoints ?? []) {
        const w = want.get(firstIp(e));
        if (w && stay.length < max) {
          stay.push(w);
          want.delete(firstIp(e));
        }
      }
      planned.push({ existing: s, ports: group.ports, endpoints: stay });
    }
    byPorts.delete(key);
    const rest = [...want.values()];
    for (const p of planned) while (rest.length > 0 && p.endpoints.length < max) p.endpoints.push(rest.shift() as SliceEndpoint);
    while (rest.length > 0) planned.push({ ports: group.ports, endpoints: rest.splice(0, max) });
    for (const p of planned) {
      if (p.endpoints.length > 0) keep.push({ ...p, endpoints: p.endpoints.sort(byAddress) });
      else if (p.existing) remove.push(p.existing);
    }
  }
  // Slices whose port list no Service port gives any more go, unless one is kept as the placeholder.
  remove.push(...[...byPorts.values()].flat());
  if (keep.length === 0) {
    const placeholder = remove.find((s) => (s.ports ?? []).length === 0 && (s.endpoints ?? []).length === 0) ?? remove[0];
    keep.push({ existing: placeholder, ports: [], endpoints: [] });
    if (placeholder) remove.splice(remove.indexOf(placeholder), 1);
  }
  // A new slice takes over one that would be deleted (an update instead of a create and a delete).
  for (const p of keep) if (!p.existing && remove.length > 0) p.existing = remove.shift();
  return { keep, remove };
}

export interface EndpointSlicesOptions {
  api: ApiClient;
  services: SharedInformer<Service>;
  pods: SharedInformer<Pod>;
  /** Only the slices this controller manages (label selector on managed-by). */
  slices: SharedInformer<EndpointSlice>;
  log?: Logger;
  maxEndpointsPerSlice?: number;
}

/** How long a Service waits for the cache to show our writes before it is looked at again anyway. */
const STALE_RETRY_MS = 1000;

interface Expected {
  /** The slice cache must have reached this revision (our creates and updates). */
  revision: number;
  /** Slices we deleted that the cache must no longer show (namespace/name). */
  deleted: Set<string>;
}

export class EndpointSliceReconciler implements Reconciler {
  private readonly log: Logger;
  private readonly expected = new Map<string, Expected>();

  constructor(private readonly o: EndpointSlicesOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'endpointslice' });
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    try {
      return await this.sync(key);
    } catch (err) {
      if (isStatusError(err, 'Conflict') || isStatusError(err, 'AlreadyExists')) return { requeue: true };
      throw err;
    }
  }

  /** Whether the slice cache shows every write we made for this Service. */
  private cacheFresh(key: string): boolean {
    const exp = this.expected.get(key);
    if (!exp) return true;
    for (const k of exp.deleted) if (!this.o.slices.lister.get(k)) exp.deleted.delete(k);
    if (exp.deleted.size === 0 && Number(this.o.slices.lastResourceVersion || 0) >= exp.revision) {
      this.expected.delete(key);
      return true;
    }
    return false;
  }

  private expect(key: string, written: EndpointSlice | undefined, deleted?: EndpointSlice): void {
    let exp = this.expected.get(key);
    if (!exp) this.expected.set(key, (exp = { revision: 0, deleted: new Set() }));
    if (written) exp.revision = Math.max(exp.revision, rvOf(written));
    if (deleted) exp.deleted.add(`${deleted.metadata.namespace ?? ''}/${deleted.metadata.name ?? ''}`);
  }

  private ours(namespace: string, service: string): EndpointSlice[] {
    return this.o.slices.lister.listNamespace(namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === service && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME);
  }

  private async sync(key: string): Promise<ReconcileResult | void> {
    if (!this.cacheFresh(key)) return { requeueAfterMs: STALE_RETRY_MS };
    const { namespace, name } = splitKey(key);
    const svc = this.o.services.lister.get(key);
    const existing = this.ours(namespace, name);
    if (!svc) {
      // The garbage collector would get there too (owner references); doing it here keeps it prompt.
      await Promise.all(existing.map((s) => this.remove(key, s)));
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    const pods = selectedPods(this.o.pods, svc);
    if (!pods) return;
    const uid = svc.metadata.uid;
    // Slices of an earlier Service of the same name belong to it, not to this one.
    const owned = existing.filter((s) => !uid || s.metadata.ownerReferences?.some((r) => r.kind === 'Service' && r.uid === uid));
    const stale = existing.filter((s) => !owned.includes(s));
    const plan = planSlices(owned, desiredEndpoints(svc, pods), this.o.maxEndpointsPerSlice);
    const labels = sliceLabels(svc);
    const owner = { apiVersion: 'v1', kind: 'Service', name, uid: uid ?? '', controller: true, blockOwnerDeletion: true };
    const writes: Promise<unknown>[] = [...stale, ...plan.remove].map((s) => this.remove(key, s));
    for (const p of plan.keep) {
      const s = p.existing;
      if (!s) {
        writes.push(
          this.o.api.create<EndpointSlice>(ENDPOINT_SLICES, namespace, {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: { generateName: `${name.slice(0, 58)}-`, namespace, labels, ownerReferences: [owner] },
            addressType: 'IPv4',
            endpoints: p.endpoints,
            ports: p.ports,
          }).then((created) => this.expect(key, created)),
        );
        continue;
      }
      const unchanged =
        portsSig(s.ports) === portsSig(p.ports) &&
        labelsSig(s.metadata.labels) === labelsSig(labels) &&
        (s.endpoints ?? []).map(endpointSig).join('\n') === p.endpoints.map(endpointSig).join('\n') &&
        s.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller);
      if (unchanged) continue;
      writes.push(
        this.o.api.update<EndpointSlice>(ENDPOINT_SLICES, {
          ...s,
          metadata: { ...s.metadata, labels, ownerReferences: [owner] },
          addressType: 'IPv4',
          endpoints: p.endpoints,
          ports: p.ports,
        }).then((updated) => this.expect(key, updated)),
      );
    }
    const results = await Promise.allSettled(writes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (writes.length > 0) this.log.debug({ service: key, writes: writes.length }, 'endpoint slices written');
  }

  private async remove(key: string, s: EndpointSlice): Promise<void> {
    try {
      await this.o.api.delete(ENDPOINT_SLICES, s.metadata.namespace, s.metadata.name ?? '', { preconditions: { uid: s.metadata.uid } });
      this.expect(key, undefined, s);
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }
}

export function endpointSliceController(ctx: ControllerContext): Runnable {
  const services = ctx.informer<Service>(SERVICES);
  const pods = ctx.pods();
  const slices = ctx.informer<EndpointSlice>(ENDPOINT_SLICES, { labelSelector: `${MANAGED_BY_LABEL}=${CONTROLLER_NAME}` });
  const reconciler = new EndpointSliceReconciler({ api: ctx.api, services, pods, slices, log: ctx.log });
  const sliceService = (s: EndpointSlice): string[] => {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    return svc ? [`${s.metadata.namespace ?? ''}/${svc}`] : [];
  };
  return new Controller({ name: 'endpointslice', reconciler, clock: ctx.clock, log: ctx.log, workers: 4 })
    .watch(services)
    .watch(pods, servicesSelecting(services))
    .watch(slices, sliceService);
}
