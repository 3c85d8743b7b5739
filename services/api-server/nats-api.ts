/**
 * The API over NATS, for in-cluster components: the same `Api` the HTTP server wraps.
 *
 * - `subjects.api.rpc()` (queue group `api-server`): an `ApiRequest` in, an `ApiResponse` out.
 * - watches through a push channel (shared/client/watch-channel): `create` opens a watch from
 *   `fromRevision - 1` as its resourceVersion and pushes numbered batches of WatchEvents to the
 *   component's subject; BOOKMARKs travel as progress batches; events of one tick go in one batch.
 *   A resourceVersion that is too old is refused at create with 410 Expired (the component
 *   relists); a watch that ends (timeout, slow consumer) is forgotten, and the component's next
 *   keepalive re-creates it from its last resourceVersion.
 * - `subjects.api.hello()` is published at start so components re-create their watches at once.
 */
import { fromStatus, type Status } from '../../shared/api/errors.js';
import type { WatchEvent } from '../../shared/api/meta.js';
import type { ApiRequest } from '../../shared/client/api.js';
import { WatchChannelServer } from '../../shared/client/watch-channel.js';
import type { Bus, BusSubscription } from '../../shared/nats/connection.js';
import { subjects } from '../../shared/nats/subjects.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Api } from './api.js';
import type { ActiveWatch } from './watch.js';

export interface NatsApi {
  stop(): Promise<void>;
}

interface WatchParams {
  path: string;
  query?: Record<string, string>;
}

export function serveNatsApi(api: Api, bus: Bus, clock: Clock, log: Logger): NatsApi {
  const active = new Map<string, ActiveWatch>();
  // Watch events carry the cache's own (read-only, shared) objects: each is serialised once,
  // however many components watch it.
  const encoded = new WeakMap<object, string>();
  const encodeEvent = (e: WatchEvent): string => {
    let object = encoded.get(e.object);
    if (object === undefined) {
      object = JSON.stringify(e.object);
      encoded.set(e.object, object);
    }
    return `{"type":${JSON.stringify(e.type)},"object":${object}}`;
  };
  const channel = new WatchChannelServer<WatchEvent>({
    bus,
    clock,
    log,
    encodeEvent,
    onExpire: (id) => {
      active.get(id)?.stop();
      active.delete(id);
    },
  });
  channel.start();
  const subs: BusSubscription[] = [];

  subs.push(bus.serve<ApiRequest>(subjects.api.rpc(), (req) => api.handle(req), { queue: 'api-server' }));

  subs.push(
    bus.serve(subjects.api.watchControl('create'), async (body) => {
      const c = WatchChannelServer.parseCreate(body);
      const params = (c.params ?? {}) as WatchParams;
      const rv = c.fromRevision > 0 ? String(c.fromRevision - 1) : undefined;
      const id = channel.open(c.deliver);
      let pending: WatchEvent[] = [];
      let scheduled = false;
      let failure: Status | undefined;
      const flush = (): void => {
        scheduled = false;
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        channel.send(id, batch);
      };
      const watch = await api
        .watch(
        { method: 'GET', path: String(params.path ?? ''), query: { ...(params.query ?? {}), watch: 'true', allowWatchBookmarks: 'true', ...(rv ? { resourceVersion: rv } : {}) } },
        {
          send(e) {
            if (e.type === 'ERROR') {
              failure ??= e.object as unknown as Status;
              return false;
            }
            if (e.type === 'BOOKMARK') {
              flush();
              channel.send(id, [], Number(e.object.metadata.resourceVersion));
              return true;
            }
            pending.push(e);
            if (!scheduled) {
              scheduled = true;
              queueMicrotask(flush);
            }
            return true;
          },
          close() {
            flush();
            channel.close(id);
            active.delete(id);
          },
        },
      )
        .catch((err: unknown) => {
          channel.close(id);
          throw err;
        });
      if (failure) {
        watch.stop();
        throw fromStatus(failure);
      }
      active.set(id, watch);
      return { id, revision: rv ? Number(rv) : 0 };
    }),
  );

  subs.push(bus.serve(subjects.api.watchControl('keepalive'), (body) => ({ unknown: channel.keepalive(WatchChannelServer.parseIds(body)) })));

  subs.push(
    bus.serve(subjects.api.watchControl('cancel'), (body) => {
      const id = WatchChannelServer.parseId(body);
      active.get(id)?.stop();
      active.delete(id);
      channel.close(id);
      return {};
    }),
  );

  bus.publish(subjects.api.hello(), { at: clock.now() });
  log.info('serving the API over NATS');

  return {
    async stop() {
      for (const s of subs) s.unsubscribe();
      for (const w of active.values()) w.stop();
      active.clear();
      channel.stop();
    },
  };
}
