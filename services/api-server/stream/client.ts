/**
 * One `/stream` client: first it catches up, then it is live, and it never makes anyone wait.
 *
 * Catching up (asked for the current objects, or a resume from a resourceVersion) is paced by
 * the client's own socket: frames are written only while its send buffer is under `lowWaterBytes`,
 * and more follow as the socket drains. The backlog is never copied: the initial objects are
 * references to the cache's objects, the replay is read from the cache's history by a cursor. Live
 * changes arriving meanwhile need no queue — they are in the history too — so the switch to live
 * happens when the cursor finds nothing newer, in one synchronous step: no gap, no duplicate. If
 * the history moves past the cursor first, the client gets ERROR 410 and is closed.
 *
 * Live, every change that matches is written as it arrives (encoded once per shape by the hub).
 * A client whose send buffer passes `maxBufferedBytes` has stopped reading: it is sent `SLOW`
 * (with the resourceVersion it was given everything up to), closed, and cut `dropGraceMs` later if
 * it does not finish the close; from then on it costs the fan-out nothing.
 *
 * Bookmarks carry `position`: everything up to it that matches was sent. None are sent while the
 * initial objects go out (they are not changes one could resume after).
 */
import type { KubeObject } from '../../../shared/api/meta.js';
import { rvOf } from '../../../shared/api/meta.js';
import type { ResourceInfo } from '../../../shared/api/resources.js';
import { storePrefix } from '../../../shared/api/resources.js';
import type { StreamChangeType } from '../../../shared/api/stream.js';
import type { Clock, TimerHandle } from '../../../shared/runtime/clock.js';
import type { CacheEvent, WatchCache } from '../watch-cache.js';
import type { ChangeTimes } from './change-times.js';
import { bookmarkMessage, changeMessage, encodeMessage } from './messages.js';
import type { StreamQuery, StreamSelection } from './query.js';
import type { StreamSocket } from './socket.js';

export type StreamSource = Pick<WatchCache, 'revision' | 'oldestResumable' | 'since' | 'list' | 'subscribe'>;

export interface ClientLimits {
  maxBufferedBytes: number;
  lowWaterBytes: number;
  dropGraceMs: number;
}

export interface ClientContext {
  source: StreamSource;
  times: ChangeTimes;
  clock: Clock;
  limits: ClientLimits;
  /** Called once when the client leaves the fan-out (closed by either side, dropped, expired). */
  gone(client: StreamClient): void;
}

/** The frame of a live change in one shape, built once per batch for every client wanting it. */
export type LiveEncoder = (ce: CacheEvent, type: StreamChangeType, withObject: boolean) => Buffer;

/** Close codes: 1000 after ERROR, 1001 when the api-server stops, 1013 (try again later) after SLOW. */
export const CLOSE_EXPIRED = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_SLOW = 1013;

export class StreamClient {
  private state: 'catching-up' | 'live' | 'closed' = 'catching-up';
  private snapshot: { r: ResourceInfo; object: KubeObject }[] = [];
  private snapshotAt = 0;
  private snapshotRev = 0;
  private backlog: CacheEvent[] = [];
  private backlogAt = 0;
  /** Every change in history up to here was taken into the backlog (or was not for this client). */
  private cursor = 0;
  /** Everything up to here was sent; undefined while the initial objects go out. */
  private position: number | undefined;
  private pumping = false;
  private cutTimer?: TimerHandle;

  constructor(
    readonly socket: StreamSocket,
    private readonly selection: StreamSelection,
    private readonly query: StreamQuery,
    private readonly ctx: ClientContext,
  ) {
    socket.onClose(() => this.leave());
  }

  get isLive(): boolean {
    return this.state === 'live';
  }

  start(): void {
    const { source } = this.ctx;
    const rv = this.query.resourceVersion;
    this.cursor = source.revision;
    if (rv === 0) {
      for (const r of this.selection.resources) {
        for (const object of source.list(r, storePrefix(r, this.query.namespace))) {
          if (this.selection.matches(r, object)) this.snapshot.push({ r, object });
        }
      }
      this.snapshotRev = this.cursor;
      this.position = this.snapshot.length ? undefined : this.cursor;
    } else if (rv !== undefined) {
      if (rv < source.oldestResumable()) return this.expire(rv);
      this.cursor = this.position = rv;
    } else {
      this.position = this.cursor;
    }
    this.pump();
  }

  /** Live changes of one cache batch. */
  deliver(events: CacheEvent[], encode: LiveEncoder): void {
    if (this.state !== 'live') return;
    for (const ce of events) {
      const type = this.selection.view(ce);
      if (type) this.socket.sendText(encode(ce, type, this.query.objects));
    }
    this.position = this.ctx.source.revision;
    this.checkBuffer();
  }

  bookmark(): void {
    if (this.state === 'closed') return;
    if (this.state === 'live') this.position = this.ctx.source.revision;
    if (this.position === undefined) return;
    this.socket.sendText(encodeMessage(bookmarkMessage(this.position, this.ctx.clock.now())));
    if (this.state === 'live') this.checkBuffer();
  }

  /** The api-server is stopping (or the client failed). */
  shutdown(reason = 'api-server stopping'): void {
    this.finish(CLOSE_GOING_AWAY, reason, Math.min(1000, this.ctx.limits.dropGraceMs));
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.catchUp();
    } finally {
      this.pumping = false;
    }
  }

  private catchUp(): void {
    const { source, times, limits } = this.ctx;
    const resume = (): void => this.pump();
    while (this.state === 'catching-up' && this.socket.bufferedAmount < limits.lowWaterBytes) {
      if (this.snapshotAt < this.snapshot.length) {
        const { r, object } = this.snapshot[this.snapshotAt++]!;
        const rev = rvOf(object);
        this.socket.sendText(encodeMessage(changeMessage('ADDED', r, object, rev, times.timeOf(rev, object), this.query.objects)), resume);
        if (this.snapshotAt === this.snapshot.length) {
          this.snapshot = [];
          this.snapshotAt = 0;
          this.position = this.snapshotRev;
        }
        continue;
      }
      if (this.backlogAt < this.backlog.length) {
        const ce = this.backlog[this.backlogAt++]!;
        const type = this.selection.view(ce);
        if (type) this.socket.sendText(encodeMessage(changeMessage(type, ce.resource, ce.object, ce.rev, times.timeOf(ce.rev, ce.object), this.query.objects)), resume);
        this.position = ce.rev;
        continue;
      }
      this.backlog = [];
      this.backlogAt = 0;
      if (this.cursor < source.oldestResumable()) return this.expire(this.cursor);
      const next = source.since(this.cursor);
      if (next.length === 0) return this.goLive();
      this.backlog = next;
      this.cursor = next[next.length - 1]!.rev;
    }
  }

  private goLive(): void {
    this.state = 'live';
    this.position = this.ctx.source.revision;
    this.socket.sendText(encodeMessage(bookmarkMessage(this.position, this.ctx.clock.now(), true)));
  }

  private checkBuffer(): void {
    const { maxBufferedBytes } = this.ctx.limits;
    const buffered = this.socket.bufferedAmount;
    if (buffered <= maxBufferedBytes) return;
    const message = `too slow: ${buffered} bytes waiting to be sent (the limit is ${maxBufferedBytes}); disconnected — reconnect with resourceVersion=${this.position} to resume`;
    this.socket.sendText(encodeMessage({ type: 'SLOW', message, resourceVersion: String(this.position) }));
    this.finish(CLOSE_SLOW, 'slow consumer', this.ctx.limits.dropGraceMs);
  }

  private expire(rv: number): void {
    const oldest = this.ctx.source.oldestResumable();
    this.socket.sendText(encodeMessage({ type: 'ERROR', code: 410, reason: 'Expired', message: `too old resource version: ${rv} (${oldest + 1})` }));
    this.finish(CLOSE_EXPIRED, 'Expired', this.ctx.limits.dropGraceMs);
  }

  private finish(code: number, reason: string, graceMs: number): void {
    if (this.state === 'closed') return;
    this.leave();
    this.socket.close(code, reason);
    this.cutTimer = this.ctx.clock.setTimeout(() => this.socket.terminate(), graceMs);
  }

  private leave(): void {
    if (this.state === 'closed') {
      this.cutTimer?.cancel();
      return;
    }
    this.state = 'closed';
    this.snapshot = [];
    this.backlog = [];
    this.ctx.gone(this);
  }
}
