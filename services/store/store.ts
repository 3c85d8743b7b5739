/**
 * `openStore(deps)`: the store assembled from its parts, started from its durable state.
 *
 * Start-up order: open the log stream (file storage, `replicas`), open the meta bucket, read the
 * compaction point, replay the whole log into the index (history counts only above that point),
 * restore the leases (full TTL again), then start the writer, watch hub, lease sweep and periodic
 * compaction. Loading is retried (from scratch) for up to `startTimeoutMs` while JetStream is not
 * ready. Serving over NATS is server.ts's job; the caller serves once this resolves.
 *
 * One commit path: every committed entry — a client write, a lease deletion, an entry found by a
 * resync — goes through `commit`, which updates the index, then leases, then watchers.
 *
 * When the bus reconnects (nats-server restarted), the writer resyncs with the log: whatever
 * landed meanwhile is committed and seen by watchers before writes are taken again.
 *
 * Only one store process may write a log: a second one would make every append of the first
 * fail its sequence check (safe, but both would spend their time resyncing).
 */
import type { Bus } from '../../shared/nats/connection.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { subjects } from '../../shared/nats/subjects.js';
import { openMetaBucket, type MetaBucket } from '../../shared/nats/jetstream.js';
import type { KeyValue, RangeOptions, RangeResult, StoreEvent, StoreStatus } from '../../shared/client/store.js';
import { WatchChannelServer } from '../../shared/client/watch-channel.js';
import { MvccIndex, type LogEntry, type WriteRequest } from './mvcc.js';
import { JetStreamLog, type StoreLog } from './log.js';
import { Writer } from './writer.js';
import { WatchHub } from './watch-hub.js';
import { LeaseManager, type LeaseRecord } from './lease.js';
import { COMPACT_META_KEY, Compactor } from './compactor.js';

export interface StoreDeps {
  bus: Bus;
  log: Logger;
  clock: Clock;
  /** JetStream replicas of the log and the meta bucket. */
  replicas: number;
  /** Events kept for watches. */
  historyWindow: number;
  compactIntervalMs: number;
  progressIntervalMs: number;
  appendTimeoutMs?: number;
  /** Forget a watch after this long without keepalive (ms). */
  watchExpireMs?: number;
  leaseSweepMs?: number;
  /** How long start-up keeps retrying while JetStream is not ready (ms); default 60 s. */
  startTimeoutMs?: number;
}

export interface Store {
  get(key: string): { kv: KeyValue | null; revision: number };
  range(prefix: string, opts: RangeOptions): RangeResult;
  write(req: WriteRequest): Promise<StoreEvent>;
  compact(revision: number): Promise<{ compactRevision: number }>;
  status(): StoreStatus;
  readonly leases: LeaseManager;
  readonly hub: WatchHub;
  readonly channel: WatchChannelServer<StoreEvent>;
  /** Called after every resync with the log (the server announces itself again). */
  onResynced(fn: () => void): void;
  stop(): Promise<void>;
}

const LEASE_PREFIX = 'lease.';

async function readLeaseRecords(meta: MetaBucket): Promise<LeaseRecord[]> {
  const out: LeaseRecord[] = [];
  for (const k of await meta.keys()) {
    if (!k.startsWith(LEASE_PREFIX)) continue;
    const raw = await meta.get(k);
    const id = Number(k.slice(LEASE_PREFIX.length));
    const ttl = raw ? Number((JSON.parse(raw) as { ttl?: unknown }).ttl) : NaN;
    if (Number.isSafeInteger(id) && Number.isSafeInteger(ttl)) out.push({ id, ttl });
  }
  return out;
}

interface DurableState {
  log: StoreLog;
  meta: MetaBucket;
  index: MvccIndex;
  compactor: Compactor;
  leaseRecords: LeaseRecord[];
}

/** Opens the log and the meta bucket and rebuilds the index from them. */
async function loadDurableState(deps: StoreDeps): Promise<DurableState> {
  const { bus, clock, log: logger } = deps;
  const log = await JetStreamLog.open(bus, { replicas: deps.replicas, appendTimeoutMs: deps.appendTimeoutMs });
  const meta = await openMetaBucket(bus, subjects.storeLog.metaBucket, deps.replicas);
  const index = new MvccIndex();
  const compactPoint = Number((await meta.get(COMPACT_META_KEY)) ?? 0) || 0;
  index.startAt(compactPoint);
  const compactor = new Compactor({
    index,
    log,
    meta,
    clock,
    logger,
    historyWindow: deps.historyWindow,
    intervalMs: deps.compactIntervalMs,
  });
  const started = clock.now();
  const replayed = await log.replay(1, (entry, seq) => {
    if (seq <= compactPoint) compactor.noteReplayedBelowPoint(entry, seq);
    if (seq > index.revision) index.apply(entry, seq);
  });
  index.advanceTo(await log.lastSeq());
  const leaseRecords = await readLeaseRecords(meta);
  logger.info(
    { entries: replayed, revision: index.revision, compactRevision: index.compactRevision, keys: index.size, ms: clock.now() - started },
    'replayed the log',
  );
  return { log, meta, index, compactor, leaseRecords };
}

/** JetStream may still be starting (a fresh nats-server, a compose start): retry for a while. */
async function loadWithRetry(deps: StoreDeps): Promise<DurableState> {
  const deadline = deps.clock.now() + (deps.startTimeoutMs ?? 60_000);
  let delay = 250;
  for (;;) {
    try {
      return await loadDurableState(deps);
    } catch (err) {
      if (deps.clock.now() + delay > deadline) throw err;
      deps.log.warn({ err, retryInMs: delay }, 'cannot load the log yet; retrying');
      await deps.clock.sleep(delay);
      delay = Math.min(delay * 2, 4000);
    }
  }
}

/** Refuses settings the store cannot run with (a bad flag fails the start, loudly). */
export function validateStoreDeps(deps: StoreDeps): void {
  const positive: Array<[string, number]> = [
    ['replicas', deps.replicas],
    ['history', deps.historyWindow],
    ['compact interval', deps.compactIntervalMs],
    ['progress interval', deps.progressIntervalMs],
    ['append timeout', deps.appendTimeoutMs ?? 1],
  ];
  for (const [what, n] of positive) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`store: ${what} must be a positive integer, got ${n}`);
  }
}

export async function openStore(deps: StoreDeps): Promise<Store> {
  validateStoreDeps(deps);
  const { bus, clock } = deps;
  const logger = deps.log;
  const { log, meta, index, compactor, leaseRecords } = await loadWithRetry(deps);
  compactor.purgeLeftovers();

  let hub: WatchHub | undefined;
  let writer: Writer | undefined;
  const resyncListeners: Array<() => void> = [];

  const leases: LeaseManager = new LeaseManager({
    clock,
    log: logger.child({ module: 'lease' }),
    records: {
      save: (r) => meta.put(`${LEASE_PREFIX}${r.id}`, JSON.stringify({ ttl: r.ttl })),
      remove: (id) => meta.delete(`${LEASE_PREFIX}${id}`),
    },
    deleteKey: async (key, modRevision) => {
      await writer!.submit({ op: 'delete', key, expectedModRevision: modRevision });
    },
    currentKey: (key) => index.get(key),
    sweepMs: deps.leaseSweepMs,
  });
  leases.restore(leaseRecords, index.kvsWithLease());

  const commit = (entry: LogEntry, rev: number): StoreEvent => {
    const event = index.apply(entry, rev);
    leases.onCommit(event);
    hub!.publish(event);
    compactor.checkOverflow();
    return event;
  };

  const channel = new WatchChannelServer<StoreEvent>({
    bus,
    clock,
    log: logger.child({ module: 'watch' }),
    expireAfterMs: deps.watchExpireMs,
    onExpire: (id) => hub!.forget(id),
  });
  hub = new WatchHub({ index, channel, clock, log: logger.child({ module: 'watch' }), progressIntervalMs: deps.progressIntervalMs });
  writer = new Writer({
    log,
    index,
    commit,
    leaseExists: (id) => leases.exists(id),
    clock,
    logger: logger.child({ module: 'writer' }),
    onResynced: () => resyncListeners.forEach((fn) => fn()),
  });

  channel.start();
  hub.start();
  leases.start();
  compactor.start();
  const offStatus = bus.onStatus((s) => {
    if (s === 'connected') writer!.requestResync();
  });

  return {
    get: (key) => ({ kv: index.get(key) ?? null, revision: index.revision }),
    range: (prefix, opts) => index.range(prefix, opts),
    write: (req) => writer!.submit(req),
    compact: (rev) => compactor.compact(rev),
    status: () => ({
      revision: index.revision,
      compactRevision: index.compactRevision,
      keys: index.size,
      oldestWatchRevision: index.compactRevision + 1,
      leases: leases.size,
    }),
    leases,
    hub,
    channel,
    onResynced: (fn) => resyncListeners.push(fn),
    async stop() {
      offStatus();
      leases.stop();
      await writer!.stop();
      hub!.flush();
      hub!.stop();
      channel.stop();
      await compactor.stop();
    },
  };
}
