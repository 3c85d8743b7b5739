/**
 * Protobuf message descriptors as data, written the way k8s.io/api's `generated.proto` files read:
 * one line per field, `<number> <jsonName> <type>`, in the order of the Go struct (which is the
 * order of the JSON kubectl would have sent). Types:
 *
 *   string bytes bool int32 int64 uint32 uint64 sint32 sint64 double float   scalars
 *   Name | pkg.v1.Name                 a message (unqualified = same package)
 *   []T                                repeated (scalars may arrive packed or not)
 *   map<string,T>                      a proto map (repeated key/value entries)
 *   T?                                 a Go pointer: a zero value on the wire is a value ("replicas: 0"),
 *                                      where for plain fields it means "unset" and is left out
 *   … inline                           Go `json:",inline"`: the message's fields belong to the parent
 *
 * `MessageTable` resolves every message name once, at start, and refuses a table with an unknown
 * type, a duplicate field number or name, or a malformed line — a programming error, so it throws
 * a plain Error (a test builds the table).
 */

export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'sint32' | 'sint64' | 'double' | 'float';

const SCALARS = new Set<string>(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'double', 'float']);

export type ValueType = { kind: 'scalar'; type: ScalarType } | { kind: 'message'; type: string };

export interface FieldDescriptor {
  number: number;
  /** The JSON field name (for inline fields, only the proto name: their fields go to the parent). */
  name: string;
  value: ValueType;
  repeated: boolean;
  /** Set for `map<string,T>`: entries of key (1) and `value` (2). */
  map: boolean;
  pointer: boolean;
  inline: boolean;
}

/**
 * JSON of a message whose JSON is not an object (Time, IntOrString, Quantity, …), made from its
 * fields decoded with zero values kept; `size` is the encoded length (an empty Time is "unset").
 * Returns undefined for "no value".
 */
export type ToJson = (fields: Record<string, unknown>, size: number) => unknown;

export interface MessageDescriptor {
  name: string;
  fields: readonly FieldDescriptor[];
  byNumber: ReadonlyMap<number, FieldDescriptor>;
  toJson?: ToJson;
}

const LINE = /^(\d+)\s+([A-Za-z_][A-Za-z0-9_]*)\s+(\S+)(\s+inline)?$/;

function parseValue(text: string, pkg: string): ValueType {
  if (SCALARS.has(text)) return { kind: 'scalar', type: text as ScalarType };
  if (!/^[A-Za-z_][\w.]*$/.test(text)) throw new Error(`bad type "${text}"`);
  return { kind: 'message', type: text.includes('.') ? text : `${pkg}.${text}` };
}

function parseField(line: string, pkg: string): FieldDescriptor {
  const m = LINE.exec(line);
  if (!m) throw new Error(`bad field line "${line}"`);
  let type = m[3];
  const repeated = type.startsWith('[]');
  if (repeated) type = type.slice(2);
  const pointer = type.endsWith('?');
  if (pointer) type = type.slice(0, -1);
  const mapMatch = /^map<string,(.+)>$/.exec(type);
  return {
    number: Number(m[1]),
    name: m[2],
    value: parseValue(mapMatch ? mapMatch[1] : type, pkg),
    repeated: repeated || mapMatch !== null,
    map: mapMatch !== null,
    pointer,
    inline: m[4] !== undefined,
  };
}

/** Messages of one proto package (`core.v1`, `meta.v1`, …) from their field lines. */
export function protoPackage(pkg: string, messages: Record<string, string>, toJson: Record<string, ToJson> = {}): MessageDescriptor[] {
  return Object.entries(messages).map(([name, body]) => {
    const full = `${pkg}.${name}`;
    const lines = body
      .split(/[\n;]/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    let fields: FieldDescriptor[];
    try {
      fields = lines.map((l) => parseField(l, pkg));
    } catch (err) {
      throw new Error(`protobuf message ${full}: ${(err as Error).message}`);
    }
    const byNumber = new Map<number, FieldDescriptor>();
    const names = new Set<string>();
    for (const f of fields) {
      if (byNumber.has(f.number)) throw new Error(`protobuf message ${full}: field number ${f.number} twice`);
      if (names.has(f.name)) throw new Error(`protobuf message ${full}: field ${f.name} twice`);
      if (f.inline && (f.value.kind !== 'message' || f.repeated)) throw new Error(`protobuf message ${full}: only a single message can be inline (${f.name})`);
      byNumber.set(f.number, f);
      names.add(f.name);
    }
    const d: MessageDescriptor = { name: full, fields, byNumber };
    if (toJson[name]) d.toJson = toJson[name];
    return d;
  });
}

export class MessageTable {
  private readonly byName = new Map<string, MessageDescriptor>();

  constructor(messages: readonly MessageDescriptor[]) {
    for (const m of messages) {
      if (this.byName.has(m.name)) throw new Error(`protobuf message ${m.name} is described twice`);
      this.byName.set(m.name, m);
    }
    for (const m of messages) {
      for (const f of m.fields) {
        if (f.value.kind === 'message' && !this.byName.has(f.value.type)) {
          throw new Error(`protobuf message ${m.name}.${f.name}: unknown message ${f.value.type}`);
        }
      }
    }
  }

  get(name: string): MessageDescriptor {
    const m = this.byName.get(name);
    if (!m) throw new Error(`unknown protobuf message ${name}`);
    return m;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  all(): MessageDescriptor[] {
    return [...this.byName.values()];
  }
}
