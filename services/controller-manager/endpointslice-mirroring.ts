/**
 * The EndpointSlice mirroring controller: the Endpoints that users write for a Service without a
 * selector (an external database, the notes' "external-service") become EndpointSlices, which is
 * what kube-proxy reads — so such a Service carries traffic as in Kubernetes.
 *
 * Mirrored: the Endpoints of a Service that exists and has no selector, unless the Endpoints is
 * labelled `endpointslice.kubernetes.io/skip-mirror: "true"` (the api-server's own `kubernetes`
 * Endpoints is, it writes its slice itself). Each subset's ports become a slice port list
 * (protocol TCP when unset), its `addresses` ready endpoints and its `notReadyAddresses` not-ready
 * ones (nodeName, targetRef and hostname kept); IPv4 addresses only, at most 1000 per Endpoints as
 * in Kubernetes. Slices are labelled with the Endpoints' labels, `kubernetes.io/service-name` =
 * its name and `endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io`,
 * and owned by the Endpoints; packing, writing and tracking are ./endpointslice-writer.ts.
 * When the Endpoints or the Service go, or the Service gets a selector, the mirrored slices go.
 *
 * Level-based: reconciles an Endpoints/Service key (`namespace/name`, the two share it); changes
 * to Services, Endpoints and the mirrored slices enqueue it.
 */
import type { EndpointSlice } from '../../shared/api/apps.js';
import type { EndpointAddress, Endpoints, Service } from '../../shared/api/core.js';
import { objectKey, splitKey } from '../../shared/api/meta.js';
import type { ApiClient } from '../../shared/client/api.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../shared/controller/controller.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import type { ControllerContext } from './context.js';
import { ENDPOINTS, SERVICES } from './endpoints.js';
import { ENDPOINT_SLICES, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, SliceWriter, addToGroup, byAddress, type DesiredSlices, type SliceEndpoint, type SlicePort } from './endpointslice-writer.js';

export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
export const MAX_MIRRORED_ADDRESSES = 1000;

const STALE_RETRY_MS = 1000;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function mirrored(a: EndpointAddress, ready: boolean): SliceEndpoint {
  return {
    addresses: [a.ip],
    conditions: { ready, serving: ready, terminating: false },
    ...(a.nodeName ? { nodeName: a.nodeName } : {}),
    ...(a.targetRef ? { targetRef: { kind: a.targetRef.kind, namespace: a.targetRef.namespace, name: a.targetRef.name, uid: a.targetRef.uid } } : {}),
    ...(a.hostname ? { hostname: a.hostname } : {}),
  };
}

/** The slices an Endpoints object mirrors to, grouped by port list (pure). */
export function mirroredEndpoints(ep: Endpoints): DesiredSlices {
  const groups: DesiredSlices = new Map();
  let budget = MAX_MIRRORED_ADDRESSES;
  for (const subset of ep.subsets ?? []) {
    const ports: SlicePort[] = (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const each = (list: EndpointAddress[] | undefined, ready: boolean): void => {
      for (const a of list ?? []) {
        if (budget <= 0 || !IPV4.test(a.ip)) continue;
        budget--;
        addToGroup(groups, ports, mirrored(a, ready));
      }
    };
    each(subset.addresses, true);
    each(subset.notReadyAddresses, false);
  }
  for (const g of groups.values()) g.endpoints.sort(byAddress);
  return groups;
}

export function mirroredLabels(ep: Endpoints): Record<string, string> {
  const labels: Record<string, string> = { ...(ep.metadata.labels ?? {}) };
  delete labels[SKIP_MIRROR_LABEL];
  labels[SERVICE_NAME_LABEL] = ep.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = MIRRORING_CONTROLLER_NAME;
  return labels;
}

export interface MirroringOptions {
  api: ApiClient;
  services: SharedInformer<Service>;
  endpoints: SharedInformer<Endpoints>;
  /** Only the mirrored slices (label selector on managed-by). */
  slices: SharedInformer<EndpointSlice>;
  log?: Logger;
}

export class EndpointSliceMirroring implements Reconciler {
  private readonly log: Logger;
  private readonly writer: SliceWriter;

  constructor(private readonly o: MirroringOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'endpointslice-mirroring' });
    this.writer = new SliceWriter(o.api, o.slices);
  }

  /** A Conflict or AlreadyExists thrown by `sync` (the cache was behind) is requeued quietly by the controller. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!this.writer.fresh(key)) return { requeueAfterMs: STALE_RETRY_MS };
    await this.sync(key);
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const existing = this.o.slices.lister
      .listNamespace(namespace)
      .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME);
    const svc = this.o.services.lister.get(key);
    const ep = this.o.endpoints.lister.get(key);
    const mirror = svc && (svc.spec?.selector === undefined || svc.spec.selector === null) && ep && ep.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true';
    if (!mirror) {
      await this.writer.removeAll(key, existing);
      return;
    }
    const uid = ep.metadata.uid;
    const owned = existing.filter((s) => s.metadata.ownerReferences?.some((r) => r.kind === 'Endpoints' && r.uid === uid));
    const writes = await this.writer.write(
      key,
      owned,
      existing.filter((s) => !owned.includes(s)),
      {
        namespace,
        baseName: name,
        labels: mirroredLabels(ep),
        owner: { apiVersion: 'v1', kind: 'Endpoints', name, uid: uid ?? '', controller: true, blockOwnerDeletion: true },
        desired: mirroredEndpoints(ep),
      },
    );
    if (writes > 0) this.log.debug({ endpoints: key, writes }, 'mirrored endpoint slices written');
  }
}

export function endpointSliceMirroringController(ctx: ControllerContext): Runnable {
  const services = ctx.informer<Service>(SERVICES);
  const endpoints = ctx.informer<Endpoints>(ENDPOINTS);
  const slices = ctx.informer<EndpointSlice>(ENDPOINT_SLICES, { labelSelector: `${MANAGED_BY_LABEL}=${MIRRORING_CONTROLLER_NAME}` });
  const reconciler = new EndpointSliceMirroring({ api: ctx.api, services, endpoints, slices, log: ctx.log });
  const sliceKey = (s: EndpointSlice): string[] => {
    const n = s.metadata.labels?.[SERVICE_NAME_LABEL];
    return n ? [`${s.metadata.namespace ?? ''}/${n}`] : [];
  };
  return new Controller({ name: 'endpointslice-mirroring', reconciler, clock: ctx.clock, log: ctx.log, workers: 2 })
    .watch(services, objectKey)
    .watch(endpoints, objectKey)
    .watch(slices, sliceKey);
}
