/**
 * `NatsStoreClient`: the StoreClient contract (./store.ts) spoken to the store process over NATS.
 *
 * Each operation is one request on `subjects.store.rpc(op)`; the store's Status errors come back
 * as the same StatusErrors. Watches are push watches over the generic watch channel
 * (./watch-channel.ts): events arrive on `subjects.store.watchDelivery(clientId, …)`, numbered,
 * and the channel re-creates a watch from its last delivered revision after a gap, a store
 * restart (hello), an expired keepalive or a bus reconnect — so a handler sees every event once,
 * in order, and only an Expired (compacted) watch ends with `onError`.
 *
 * The client does not own the bus: `close()` cancels its watches and leaves the bus open.
 */
import type { Bus } from '../nats/connection.js';
import { subjects } from '../nats/subjects.js';
import { realClock, type Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { tooLarge } from '../api/errors.js';
import {
  MAX_VALUE_BYTES,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type StoreClient,
  type StoreEvent,
  type StoreStatus,
  type StoreWatch,
  type WatchHandler,
  type WriteOptions,
} from './store.js';
import { WatchChannelClient } from './watch-channel.js';

export interface StoreClientOptions {
  /** Names this client's watch delivery subjects; unique per process (e.g. `api-server-<pid>`). */
  clientId: string;
  /** Per-request timeout (ms); default 10 s. */
  timeoutMs?: number;
  clock?: Clock;
  log?: Logger;
  /** Watch keepalive period (ms); default 5 s. */
  keepaliveIntervalMs?: number;
}

export class NatsStoreClient implements StoreClient {
  private readonly watches: WatchChannelClient<StoreEvent>;

  constructor(
    private readonly bus: Bus,
    private readonly opts: StoreClientOptions,
  ) {
    this.watches = new WatchChannelClient<StoreEvent>({
      bus,
      clock: opts.clock ?? realClock,
      log: opts.log,
      keepaliveIntervalMs: opts.keepaliveIntervalMs,
      requestTimeoutMs: opts.timeoutMs,
      revisionOf: (e) => e.kv.modRevision,
      subjects: {
        create: subjects.store.rpc('watch.create'),
        keepalive: subjects.store.rpc('watch.keepalive'),
        cancel: subjects.store.rpc('watch.cancel'),
        hello: subjects.store.hello(),
        deliver: (localId) => subjects.store.watchDelivery(opts.clientId, localId),
      },
    });
  }

  private call<T>(op: string, body: unknown): Promise<T> {
    return this.bus.request<T>(subjects.store.rpc(op), body, { timeoutMs: this.opts.timeoutMs });
  }

  /** Writes carry a value: one far over the limit would not even fit a NATS message, so refuse it here the way the store would. */
  private write(op: 'create' | 'update' | 'put', key: string, value: string, extra: Record<string, unknown>): Promise<KeyValue> {
    if (value.length > MAX_VALUE_BYTES && Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
      return Promise.reject(tooLarge(`value for key ${key} is larger than the limit of ${MAX_VALUE_BYTES} bytes`));
    }
    return this.call(op, { key, value, ...extra });
  }

  get(key: string): Promise<{ kv: KeyValue | null; revision: number }> {
    return this.call('get', { key });
  }

  /**
   * Without a limit, a range larger than one reply (the store cuts pages at a few MiB) is read
   * page by page and merged. It is then not one snapshot: `revision` is the first page's, so a
   * watch from `revision + 1` sees every change made while the later pages were read.
   */
  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const first = await this.call<RangeResult>('range', { prefix, ...opts });
    if (opts.limit || opts.countOnly || !first.continue) return first;
    const kvs = [...first.kvs];
    for (let cont: string | undefined = first.continue; cont; ) {
      const page: RangeResult = await this.call<RangeResult>('range', { prefix, continue: cont });
      kvs.push(...page.kvs);
      cont = page.continue;
    }
    return { kvs, revision: first.revision, remaining: 0 };
  }

  create(key: string, value: string, opts: WriteOptions = {}): Promise<KeyValue> {
    return this.write('create', key, value, { lease: opts.lease ?? 0 });
  }

  update(key: string, value: string, expectedModRevision: number, opts: WriteOptions = {}): Promise<KeyValue> {
    return this.write('update', key, value, { expectedModRevision, lease: opts.lease ?? 0 });
  }

  put(key: string, value: string, opts: WriteOptions = {}): Promise<KeyValue> {
    return this.write('put', key, value, { lease: opts.lease ?? 0 });
  }

  delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    return this.call('delete', expectedModRevision === undefined ? { key } : { key, expectedModRevision });
  }

  async watch(prefix: string, fromRevision: number, handler: WatchHandler): Promise<StoreWatch> {
    return this.watches.open({ prefix }, fromRevision, handler);
  }

  compact(revision: number): Promise<{ compactRevision: number }> {
    return this.call('compact', { revision });
  }

  status(): Promise<StoreStatus> {
    return this.call('status', {});
  }

  leaseGrant(ttlSeconds: number): Promise<{ id: number; ttl: number }> {
    return this.call('lease.grant', { ttl: ttlSeconds });
  }

  leaseKeepAlive(id: number): Promise<{ ttl: number }> {
    return this.call('lease.keepalive', { id });
  }

  async leaseRevoke(id: number): Promise<void> {
    await this.call('lease.revoke', { id });
  }

  leaseTimeToLive(id: number): Promise<{ id: number; ttl: number; grantedTtl: number; keys: string[] }> {
    return this.call('lease.ttl', { id });
  }

  async close(): Promise<void> {
    await this.watches.close();
  }
}

/** A store client on an open bus (nothing to wait for: requests fail fast while no store serves). */
export function connectStore(bus: Bus, opts: StoreClientOptions): NatsStoreClient {
  return new NatsStoreClient(bus, opts);
}
