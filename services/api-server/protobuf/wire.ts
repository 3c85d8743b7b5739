/**
 * The protobuf wire format, read side only: tags, varints, length-delimited fields, fixed32/64 and
 * zig-zag. A reader walks one buffer between two offsets and never looks past its end.
 *
 * Contract: every malformed input — a truncated varint, a varint over ten bytes, a length past the
 * end of the buffer, field number 0, an unknown or group wire type — throws a 400 BadRequest that
 * says what and where (byte offset). Nothing here can loop without consuming input, so garbage ends
 * in an error, never a hang, and sub-readers share the parent's bytes (no copies).
 */
import { badRequest, type StatusError } from '../../../shared/api/errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export interface Tag {
  field: number;
  wire: number;
}

export function malformed(why: string, at?: number): StatusError {
  return badRequest(`the protobuf request body is malformed: ${why}${at === undefined ? '' : ` (at byte ${at})`}`);
}

const WIRE_NAMES: Record<number, string> = { 0: 'varint', 1: 'fixed64', 2: 'length-delimited', 3: 'start-group', 4: 'end-group', 5: 'fixed32' };

export function wireName(wire: number): string {
  return WIRE_NAMES[wire] ?? `wire type ${wire}`;
}

export class WireReader {
  private pos: number;

  /** Reads `bytes[start, end)`; `base` is where `bytes` sits in the request body, for messages. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly start = 0,
    private readonly end = bytes.length,
    private readonly base = 0,
  ) {
    this.pos = start;
  }

  /** The length of the span this reader covers. */
  get size(): number {
    return this.end - this.start;
  }

  get eof(): boolean {
    return this.pos >= this.end;
  }

  /** Offset in the whole body, for error messages. */
  get offset(): number {
    return this.base + this.pos;
  }

  tag(): Tag {
    const at = this.offset;
    const v = this.varint();
    const field = Number(v >> 3n);
    const wire = Number(v & 7n);
    if (field === 0) throw malformed('field number 0', at);
    if (field > 0x1fffffff) throw malformed(`field number ${field} is out of range`, at);
    if (wire !== WIRE_VARINT && wire !== WIRE_FIXED64 && wire !== WIRE_LEN && wire !== WIRE_FIXED32) {
      throw malformed(`unsupported ${wireName(wire)} for field ${field}`, at);
    }
    return { field, wire };
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    const at = this.offset;
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed('truncated varint', at);
      const b = this.bytes[this.pos++];
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw malformed('varint longer than 10 bytes', at);
  }

  fixed32(): number {
    const at = this.offset;
    if (this.end - this.pos < 4) throw malformed('truncated fixed32', at);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getUint32(0, true);
    this.pos += 4;
    return v;
  }

  /** Eight little-endian bytes, returned raw so the caller picks the interpretation. */
  fixed64(): DataView {
    const at = this.offset;
    if (this.end - this.pos < 8) throw malformed('truncated fixed64', at);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
    this.pos += 8;
    return v;
  }

  /** The payload of a length-delimited field, as a view on the same bytes. */
  bytesField(): Uint8Array {
    const at = this.offset;
    const n = this.varint();
    if (n > BigInt(this.end - this.pos)) throw malformed(`length ${n} runs past the end of the data`, at);
    const out = this.bytes.subarray(this.pos, this.pos + Number(n));
    this.pos += Number(n);
    return out;
  }

  /** A reader over the next length-delimited payload, sharing offsets for error messages. */
  subReader(): WireReader {
    const b = this.bytesField();
    return new WireReader(b, 0, b.length, this.offset - b.length);
  }

  /** The unread bytes (a view). */
  rest(): Uint8Array {
    return this.bytes.subarray(this.pos, this.end);
  }

  /** Skips one field's value of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.fixed64();
        return;
      case WIRE_LEN:
        this.bytesField();
        return;
      case WIRE_FIXED32:
        this.fixed32();
        return;
      default:
        throw malformed(`cannot skip ${wireName(wire)}`, this.offset);
    }
  }
}

/** Zig-zag decoding (sint32/sint64): 0 → 0, 1 → -1, 2 → 1, … */
export function zigZag(v: bigint): bigint {
  return (v >> 1n) ^ -(v & 1n);
}
