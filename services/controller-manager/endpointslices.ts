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
 * Slices: endpoints with the same resolved port list share slices, named `<service>-<random>`,
 * labelled `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
 * endpointslice-controller.k8s.io` (+ the Service's labels, + `service.kubernetes.io/headless`),
 * owned by the Service (controller ownerReference, so the garbage collector removes them with it);
 * how they are packed, rewritten and tracked is ./endpointslice-writer.ts (100 per slice, a
 * placeholder when empty, no second write before the cache shows the first).
 *
 * Only slices carrying our managed-by label are touched: slices users (or the api-server, for the
 * `kubernetes` Service) write for selector-less Services are theirs. Level-based: reconciles a
 * Service key; pod changes enqueue the Services selecting the pod; a change to one of our slices
 * enqueues its Service (someone edited or deleted it).
 */
import type { EndpointSlice } from '../../shared/api/apps.js';
import type { Pod, Service } from '../../shared/api/core.js';
import { splitKey } from '../../shared/api/meta.js';
import type { ApiClient } from '../../shared/client/api.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../shared/controller/controller.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import type { ControllerContext } from './context.js';
import { HEADLESS_LABEL, SERVICES, findPort, isHeadless, isPodReady, podIp, selectedPods, servicesSelecting, shouldPodBeInEndpoints, shouldSetHostname } from './endpoints.js';
import {
  ENDPOINT_SLICES, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, SliceWriter, addToGroup, byAddress, type DesiredSlices, type SliceEndpoint, type SlicePort,
} from './endpointslice-writer.js';

export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

/** How long a Service waits for the cache to show our writes before it is looked at again anyway. */
const STALE_RETRY_MS = 1000;

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
export function desiredEndpoints(svc: Service, pods: readonly Pod[]): DesiredSlices {
  const groups: DesiredSlices = new Map();
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
    addToGroup(groups, ports, podToEndpoint(pod, svc));
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

export interface EndpointSlicesOptions {
  api: ApiClient;
  services: SharedInformer<Service>;
  pods: SharedInformer<Pod>;
  /** Only the slices this controller manages (label selector on managed-by). */
  slices: SharedInformer<EndpointSlice>;
  log?: Logger;
  maxEndpointsPerSlice?: number;
}

export class EndpointSliceReconciler implements Reconciler {
  private readonly log: Logger;
  private readonly writer: SliceWriter;

  constructor(private readonly o: EndpointSlicesOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'endpointslice' });
    this.writer = new SliceWriter(o.api, o.slices, o.maxEndpointsPerSlice);
  }

  private ours(namespace: string, service: string): EndpointSlice[] {
    return this.o.slices.lister.listNamespace(namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === service && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME);
  }

  /** A Conflict or AlreadyExists thrown here (the cache was behind) is requeued quietly by the controller. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!this.writer.fresh(key)) return { requeueAfterMs: STALE_RETRY_MS };
    const { namespace, name } = splitKey(key);
    const svc = this.o.services.lister.get(key);
    const existing = this.ours(namespace, name);
    if (!svc) {
      // The garbage collector would get there too (owner references); doing it here keeps it prompt.
      await this.writer.removeAll(key, existing);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    const pods = selectedPods(this.o.pods, svc);
    if (!pods) return;
    const uid = svc.metadata.uid;
    // Slices of an earlier Service of the same name belong to it, not to this one.
    const owned = existing.filter((s) => !uid || s.metadata.ownerReferences?.some((r) => r.kind === 'Service' && r.uid === uid));
    const stale = existing.filter((s) => !owned.includes(s));
    const writes = await this.writer.write(key, owned, stale, {
      namespace,
      baseName: name,
      labels: sliceLabels(svc),
      owner: { apiVersion: 'v1', kind: 'Service', name, uid: uid ?? '', controller: true, blockOwnerDeletion: true },
      desired: desiredEndpoints(svc, pods),
    });
    if (writes > 0) this.log.debug({ service: key, writes }, 'endpoint slices written');
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
