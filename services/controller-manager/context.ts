/**
 * What every controller of the controller-manager is built from: the API client, one shared
 * informer factory (a resource is listed and watched once per process, however many controllers
 * read it), the heartbeat tracker, the clock, the timing profile, the settings, and Event recorders.
 *
 * - The informers every node-related controller shares are named here: all Nodes, all Pods (with
 *   the `nodeName` index, pods by `spec.nodeName`), and the node Leases in `kube-node-lease`.
 * - Every informer asked for through the context is remembered, so the process is healthy only once
 *   all of them have synced.
 * - Informers run on every replica (standbys keep warm caches); controllers only while leading.
 *
 * The cluster's address plan (`network`, network slot 0 unless given) is here for controllers that
 * hand out addresses (load balancers).
 *
 * Settings not in the timing profile have defaults per profile (`settingsFor`): Kubernetes' values
 * under `--profile kubernetes`, fast ones otherwise.
 */
import type { Lease } from '../../shared/api/apps.js';
import type { Node, Pod } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { networkPlan, type NetworkPlan } from '../../shared/api/network.js';
import { resourceByPlural, type ResourceInfo } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { EventRecorder } from '../../shared/client/event-recorder.js';
import { InformerFactory, type InformerRequest } from '../../shared/informer/factory.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Profile } from '../../shared/runtime/profile.js';
import type { HeartbeatTracker } from './heartbeats.js';
import type { HpaSettings } from './hpa/settings.js';

export const NODE_NAME_INDEX = 'nodeName';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** Pods filed by the node they are bound to (unbound pods are not filed). */
export function podNodeName(pod: Pod): string[] {
  return pod.spec?.nodeName ? [pod.spec.nodeName] : [];
}

export interface ControllerSettings {
  /** Terminated pods kept before the oldest are removed (Kubernetes: 12,500; 0 = never). */
  terminatedPodGcThreshold: number;
  /** How often pod GC runs (Kubernetes: 20 s). */
  podGcPeriodMs: number;
  /** How long a node must be missing before its pods are treated as orphans (Kubernetes: 40 s). */
  podGcQuarantineMs: number;
  /** A node Lease is renewed at most this often (default: a quarter of the lease duration). */
  nodeLeaseRenewIntervalMs: number;
  /** Upper bound on node Lease writes per second across all nodes (0 = unbounded). */
  nodeLeaseWritesPerSecond: number;
  /** Overrides of the HPA controller's settings (per-profile defaults in ./hpa/settings.ts). */
  hpa?: Partial<HpaSettings>;
}

export function settingsFor(profile: Profile, overrides: Partial<ControllerSettings> = {}): ControllerSettings {
  const kube = profile.name === 'kubernetes';
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<ControllerSettings>;
  return {
    terminatedPodGcThreshold: 12_500,
    podGcPeriodMs: kube ? 20_000 : 1000,
    podGcQuarantineMs: kube ? 40_000 : 0,
    nodeLeaseRenewIntervalMs: Math.max(profile.heartbeatIntervalMs, (profile.nodeLeaseDurationSeconds * 1000) / 4),
    nodeLeaseWritesPerSecond: 20,
    ...defined,
  };
}

export interface ControllerContext {
  readonly api: ApiClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly profile: Profile;
  readonly network: NetworkPlan;
  readonly settings: ControllerSettings;
  readonly heartbeats: HeartbeatTracker;
  readonly informers: InformerFactory;
  informer<T extends KubeObject>(resource: ResourceInfo, req?: InformerRequest<T>): SharedInformer<T>;
  nodes(): SharedInformer<Node>;
  pods(): SharedInformer<Pod>;
  nodeLeases(): SharedInformer<Lease>;
  /** An Event recorder reporting as `component` (e.g. `node-controller`). */
  recorder(component: string): EventRecorder;
  /** True once every informer asked for has synced. */
  synced(): boolean;
  /** Waits for every Event recorded so far. */
  flushEvents(): Promise<void>;
}

export interface ContextDeps {
  api: ApiClient;
  clock: Clock;
  log: Logger;
  profile: Profile;
  heartbeats: HeartbeatTracker;
  settings?: Partial<ControllerSettings>;
  network?: NetworkPlan;
}

export function createContext(deps: ContextDeps): ControllerContext {
  const { api, clock, log, profile, heartbeats } = deps;
  const informers = new InformerFactory({ api, clock, log });
  const used = new Set<SharedInformer<KubeObject>>();
  const recorders = new Map<string, EventRecorder>();
  const informer = <T extends KubeObject>(resource: ResourceInfo, req?: InformerRequest<T>): SharedInformer<T> => {
    const inf = informers.informerFor<T>(resource, req);
    used.add(inf as unknown as SharedInformer<KubeObject>);
    return inf;
  };
  return {
    api,
    clock,
    log,
    profile,
    network: deps.network ?? networkPlan(0),
    heartbeats,
    informers,
    settings: settingsFor(profile, deps.settings),
    informer,
    nodes: () => informer<Node>(resourceByPlural('nodes')),
    pods: () => informer<Pod>(resourceByPlural('pods'), { indexers: { [NODE_NAME_INDEX]: podNodeName } }),
    nodeLeases: () => informer<Lease>(resourceByPlural('leases'), { namespace: NODE_LEASE_NAMESPACE }),
    recorder(component) {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder({ api, clock, log: log.child({ events: component }), source: { component } })));
      return r;
    },
    synced: () => used.size > 0 && [...used].every((i) => i.isStarted && i.hasSynced()),
    flushEvents: async () => {
      await Promise.all([...recorders.values()].map((r) => r.flush()));
    },
  };
}
