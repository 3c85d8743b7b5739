/**
 * The server half of the watch channel (protocol in ./watch-channel.ts): a registry of watches
 * `{id, deliver subject, seq, last keepalive}` that sends each watch's numbered batches to its
 * deliver subject and forgets watches whose keepalives stopped (default 30 s).
 *
 * Ids carry a random per-process prefix, so after a server restart every old id is unknown and
 * clients re-create their watches. It knows nothing of what is watched: the service decides what
 * goes in a batch and calls `send`.
 */
import { randomBytes } from 'node:crypto';
import type { Bus } from '../nats/connection.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { badRequest } from '../api/errors.js';
import type { WatchBatch, WatchCreateRequest } from './watch-channel.js';

interface ServerWatch {
  id: string;
  deliver: string;
  seq: number;
  lastKeepalive: number;
}

export interface WatchChannelServerOptions<E = unknown> {
  bus: Bus;
  clock: Clock;
  log?: Logger;
  /** Forget a watch after this long without a keepalive (ms); default 30 s. */
  expireAfterMs?: number;
  /** Told when a watch expired, so the service can drop its own state for it. */
  onExpire?(id: string): void;
  /**
   * An event's JSON, for a service whose events are shared between watches: it can serialise
   * each once (e.g. memoised per object) instead of once per watch. Default: `JSON.stringify`.
   */
  encodeEvent?(event: E): string;
}

const utf8 = new TextEncoder();

export class WatchChannelServer<E> {
  private readonly watches = new Map<string, ServerWatch>();
  private readonly instance = randomBytes(6).toString('base64url');
  private next = 1;
  private sweeper: TimerHandle | undefined;

  constructor(private readonly opts: WatchChannelServerOptions<E>) {}

  get size(): number {
    return this.watches.size;
  }

  /** Checks a create body; BadRequest when malformed. */
  static parseCreate(body: unknown): WatchCreateRequest<unknown> {
    const b = (body ?? {}) as Partial<WatchCreateRequest<unknown>>;
    if (typeof body !== 'object' || body === null) throw badRequest('watch create: body must be an object');
    if (typeof b.deliver !== 'string' || !/^[^\s*>]+$/.test(b.deliver)) throw badRequest('watch create: deliver must be a subject without wildcards');
    if (!Number.isSafeInteger(b.fromRevision) || (b.fromRevision as number) < 0) throw badRequest('watch create: fromRevision must be an integer ≥ 0');
    return { deliver: b.deliver, fromRevision: b.fromRevision as number, params: b.params };
  }

  static parseIds(body: unknown): string[] {
    const ids = (body as { ids?: unknown } | null)?.ids;
    if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string')) throw badRequest('watch keepalive: ids must be a list of strings');
    return ids as string[];
  }

  static parseId(body: unknown): string {
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') throw badRequest('watch cancel: id must be a string');
    return id;
  }

  start(): void {
    const every = Math.max(100, Math.floor((this.opts.expireAfterMs ?? 30_000) / 3));
    this.sweeper = this.opts.clock.setInterval(() => this.sweep(), every);
  }

  stop(): void {
    this.sweeper?.cancel();
    this.watches.clear();
  }

  open(deliver: string): string {
    const id = `${this.instance}-${this.next++}`;
    this.watches.set(id, { id, deliver, seq: 0, lastKeepalive: this.opts.clock.now() });
    return id;
  }

  has(id: string): boolean {
    return this.watches.has(id);
  }

  /** Sends the next numbered batch of watch `id`; false when the watch is unknown. */
  send(id: string, events: E[], progress?: number): boolean {
    const w = this.watches.get(id);
    if (!w) return false;
    w.seq++;
    const encodeEvent = this.opts.encodeEvent;
    if (!encodeEvent) {
      const batch: WatchBatch<E> = progress === undefined ? { w: id, s: w.seq, events } : { w: id, s: w.seq, events, progress };
      this.opts.bus.publish(w.deliver, batch);
      return true;
    }
    // The same JSON as the WatchBatch above, assembled from the events' own encodings.
    const head = `{"w":${JSON.stringify(id)},"s":${w.seq},"events":[${events.map(encodeEvent).join(',')}]`;
    this.opts.bus.publishRaw(w.deliver, utf8.encode(progress === undefined ? `${head}}` : `${head},"progress":${JSON.stringify(progress)}}`));
    return true;
  }

  /** Records a keepalive for `ids`; returns those it does not know. */
  keepalive(ids: string[]): string[] {
    const now = this.opts.clock.now();
    const unknown: string[] = [];
    for (const id of ids) {
      const w = this.watches.get(id);
      if (w) w.lastKeepalive = now;
      else unknown.push(id);
    }
    return unknown;
  }

  close(id: string): boolean {
    return this.watches.delete(id);
  }

  sweep(): void {
    const limit = this.opts.clock.now() - (this.opts.expireAfterMs ?? 30_000);
    for (const w of [...this.watches.values()]) {
      if (w.lastKeepalive >= limit) continue;
      this.watches.delete(w.id);
      this.opts.log?.info({ watch: w.id }, 'watch expired: no keepalive');
      this.opts.onExpire?.(w.id);
    }
  }
}
