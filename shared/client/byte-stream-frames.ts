/**
 * The frames of kubemu's NATS byte streams (the protocol is described in ./byte-stream.ts): one
 * binary NATS message per frame, `type u8 | seq u32 (big-endian) | body`.
 *
 * | type | body | meaning |
 * | --- | --- | --- |
 * | 1 data   | `channel u8`, bytes     | bytes on a channel (0 into the container, 1 out of it / log bytes, 2 stderr, 4 resize) |
 * | 2 end    | `channel u8`            | the sender writes nothing more on that channel (stdin EOF, a TCP half-close) |
 * | 3 credit | `bytes u32`             | the receiver consumed that many more bytes: the sender may send them |
 * | 4 ping   | —                       | proof of life when there is nothing else to say |
 * | 5 close  | JSON `StreamResult`     | the stream is over: exit code, or the Status error that ended it |
 *
 * Sequence numbers start at 1 and grow by one per frame in each direction, so a lost message is
 * a visible gap. Decoding never throws anything but a BadRequest StatusError.
 */
import { badRequest, type Status } from '../api/errors.js';

/** How a stream ended: a command's exit code (exec), or the error that ended it. */
export interface StreamResult {
  exitCode?: number;
  error?: Status;
}

export type Frame =
  | { type: 'data'; seq: number; channel: number; data: Uint8Array }
  | { type: 'end'; seq: number; channel: number }
  | { type: 'credit'; seq: number; bytes: number }
  | { type: 'ping'; seq: number }
  | { type: 'close'; seq: number; result: StreamResult };

type WithoutSeq<F> = F extends unknown ? Omit<F, 'seq'> : never;
/** A frame before the sender numbers it. */
export type UnnumberedFrame = WithoutSeq<Frame>;

const CODES = { data: 1, end: 2, credit: 3, ping: 4, close: 5 } as const;
const HEADER = 5;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame(f: Frame): Uint8Array {
  let body: Uint8Array;
  switch (f.type) {
    case 'data':
      body = new Uint8Array(1 + f.data.length);
      body[0] = f.channel;
      body.set(f.data, 1);
      break;
    case 'end':
      body = Uint8Array.of(f.channel);
      break;
    case 'credit':
      body = new Uint8Array(4);
      new DataView(body.buffer).setUint32(0, f.bytes);
      break;
    case 'ping':
      body = new Uint8Array(0);
      break;
    case 'close':
      body = encoder.encode(JSON.stringify(f.result));
      break;
  }
  const out = new Uint8Array(HEADER + body.length);
  out[0] = CODES[f.type];
  new DataView(out.buffer).setUint32(1, f.seq);
  out.set(body, HEADER);
  return out;
}

export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length < HEADER) throw badRequest(`byte stream frame too short (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seq = view.getUint32(1);
  const body = bytes.subarray(HEADER);
  switch (bytes[0]) {
    case CODES.data:
      if (body.length < 1) throw badRequest('byte stream data frame without a channel');
      return { type: 'data', seq, channel: body[0]!, data: body.subarray(1) };
    case CODES.end:
      if (body.length !== 1) throw badRequest('byte stream end frame must name one channel');
      return { type: 'end', seq, channel: body[0]! };
    case CODES.credit:
      if (body.length !== 4) throw badRequest('byte stream credit frame must carry 4 bytes');
      return { type: 'credit', seq, bytes: view.getUint32(HEADER) };
    case CODES.ping:
      return { type: 'ping', seq };
    case CODES.close: {
      let result: unknown;
      try {
        result = JSON.parse(decoder.decode(body));
      } catch {
        throw badRequest('byte stream close frame is not JSON');
      }
      if (typeof result !== 'object' || result === null || Array.isArray(result)) throw badRequest('byte stream close frame must be an object');
      return { type: 'close', seq, result: result as StreamResult };
    }
    default:
      throw badRequest(`unknown byte stream frame type ${bytes[0]}`);
  }
}
