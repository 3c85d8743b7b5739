/**
 * The store's watchers: who watches which prefix, from which revision, and what each has been sent.
 *
 * - `create(prefix, fromRevision, deliver)` replays the history from `fromRevision` (Expired when
 *   that is compacted; 0 = from now) and registers the watcher in the same tick, so nothing falls
 *   between replay and live delivery. Each watcher remembers the revision it has been sent through;
 *   an event at or below it is never sent again.
 * - `publish(event)` is called on every commit, in revision order. Events are fanned out in
 *   batches once per turn of the event loop (many acks arrive together under load), one batch per
 *   watcher with the matching events, capped at ~1 MiB so a batch always fits a NATS message.
 * - `tick()` (every `progressIntervalMs`) sends a progress notification — the current revision —
 *   to every watcher that was sent nothing since the last tick: a bookmark and a liveness signal.
 * - Delivery, numbering and expiry of silent watchers belong to the watch channel
 *   (shared/client/watch-channel.ts); the hub drops a watcher when the channel expires it.
 */
import type { StoreEvent } from '../../shared/client/store.js';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { expired } from '../../shared/api/errors.js';
import type { WatchChannelServer } from '../../shared/client/watch-channel.js';
import type { MvccIndex } from './mvcc.js';

/** Bytes of values per batch before it is cut (a single larger event still goes alone). */
const MAX_BATCH_BYTES = 1024 * 1024;
const MAX_BATCH_EVENTS = 5000;

interface Watcher {
  id: string;
  prefix: string;
  /** Highest revision this watcher has been sent (events or progress). */
  sentThrough: number;
  sentSinceTick: boolean;
}

export interface WatchHubDeps {
  index: MvccIndex;
  channel: WatchChannelServer<StoreEvent>;
  clock: Clock;
  log: Logger;
  progressIntervalMs: number;
}

function weight(e: StoreEvent): number {
  return 200 + e.kv.key.length * 2 + e.kv.value.length + (e.prevKv ? e.prevKv.value.length + e.kv.key.length : 0);
}

export class WatchHub {
  private readonly watchers = new Map<string, Watcher>();
  private pending: StoreEvent[] = [];
  private flushScheduled = false;
  private progressTimer: TimerHandle | undefined;

  constructor(private readonly deps: WatchHubDeps) {}

  get size(): number {
    return this.watchers.size;
  }

  start(): void {
    this.progressTimer = this.deps.clock.setInterval(() => this.tick(), this.deps.progressIntervalMs);
  }

  stop(): void {
    this.progressTimer?.cancel();
    this.watchers.clear();
  }

  /** Opens a watch; returns its id and the revision it starts after. */
  create(prefix: string, fromRevision: number, deliver: string): { id: string; revision: number } {
    const { index, channel } = this.deps;
    if (fromRevision !== 0 && fromRevision <= index.compactRevision) throw expired('required revision has been compacted');
    const replay = fromRevision === 0 || fromRevision > index.revision ? [] : index.eventsFrom(fromRevision);
    const id = channel.open(deliver);
    const startAfter = fromRevision === 0 ? index.revision : fromRevision - 1;
    const w: Watcher = { id, prefix, sentThrough: Math.max(startAfter, index.revision), sentSinceTick: true };
    this.watchers.set(id, w);
    this.sendBatched(w, replay.filter((e) => e.kv.key.startsWith(prefix)));
    return { id, revision: startAfter };
  }

  cancel(id: string): void {
    this.watchers.delete(id);
    this.deps.channel.close(id);
  }

  /** The channel forgot this watch (keepalives stopped). */
  forget(id: string): void {
    this.watchers.delete(id);
  }

  /** A committed event, in revision order. */
  publish(event: StoreEvent): void {
    this.pending.push(event);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends the pending events to every watcher they match. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    const last = events[events.length - 1].kv.modRevision;
    for (const w of this.watchers.values()) {
      if (w.sentThrough >= last) continue;
      const mine = events.filter((e) => e.kv.modRevision > w.sentThrough && e.kv.key.startsWith(w.prefix));
      w.sentThrough = last;
      this.sendBatched(w, mine);
    }
  }

  /** Progress for the watchers that heard nothing since the last tick. */
  tick(): void {
    this.flush();
    const rev = this.deps.index.revision;
    for (const w of this.watchers.values()) {
      if (w.sentSinceTick) {
        w.sentSinceTick = false;
        continue;
      }
      w.sentThrough = Math.max(w.sentThrough, rev);
      if (!this.deps.channel.send(w.id, [], w.sentThrough)) this.watchers.delete(w.id);
    }
  }

  private sendBatched(w: Watcher, events: StoreEvent[]): void {
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < events.length; i++) {
      bytes += weight(events[i]);
      const full = bytes >= MAX_BATCH_BYTES || i - start + 1 >= MAX_BATCH_EVENTS;
      if (full || i === events.length - 1) {
        if (!this.deps.channel.send(w.id, events.slice(start, i + 1))) {
          this.watchers.delete(w.id);
          return;
        }
        w.sentSinceTick = true;
        start = i + 1;
        bytes = 0;
      }
    }
  }
}
