/**
 * The schema language: one plain-data description per API type, from which the decoder check,
 * pruning, merge-key lookups and (later) OpenAPI v3, `kubectl explain` and strategic merge patch
 * are all derived. Nothing here knows a kind; the definitions live beside this file.
 *
 * Shape rules:
 * - Every object is a *named* definition (`obj`) under the real Kubernetes definition name
 *   (`io.k8s.api.core.v1.PodSpec`), reached from fields through `ref`. There are no anonymous
 *   nested objects, exactly as in kube-apiserver's OpenAPI, so kubectl shows the same type names.
 * - Scalars carry what the Go decoder needs to reproduce its errors: integer width, whether a
 *   string is base64 (`[]byte`), time precision, the Go type name of named maps.
 * - `intOrString`, `quantity`, `dateTime` and `preserveUnknown` stand for the apimachinery types
 *   (IntOrString, Quantity, Time/MicroTime, FieldsV1/RawExtension) that OpenAPI shows as named
 *   definitions with a custom format.
 * - Descriptions are ours. Item and value schemas of lists and maps may leave theirs empty; every
 *   property of a definition must have one (a test holds us to it).
 *
 * Types and tiny constructors only; imports nothing.
 */

export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
export type ListType = 'atomic' | 'map' | 'set';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

interface Described {
  description: string;
}

export interface StringSchema extends Described {
  type: 'string';
  enum?: readonly string[];
  /** `byte`: base64 text decoded into []byte; others are informational (OpenAPI `format`). */
  format?: string;
}

export interface IntegerSchema extends Described {
  type: 'integer';
  format: 'int32' | 'int64';
}

export interface NumberSchema extends Described {
  type: 'number';
  format: 'double';
}

export interface BooleanSchema extends Described {
  type: 'boolean';
}

/** intstr.IntOrString: a JSON string or a JSON integer (int32). */
export interface IntOrStringSchema extends Described {
  type: 'int-or-string';
}

/** resource.Quantity: a string such as `100m` / `1Gi`, or a plain JSON number. */
export interface QuantitySchema extends Described {
  type: 'quantity';
}

/** metav1.Time (RFC 3339, second precision) or metav1.MicroTime (exactly six fractional digits). */
export interface DateTimeSchema extends Described {
  type: 'date-time';
  micro: boolean;
}

export interface MapSchema extends Described {
  type: 'map';
  values: Schema;
  /** The Go type when it is a named map (`v1.ResourceList`); otherwise derived. */
  goType?: string;
  /** `atomic` maps (selectors) are replaced whole by merges. */
  mapType?: 'atomic' | 'granular';
}

export interface ListSchema extends Described {
  type: 'list';
  items: Schema;
  mergeKey?: string;
  patchStrategy?: PatchStrategy;
  listType?: ListType;
  listMapKeys?: readonly string[];
}

export interface RefSchema extends Described {
  type: 'ref';
  name: string;
  /** Only `retainKeys` is meaningful on a single object (DeploymentSpec.strategy). */
  patchStrategy?: PatchStrategy;
}

/** Free-form JSON kept as given (FieldsV1, RawExtension); never pruned, never type-checked. */
export interface FreeFormSchema extends Described {
  type: 'free-form';
  /** The apimachinery definition it stands for, for OpenAPI. */
  of: 'FieldsV1' | 'RawExtension';
}

export type Schema =
  | StringSchema
  | IntegerSchema
  | NumberSchema
  | BooleanSchema
  | IntOrStringSchema
  | QuantitySchema
  | DateTimeSchema
  | MapSchema
  | ListSchema
  | RefSchema
  | FreeFormSchema;

/** A named object definition. `gvk` is set on the root of a kind (what kubectl looks up). */
export interface ObjectDef {
  name: string;
  description: string;
  properties: Readonly<Record<string, Schema>>;
  required: readonly string[];
  gvk: readonly GroupVersionKind[];
}

// ---- constructors ----

export function string(description = '', opts: { enum?: readonly string[]; format?: string } = {}): StringSchema {
  const s: StringSchema = { type: 'string', description };
  if (opts.enum) s.enum = opts.enum;
  if (opts.format) s.format = opts.format;
  return s;
}

/** Base64 text that decodes to bytes (Go `[]byte`), e.g. Secret data. */
export function bytes(description = ''): StringSchema {
  return string(description, { format: 'byte' });
}

export function int(description = '', format: 'int32' | 'int64' = 'int32'): IntegerSchema {
  return { type: 'integer', format, description };
}

export function int64(description = ''): IntegerSchema {
  return int(description, 'int64');
}

export function num(description = ''): NumberSchema {
  return { type: 'number', format: 'double', description };
}

export function bool(description = ''): BooleanSchema {
  return { type: 'boolean', description };
}

export function intOrString(description = ''): IntOrStringSchema {
  return { type: 'int-or-string', description };
}

export function quantity(description = ''): QuantitySchema {
  return { type: 'quantity', description };
}

export function dateTime(description = '', opts: { micro?: boolean } = {}): DateTimeSchema {
  return { type: 'date-time', micro: opts.micro ?? false, description };
}

export function map(values: Schema, description = '', opts: { goType?: string; mapType?: 'atomic' | 'granular' } = {}): MapSchema {
  const s: MapSchema = { type: 'map', values, description };
  if (opts.goType) s.goType = opts.goType;
  if (opts.mapType) s.mapType = opts.mapType;
  return s;
}

export interface ListSchemaOptions {
  mergeKey?: string;
  patchStrategy?: PatchStrategy;
  listType?: ListType;
  listMapKeys?: readonly string[];
}

export function list(items: Schema, description = '', opts: ListSchemaOptions = {}): ListSchema {
  const s: ListSchema = { type: 'list', items, description };
  if (opts.mergeKey) s.mergeKey = opts.mergeKey;
  if (opts.patchStrategy) s.patchStrategy = opts.patchStrategy;
  if (opts.listType) s.listType = opts.listType;
  if (opts.listMapKeys) s.listMapKeys = opts.listMapKeys;
  return s;
}

/** A list merged by key: `patchStrategy: merge`, `listType: map` (the common Kubernetes shape). */
export function keyedList(items: Schema, description: string, mergeKey: string, mapKeys: readonly string[] = [mergeKey]): ListSchema {
  return list(items, description, { mergeKey, patchStrategy: 'merge', listType: 'map', listMapKeys: mapKeys });
}

/** A list replaced whole by merges. */
export function atomicList(items: Schema, description = ''): ListSchema {
  return list(items, description, { listType: 'atomic' });
}

export function ref(name: string, description = '', opts: { patchStrategy?: PatchStrategy } = {}): RefSchema {
  const s: RefSchema = { type: 'ref', name, description };
  if (opts.patchStrategy) s.patchStrategy = opts.patchStrategy;
  return s;
}

export function preserveUnknown(description = '', of: FreeFormSchema['of'] = 'RawExtension'): FreeFormSchema {
  return { type: 'free-form', of, description };
}

export function obj(
  name: string,
  description: string,
  properties: Record<string, Schema>,
  opts: { required?: readonly string[]; gvk?: GroupVersionKind | readonly GroupVersionKind[] } = {},
): ObjectDef {
  const gvk = opts.gvk === undefined ? [] : Array.isArray(opts.gvk) ? opts.gvk : [opts.gvk as GroupVersionKind];
  return { name, description, properties, required: opts.required ?? [], gvk };
}

/** The root of a kind: `apiVersion`, `kind` and `metadata` first, then the kind's own fields. */
export function kindObj(
  name: string,
  description: string,
  gvk: GroupVersionKind,
  properties: Record<string, Schema>,
  opts: { required?: readonly string[]; metadata?: Schema } = {},
): ObjectDef {
  return obj(
    name,
    description,
    {
      apiVersion: string(API_VERSION_DESC),
      kind: string(KIND_DESC),
      metadata: opts.metadata ?? ref(OBJECT_META, "Standard object metadata: name, namespace, labels, annotations, owners and the server's bookkeeping."),
      ...properties,
    },
    { required: opts.required, gvk },
  );
}

export const API_VERSION_DESC =
  'The versioned schema of this representation (group/version, or just the version for the core group). Servers convert recognised versions to their own and refuse unknown ones.';
export const KIND_DESC = 'The REST resource type this object represents, in CamelCase. Inferred from the endpoint when omitted; cannot be changed.';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const OBJECT_META = `${META}ObjectMeta`;
export const LIST_META = `${META}ListMeta`;
export const LABEL_SELECTOR = `${META}LabelSelector`;
export const CORE = 'io.k8s.api.core.v1.';
export const APPS = 'io.k8s.api.apps.v1.';

export function gvk(group: string, version: string, kind: string): GroupVersionKind {
  return { group, version, kind };
}
