/**
 * The event stream's fan-out: ONE subscription to the watch cache for every `/stream` client.
 *
 * Each batch the cache applies is stamped with its receive time (./change-times.ts), then handed
 * to every live client synchronously, inside the cache's own delivery — which is why a client
 * must never block: sending is a write into its socket's buffer, and a client that lets that
 * buffer grow past its limit is dropped (./client.ts). A change's frame is encoded once per shape
 * (type × with/without object) per batch, whatever the number of clients.
 *
 * One timer sends every client a BOOKMARK every `bookmarkIntervalMs` (5 s). The hub subscribes at
 * start even with no clients, so every change it could later replay has a true receive time.
 */
import type { StreamChangeType } from '../../../shared/api/stream.js';
import type { Clock, TimerHandle } from '../../../shared/runtime/clock.js';
import type { Logger } from '../../../shared/runtime/logger.js';
import type { CacheEvent } from '../watch-cache.js';
import { ChangeTimes } from './change-times.js';
import { StreamClient, type ClientLimits, type LiveEncoder, type StreamSource } from './client.js';
import { changeMessage, encodeMessage } from './messages.js';
import { streamSelection, type StreamQuery } from './query.js';
import type { StreamSocket } from './socket.js';

export interface StreamHubOptions extends Partial<ClientLimits> {
  bookmarkIntervalMs?: number;
  /** Receive times remembered (default 50 000, the watch cache's default history). */
  timesCapacity?: number;
}

export interface StreamHubDeps {
  source: StreamSource;
  clock: Clock;
  log: Logger;
}

export const DEFAULT_LIMITS: ClientLimits = {
  maxBufferedBytes: 8 * 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  dropGraceMs: 10_000,
};

export class StreamHub {
  private readonly clients = new Set<StreamClient>();
  private readonly times: ChangeTimes;
  private readonly limits: ClientLimits;
  private unsubscribe?: () => void;
  private bookmarks?: TimerHandle;

  constructor(private readonly deps: StreamHubDeps, private readonly opts: StreamHubOptions = {}) {
    this.times = new ChangeTimes(deps.clock, opts.timesCapacity);
    this.limits = {
      maxBufferedBytes: opts.maxBufferedBytes ?? DEFAULT_LIMITS.maxBufferedBytes,
      lowWaterBytes: Math.min(opts.lowWaterBytes ?? DEFAULT_LIMITS.lowWaterBytes, opts.maxBufferedBytes ?? Infinity),
      dropGraceMs: opts.dropGraceMs ?? DEFAULT_LIMITS.dropGraceMs,
    };
  }

  start(): void {
    this.unsubscribe = this.deps.source.subscribe((events) => this.fanOut(events));
    this.bookmarks = this.deps.clock.setInterval(() => {
      for (const c of [...this.clients]) c.bookmark();
    }, this.opts.bookmarkIntervalMs ?? 5000);
  }

  /** Clients in the fan-out now (catching up or live). */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over an open socket: catch-up or live from now, per the query. */
  connect(socket: StreamSocket, query: StreamQuery): StreamClient {
    const client = new StreamClient(socket, streamSelection(query), query, {
      source: this.deps.source,
      times: this.times,
      clock: this.deps.clock,
      limits: this.limits,
      gone: (c) => {
        this.clients.delete(c);
        this.deps.log.debug({ clients: this.clients.size }, 'stream client left');
      },
    });
    this.clients.add(client);
    client.start();
    this.deps.log.debug({ clients: this.clients.size, resourceVersion: query.resourceVersion }, 'stream client joined');
    return client;
  }

  stop(): void {
    this.unsubscribe?.();
    this.bookmarks?.cancel();
    for (const c of [...this.clients]) c.shutdown();
    this.clients.clear();
  }

  private fanOut(events: CacheEvent[]): void {
    const now = this.deps.clock.now();
    for (const ce of events) this.times.record(ce.rev, now);
    if (this.clients.size === 0) return;
    const frames = new Map<CacheEvent, Map<string, Buffer>>();
    const encode: LiveEncoder = (ce, type: StreamChangeType, withObject) => {
      let byShape = frames.get(ce);
      if (!byShape) frames.set(ce, (byShape = new Map()));
      const shape = `${type}/${withObject}`;
      let frame = byShape.get(shape);
      if (!frame) byShape.set(shape, (frame = encodeMessage(changeMessage(type, ce.resource, ce.object, ce.rev, { ms: now, estimated: false }, withObject))));
      return frame;
    };
    for (const c of [...this.clients]) {
      try {
        c.deliver(events, encode);
      } catch (err) {
        this.deps.log.warn({ err }, 'a stream client failed; dropping it');
        c.shutdown('internal error');
      }
    }
  }
}
