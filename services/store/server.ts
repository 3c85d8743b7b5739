/**
 * The store's NATS face: one handler per operation on `subjects.store.rpc(op)`, each only parsing
 * its body (requests.ts) and calling the store. Errors travel back as Status replies (the bus does
 * that); a malformed request is a BadRequest.
 *
 * Handlers subscribe in queue group `store`, so a second store process would share the load — but
 * only one store process should run against a log (see store.ts). `announce()` publishes
 * `subjects.store.hello()` once serving, and again after every resync, so watch clients re-create
 * their watches at once instead of waiting for a keepalive.
 *
 * `stop()` stops taking requests, then waits (bounded) for the handlers in flight to answer.
 */
import type { Bus, BusSubscription } from '../../shared/nats/connection.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { subjects } from '../../shared/nats/subjects.js';
import { WatchChannelServer } from '../../shared/client/watch-channel.js';
import type { Store } from './store.js';
import { parseKey, parseLeaseId, parseRange, parseRevision, parseTtl, parseWatchPrefix, parseWrite } from './requests.js';

export const STORE_QUEUE = 'store';

export interface StoreServer {
  announce(): Promise<void>;
  stop(): Promise<void>;
}

export function serveStore(deps: { bus: Bus; store: Store; log: Logger; clock: Clock; stopTimeoutMs?: number }): StoreServer {
  const { bus, store, log, clock } = deps;
  const subs: BusSubscription[] = [];
  let inFlight = 0;

  const handle = (op: string, fn: (body: unknown) => unknown): void => {
    const sub = bus.serve(
      subjects.store.rpc(op),
      async (body: unknown) => {
        inFlight++;
        try {
          return await fn(body);
        } finally {
          inFlight--;
        }
      },
      { queue: STORE_QUEUE },
    );
    subs.push(sub);
  };

  const writeResult = async (op: 'create' | 'update' | 'put', body: unknown) => (await store.write(parseWrite(op, body))).kv;

  handle('get', (b) => store.get(parseKey(b, 'get')));
  handle('range', (b) => {
    const { prefix, opts } = parseRange(b);
    return store.range(prefix, opts);
  });
  handle('create', (b) => writeResult('create', b));
  handle('update', (b) => writeResult('update', b));
  handle('put', (b) => writeResult('put', b));
  handle('delete', async (b) => {
    const e = await store.write(parseWrite('delete', b));
    return { revision: e.kv.modRevision, prevKv: e.prevKv };
  });
  handle('compact', (b) => store.compact(parseRevision(b)));
  handle('status', () => store.status());
  handle('lease.grant', (b) => store.leases.grant(parseTtl(b)));
  handle('lease.keepalive', (b) => store.leases.keepAlive(parseLeaseId(b, 'lease.keepalive')));
  handle('lease.revoke', async (b) => {
    await store.leases.revoke(parseLeaseId(b, 'lease.revoke'));
    return {};
  });
  handle('lease.ttl', (b) => store.leases.timeToLive(parseLeaseId(b, 'lease.ttl')));
  handle('watch.create', (b) => {
    const req = WatchChannelServer.parseCreate(b);
    return store.hub.create(parseWatchPrefix(req.params), req.fromRevision, req.deliver);
  });
  handle('watch.keepalive', (b) => ({ unknown: store.channel.keepalive(WatchChannelServer.parseIds(b)) }));
  handle('watch.cancel', (b) => {
    store.hub.cancel(WatchChannelServer.parseId(b));
    return {};
  });

  const announce = async (): Promise<void> => {
    await bus.flush();
    bus.publish(subjects.store.hello(), { revision: store.status().revision });
    log.info({ revision: store.status().revision }, 'serving');
  };
  store.onResynced(() => void announce().catch(() => undefined));

  return {
    announce,
    async stop() {
      for (const s of subs) s.unsubscribe();
      const deadline = clock.now() + (deps.stopTimeoutMs ?? 5000);
      while (inFlight > 0 && clock.now() < deadline) await clock.sleep(10);
    },
  };
}
