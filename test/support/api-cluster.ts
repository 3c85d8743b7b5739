/**
 * A control plane for API tests: a real nats-server, the store as a real process, and the
 * api-server built in-process on a random port (so tests can reach its internals too). `http()`
 * sends requests the way kubectl does; `client()` gives a NATS ApiClient like a component's.
 */
import { startTestNats, type TestNats } from './nats.js';
import { startStoreProcess, type StoreProcess } from './store-process.js';
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { connectStore } from '../../shared/client/nats-store-client.js';
import type { StoreClient } from '../../shared/client/store.js';
import { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { startApiServer, type ApiServer } from '../../services/api-server/server.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import type { NetworkPlan } from '../../shared/api/network.js';
import type { StreamOptions } from '../../services/api-server/stream/register.js';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface ApiCluster {
  nats: TestNats;
  store: StoreProcess;
  bus: Bus;
  storeClient: StoreClient;
  server: ApiServer;
  baseUrl: string;
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  client(userAgent?: string): NatsApiClient;
  /** Stops and starts the in-process api-server on the same port (watch resume tests). */
  restartApiServer(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startApiCluster(opts: { historyCapacity?: number; bookmarkIntervalMs?: number; systemObjectsIntervalMs?: number; eventTtlSeconds?: number; defaultTolerationSeconds?: number; network?: NetworkPlan; stream?: StreamOptions } = {}): Promise<ApiCluster> {
  const nats = await startTestNats();
  const store = await startStoreProcess({ natsUrl: nats.url });
  const bus = await connectBus({ servers: nats.url, name: 'api-test' });
  const storeClient = connectStore(bus, { clientId: `api-test-${process.pid}` });
  const log = silentLogger();
  const cfg = { host: '127.0.0.1', port: 0, ...opts };
  let server = await startApiServer(cfg, { store: storeClient, bus, clock: realClock, log });
  const port = server.port;
  const clients: NatsApiClient[] = [];
  const cluster: ApiCluster = {
    nats,
    store,
    bus,
    storeClient,
    get server() {
      return server;
    },
    baseUrl: `http://127.0.0.1:${port}`,
    async http(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
        if (!('Content-Type' in headers)) (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
      }
      const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    client(userAgent = 'test') {
      const c = new NatsApiClient(bus, { userAgent, clock: realClock });
      clients.push(c);
      return c;
    },
    async restartApiServer() {
      await server.stop();
      server = await startApiServer({ ...cfg, port }, { store: storeClient, bus, clock: realClock, log });
    },
    async dispose() {
      for (const c of clients) await c.close().catch(() => undefined);
      await server?.stop().catch(() => undefined);
      await storeClient.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      await store.stop().catch(() => undefined);
      await nats.dispose();
    },
  };
  return cluster;
}
