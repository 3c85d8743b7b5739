/**
 * One protobuf message → the JSON object Go's encoding/json would have written for the same value,
 * driven only by descriptors (descriptor.ts). The rules that make the two agree:
 *
 * - Fields come out in descriptor order (= Go struct order); inline messages are spread into the
 *   parent at their place.
 * - gogo-protobuf writes every non-pointer scalar, zero or not, so a zero ("", 0, false) of a plain
 *   field means "unset" and is left out; a pointer field's zero is kept (`replicas: 0`).
 * - A message that is present becomes an object even when empty (`resources: {}`, `status: {}`), as
 *   Go prints a struct; well-known types (Time, IntOrString, …) use their converters.
 * - Repeated fields may repeat anywhere in the message; packed and unpacked scalars are both read.
 *   A singular message that appears twice is merged (protobuf's rule: its bytes concatenate).
 * - bytes → base64 (std, padded), int64 → a JSON number.
 * - Fields the descriptor does not know are skipped (what Go's generated code does), reported to
 *   `onUnknownField` when given.
 *
 * Malformed input, a wire type that does not fit the declared type, or nesting deeper than
 * MAX_DEPTH are 400s (wire.ts's `malformed`).
 */
import type { FieldDescriptor, MessageDescriptor, MessageTable, ScalarType } from './descriptor.js';
import { WireReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, malformed, wireName, zigZag } from './wire.js';

export const MAX_DEPTH = 100;

export interface DecodeContext {
  table: MessageTable;
  onUnknownField?: (message: string, field: number) => void;
}

type Json = Record<string, unknown>;

const WIRE_OF: Record<ScalarType, number> = {
  string: WIRE_LEN,
  bytes: WIRE_LEN,
  bool: WIRE_VARINT,
  int32: WIRE_VARINT,
  int64: WIRE_VARINT,
  uint32: WIRE_VARINT,
  uint64: WIRE_VARINT,
  sint32: WIRE_VARINT,
  sint64: WIRE_VARINT,
  double: WIRE_FIXED64,
  float: WIRE_FIXED32,
};

/** Reads one scalar whose wire type has been checked. `raw`: bytes stay bytes (for converters). */
function readScalar(r: WireReader, type: ScalarType, raw: boolean): unknown {
  switch (type) {
    case 'string':
      return Buffer.from(r.bytesField()).toString('utf8');
    case 'bytes': {
      const b = r.bytesField();
      return raw ? b : Buffer.from(b).toString('base64');
    }
    case 'bool':
      return r.varint() !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, r.varint()));
    case 'int64':
      return Number(BigInt.asIntN(64, r.varint()));
    case 'uint32':
      return Number(BigInt.asUintN(32, r.varint()));
    case 'uint64':
      return Number(r.varint());
    case 'sint32':
      return Number(BigInt.asIntN(32, zigZag(r.varint())));
    case 'sint64':
      return Number(BigInt.asIntN(64, zigZag(r.varint())));
    case 'double':
      return r.fixed64().getFloat64(0, true);
    case 'float':
      return new DataView(Uint32Array.of(r.fixed32()).buffer).getFloat32(0, true);
  }
}

function expectWire(d: MessageDescriptor, f: FieldDescriptor, got: number, want: number, at: number): void {
  if (got !== want) throw malformed(`${d.name}.${f.name} is declared ${f.value.type} but arrived as ${wireName(got)}`, at);
}

function isPlainZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** Decodes one message from a reader positioned at its first field. */
export function decodeMessage(ctx: DecodeContext, d: MessageDescriptor, r: WireReader, depth = 0): unknown {
  const size = r.size;
  if (depth > MAX_DEPTH) throw malformed(`messages nested deeper than ${MAX_DEPTH}`, r.offset);
  const raw = d.toJson !== undefined;
  const singles = new Map<FieldDescriptor, unknown>();
  const chunks = new Map<FieldDescriptor, WireReader[]>();
  const lists = new Map<FieldDescriptor, unknown[]>();
  const maps = new Map<FieldDescriptor, Json>();

  while (!r.eof) {
    const at = r.offset;
    const { field, wire } = r.tag();
    const f = d.byNumber.get(field);
    if (!f) {
      r.skip(wire);
      ctx.onUnknownField?.(d.name, field);
      continue;
    }
    if (f.map) {
      expectWire(d, f, wire, WIRE_LEN, at);
      const [k, v] = decodeMapEntry(ctx, d, f, r.subReader(), depth);
      let m = maps.get(f);
      if (!m) maps.set(f, (m = {}));
      // defineProperty: a key such as "__proto__" is data, as JSON.parse treats it.
      Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
    } else if (f.value.kind === 'message') {
      expectWire(d, f, wire, WIRE_LEN, at);
      if (f.repeated) {
        const item = decodeMessage(ctx, ctx.table.get(f.value.type), r.subReader(), depth + 1);
        push(lists, f, item === undefined ? null : item);
      } else {
        push(chunks, f, r.subReader());
      }
    } else {
      const want = WIRE_OF[f.value.type];
      if (f.repeated && wire === WIRE_LEN && want !== WIRE_LEN) {
        const packed = r.subReader();
        while (!packed.eof) push(lists, f, readScalar(packed, f.value.type, raw));
      } else {
        expectWire(d, f, wire, want, at);
        const v = readScalar(r, f.value.type, raw);
        if (f.repeated) push(lists, f, v);
        else singles.set(f, v);
      }
    }
  }

  const out: Json = {};
  for (const f of d.fields) {
    if (f.map) {
      if (maps.has(f)) out[f.name] = maps.get(f);
    } else if (f.repeated) {
      if (lists.has(f)) out[f.name] = lists.get(f);
    } else if (f.value.kind === 'message') {
      const parts = chunks.get(f);
      if (!parts) continue;
      // A message sent twice is merged: protobuf defines that as decoding the concatenation.
      const sub = parts.length === 1 ? parts[0] : new WireReader(Buffer.concat(parts.map((p) => p.rest())));
      const v = decodeMessage(ctx, ctx.table.get(f.value.type), sub, depth + 1);
      if (f.inline) Object.assign(out, v as Json);
      else setValue(out, f, v, raw);
    } else if (singles.has(f)) {
      setValue(out, f, singles.get(f), raw);
    }
  }
  return d.toJson ? d.toJson(out, size) : out;
}

function setValue(out: Json, f: FieldDescriptor, v: unknown, raw: boolean): void {
  if (v === undefined) return;
  if (!raw && !f.pointer && isPlainZero(v)) return;
  out[f.name] = v;
}

function push<T>(m: Map<FieldDescriptor, T[]>, f: FieldDescriptor, v: T): void {
  const l = m.get(f);
  if (l) l.push(v);
  else m.set(f, [v]);
}

/** A map entry: key = field 1 (string), value = field 2 (the map's value type); missing → zero. */
function decodeMapEntry(ctx: DecodeContext, d: MessageDescriptor, f: FieldDescriptor, r: WireReader, depth: number): [string, unknown] {
  let key = '';
  let value: unknown;
  while (!r.eof) {
    const at = r.offset;
    const { field, wire } = r.tag();
    if (field === 1) {
      expectWire(d, f, wire, WIRE_LEN, at);
      key = Buffer.from(r.bytesField()).toString('utf8');
    } else if (field === 2 && f.value.kind === 'message') {
      expectWire(d, f, wire, WIRE_LEN, at);
      value = decodeMessage(ctx, ctx.table.get(f.value.type), r.subReader(), depth + 1);
    } else if (field === 2 && f.value.kind === 'scalar') {
      expectWire(d, f, wire, WIRE_OF[f.value.type], at);
      value = readScalar(r, f.value.type, false);
    } else {
      r.skip(wire);
    }
  }
  if (value === undefined) value = zeroOf(ctx, f);
  return [key, value];
}

function zeroOf(ctx: DecodeContext, f: FieldDescriptor): unknown {
  if (f.value.kind === 'message') {
    const m = ctx.table.get(f.value.type);
    return m.toJson ? m.toJson({}, 0) : {};
  }
  switch (f.value.type) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    default:
      return 0;
  }
}
