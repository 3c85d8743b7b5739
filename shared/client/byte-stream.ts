/**
 * One end of a byte stream over NATS: how the api-server and a kubelet carry `kubectl logs -f`,
 * `exec` and `port-forward` bytes (opening one is in ./byte-stream-open.ts, frames in
 * ./byte-stream-frames.ts).
 *
 * Each end publishes numbered frames on its peer's subject and listens on its own. Guarantees:
 * - **Order, or an error**: a frame whose sequence number is not the next one (NATS core dropped
 *   something) ends the stream with an error; bytes are never silently lost or reordered.
 * - **Flow control**: an end sends data only against credit. The initial credit is the peer's
 *   receive window; the receiver gives credit back as its consumer takes the bytes, and stops
 *   giving it while `pause()`d. So a slow reader (kubectl on a slow link) stops the writer, and
 *   the writer's `write()` returns false until `drain`: back-pressure reaches the container or the
 *   socket instead of piling up in memory. A writer that ignores `false` and queues more than
 *   `maxQueuedBytes` ends the stream.
 * - **Liveness**: an end that has sent nothing for `pingIntervalMs` sends a ping; an end that has
 *   heard nothing for `peerTimeoutMs` ends the stream with a ServiceUnavailable error, so a stream
 *   whose peer died (a SIGKILLed kubelet, a partitioned node) fails within seconds instead of
 *   hanging.
 * - **One ending**: `close()` (after the queued data), `abort()` (at once), a close frame from the
 *   peer, or a failure — whichever comes first — fires the `close` handler exactly once, and the
 *   end unsubscribes and stops its timers.
 *
 * Events that arrive before `listen()` are kept (at most a window's worth of data) and delivered
 * when it is called. Time comes from the injected clock.
 */
import { serviceUnavailable, statusError, toStatus, type StatusError } from '../api/errors.js';
import type { Bus, BusSubscription } from '../nats/connection.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { decodeFrame, encodeFrame, type Frame, type StreamResult, type UnnumberedFrame } from './byte-stream-frames.js';

export type { StreamResult } from './byte-stream-frames.js';

/** What a byte stream needs from the bus. */
export type StreamBus = Pick<Bus, 'publishRaw' | 'subscribeRaw'>;

/** Largest data frame; bigger writes are split. */
export const MAX_FRAME_BYTES = 32 * 1024;
export const DEFAULT_WINDOW = 256 * 1024;

export interface ByteStreamOptions {
  bus: StreamBus;
  clock: Clock;
  /** Subject our frames go to (the peer listens there). */
  sendTo: string;
  /** Subject we listen on. */
  receiveOn: string;
  /** Credit we start with: the peer's receive window (0 until the peer said it). */
  sendWindow: number;
  /** Our receive window, as told to the peer. */
  receiveWindow?: number;
  pingIntervalMs?: number;
  peerTimeoutMs?: number;
  maxQueuedBytes?: number;
  /** Who the peer is, for error messages ("node node-2", "the api-server"). */
  peerName: string;
  log?: Logger;
}

export interface ByteStreamHandlers {
  data(channel: number, bytes: Uint8Array): void;
  end?(channel: number): void;
  /** The stream is over; `by` says whether the peer ended it or this end did (or failed). */
  close(result: StreamResult, by: 'local' | 'peer'): void;
  /** Queued writes have been sent: `write()` may be called again. */
  drain?(): void;
}

type Event = { kind: 'data'; channel: number; bytes: Uint8Array } | { kind: 'end'; channel: number };

export class ByteStream {
  private seqOut = 0;
  private seqIn = 0;
  private credit: number;
  private readonly queue: UnnumberedFrame[] = [];
  private queuedBytes = 0;
  private blocked = false;
  private unacked = 0;
  private paused = false;
  private handlers: ByteStreamHandlers | undefined;
  private early: Event[] = [];
  /** An ending that happened before listen(), delivered by it. */
  private ending: { result: StreamResult; by: 'local' | 'peer' } | undefined;
  private finished = false;
  private wireStopped = false;
  private readonly closeWatchers: (() => void)[] = [];
  private lastSent: number;
  private lastHeard: number;
  private readonly sub: BusSubscription;
  private readonly timer: TimerHandle;
  private readonly receiveWindow: number;
  private readonly pingMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ByteStreamOptions) {
    this.credit = opts.sendWindow;
    this.receiveWindow = opts.receiveWindow ?? DEFAULT_WINDOW;
    this.pingMs = opts.pingIntervalMs ?? 1000;
    this.timeoutMs = opts.peerTimeoutMs ?? 5000;
    this.lastSent = this.lastHeard = opts.clock.now();
    this.sub = opts.bus.subscribeRaw(opts.receiveOn, (bytes) => this.receive(bytes));
    this.timer = opts.clock.setInterval(() => this.tick(), Math.max(10, Math.min(this.pingMs, this.timeoutMs / 2)));
  }

  get closed(): boolean {
    return this.finished;
  }

  /** Runs `cb` once the stream is over (at once if it is); bookkeeping beside the handlers. */
  whenClosed(cb: () => void): void {
    if (this.finished) cb();
    else this.closeWatchers.push(cb);
  }

  /** Attaches the handlers; events that arrived earlier are delivered now, in order. */
  listen(handlers: ByteStreamHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const e of early) this.deliver(e);
    if (this.ending) handlers.close(this.ending.result, this.ending.by);
    this.ending = undefined;
  }

  /** Queues bytes on a channel; false means "stop until drain" (the credit is used up). */
  write(channel: number, bytes: Uint8Array): boolean {
    if (this.finished) return false;
    for (let off = 0; off < bytes.length; off += MAX_FRAME_BYTES) {
      const data = bytes.subarray(off, off + MAX_FRAME_BYTES);
      this.queue.push({ type: 'data', channel, data });
      this.queuedBytes += data.length;
    }
    this.flush();
    if (this.queuedBytes > (this.opts.maxQueuedBytes ?? 8 * 1024 * 1024)) {
      this.fail(statusError('TooManyRequests', `the reader of this stream is too slow: more than ${this.queuedBytes} bytes are waiting`));
      return false;
    }
    this.blocked = this.queue.length > 0;
    return !this.blocked;
  }

  /** No more bytes on `channel` from this end (sent after what is queued). */
  end(channel: number): void {
    if (this.finished) return;
    this.queue.push({ type: 'end', channel });
    this.flush();
  }

  /** Ends the stream after the queued data: the peer gets `result`. */
  close(result: StreamResult = {}): void {
    if (this.finished) return;
    this.queue.push({ type: 'close', result });
    this.flush();
  }

  /** Ends the stream now, dropping queued data; the peer gets the error. */
  abort(err: StatusError | Error | string): void {
    if (this.finished) return;
    const status = typeof err === 'string' ? statusError('InternalError', err).status : toStatus(err);
    this.queue.length = 0;
    this.send({ type: 'close', result: { error: status } });
    this.finish({ error: status }, 'local');
  }

  /** Stops giving credit back: the peer stops sending once the window is used up. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.grant(1);
  }

  /** The peer's receive window, once known (the opener learns it from the open reply). */
  addCredit(bytes: number): void {
    this.credit += bytes;
    this.flush();
  }

  /** Forgets the stream without telling the peer (it was never established). */
  dispose(): void {
    if (this.finished) return;
    this.finished = true;
    this.stopWire();
    this.notifyWatchers();
  }

  private send(f: UnnumberedFrame): void {
    const frame = { ...f, seq: ++this.seqOut } as Frame;
    this.lastSent = this.opts.clock.now();
    this.opts.bus.publishRaw(this.opts.sendTo, encodeFrame(frame));
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.finished) {
      const head = this.queue[0]!;
      if (head.type === 'data') {
        if (this.credit <= 0) break;
        if (head.data.length > this.credit) {
          const part = head.data.subarray(0, this.credit);
          head.data = head.data.subarray(this.credit);
          this.sendData(head.channel, part);
          continue;
        }
        this.queue.shift();
        this.sendData(head.channel, head.data);
        continue;
      }
      this.queue.shift();
      this.send(head);
      if (head.type === 'close') this.finish(head.result, 'local');
    }
    if (this.blocked && this.queue.length === 0 && !this.finished) {
      this.blocked = false;
      this.handlers?.drain?.();
    }
  }

  private sendData(channel: number, data: Uint8Array): void {
    this.credit -= data.length;
    this.queuedBytes -= data.length;
    this.send({ type: 'data', channel, data });
  }

  private receive(bytes: Uint8Array): void {
    if (this.finished) return;
    let frame: Frame;
    try {
      frame = decodeFrame(bytes);
    } catch (err) {
      this.fail(err as StatusError);
      return;
    }
    if (frame.seq !== this.seqIn + 1) {
      this.fail(serviceUnavailable(`the stream with ${this.opts.peerName} lost frames (expected frame ${this.seqIn + 1}, got ${frame.seq})`));
      return;
    }
    this.seqIn = frame.seq;
    this.lastHeard = this.opts.clock.now();
    switch (frame.type) {
      case 'data':
        this.deliver({ kind: 'data', channel: frame.channel, bytes: frame.data });
        break;
      case 'end':
        this.deliver({ kind: 'end', channel: frame.channel });
        break;
      case 'credit':
        this.addCredit(frame.bytes);
        break;
      case 'close':
        this.finish(frame.result, 'peer');
        break;
      case 'ping':
        break;
    }
  }

  private deliver(e: Event): void {
    if (!this.handlers) {
      this.early.push(e);
      return;
    }
    if (e.kind === 'end') {
      this.handlers.end?.(e.channel);
      return;
    }
    this.handlers.data(e.channel, e.bytes);
    this.unacked += e.bytes.length;
    this.grant(Math.max(1, this.receiveWindow / 4));
  }

  /** Gives back credit for consumed bytes once at least `threshold` have piled up. */
  private grant(threshold: number): void {
    if (this.paused || this.finished || this.unacked < threshold) return;
    const bytes = this.unacked;
    this.unacked = 0;
    this.send({ type: 'credit', bytes });
  }

  private tick(): void {
    if (this.finished) return;
    const now = this.opts.clock.now();
    if (now - this.lastHeard > this.timeoutMs) {
      this.fail(serviceUnavailable(`lost contact with ${this.opts.peerName}: nothing heard on the stream for ${now - this.lastHeard} ms`));
      return;
    }
    if (now - this.lastSent >= this.pingMs) this.send({ type: 'ping' });
  }

  private fail(err: StatusError): void {
    this.opts.log?.debug({ err, subject: this.opts.receiveOn }, 'byte stream failed');
    this.abort(err);
  }

  private finish(result: StreamResult, by: 'local' | 'peer'): void {
    if (this.finished) return;
    this.finished = true;
    this.stopWire();
    this.queue.length = 0;
    if (this.handlers) this.handlers.close(result, by);
    else this.ending = { result, by };
    this.notifyWatchers();
  }

  private notifyWatchers(): void {
    for (const cb of this.closeWatchers.splice(0)) cb();
  }

  private stopWire(): void {
    if (this.wireStopped) return;
    this.wireStopped = true;
    this.sub.unsubscribe();
    this.timer.cancel();
  }
}
