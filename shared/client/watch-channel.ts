/**
 * A push-watch channel over NATS, both halves, independent of what is watched (the store's keys
 * today, the api-server's objects for components tomorrow).
 *
 * Protocol (subjects are the service's; bodies are JSON):
 * - create: `{deliver, fromRevision, params}` → `{id, revision}`: the server opens watch `id`, pushes
 *   its batches to `deliver`, and says `revision`, the last revision the watch is already past
 *   (`fromRevision - 1`, or the current revision when `fromRevision` is 0 = "from now").
 * - batches on `deliver`: `{w: id, s: seq, events, progress?}`, `s` = 1, 2, 3… per watch id, so a
 *   lost message is a visible gap. A batch with no events and a `progress` revision says nothing
 *   matched up to there (a bookmark, and proof of life).
 * - keepalive: `{ids}` → `{unknown}`: the server forgets watches whose keepalives stopped
 *   (default 30 s) and names the ids it does not know.
 * - cancel: `{id}` → `{}`. hello (optional): published by a (re)started server.
 *
 * Client guarantees (`WatchChannelClient`): it subscribes to `deliver` *before* creating the watch
 * and buffers until the create reply; it re-creates the watch from the last revision it delivered
 * + 1 on a gap, an unknown id, a hello, or a bus reconnect, and drops events at or below that
 * revision, so the handler sees every event once, in order. Only a non-retryable error (Expired,
 * Gone, BadRequest) reaches `onError`; anything else is retried with back-off.
 *
 * Server side (`WatchChannelServer`, in ./watch-channel-server.ts, re-exported here) only numbers,
 * sends and expires; what goes in a batch and which events match is the service's business.
 */
import { randomBytes } from 'node:crypto';
import type { Bus, BusSubscription } from '../nats/connection.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { isStatusError } from '../api/errors.js';

export interface WatchBatch<E> {
  w: string;
  s: number;
  events: E[];
  progress?: number;
}

export interface WatchCreateRequest<P> {
  deliver: string;
  fromRevision: number;
  params: P;
}

export interface WatchCreateReply {
  id: string;
  revision: number;
}

export { WatchChannelServer, type WatchChannelServerOptions } from './watch-channel-server.js';

export interface WatchChannelSubjects {
  create: string;
  keepalive: string;
  cancel: string;
  /** Published by a (re)started server: every watch is re-created. */
  hello?: string;
  /** Where the server should push the batches of this client's watch `localId`. */
  deliver(localId: string): string;
}

export interface WatchChannelHandler<E> {
  onEvents(events: E[], revision: number): void;
  onProgress?(revision: number): void;
  onError(err: Error): void;
}

export interface ChannelWatch {
  readonly id: string;
  readonly revision: number;
  cancel(): Promise<void>;
}

export interface WatchChannelClientOptions<E> {
  bus: Bus;
  clock: Clock;
  subjects: WatchChannelSubjects;
  revisionOf(event: E): number;
  log?: Logger;
  /** Keepalive period (ms); default 5 s. */
  keepaliveIntervalMs?: number;
  requestTimeoutMs?: number;
  /** Back-off between failed re-creates (ms): doubles from min to max. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

function isFatal(err: unknown): boolean {
  return isStatusError(err, 'Expired') || isStatusError(err, 'Gone') || isStatusError(err, 'BadRequest');
}

class ClientWatch<E> implements ChannelWatch {
  serverId: string | undefined;
  nextSeq = 1;
  lastRev: number;
  /** Non-null while a create is in flight: batches wait here for the reply. */
  buffer: WatchBatch<E>[] | null = [];
  sub: BusSubscription | undefined;
  closed = false;
  recreating = false;
  again = false;

  constructor(
    readonly id: string,
    readonly params: unknown,
    fromRevision: number,
    readonly handler: WatchChannelHandler<E>,
    private readonly owner: WatchChannelClient<E>,
  ) {
    this.lastRev = Math.max(0, fromRevision - 1);
  }

  get revision(): number {
    return this.lastRev;
  }

  cancel(): Promise<void> {
    return this.owner.cancelWatch(this);
  }
}

export class WatchChannelClient<E> {
  private readonly watches = new Map<string, ClientWatch<E>>();
  private next = 1;
  private readonly local = randomBytes(4).toString('hex');
  private keepaliveTimer: TimerHandle | undefined;
  private helloSub: BusSubscription | undefined;
  private readonly offStatus: () => void;

  constructor(private readonly opts: WatchChannelClientOptions<E>) {
    const { bus, subjects } = opts;
    if (subjects.hello) this.helloSub = bus.subscribe(subjects.hello, () => this.recreateAll('server hello'));
    this.offStatus = bus.onStatus((s) => {
      if (s === 'connected') this.recreateAll('bus reconnected');
    });
    this.keepaliveTimer = opts.clock.setInterval(() => void this.keepalive(), opts.keepaliveIntervalMs ?? 5000);
  }

  get size(): number {
    return this.watches.size;
  }

  /** Opens a watch; resolves once the server accepted it (rejects with its error otherwise). */
  async open(params: unknown, fromRevision: number, handler: WatchChannelHandler<E>): Promise<ChannelWatch> {
    const w = new ClientWatch<E>(`${this.local}-${this.next++}`, params, fromRevision, handler, this);
    w.sub = this.opts.bus.subscribe<WatchBatch<E>>(this.opts.subjects.deliver(w.id), (b) => this.onBatch(w, b));
    this.watches.set(w.id, w);
    // A hello or reconnect during this first create is remembered and acted on once it is answered.
    w.recreating = true;
    try {
      const reply = await this.create(w, fromRevision);
      if (fromRevision === 0) w.lastRev = Math.max(w.lastRev, reply.revision);
    } catch (err) {
      this.finish(w);
      throw err;
    } finally {
      w.recreating = false;
    }
    if (w.closed) {
      if (w.serverId) this.cancelOnServer(w.serverId);
      return w;
    }
    this.release(w);
    if (w.again) void this.recreate(w);
    return w;
  }

  private async create(w: ClientWatch<E>, fromRevision: number): Promise<WatchCreateReply> {
    w.buffer = [];
    w.serverId = undefined;
    const body: WatchCreateRequest<unknown> = { deliver: this.opts.subjects.deliver(w.id), fromRevision, params: w.params };
    const reply = await this.opts.bus.request<WatchCreateReply>(this.opts.subjects.create, body, { timeoutMs: this.opts.requestTimeoutMs });
    w.serverId = reply.id;
    w.nextSeq = 1;
    return reply;
  }

  /** Delivers what arrived while the create was in flight (only the new id's batches). */
  private release(w: ClientWatch<E>): void {
    const buffered = w.buffer ?? [];
    w.buffer = null;
    for (const b of buffered) {
      if (w.buffer !== null || w.closed) return; // a gap among them started another re-create
      if (b.w === w.serverId) this.deliver(w, b);
    }
  }

  private onBatch(w: ClientWatch<E>, b: WatchBatch<E>): void {
    if (w.closed || !b || typeof b.w !== 'string' || typeof b.s !== 'number') return;
    if (w.buffer !== null) {
      w.buffer.push(b);
      return;
    }
    if (b.w !== w.serverId) return; // from a watch this client already replaced
    this.deliver(w, b);
  }

  private deliver(w: ClientWatch<E>, b: WatchBatch<E>): void {
    if (b.s !== w.nextSeq) {
      this.opts.log?.info({ watch: w.id, expected: w.nextSeq, got: b.s }, 'watch batch gap; re-creating');
      void this.recreate(w);
      return;
    }
    w.nextSeq++;
    const events = Array.isArray(b.events) ? b.events : [];
    const fresh = events.filter((e) => this.opts.revisionOf(e) > w.lastRev);
    try {
      if (fresh.length > 0) {
        w.lastRev = this.opts.revisionOf(fresh[fresh.length - 1]);
        w.handler.onEvents(fresh, w.lastRev);
      }
      if (typeof b.progress === 'number' && b.progress > w.lastRev) {
        w.lastRev = b.progress;
        w.handler.onProgress?.(b.progress);
      }
    } catch (err) {
      this.opts.log?.error({ err, watch: w.id }, 'watch handler threw');
    }
  }

  /** Re-creates the watch from the last delivered revision + 1, retrying until it works or is fatal. */
  private async recreate(w: ClientWatch<E>): Promise<void> {
    if (w.closed) return;
    if (w.recreating) {
      w.again = true;
      return;
    }
    w.recreating = true;
    w.buffer = [];
    let delay = this.opts.retryMinMs ?? 100;
    try {
      for (;;) {
        if (w.closed) return;
        w.again = false;
        if (w.serverId) this.cancelOnServer(w.serverId);
        try {
          await this.create(w, w.lastRev + 1);
        } catch (err) {
          if (w.closed) return;
          if (isFatal(err)) {
            this.finish(w);
            w.handler.onError(err as Error);
            return;
          }
          this.opts.log?.debug({ err, watch: w.id, retryInMs: delay }, 'watch re-create failed; retrying');
          await this.opts.clock.sleep(delay);
          delay = Math.min(delay * 2, this.opts.retryMaxMs ?? 2000);
          continue;
        }
        if (w.closed) {
          if (w.serverId) this.cancelOnServer(w.serverId);
          return;
        }
        if (w.again) continue;
        this.release(w);
        return;
      }
    } finally {
      w.recreating = false;
    }
  }

  private recreateAll(why: string): void {
    if (this.watches.size > 0) this.opts.log?.info({ why, watches: this.watches.size }, 're-creating watches');
    for (const w of this.watches.values()) void this.recreate(w);
  }

  private async keepalive(): Promise<void> {
    const byServerId = new Map<string, ClientWatch<E>>();
    for (const w of this.watches.values()) if (w.serverId && w.buffer === null) byServerId.set(w.serverId, w);
    if (byServerId.size === 0) return;
    try {
      const reply = await this.opts.bus.request<{ unknown: string[] }>(
        this.opts.subjects.keepalive,
        { ids: [...byServerId.keys()] },
        { timeoutMs: this.opts.requestTimeoutMs },
      );
      for (const id of reply?.unknown ?? []) {
        const w = byServerId.get(id);
        if (w && w.serverId === id) void this.recreate(w);
      }
    } catch (err) {
      this.opts.log?.debug({ err }, 'watch keepalive failed');
    }
  }

  private cancelOnServer(id: string): void {
    this.opts.bus.request(this.opts.subjects.cancel, { id }, { timeoutMs: this.opts.requestTimeoutMs }).catch(() => undefined);
  }

  private finish(w: ClientWatch<E>): void {
    w.closed = true;
    w.sub?.unsubscribe();
    this.watches.delete(w.id);
  }

  /** @internal: ChannelWatch.cancel */
  async cancelWatch(w: ClientWatch<E>): Promise<void> {
    if (w.closed) return;
    const id = w.serverId;
    this.finish(w);
    if (id) await this.opts.bus.request(this.opts.subjects.cancel, { id }, { timeoutMs: this.opts.requestTimeoutMs }).catch(() => undefined);
  }

  /** Cancels every watch and stops keepalives; the bus stays open (it belongs to the caller). */
  async close(): Promise<void> {
    this.keepaliveTimer?.cancel();
    this.helloSub?.unsubscribe();
    this.offStatus();
    await Promise.all([...this.watches.values()].map((w) => this.cancelWatch(w)));
  }
}
