/**
 * The protobuf wire format, as little of it as the etcd gRPC client (./etcd-grpc.ts) needs:
 * writing varint and length-delimited fields, and reading a message back as (field, value) pairs.
 *
 * Integers are JavaScript numbers: exact up to 2^53, far above any revision a benchmark reaches.
 * Negative numbers are not supported (etcd's fields used here are never negative). Unknown wire
 * types 1 and 5 (fixed 64/32 bit) are skipped; groups (3, 4) are rejected.
 */

function varintBytes(n: number): number[] {
  if (n < 0 || !Number.isSafeInteger(n)) throw new RangeError(`varint out of range: ${n}`);
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function tag(field: number, wireType: number): number[] {
  return varintBytes(field * 8 + wireType);
}

/** A varint field (int64, uint64, bool, enum). Zero is written too (harmless in proto3). */
export function varintField(field: number, n: number): Buffer {
  return Buffer.from([...tag(field, 0), ...varintBytes(n)]);
}

/** A length-delimited field: bytes, string, or an embedded message. */
export function bytesField(field: number, data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from([...tag(field, 2), ...varintBytes(b.length)]), b]);
}

export function message(...fields: Buffer[]): Buffer {
  return Buffer.concat(fields);
}

export type FieldValue = number | Buffer;

/** Reads every field of a message, in order; repeated fields appear once per element. */
export function* fields(buf: Buffer): Generator<[number, FieldValue]> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const b = buf[pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) yield [field, varint()];
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Error('protobuf: truncated field');
      yield [field, buf.subarray(pos, pos + len)];
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

/** The first value of `field`, or undefined. */
export function field(buf: Buffer, wanted: number): FieldValue | undefined {
  for (const [f, v] of fields(buf)) if (f === wanted) return v;
  return undefined;
}
