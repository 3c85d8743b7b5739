/**
 * SPDY/3.1 framing: the frames kubectl's port-forward and exec fallback speak (spdystream), as
 * values, their encoding, and an incremental parser that accepts bytes split anywhere (kubectl
 * writes a frame in several WebSocket messages: `80 03`, `00 01`, `00 00 00 3e`, …).
 *
 * Wire format (big-endian). Control frame: `1 | version u15 (3) | type u16 | flags u8 | length
 * u24 | payload`; data frame: `0 | stream id u31 | flags u8 | length u24 | bytes`. Flag 0x01 is
 * FIN on both; 0x02 on SYN_STREAM is UNIDIRECTIONAL. Header blocks stay compressed here (see
 * ./headers.ts). Unknown control frame types are returned as `unknown` (the spec says to ignore
 * them); a control frame of another version, or one too short for its type, is a `SpdyProtocolError`.
 * Frames longer than `maxFrameBytes` (default 16 MiB, the u24 limit) are refused before they are
 * buffered whole.
 */

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RST = { protocolError: 1, invalidStream: 2, refusedStream: 3, unsupportedVersion: 4, cancel: 5, internalError: 6, flowControlError: 7, streamInUse: 8, streamAlreadyClosed: 9 } as const;

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'synStream'; streamId: number; assocId: number; priority: number; slot: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'synReply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'settings'; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

const TYPES = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;

export class SpdyProtocolError extends Error {
  override name = 'SpdyProtocolError';
}

const STREAM_ID = 0x7fffffff;

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4); // length occupies the low 24 bits …
  head[4] = flags; // … and flags the byte above them
  return Buffer.concat([head, payload]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

export function encodeFrame(f: SpdyFrame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > 0xffffff) throw new RangeError('SPDY data frame larger than 16 MiB');
      const head = Buffer.alloc(8);
      head.writeUInt32BE(f.streamId & STREAM_ID, 0);
      head.writeUInt32BE(f.data.length, 4);
      head[4] = f.fin ? FLAG_FIN : 0;
      return Buffer.concat([head, f.data]);
    }
    case 'synStream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & STREAM_ID, 0);
      fixed.writeUInt32BE(f.assocId & STREAM_ID, 4);
      fixed[8] = (f.priority & 0x7) << 5;
      fixed[9] = f.slot & 0xff;
      const flags = (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
      return control(TYPES.synStream, flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'synReply':
      return control(TYPES.synReply, f.fin ? FLAG_FIN : 0, Buffer.concat([u32s(f.streamId & STREAM_ID), f.headerBlock]));
    case 'headers':
      return control(TYPES.headers, f.fin ? FLAG_FIN : 0, Buffer.concat([u32s(f.streamId & STREAM_ID), f.headerBlock]));
    case 'rstStream':
      return control(TYPES.rstStream, 0, u32s(f.streamId & STREAM_ID, f.status));
    case 'settings': {
      const body = Buffer.alloc(4 + 8 * f.entries.length);
      body.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        body.writeUInt32BE(e.id & 0xffffff, 4 + i * 8);
        body[4 + i * 8] = e.flags;
        body.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return control(TYPES.settings, 0, body);
    }
    case 'ping':
      return control(TYPES.ping, 0, u32s(f.id));
    case 'goaway':
      return control(TYPES.goaway, 0, u32s(f.lastGoodStreamId & STREAM_ID, f.status));
    case 'windowUpdate':
      return control(TYPES.windowUpdate, 0, u32s(f.streamId & STREAM_ID, f.delta & STREAM_ID));
    case 'unknown':
      return control(f.frameType, f.flags, f.payload);
  }
}

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
}

function decodeControl(type: number, flags: number, p: Buffer): SpdyFrame {
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case TYPES.synStream:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'synStream',
        streamId: p.readUInt32BE(0) & STREAM_ID,
        assocId: p.readUInt32BE(4) & STREAM_ID,
        priority: p[8]! >> 5,
        slot: p[9]!,
        fin,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: p.subarray(10),
      };
    case TYPES.synReply:
      need(p, 4, 'SYN_REPLY');
      return { type: 'synReply', streamId: p.readUInt32BE(0) & STREAM_ID, fin, headerBlock: p.subarray(4) };
    case TYPES.headers:
      need(p, 4, 'HEADERS');
      return { type: 'headers', streamId: p.readUInt32BE(0) & STREAM_ID, fin, headerBlock: p.subarray(4) };
    case TYPES.rstStream:
      need(p, 8, 'RST_STREAM');
      return { type: 'rstStream', streamId: p.readUInt32BE(0) & STREAM_ID, status: p.readUInt32BE(4) };
    case TYPES.settings: {
      need(p, 4, 'SETTINGS');
      const count = p.readUInt32BE(0);
      need(p, 4 + count * 8, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < count; i++) entries.push({ flags: p[4 + i * 8]!, id: p.readUInt32BE(4 + i * 8) & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      return { type: 'settings', entries };
    }
    case TYPES.ping:
      need(p, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case TYPES.goaway:
      need(p, 4, 'GOAWAY');
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & STREAM_ID, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case TYPES.windowUpdate:
      need(p, 8, 'WINDOW_UPDATE');
      return { type: 'windowUpdate', streamId: p.readUInt32BE(0) & STREAM_ID, delta: p.readUInt32BE(4) & STREAM_ID };
    default:
      return { type: 'unknown', frameType: type, flags, payload: p };
  }
}

/** Turns a byte stream into frames; `push` returns every frame completed by the new bytes. */
export class FrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before the next frame can complete (so a big frame is concatenated once). */
  private needed = 8;

  constructor(private readonly maxFrameBytes = 0xffffff) {}

  push(bytes: Uint8Array): SpdyFrame[] {
    if (bytes.length === 0) return [];
    this.chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.buffered += bytes.length;
    if (this.buffered < this.needed) return [];
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const frames: SpdyFrame[] = [];
    let off = 0;
    this.needed = 8;
    while (buf.length - off >= 8) {
      const length = buf.readUInt32BE(off + 4) & 0xffffff;
      if (length > this.maxFrameBytes) throw new SpdyProtocolError(`SPDY frame of ${length} bytes is larger than the ${this.maxFrameBytes} allowed`);
      if (buf.length - off < 8 + length) {
        this.needed = 8 + length;
        break;
      }
      const flags = buf[off + 4]!;
      const payload = Buffer.from(buf.subarray(off + 8, off + 8 + length));
      if (buf[off]! & 0x80) {
        const version = buf.readUInt16BE(off) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(decodeControl(buf.readUInt16BE(off + 2), flags, payload));
      } else {
        frames.push({ type: 'data', streamId: buf.readUInt32BE(off) & STREAM_ID, fin: (flags & FLAG_FIN) !== 0, data: payload });
      }
      off += 8 + length;
    }
    const rest = buf.subarray(off);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frames;
  }
}
