/**
 * kubectl's protobuf request bodies decode to the JSON the same command sends as JSON.
 *
 * The fixtures (test/fixtures/protobuf, re-recorded by capture.mjs there) are real bytes: `<case>.hex`
 * is what kubectl 1.32 sent, `<case>.json` what kubectl 1.31 — whose generators still send JSON —
 * sent for the same command. Malformed bodies of every kind must end in a 400 Status, never in
 * another error or a hang; the descriptors must agree with the kind schemas field by field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StatusError } from '../../shared/api/errors.js';
import { definitions } from '../../shared/api/schema/registry.js';
import type { Schema } from '../../shared/api/schema/dsl.js';
import { decodeKubernetesProtobuf, PROTOBUF_KINDS } from '../../services/api-server/protobuf/kinds.js';
import { MESSAGES } from '../../services/api-server/protobuf/message-table.js';
import { MessageTable, protoPackage, type FieldDescriptor, type MessageDescriptor } from '../../services/api-server/protobuf/descriptor.js';
import { decodeMessage, MAX_DEPTH } from '../../services/api-server/protobuf/decode-message.js';
import { WireReader } from '../../services/api-server/protobuf/wire.js';
import { decodeBody } from '../../services/api-server/body.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/protobuf');

function fixture(name: string): Buffer {
  const text = readFileSync(path.join(FIXTURES, `${name}.hex`), 'utf8');
  return Buffer.from(text.split('\n').filter((l) => l && !l.startsWith('#')).join(''), 'hex');
}

function kubectlJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'), (k, v) => (k === 'creationTimestamp' && v === null ? undefined : v));
}

function decode(body: Uint8Array): { object: Record<string, unknown>; unknown: string[] } {
  const unknown: string[] = [];
  const object = decodeKubernetesProtobuf(body, { onUnknownField: (m, n) => unknown.push(`${m}#${n}`) });
  return { object, unknown };
}

function statusOf(fn: () => unknown): { code: number; reason: string; message: string } | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (err) {
    if (!(err instanceof StatusError)) throw err;
    return { code: err.code, reason: err.reason, message: err.message };
  }
}

// ---- a tiny protobuf writer, to build inputs the captures do not contain ----
function varint(n: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}
const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);
const len = (field: number, payload: number[]): number[] => [...tag(field, 2), ...varint(payload.length), ...payload];
const str = (field: number, s: string): number[] => len(field, [...Buffer.from(s)]);
const int = (field: number, n: bigint | number): number[] => [...tag(field, 0), ...varint(n)];
function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...len(1, [...str(1, apiVersion), ...str(2, kind)]), ...len(2, raw), ...str(3, ''), ...str(4, '')]);
}

const CAPTURED = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.hex'))
  .map((f) => f.slice(0, -4));

describe('protobuf bodies captured from kubectl 1.32', () => {
  it('has a capture for every typed generator kubectl 1.32 runs', () => {
    for (const c of ['namespace', 'configmap-literal', 'secret-generic', 'secret-tls', 'secret-docker-registry', 'serviceaccount', 'service-clusterip', 'service-nodeport', 'service-loadbalancer', 'service-externalname', 'deployment', 'job', 'autoscale']) {
      expect(CAPTURED).toContain(c);
    }
  });

  const served = CAPTURED.filter((c) => c !== 'job' && c !== 'autoscale');
  it.each(served)('%s decodes to exactly the JSON kubectl 1.31 sends, every field known', (name) => {
    const { object, unknown } = decode(fixture(name));
    expect(unknown).toEqual([]);
    expect(object).toEqual(kubectlJson(name));
  });

  it('decodes the namespace body recorded in the research notes', () => {
    const body = Buffer.from('6b3873000a0f0a02763112094e616d65737061636512280a200a10637573746f6d2d6e616d65737061636512001a0022002a0032003800420012001a020a001a002200', 'hex');
    expect(decode(body).object).toEqual({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'custom-namespace' }, spec: {}, status: {} });
  });

  it('keeps an explicit zero of a pointer field (replicas: 0) and drops unset plain fields', () => {
    const spec = decode(fixture('deployment-zero')).object.spec as Record<string, unknown>;
    expect(spec.replicas).toBe(0);
    expect(spec).not.toHaveProperty('minReadySeconds');
    expect(spec).not.toHaveProperty('paused');
    expect(spec.strategy).toEqual({});
  });

  it('turns bytes into base64 and keeps empty map values', () => {
    const cm = decode(fixture('configmap-files')).object;
    expect(cm.binaryData).toEqual({ bin: Buffer.from([0x61, 0xff, 0xfe, 0x00, 0x62]).toString('base64') });
    expect(cm.data).toEqual({ a: 'b', empty: '', 'text.txt': 'hello\n' });
    expect((cm.metadata as Record<string, unknown>).namespace).toBe('custom-namespace');
  });

  it('keeps a map key named __proto__ as data', () => {
    const cm = decode(envelope('v1', 'ConfigMap', len(2, [...str(1, '__proto__'), ...str(2, 'x')]))).object;
    expect(Object.keys(cm.data as object)).toEqual(['__proto__']);
    expect(JSON.stringify(cm.data)).toBe('{"__proto__":"x"}');
  });

  it('decodes IntOrString ports as numbers', () => {
    const spec = decode(fixture('service-nodeport')).object.spec as { ports: Record<string, unknown>[] };
    expect(spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' });
  });

  it('decodes the autoscale HPA except the zero status counters Go prints and protobuf cannot tell from unset', () => {
    const { object, unknown } = decode(fixture('autoscale'));
    expect(unknown).toEqual([]);
    expect(object).toEqual({ ...kubectlJson('autoscale'), status: {} });
  });

  it('answers 415 naming the kind for a kind without descriptors (batch/v1 Job)', () => {
    expect(statusOf(() => decode(fixture('job')))).toMatchObject({ code: 415, reason: 'UnsupportedMediaType', message: expect.stringContaining('Job in batch/v1') });
  });

  it('is what body.ts hands the API once registered', async () => {
    const { registerProtobufDecoder } = await import('../../services/api-server/body.js');
    registerProtobufDecoder((b) => decodeKubernetesProtobuf(b));
    expect(decodeBody(fixture('serviceaccount'), 'application/vnd.kubernetes.protobuf')).toEqual(kubectlJson('serviceaccount'));
  });
});

describe('protobuf scalars and shapes', () => {
  const table = new MessageTable([
    ...MESSAGES.all(),
    ...protoPackage('test', {
      Scalars: '1 i32 int32; 2 i64 int64; 3 s32 sint32; 4 s64 sint64; 5 d double; 6 f float; 7 b bool; 8 u64 uint64; 9 p int32?',
      Lists: '1 nums []int32; 2 words []string; 3 metas []meta.v1.ObjectMeta; 4 meta meta.v1.ObjectMeta',
      Times: '1 t meta.v1.Time; 2 m meta.v1.MicroTime; 3 ios intstr.IntOrString; 4 iosp intstr.IntOrString?; 5 q map<string,resource.Quantity>',
      Nested: '1 next Nested',
    }),
  ]);
  const run = (name: string, bytes: number[]): Record<string, unknown> =>
    decodeMessage({ table }, table.get(`test.${name}`), new WireReader(Uint8Array.from(bytes))) as Record<string, unknown>;

  it('reads negative int32 (ten-byte varints), int64, zig-zag, double, float, bool and uint64', () => {
    const dbl = Buffer.alloc(8);
    dbl.writeDoubleLE(1.5);
    const flt = Buffer.alloc(4);
    flt.writeFloatLE(-2.25);
    const got = run('Scalars', [
      ...int(1, -5), ...int(2, -(2n ** 40n)), ...int(3, 9), ...int(4, 2n ** 34n - 1n),
      ...tag(5, 1), ...dbl, ...tag(6, 5), ...flt, ...int(7, 1), ...int(8, 2n ** 40n),
    ]);
    expect(got).toEqual({ i32: -5, i64: -(2 ** 40), s32: -5, s64: -(2 ** 33), d: 1.5, f: -2.25, b: true, u64: 2 ** 40 });
  });

  it('leaves plain zeros out and keeps pointer zeros', () => {
    expect(run('Scalars', [...int(1, 0), ...int(7, 0), ...int(9, 0)])).toEqual({ p: 0 });
  });

  it('reads packed and unpacked repeated scalars, repeated messages, and merges a message sent twice', () => {
    const got = run('Lists', [
      ...len(1, [...varint(1), ...varint(300)]), ...int(1, 7), ...str(2, 'a'), ...str(2, ''),
      ...len(3, str(1, 'x')), ...len(3, []), ...len(4, str(1, 'first')), ...len(4, str(3, 'ns')),
    ]);
    expect(got).toEqual({ nums: [1, 300, 7], words: ['a', ''], metas: [{ name: 'x' }, {}], meta: { name: 'first', namespace: 'ns' } });
  });

  it('writes Time as RFC 3339 (whole seconds), MicroTime with six digits, an empty Time as nothing', () => {
    const got = run('Times', [...len(1, [...int(1, 1700000000), ...int(2, 999)]), ...len(2, [...int(1, 1700000000), ...int(2, 123456789)])]);
    expect(got).toEqual({ t: '2023-11-14T22:13:20Z', m: '2023-11-14T22:13:20.123456Z' });
    expect(run('Times', len(1, []))).toEqual({});
  });

  it('writes IntOrString as a string or number, keeps a pointer 0, and Quantity maps as strings', () => {
    const got = run('Times', [...len(3, [...int(1, 1), ...str(3, '25%')]), ...len(4, [...int(1, 0), ...int(2, 0)]), ...len(5, [...str(1, 'cpu'), ...len(2, str(1, '100m'))])]);
    expect(got).toEqual({ ios: '25%', iosp: 0, q: { cpu: '100m' } });
    expect(run('Times', len(3, [...int(1, 0), ...int(2, 0)]))).toEqual({});
  });

  it('skips unknown fields of every wire type and reports them', () => {
    const seen: number[] = [];
    const got = decodeMessage({ table, onUnknownField: (_m, n) => seen.push(n) }, table.get('test.Scalars'), new WireReader(Uint8Array.from([
      ...int(20, 5), ...str(21, 'x'), ...tag(22, 1), 0, 0, 0, 0, 0, 0, 0, 0, ...tag(23, 5), 0, 0, 0, 0, ...int(1, 3),
    ])));
    expect(got).toEqual({ i32: 3 });
    expect(seen).toEqual([20, 21, 22, 23]);
  });

  it(`refuses nesting deeper than ${MAX_DEPTH} with 400`, () => {
    let bytes: number[] = [];
    for (let i = 0; i < MAX_DEPTH + 5; i++) bytes = len(1, bytes);
    expect(statusOf(() => run('Nested', bytes))).toMatchObject({ code: 400, message: expect.stringContaining('nested deeper') });
  });
});

describe('malformed protobuf bodies', () => {
  const ns = Array.from(fixture('namespace'));
  const cases: Record<string, Uint8Array> = {
    empty: new Uint8Array(0),
    'JSON sent with the protobuf content type': Buffer.from('{"kind":"Namespace"}'),
    'wrong magic': Uint8Array.from([0x6b, 0x38, 0x73, 0x01, ...ns.slice(4)]),
    'magic only': Uint8Array.from([0x6b, 0x38, 0x73, 0x00]),
    'no kind in the envelope': envelope('v1', '', []),
    'a length of 2^63': Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...tag(2, 2), ...varint(2n ** 63n)]),
    'a length just past the end': Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...tag(2, 2), ...varint(5), 1, 2]),
    'an eleven-byte varint': Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x08, ...Array(10).fill(0xff), 0x01]),
    'a truncated varint': Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x08, 0xff]),
    'field number 0': Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x02, 0x00]),
    'a group wire type': Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...tag(9, 3)]),
    'a content encoding': Uint8Array.from([...envelope('v1', 'Namespace', []), ...str(3, 'gzip')]),
    'metadata sent as a varint': envelope('v1', 'Namespace', int(1, 5)),
    'a name sent as fixed32': envelope('v1', 'Namespace', len(1, [...tag(1, 5), 1, 2, 3, 4])),
    'a Time outside years 1–9999': envelope('v1', 'Namespace', len(1, len(8, int(1, 2n ** 62n)))),
    'an IntOrString of type 7': envelope('v1', 'Service', len(2, len(1, len(4, int(1, 7))))),
    'a map entry cut short': envelope('v1', 'ConfigMap', [...tag(2, 2), 3, ...tag(1, 2), 9]),
  };

  it.each(Object.entries(cases))('%s → 400 BadRequest', (_name, body) => {
    expect(statusOf(() => decodeKubernetesProtobuf(body))).toMatchObject({ code: 400, reason: 'BadRequest', message: expect.stringContaining('protobuf') });
  });

  it('every truncation of a real Deployment body is a 400 or a complete decode, never another error', () => {
    const body = fixture('deployment');
    for (let n = 0; n < body.length; n++) {
      const r = statusOf(() => decodeKubernetesProtobuf(body.subarray(0, n)));
      if (r !== 'no error') expect(r.code, `prefix ${n}`).toBe(400);
    }
  });

  it('random corruption of real bodies ends in a Status (400/415) or an object, quickly', () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const bodies = ['deployment-multi', 'secret-docker-registry', 'service-loadbalancer'].map(fixture);
    const started = performance.now();
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(bodies[i % bodies.length]);
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) b[4 + Math.floor(rand() * (b.length - 4))] = Math.floor(rand() * 256);
      const r = statusOf(() => decodeKubernetesProtobuf(b));
      if (r !== 'no error') expect([400, 415]).toContain(r.code);
    }
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('protobuf descriptors against the kind schemas', () => {
  const SCHEMA_PREFIX: Record<string, string> = { 'core.v1': 'io.k8s.api.core.v1.', 'apps.v1': 'io.k8s.api.apps.v1.', 'autoscaling.v1': 'io.k8s.api.autoscaling.v1.', 'policy.v1': 'io.k8s.api.policy.v1.', 'meta.v1': 'io.k8s.apimachinery.pkg.apis.meta.v1.' };
  const schemaName = (message: string): string | undefined => {
    const i = message.lastIndexOf('.');
    const prefix = SCHEMA_PREFIX[message.slice(0, i)];
    return prefix && prefix + message.slice(i + 1);
  };
  const WELL_KNOWN: Record<string, (s: Schema) => boolean> = {
    'meta.v1.Time': (s) => s.type === 'date-time' && !s.micro,
    'meta.v1.MicroTime': (s) => s.type === 'date-time' && s.micro,
    'intstr.IntOrString': (s) => s.type === 'int-or-string',
    'resource.Quantity': (s) => s.type === 'quantity',
    'runtime.RawExtension': (s) => s.type === 'free-form',
    'meta.v1.FieldsV1': (s) => s.type === 'free-form',
  };

  /** The reasons a field's type does not fit its schema, '' when it fits. */
  function misfit(f: FieldDescriptor, s: Schema, item = false): string {
    if (f.repeated && !item) {
      if (f.map) return s.type === 'map' ? misfit(f, s.values, true) : `map on the wire, ${s.type} in the schema`;
      return s.type === 'list' ? misfit(f, s.items, true) : `repeated on the wire, ${s.type} in the schema`;
    }
    const v = f.value;
    if (v.kind === 'message') {
      if (WELL_KNOWN[v.type]) return WELL_KNOWN[v.type](s) ? '' : `${v.type} vs ${s.type}`;
      return s.type === 'ref' && s.name === schemaName(v.type) ? '' : `${v.type} vs ${s.type === 'ref' ? s.name : s.type}`;
    }
    const ok: Record<string, boolean> = {
      string: s.type === 'string' && s.format !== 'byte',
      bytes: s.type === 'string' && s.format === 'byte',
      bool: s.type === 'boolean',
      int32: s.type === 'integer' && s.format === 'int32',
      int64: s.type === 'integer' && s.format === 'int64',
      double: s.type === 'number',
    };
    return ok[v.type] ? '' : `${v.type} vs ${s.type}${'format' in s && s.format ? `/${s.format}` : ''}`;
  }

  /** JSON fields of a message with inline messages flattened in. */
  function jsonFields(m: MessageDescriptor): FieldDescriptor[] {
    return m.fields.flatMap((f) => (f.inline ? jsonFields(MESSAGES.get(f.value.type)) : [f]));
  }

  const described = MESSAGES.all().filter((m) => !m.toJson && definitions.has(schemaName(m.name) ?? ''));

  it('describes a schema definition for every message that is not inline-only or well-known', () => {
    const inlineOnly = new Set(MESSAGES.all().flatMap((m) => m.fields.filter((f) => f.inline).map((f) => f.value.type)));
    const orphans = MESSAGES.all().filter((m) => !m.toJson && !described.includes(m) && !inlineOnly.has(m.name));
    expect(orphans.map((m) => m.name)).toEqual([]);
  });

  it('gives every wire field a schema property of the same name and a matching type', () => {
    const problems: string[] = [];
    for (const m of described) {
      const def = definitions.get(schemaName(m.name)!)!;
      for (const f of jsonFields(m)) {
        const s = def.properties[f.name];
        if (!s) problems.push(`${m.name}.${f.name}: not in ${def.name}`);
        else if (misfit(f, s)) problems.push(`${m.name}.${f.name}: ${misfit(f, s)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every schema property of a described message a wire field (apiVersion/kind travel in the envelope)', () => {
    const missing: string[] = [];
    for (const m of described) {
      const def = definitions.get(schemaName(m.name)!)!;
      const names = new Set(jsonFields(m).map((f) => f.name));
      for (const p of Object.keys(def.properties)) if (!names.has(p) && p !== 'apiVersion' && p !== 'kind') missing.push(`${m.name}.${p}`);
    }
    expect(missing).toEqual([]);
  });

  it('maps every kind in the table to its root message and a schema root of the same kind', () => {
    for (const [key, root] of Object.entries(PROTOBUF_KINDS)) {
      const kind = key.slice(key.lastIndexOf('/') + 1);
      expect(root.endsWith(`.${kind}`), key).toBe(true);
      const def = definitions.get(schemaName(root)!);
      expect(def?.gvk.some((g) => g.kind === kind && `${g.group ? `${g.group}/` : ''}${g.version}/${kind}` === key), key).toBe(true);
    }
  });
});
