/**
 * The envelope of every Kubernetes protobuf body: the four magic bytes `k8s\0`, then a
 * `runtime.Unknown` message — 1 typeMeta {1 apiVersion, 2 kind}, 2 raw (the object's own message),
 * 3 contentEncoding, 4 contentType (k8s.io/apimachinery/pkg/runtime/generated.proto).
 *
 * Contract: returns the type and the raw bytes (a view, not a copy) or throws 400 — no magic, a
 * malformed Unknown, no kind, a contentEncoding (kubectl never compresses this way; we would not
 * know how to undo it) or a contentType other than protobuf (empty, as kubectl sends it, means protobuf).
 */
import { WireReader, WIRE_LEN, malformed } from './wire.js';

export const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  /** Where `raw` starts in the body, so errors inside the object can say where. */
  rawOffset: number;
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

function text(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8');
}

function readTypeMeta(r: WireReader): { apiVersion: string; kind: string } {
  const out = { apiVersion: '', kind: '' };
  while (!r.eof) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) out.apiVersion = text(r.bytesField());
    else if (field === 2 && wire === WIRE_LEN) out.kind = text(r.bytesField());
    else r.skip(wire);
  }
  return out;
}

export function hasMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

export function readEnvelope(body: Uint8Array): Envelope {
  if (!hasMagic(body)) throw malformed('it does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  const r = new WireReader(body, MAGIC.length);
  let typeMeta = { apiVersion: '', kind: '' };
  let raw: Uint8Array = new Uint8Array(0);
  let rawOffset = body.length;
  let contentEncoding = '';
  let contentType = '';
  while (!r.eof) {
    const at = r.offset;
    const { field, wire } = r.tag();
    if (field >= 1 && field <= 4 && wire !== WIRE_LEN) throw malformed(`runtime.Unknown field ${field} has the wrong wire type`, at);
    switch (field) {
      case 1:
        typeMeta = readTypeMeta(r.subReader());
        break;
      case 2:
        raw = r.bytesField();
        rawOffset = r.offset - raw.length;
        break;
      case 3:
        contentEncoding = text(r.bytesField());
        break;
      case 4:
        contentType = text(r.bytesField());
        break;
      default:
        r.skip(wire);
    }
  }
  if (!typeMeta.kind) throw malformed('the envelope names no kind');
  if (!typeMeta.apiVersion) throw malformed(`the envelope names no apiVersion for kind ${typeMeta.kind}`);
  if (contentEncoding) throw malformed(`content encoding "${contentEncoding}" is not supported`);
  if (contentType !== '' && contentType !== PROTOBUF) throw malformed(`the envelope holds ${contentType}, not ${PROTOBUF}`);
  return { ...typeMeta, raw, rawOffset };
}
