/**
 * Assembles the api-server from its parts — watch cache, registry, admission, the API, the HTTP
 * server and the NATS adapter — and runs it: `start()` fills the cache from the store, bootstraps
 * the system namespaces, then listens; `stop()` closes listeners and watches. Built here, listened
 * to by main.ts; tests build it in-process with their own store and bus.
 */
import type { Server } from 'node:http';
import type { StoreClient } from '../../shared/client/store.js';
import type { Bus } from '../../shared/nats/connection.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { WatchCache } from './watch-cache.js';
import { Registry } from './registry/registry.js';
import { LeaseManager } from './registry/lease-manager.js';
import { chain, namespaceLifecycle } from './admission.js';
import { serviceAllocator } from './service-allocator.js';
import { nodeIpam } from './node-ipam.js';
import { networkPlan, type NetworkPlan } from '../../shared/api/network.js';
import { createApi, type Api } from './api.js';
import { createHttpServer, listen } from './http.js';
import { tableWatchEncoder } from './table/serve.js';
import { ensureSystemObjects } from './bootstrap.js';
import { serveNatsApi, type NatsApi } from './nats-api.js';
import { scaleSubresource } from './subresources/scale.js';
import { finalizeSubresource } from './subresources/finalize.js';
import { bindingSubresource, evictionSubresource } from './subresources/binding.js';
import { startNamespaceFinalizer } from './namespace-finalizer.js';
import { registerProtobufDecoder } from './body.js';
import { decodeKubernetesProtobuf } from './protobuf/kinds.js';
import { applyStrategicPatch, STRATEGIC_MERGE_PATCH } from './patch/strategic.js';
import { registerStreaming } from './streaming/register.js';
import { registerMetricsApi } from './metrics/metrics-api.js';
import { registerDashboard } from './web-server.js';
import { registerStream, type EventStream, type StreamOptions } from './stream/register.js';

export interface ApiServerConfig {
  host: string;
  /** The cluster's address plan (network slot 0 when absent). */
  network?: NetworkPlan;
  port: number;
  /** Events the watch cache keeps for resuming watches. */
  historyCapacity?: number;
  bookmarkIntervalMs?: number;
  /** The not-ready / unreachable NoExecute toleration added to every pod (default 300 s, as Kubernetes). */
  defaultTolerationSeconds?: number;
  /** How long Events live after their last write (default 3600 s). */
  eventTtlSeconds?: number;
  /** How often the system namespaces and services are checked and repaired (default 10 s). */
  systemObjectsIntervalMs?: number;
  /** The WebSocket event stream's limits and timers (./stream/). */
  stream?: StreamOptions;
}

export interface ApiServerDeps {
  store: StoreClient;
  bus: Bus;
  clock: Clock;
  log: Logger;
}

export interface ApiServer {
  api: Api;
  registry: Registry;
  cache: WatchCache;
  http: Server;
  /** The WebSocket event stream (its hub: clients connected now). */
  stream: EventStream;
  /** The port actually listened on (useful when 0 was asked for). */
  port: number;
  stop(): Promise<void>;
}

export async function startApiServer(cfg: ApiServerConfig, deps: ApiServerDeps): Promise<ApiServer> {
  const { store, bus, clock, log } = deps;
  const plan = cfg.network ?? networkPlan(0);
  registerProtobufDecoder((bytes) => decodeKubernetesProtobuf(bytes));
  const cache = new WatchCache(store, log.child({ module: 'watch-cache' }), clock, cfg.historyCapacity);
  await cache.start();
  const registry = new Registry({
    store,
    cache,
    clock,
    log,
    admission: chain(namespaceLifecycle(cache), serviceAllocator(cache, clock, plan), nodeIpam(cache, clock, plan)),
    leases: new LeaseManager(store, clock),
    ttlSeconds: cfg.eventTtlSeconds,
    defaultTolerationSeconds: cfg.defaultTolerationSeconds,
  });
  let port = cfg.port;
  let systemReady = false;
  const api = createApi({
    registry,
    cache,
    clock,
    log,
    serverAddress: `${cfg.host}:${port}`,
    bookmarkIntervalMs: cfg.bookmarkIntervalMs,
    ready: () => systemReady,
  });
  for (const kind of ['replicationcontrollers', 'replicasets', 'deployments']) api.registerSubresource(`${kind}/scale`, scaleSubresource(registry));
  api.registerSubresource('namespaces/finalize', finalizeSubresource(registry));
  api.registerSubresource('pods/binding', bindingSubresource(registry, clock));
  api.registerSubresource('pods/eviction', evictionSubresource(registry, clock));
  api.registerPatch(STRATEGIC_MERGE_PATCH, applyStrategicPatch);
  const namespaces = startNamespaceFinalizer({ registry, cache, clock, log: log.child({ module: 'namespace-finalizer' }) });
  const http = createHttpServer(api, log.child({ module: 'http' }));
  http.setWatchEncoder(tableWatchEncoder(clock));
  const streaming = registerStreaming(api, http, { registry, bus, clock, log: log.child({ module: 'streaming' }) });
  const metrics = registerMetricsApi(api, { bus, cache, registry, clock, log: log.child({ module: 'metrics' }) });
  registerDashboard(http, { registry, bus, log: log.child({ module: 'dashboard' }) });
  const stream = registerStream(http, { api, cache, clock, log: log.child({ module: 'stream' }), encodeWatch: tableWatchEncoder(clock) }, cfg.stream);
  port = await listen(http.server, cfg.port, cfg.host);
  const system = { apiHost: cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host, apiPort: port, plan };
  await ensureSystemObjects(registry, system, log);
  systemReady = true;
  const systemLoop = clock.setInterval(() => {
    ensureSystemObjects(registry, system, log).catch((err: unknown) => log.warn({ err }, 'could not ensure system objects'));
  }, cfg.systemObjectsIntervalMs ?? 10_000);
  const nats: NatsApi = serveNatsApi(api, bus, clock, log.child({ module: 'nats-api' }));
  log.info({ host: cfg.host, port }, 'api-server listening');
  return {
    api,
    registry,
    cache,
    http: http.server,
    stream,
    port,
    async stop() {
      systemLoop.cancel();
      namespaces.stop();
      streaming.stop();
      stream.stop();
      metrics.stop();
      await nats.stop();
      await new Promise<void>((resolve) => {
        http.server.close(() => resolve());
        http.server.closeAllConnections();
      });
      await cache.stop();
    },
  };
}
