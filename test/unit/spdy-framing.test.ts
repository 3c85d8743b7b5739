import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameParser, SpdyProtocolError, type SpdyFrame } from '../../services/api-server/streaming/spdy/framing.js';

const frames: SpdyFrame[] = [
  { type: 'synStream', streamId: 1, assocId: 0, priority: 3, slot: 0, fin: false, unidirectional: false, headerBlock: Buffer.from([1, 2, 3]) },
  { type: 'synStream', streamId: 3, assocId: 1, priority: 7, slot: 2, fin: true, unidirectional: true, headerBlock: Buffer.alloc(0) },
  { type: 'synReply', streamId: 3, fin: false, headerBlock: Buffer.from('abc') },
  { type: 'data', streamId: 3, fin: false, data: Buffer.from('GET / HTTP/1.1\r\n\r\n') },
  { type: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) },
  { type: 'rstStream', streamId: 3, status: 5 },
  { type: 'settings', entries: [{ flags: 1, id: 7, value: 65536 }, { flags: 0, id: 4, value: 100 }] },
  { type: 'ping', id: 0xfffffffe },
  { type: 'goaway', lastGoodStreamId: 9, status: 0 },
  { type: 'headers', streamId: 5, fin: true, headerBlock: Buffer.from([9]) },
  { type: 'windowUpdate', streamId: 5, delta: 65536 },
  { type: 'unknown', frameType: 10, flags: 0, payload: Buffer.from([0, 1]) },
];

describe('SPDY framing', () => {
  it('round-trips every frame type', () => {
    for (const f of frames) expect(new FrameParser().push(encodeFrame(f))).toEqual([f]);
  });

  it('writes the control frame header kubectl expects (80 03, type, flags, 24-bit length)', () => {
    const bytes = encodeFrame({ type: 'synReply', streamId: 1, fin: false, headerBlock: Buffer.alloc(6) });
    expect([...bytes.subarray(0, 12)]).toEqual([0x80, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0a, 0, 0, 0, 1]);
    const data = encodeFrame({ type: 'data', streamId: 3, fin: true, data: Buffer.from('hi') });
    expect([...data]).toEqual([0, 0, 0, 3, 1, 0, 0, 2, 0x68, 0x69]);
  });

  it('reassembles frames split at every byte, as kubectl sends them over WebSocket', () => {
    const wire = Buffer.concat(frames.map(encodeFrame));
    const parser = new FrameParser();
    const out: SpdyFrame[] = [];
    for (const byte of wire) out.push(...parser.push(Buffer.from([byte])));
    expect(out).toEqual(frames);
  });

  it('parses several frames from one chunk and keeps a partial tail for later', () => {
    const wire = Buffer.concat(frames.slice(0, 4).map(encodeFrame));
    const parser = new FrameParser();
    const first = parser.push(wire.subarray(0, wire.length - 3));
    expect(first).toEqual(frames.slice(0, 3));
    expect(parser.push(wire.subarray(wire.length - 3))).toEqual([frames[3]]);
  });

  it('refuses another SPDY version and frames over the size limit', () => {
    const v2 = encodeFrame({ type: 'ping', id: 1 });
    v2[1] = 2;
    expect(() => new FrameParser().push(v2)).toThrow(SpdyProtocolError);
    const big = encodeFrame({ type: 'data', streamId: 1, fin: false, data: Buffer.alloc(100) });
    expect(() => new FrameParser(50).push(big.subarray(0, 8))).toThrow(/larger than the 50 allowed/);
  });

  it('refuses control frames too short for their type', () => {
    const rst = encodeFrame({ type: 'rstStream', streamId: 1, status: 5 });
    rst[7] = 4; // claim 4 bytes of payload
    expect(() => new FrameParser().push(rst.subarray(0, 12))).toThrow(/RST_STREAM frame too short/);
  });
});
