/**
 * One node's kube-proxy, assembled: informers on every Service, every EndpointSlice and this
 * node's own Node feed a sync that computes the rules (./rules.ts) and hands them to the proxier
 * (./proxier.ts).
 *
 * - Level-based, like kube-proxy's syncProxyRules: any change schedules one sync of the whole
 *   table from the caches; syncs are coalesced, at once when idle and at most every `minSyncMs`
 *   (default 20 ms) under churn, so endpoint changes reach new connections within milliseconds.
 * - Shared addresses (ClusterIPs, external and load-balancer IPs) are served only while it is safe
 *   to: the caches have synced, the bus is connected (a proxy cut off from the API may hold stale
 *   endpoints) and this node is Ready in the API (`requireNodeReady`, default true: a proxy on a
 *   NotReady node should not attract the whole cluster's traffic). Otherwise they are released
 *   and another node's proxy takes them over. NodePorts stay: they are this node's own.
 * - Health (`health()`): ready once the caches synced; details say what is held.
 *
 * It must not write to the API: kube-proxy only reads.
 */
import type { EndpointSlice } from '../../shared/api/apps.js';
import type { Node, Service } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { InformerFactory } from '../../shared/informer/factory.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import type { BusStatus } from '../../shared/nats/connection.js';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { HealthReport } from '../../shared/runtime/health.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import { Proxier, type ProxierOptions } from './proxier.js';
import { computeRules, type ProxyRules } from './rules.js';

const SERVICES = resourceByPlural('services');
const ENDPOINT_SLICES = resourceByPlural('endpointslices');
const NODES = resourceByPlural('nodes');

export interface KubeProxyConfig {
  nodeName: string;
  nodeIp: string;
  minSyncMs?: number;
  requireNodeReady?: boolean;
  sharedRetryMs?: number;
  unavailableRetryMs?: number;
}

export interface KubeProxyDeps {
  api: ApiClient;
  clock: Clock;
  log?: Logger;
  /** The bus' connection state (Bus.onStatus); absent = always connected. */
  onBusStatus?(listener: (s: BusStatus) => void): () => void;
  /** Proxier overrides for tests (retry timings, random). */
  proxier?: Partial<ProxierOptions>;
}

export interface KubeProxy {
  run(signal: AbortSignal): Promise<void>;
  health(): HealthReport;
  /** The last rules applied (tests, health). */
  rules(): ProxyRules | undefined;
  readonly proxier: Proxier;
}

function nodeReady(node: Node | undefined): boolean {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export function createKubeProxy(cfg: KubeProxyConfig, deps: KubeProxyDeps): KubeProxy {
  const { api, clock } = deps;
  const log = (deps.log ?? silentLogger()).child({ node: cfg.nodeName });
  const informers = new InformerFactory({ api, clock, log });
  const services = informers.informerFor<Service>(SERVICES);
  const slices = informers.informerFor<EndpointSlice>(ENDPOINT_SLICES);
  const node = informers.informerFor<Node>(NODES, { fieldSelector: `metadata.name=${cfg.nodeName}` });
  const proxier = new Proxier({
    clock,
    log,
    sharedRetryMs: cfg.sharedRetryMs,
    unavailableRetryMs: cfg.unavailableRetryMs,
    ...deps.proxier,
  });
  const minSyncMs = cfg.minSyncMs ?? 20;
  const requireNodeReady = cfg.requireNodeReady ?? true;
  let connected = true;
  let running = false;
  let last: ProxyRules | undefined;
  let lastSyncAt = -Infinity;
  let pending: TimerHandle | undefined;

  const synced = (): boolean => services.hasSynced() && slices.hasSynced() && node.hasSynced();
  const ownNode = (): Node | undefined => node.lister.get(cfg.nodeName);
  const serveShared = (): boolean => synced() && connected && (!requireNodeReady || nodeReady(ownNode()));

  function sync(): void {
    pending = undefined;
    if (!running || !synced()) return;
    lastSyncAt = clock.now();
    last = computeRules({ services: services.lister.list(), slices: slices.lister.list(), nodeName: cfg.nodeName, nodeIp: cfg.nodeIp });
    proxier.apply(last, serveShared());
  }

  function schedule(): void {
    if (pending || !running) return;
    const wait = Math.max(0, lastSyncAt + minSyncMs - clock.now());
    pending = clock.setTimeout(sync, wait);
  }

  const handler = { onAdd: schedule, onUpdate: schedule, onDelete: schedule };

  return {
    proxier,
    rules: () => last,
    health() {
      if (!synced()) return { ready: false, reason: 'waiting for the Service and EndpointSlice caches' };
      const st = proxier.status();
      return {
        ready: true,
        node: cfg.nodeName,
        nodeIp: cfg.nodeIp,
        proxying: true,
        servingShared: serveShared(),
        listening: st.listening,
        waiting: st.waiting.length,
        connections: st.connections,
      };
    },
    async run(signal) {
      running = true;
      const regs = [services, slices, node].map((i) => (i as SharedInformer<Service | EndpointSlice | Node>).addEventHandler(handler));
      const offBus = deps.onBusStatus?.((s) => {
        const now = s === 'connected';
        if (now === connected) return;
        connected = now;
        log.info({ bus: s }, now ? 'bus connected again' : 'bus lost');
        schedule();
      });
      const done = informers.run(signal);
      try {
        await Promise.all([services, slices, node].map((i) => i.waitForSync(signal)));
        log.info('caches synced; proxying');
        schedule();
      } catch {
        // aborted before the caches synced
      }
      await done;
      running = false;
      pending?.cancel();
      offBus?.();
      for (const r of regs) r.remove();
      await proxier.stop();
    },
  };
}
