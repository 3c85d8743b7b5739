/**
 * SPDY/3 name/value header blocks and their compression.
 *
 * A block is `count u32`, then per header `name length u32 | name | value length u32 | value`
 * (big-endian; names lower-case; several values of one name joined by NUL). On the wire every
 * block of one direction is a piece of ONE zlib stream primed with the SPDY dictionary, each piece
 * ending on a flush boundary.
 *
 * - `HeaderCompressor` writes that stream with stored (uncompressed) deflate blocks: a zlib header
 *   announcing the dictionary, then per header block its stored block(s) and the empty stored
 *   block that ends a zlib sync flush (`00 00 00 ff ff`). Any inflater with the
 *   dictionary reads it, it needs no state beyond "header sent yet?", and it is synchronous, so a
 *   SYN_REPLY never waits. Header blocks here are a few bytes; compressing them buys nothing.
 * - `HeaderDecompressor` reads the peer's stream with zlib's inflater (real compression, the
 *   dictionary supplied when asked). Blocks go in in order and come out in order: output bytes are
 *   cut into blocks by their own length fields, so nothing depends on when zlib calls back. Limits
 *   (`maxHeaders`, `maxBlockBytes`) stop a hostile peer from inflating without end.
 */
import { createInflate, constants as zconst, type Inflate } from 'node:zlib';
import { SPDY_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError } from './framing.js';

export type SpdyHeaders = Record<string, string>;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  const entries = Object.entries(headers);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, value] of entries) {
    for (const s of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Parses one block from the start of `buf`; undefined when `buf` does not hold a whole block yet. */
export function decodeHeaderBlock(buf: Buffer, maxHeaders = 256): { headers: SpdyHeaders; consumed: number } | undefined {
  if (buf.length < 4) return undefined;
  const count = buf.readUInt32BE(0);
  if (count > maxHeaders) throw new SpdyProtocolError(`header block with ${count} headers (at most ${maxHeaders})`);
  const headers: SpdyHeaders = {};
  let off = 4;
  const next = (): string | undefined => {
    if (buf.length - off < 4) return undefined;
    const len = buf.readUInt32BE(off);
    if (buf.length - off - 4 < len) return undefined;
    const s = buf.toString('utf8', off + 4, off + 4 + len);
    off += 4 + len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = next();
    if (name === undefined) return undefined;
    const value = next();
    if (value === undefined) return undefined;
    if (name.length === 0) throw new SpdyProtocolError('header with an empty name');
    headers[name.toLowerCase()] = value;
  }
  return { headers, consumed: off };
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A stored (uncompressed) deflate block header: BFINAL 0, BTYPE 00, padding, LEN, NLEN (little-endian). */
function storedBlockHeader(length: number): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt16LE(length, 1);
  h.writeUInt16LE(~length & 0xffff, 3);
  return h;
}

export class HeaderCompressor {
  private started = false;

  compress(headers: SpdyHeaders): Buffer {
    const block = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32 KiB window); FLG 0x20 = FDICT, check bits 0 (0x7820 % 31 === 0).
      const head = Buffer.from([0x78, 0x20, 0, 0, 0, 0]);
      head.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
      parts.push(head);
    }
    for (let off = 0; off < block.length; off += 0xffff) {
      const piece = block.subarray(off, off + 0xffff);
      parts.push(storedBlockHeader(piece.length), piece);
    }
    // The empty stored block a zlib sync flush ends with: Go's inflater hands out what it decoded
    // only when it meets one, so without it kubectl would wait for more input (and then fail).
    parts.push(storedBlockHeader(0));
    return Buffer.concat(parts);
  }
}

interface Waiter {
  resolve(h: SpdyHeaders): void;
  reject(err: Error): void;
}

export class HeaderDecompressor {
  private readonly inflate: Inflate;
  private out: Buffer = Buffer.alloc(0);
  private readonly waiting: Waiter[] = [];
  private failed: Error | undefined;

  constructor(private readonly limits: { maxHeaders?: number; maxBlockBytes?: number } = {}) {
    this.inflate = createInflate({ dictionary: SPDY_DICTIONARY });
    this.inflate.on('data', (chunk: Buffer) => {
      this.out = this.out.length === 0 ? chunk : Buffer.concat([this.out, chunk]);
      this.cut();
    });
    this.inflate.on('error', (err: Error) => this.fail(new SpdyProtocolError(`header block does not decompress: ${err.message}`)));
  }

  /** The headers of the next compressed block (blocks must be given in wire order). */
  decompress(compressed: Buffer): Promise<SpdyHeaders> {
    if (this.failed) return Promise.reject(this.failed);
    const p = new Promise<SpdyHeaders>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.inflate.write(compressed);
    this.inflate.flush(zconst.Z_SYNC_FLUSH);
    return p;
  }

  close(): void {
    this.inflate.close();
    this.fail(new SpdyProtocolError('header decompressor closed'));
  }

  private cut(): void {
    try {
      while (this.waiting.length > 0) {
        const block = decodeHeaderBlock(this.out, this.limits.maxHeaders);
        if (!block) break;
        this.out = this.out.subarray(block.consumed);
        this.waiting.shift()!.resolve(block.headers);
      }
      if (this.out.length > (this.limits.maxBlockBytes ?? 1024 * 1024)) throw new SpdyProtocolError('header block larger than allowed');
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failed);
  }
}
