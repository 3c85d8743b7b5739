/**
 * The apimachinery types whose JSON is not an object, with their wire fields (from
 * apimachinery's generated.proto files) and their JSON forms:
 *
 * - meta.v1.Time {1 seconds, 2 nanos} → RFC 3339 in UTC, whole seconds (kube-apiserver drops the
 *   nanos of a Time). An empty message is the zero time → no value (kubectl's JSON says null).
 * - meta.v1.MicroTime → the same with exactly six fractional digits.
 * - intstr.IntOrString {1 type, 2 intVal, 3 strVal} → a JSON number (type 0) or string (type 1).
 * - resource.Quantity {1 string} → the string as sent.
 * - runtime.RawExtension {1 raw}, meta.v1.FieldsV1 {1 Raw} → the JSON the bytes hold.
 *
 * The converters see the fields with zero values kept and bytes as bytes; a value they cannot
 * express (a Time outside years 1–9999, an IntOrString type other than 0/1, raw bytes that are not
 * JSON) is a 400.
 */
import { protoPackage, type MessageDescriptor } from './descriptor.js';
import { malformed } from './wire.js';

const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

function timeOf(fields: Record<string, unknown>, what: string): Date {
  const seconds = Number(fields.seconds ?? 0);
  if (!Number.isSafeInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw malformed(`${what} seconds ${String(fields.seconds)} is outside years 1 to 9999`);
  }
  return new Date(seconds * 1000);
}

function rfc3339(d: Date, fraction: string): string {
  return `${d.toISOString().slice(0, 19)}${fraction}Z`;
}

function jsonOf(raw: unknown, what: string): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw malformed(`${what} does not hold JSON`);
  }
}

export const wellKnownMessages: MessageDescriptor[] = [
  ...protoPackage(
    'meta.v1',
    {
      Time: '1 seconds int64; 2 nanos int32',
      MicroTime: '1 seconds int64; 2 nanos int32',
      FieldsV1: '1 Raw bytes',
    },
    {
      Time: (f, size) => (size === 0 ? undefined : rfc3339(timeOf(f, 'Time'), '')),
      MicroTime: (f, size) => {
        if (size === 0) return undefined;
        const nanos = Number(f.nanos ?? 0);
        if (nanos < 0 || nanos > 999_999_999) throw malformed(`MicroTime nanos ${nanos} is out of range`);
        return rfc3339(timeOf(f, 'MicroTime'), `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}`);
      },
      FieldsV1: (f) => jsonOf(f.Raw, 'FieldsV1'),
    },
  ),
  ...protoPackage(
    'intstr',
    { IntOrString: '1 type int64; 2 intVal int32; 3 strVal string' },
    {
      IntOrString: (f) => {
        const type = Number(f.type ?? 0);
        if (type === 0) return Number(f.intVal ?? 0);
        if (type === 1) return String(f.strVal ?? '');
        throw malformed(`IntOrString type ${type} is neither 0 (int) nor 1 (string)`);
      },
    },
  ),
  ...protoPackage('resource', { Quantity: '1 string string' }, { Quantity: (f) => String(f.string ?? '') }),
  ...protoPackage('runtime', { RawExtension: '1 raw bytes' }, { RawExtension: (f) => jsonOf(f.raw, 'RawExtension') }),
];
