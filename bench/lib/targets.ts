/**
 * The two kinds of `StoreTarget`: kubemu's store through its real client (`NatsStoreClient` on a
 * `Bus`, exactly what the api-server uses) and etcd through a light client of our own (gRPC by
 * default, or its HTTP/JSON gateway; see ./etcd-client.ts).
 *
 * Both clients live in the benchmark process and are used the same way: kubemu over one NATS
 * connection multiplexing every request; etcd over one HTTP/2 connection (gRPC) or a keep-alive
 * pool of up to 64 HTTP/1.1 connections (the gateway, one request in flight per connection).
 */
import { connectBus } from '../../shared/nats/connection.js';
import { NatsStoreClient } from '../../shared/client/nats-store-client.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { openStream } from '../../shared/nats/jetstream.js';
import { subjects } from '../../shared/nats/subjects.js';
import type { EtcdClient, EtcdProtocol } from './etcd-client.js';
import { EtcdGrpcClient } from './etcd-grpc.js';
import { EtcdHttpClient } from './etcd-http.js';
import type { StoreTarget } from './target.js';

export function etcdClient(protocol: EtcdProtocol, url: string, maxInFlight: number): EtcdClient {
  return protocol === 'grpc' ? new EtcdGrpcClient(url) : new EtcdHttpClient(url, { maxSockets: maxInFlight });
}

export async function kubemuTarget(name: string, natsUrl: string, serverGroups: Record<string, number[]>): Promise<StoreTarget> {
  const bus = await connectBus({ servers: natsUrl, name: `bench-${process.pid}`, log: silentLogger() });
  const client = new NatsStoreClient(bus, { clientId: `bench-${process.pid}`, log: silentLogger() });
  // The same kind of stream and append call as the store's log (services/store/log.ts), on a scratch stream.
  const floor = await openStream(bus, { name: subjects.bench.floorStream, subjects: [subjects.bench.floor()], replicas: 1, maxMsgSize: 2 * 1024 * 1024 });
  let lastSeq = (await floor.state()).lastSeq;
  const encoder = new TextEncoder();
  return {
    name,
    serverGroups,
    watcher: { kind: 'kubemu', natsUrl },
    put: async (key, value) => (await client.put(key, value)).modRevision,
    update: async (key, value, rev) => (await client.update(key, value, rev)).modRevision,
    ping: async () => void (await client.status()),
    logAppend: async (value) => {
      lastSeq = await floor.append(subjects.bench.floor(), encoder.encode(value), lastSeq);
    },
    async close() {
      await client.close();
      await bus.close();
    },
  };
}

export function etcdTarget(name: string, url: string, pid: number, protocol: EtcdProtocol, maxInFlight: number): StoreTarget {
  const client = etcdClient(protocol, url, maxInFlight);
  return {
    name,
    serverGroups: { etcd: [pid] },
    watcher: { kind: 'etcd', url, protocol },
    put: (key, value) => client.put(key, value),
    update: (key, value, rev) => client.update(key, value, rev),
    ping: () => client.ping(),
    async close() {
      client.close();
    },
  };
}
