/**
 * A SPDY/3.1 session over any byte transport (a TCP socket after an HTTP upgrade, or a WebSocket
 * carrying raw SPDY bytes) — the subset kubectl's exec and port-forward use: streams opened by
 * SYN_STREAM and answered by SYN_REPLY, DATA with FIN half-closes, RST_STREAM, PING (echoed),
 * GOAWAY; SETTINGS, WINDOW_UPDATE, HEADERS and unknown control frames are read and ignored.
 * kubectl's SPDY library (spdystream) does no SPDY flow control, so neither do we: back-pressure is
 * the transport's (a paused stream pauses reading the whole connection).
 *
 * Roles: as `server` (the api-server) it accepts odd stream ids from the peer and hands each new
 * stream to `onStream`; as `client` (tests, a kubectl stand-in) it opens odd streams itself.
 * Frames are handled strictly in arrival order (a DATA frame never overtakes the SYN_STREAM before
 * it, even while that one's headers are being decompressed). Anything the peer gets wrong ends the
 * session with GOAWAY (PROTOCOL_ERROR); nothing it sends can throw out of `receive`.
 */
import type { Logger } from '../../../../shared/runtime/logger.js';
import { encodeFrame, FrameParser, RST, SpdyProtocolError, type SpdyFrame } from './framing.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.js';

export interface SpdyTransport {
  /** Writes bytes; false when the transport's buffer is full ('drain' is reported through onDrain). */
  write(bytes: Buffer): boolean;
  pause(): void;
  resume(): void;
  /** Ends the transport once what was written is flushed. */
  close(): void;
}

export interface SpdyStreamHandlers {
  data?(bytes: Buffer): void;
  /** The peer half-closed (FIN). */
  end?(): void;
  /** The stream is gone: reset by the peer (`status`), or the session ended. */
  reset?(status: number | 'session closed'): void;
  drain?(): void;
}

export class SpdyStream {
  localFin = false;
  remoteFin = false;
  replied = false;
  paused = false;
  gone = false;
  private handlers: SpdyStreamHandlers | undefined;
  private early: Array<() => void> = [];

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {}

  listen(handlers: SpdyStreamHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const e of early) e();
  }

  /** SYN_REPLY (a stream the peer opened must be replied to before data flows). */
  reply(headers: SpdyHeaders = {}, fin = false): void {
    if (this.replied || this.gone) return;
    this.replied = true;
    this.session.sendHeaders('synReply', this.id, headers, fin);
    if (fin) this.finishLocal();
  }

  write(data: Buffer): boolean {
    if (this.gone || this.localFin || data.length === 0) return !this.gone;
    return this.session.sendData(this, data, false);
  }

  /** Half-closes our side (an empty DATA frame with FIN). */
  end(): void {
    if (this.gone || this.localFin) return;
    this.session.sendData(this, Buffer.alloc(0), true);
    this.finishLocal();
  }

  reset(status: number = RST.cancel): void {
    if (this.gone) return;
    this.session.sendReset(this.id, status);
    this.remove('session closed', false);
  }

  /** Stops reading the connection while this stream's consumer is full. */
  pause(): void {
    this.paused = true;
    this.session.updateReading();
  }

  resume(): void {
    this.paused = false;
    this.session.updateReading();
  }

  /** @internal */ emit(kind: 'data' | 'end' | 'drain', data?: Buffer): void {
    const run = (): void => {
      if (kind === 'data') this.handlers?.data?.(data!);
      else if (kind === 'end') this.handlers?.end?.();
      else this.handlers?.drain?.();
    };
    if (this.handlers) run();
    else if (kind !== 'drain') this.early.push(run);
  }

  /** @internal */ remove(why: number | 'session closed', notify = true): void {
    if (this.gone) return;
    this.gone = true;
    this.session.forget(this);
    if (notify) {
      if (this.handlers) this.handlers.reset?.(why);
      else this.early.push(() => this.handlers?.reset?.(why));
    }
  }

  private finishLocal(): void {
    this.localFin = true;
    if (this.remoteFin) this.remove('session closed', false);
  }

  /** @internal */ finishRemote(): void {
    this.remoteFin = true;
    this.emit('end');
    if (this.localFin) this.remove('session closed', false);
  }
}

export interface SpdySessionOptions {
  role: 'server' | 'client';
  /** A stream the peer opened (server role); reply to it to accept it. */
  onStream?(stream: SpdyStream): void;
  /** The session ended: the transport closed, GOAWAY was exchanged, or the peer broke the protocol (`err`). */
  onClose?(err?: Error): void;
  log?: Logger;
}

export class SpdySession {
  private readonly parser = new FrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly opening = new Map<number, { resolve(s: SpdyStream): void; reject(e: Error): void }>();
  private inbound: Promise<void> = Promise.resolve();
  private lastPeerStream = 0;
  private nextStreamId: number;
  private blocked = false;
  private readingPaused = false;
  private ended = false;

  constructor(
    private readonly transport: SpdyTransport,
    private readonly opts: SpdySessionOptions,
  ) {
    this.nextStreamId = opts.role === 'client' ? 1 : 2;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Bytes from the transport. */
  receive(bytes: Uint8Array): void {
    if (this.ended) return;
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(bytes);
    } catch (err) {
      this.protocolError(err as Error);
      return;
    }
    for (const f of frames) {
      this.inbound = this.inbound.then(() => this.handle(f)).catch((err: unknown) => this.protocolError(err as Error));
    }
  }

  /** The transport is gone: every stream ends. */
  transportClosed(): void {
    this.shutdown();
  }

  /** The transport flushed its buffer. */
  transportDrained(): void {
    if (!this.blocked) return;
    this.blocked = false;
    for (const s of [...this.streams.values()]) s.emit('drain');
  }

  /** Client role: opens a stream and resolves when the peer replied. */
  openStream(headers: SpdyHeaders, opts: { fin?: boolean } = {}): Promise<SpdyStream> {
    if (this.ended) return Promise.reject(new Error('SPDY session is closed'));
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    const p = new Promise<SpdyStream>((resolve, reject) => this.opening.set(id, { resolve, reject }));
    const headerBlock = this.compressor.compress(headers);
    this.write({ type: 'synStream', streamId: id, assocId: 0, priority: 0, slot: 0, fin: !!opts.fin, unidirectional: false, headerBlock });
    if (opts.fin) stream.localFin = true;
    return p;
  }

  /** Sends GOAWAY and ends the transport. */
  close(status = 0): void {
    if (this.ended) return;
    this.write({ type: 'goaway', lastGoodStreamId: this.lastPeerStream, status });
    this.shutdown();
    this.transport.close();
  }

  /** @internal */ sendHeaders(kind: 'synReply', streamId: number, headers: SpdyHeaders, fin: boolean): void {
    this.write({ type: kind, streamId, fin, headerBlock: this.compressor.compress(headers) });
  }

  /** @internal */ sendData(stream: SpdyStream, data: Buffer, fin: boolean): boolean {
    for (let off = 0; off === 0 || off < data.length; off += 0xffffff) {
      const piece = data.subarray(off, off + 0xffffff);
      const last = off + 0xffffff >= data.length;
      this.write({ type: 'data', streamId: stream.id, fin: fin && last, data: piece });
    }
    return !this.blocked;
  }

  /** @internal */ sendReset(streamId: number, status: number): void {
    this.write({ type: 'rstStream', streamId, status });
  }

  /** @internal */ forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    this.updateReading();
  }

  /** @internal */ updateReading(): void {
    const pause = [...this.streams.values()].some((s) => s.paused);
    if (pause === this.readingPaused || this.ended) return;
    this.readingPaused = pause;
    if (pause) this.transport.pause();
    else this.transport.resume();
  }

  private write(f: SpdyFrame): void {
    if (this.ended) return;
    if (!this.transport.write(encodeFrame(f))) this.blocked = true;
  }

  private async handle(f: SpdyFrame): Promise<void> {
    if (this.ended) return;
    switch (f.type) {
      case 'synStream': {
        const headers = await this.decompressor.decompress(f.headerBlock);
        return this.onSynStream(f.streamId, headers, f.fin);
      }
      case 'synReply': {
        await this.decompressor.decompress(f.headerBlock);
        const s = this.streams.get(f.streamId);
        const waiter = this.opening.get(f.streamId);
        this.opening.delete(f.streamId);
        if (s) {
          s.replied = true;
          waiter?.resolve(s);
          if (f.fin) s.finishRemote();
        }
        return;
      }
      case 'headers':
        await this.decompressor.decompress(f.headerBlock);
        if (f.fin) this.streams.get(f.streamId)?.finishRemote();
        return;
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s || s.remoteFin) return; // a stream we already reset or closed: late bytes are dropped
        if (f.data.length > 0) s.emit('data', f.data);
        if (f.fin) s.finishRemote();
        return;
      }
      case 'rstStream': {
        const waiter = this.opening.get(f.streamId);
        this.opening.delete(f.streamId);
        waiter?.reject(new Error(`stream ${f.streamId} was reset (status ${f.status})`));
        this.streams.get(f.streamId)?.remove(f.status);
        return;
      }
      case 'ping':
        // Echo the peer's pings (odd ids come from clients, even from servers); ours need no answer.
        if ((f.id & 1) === (this.opts.role === 'server' ? 1 : 0)) this.write(f);
        return;
      case 'goaway':
        this.shutdown();
        this.transport.close();
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE, unknown: nothing to do
    }
  }

  private onSynStream(id: number, headers: SpdyHeaders, fin: boolean): void {
    const peerOdd = this.opts.role === 'server';
    if ((id & 1) !== (peerOdd ? 1 : 0) || id <= this.lastPeerStream || !this.opts.onStream) {
      this.sendReset(id, RST.protocolError);
      return;
    }
    this.lastPeerStream = id;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    this.opts.onStream(stream);
    if (fin) stream.finishRemote();
  }

  private protocolError(err: Error): void {
    if (this.ended) return;
    this.opts.log?.debug({ err }, 'SPDY protocol error; ending the session');
    const failure = err instanceof SpdyProtocolError ? err : new SpdyProtocolError(err.message);
    this.write({ type: 'goaway', lastGoodStreamId: this.lastPeerStream, status: 1 });
    this.shutdown(failure);
    this.transport.close();
  }

  private shutdown(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.decompressor.close();
    for (const w of this.opening.values()) w.reject(err ?? new Error('SPDY session closed'));
    this.opening.clear();
    for (const s of [...this.streams.values()]) s.remove('session closed');
    this.opts.onClose?.(err);
  }
}
