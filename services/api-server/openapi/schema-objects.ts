/**
 * Our schema DSL (shared/api/schema) rendered as OpenAPI 3.0 schema objects, in the shape
 * kube-apiserver publishes under `components.schemas`, because kubectl reads that shape literally:
 *
 * - `explain` names a field's type after the last dot of the definition a `$ref` points at when the
 *   target is an object (`<PodSpec>`, `<[]Container>`), shows the target's `type` when it is a
 *   scalar (`<string>` for Time), and the definition name when it has no `type` at all — which is
 *   why IntOrString and Quantity are published as `oneOf` unions (`<IntOrString>`, `<Quantity>`).
 * - client-side `apply` builds its strategic merge patch from the same schemas: it reads
 *   `x-kubernetes-patch-merge-key` / `-patch-strategy` on the property itself, then follows one
 *   `allOf[0]` or `$ref`, so a described reference is `{allOf: [{$ref}], description, …}` (OpenAPI
 *   3.0 ignores siblings of a bare `$ref`), while list items and map values are bare `{$ref}`s.
 *
 * Every definition name stays the Kubernetes one, so references are `#/components/schemas/<name>`.
 * Pure: never copies a schema, only translates the DSL; imports only shared/api.
 */
import type { ObjectDef, Schema } from '../../../shared/api/schema/dsl.js';
import { SCALAR_DEFINITIONS } from '../../../shared/api/schema/meta.js';

export interface OpenApiSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  enum?: readonly string[];
  $ref?: string;
  [extension: `x-kubernetes-${string}`]: unknown;
}

export const SCHEMA_REF_PREFIX = '#/components/schemas/';

export function refTo(name: string): string {
  return SCHEMA_REF_PREFIX + name;
}

/** The definition name a `#/components/schemas/…` reference points at, or undefined for other refs. */
export function refName(ref: string): string | undefined {
  return ref.startsWith(SCHEMA_REF_PREFIX) ? ref.slice(SCHEMA_REF_PREFIX.length) : undefined;
}

/** The named definition the DSL's scalar-like types stand for, when they stand for one. */
function namedScalar(s: Schema): string | undefined {
  switch (s.type) {
    case 'int-or-string':
      return SCALAR_DEFINITIONS.intOrString.name;
    case 'quantity':
      return SCALAR_DEFINITIONS.quantity.name;
    case 'date-time':
      return s.micro ? SCALAR_DEFINITIONS.microTime.name : SCALAR_DEFINITIONS.time.name;
    case 'free-form':
      return s.of === 'FieldsV1' ? SCALAR_DEFINITIONS.fieldsV1.name : SCALAR_DEFINITIONS.rawExtension.name;
    case 'ref':
      return s.name;
    default:
      return undefined;
  }
}

/** A reference; wrapped in `allOf` only when it carries a description or extensions. */
function reference(name: string, description: string, extensions: Record<string, unknown> = {}): OpenApiSchema {
  if (!description && Object.keys(extensions).length === 0) return { $ref: refTo(name) };
  const out: OpenApiSchema = { allOf: [{ $ref: refTo(name) }] };
  if (description) out.description = description;
  return Object.assign(out, extensions);
}

function described<T extends OpenApiSchema>(s: T, description: string): T {
  if (description) s.description = description;
  return s;
}

/** One property (or list item, or map value) of a definition. */
export function toOpenApiSchema(s: Schema): OpenApiSchema {
  switch (s.type) {
    case 'string': {
      const out: OpenApiSchema = { type: 'string' };
      if (s.format) out.format = s.format;
      if (s.enum) out.enum = [...s.enum];
      return described(out, s.description);
    }
    case 'integer':
      return described({ type: 'integer', format: s.format }, s.description);
    case 'number':
      return described({ type: 'number', format: s.format }, s.description);
    case 'boolean':
      return described({ type: 'boolean' }, s.description);
    case 'map': {
      const out: OpenApiSchema = described({ type: 'object', additionalProperties: toOpenApiSchema(s.values) }, s.description);
      if (s.mapType) out['x-kubernetes-map-type'] = s.mapType;
      return out;
    }
    case 'list': {
      const out: OpenApiSchema = described({ type: 'array', items: toOpenApiSchema(s.items) }, s.description);
      if (s.listType) out['x-kubernetes-list-type'] = s.listType;
      if (s.listMapKeys) out['x-kubernetes-list-map-keys'] = [...s.listMapKeys];
      if (s.mergeKey) out['x-kubernetes-patch-merge-key'] = s.mergeKey;
      if (s.patchStrategy) out['x-kubernetes-patch-strategy'] = s.patchStrategy;
      return out;
    }
    case 'ref':
      return reference(s.name, s.description, s.patchStrategy ? { 'x-kubernetes-patch-strategy': s.patchStrategy } : {});
    case 'int-or-string':
    case 'quantity':
    case 'date-time':
    case 'free-form':
      return reference(namedScalar(s)!, s.description);
  }
}

/** A named object definition, with the GVK list kubectl's explain and apply look kinds up by. */
export function toOpenApiDefinition(def: ObjectDef): OpenApiSchema {
  const properties: Record<string, OpenApiSchema> = {};
  for (const [field, s] of Object.entries(def.properties)) properties[field] = toOpenApiSchema(s);
  const out: OpenApiSchema = { type: 'object', description: def.description, properties };
  if (def.required.length > 0) out.required = [...def.required];
  if (def.gvk.length > 0) out['x-kubernetes-group-version-kind'] = def.gvk.map((g) => ({ group: g.group, version: g.version, kind: g.kind }));
  return out;
}

/**
 * The apimachinery types the DSL treats as scalars, as named definitions. IntOrString and
 * Quantity are unions without a `type`, as kube-apiserver's v3 documents have them; the
 * free-form ones keep whatever they are given.
 */
export function scalarDefinitions(): Map<string, OpenApiSchema> {
  const d = SCALAR_DEFINITIONS;
  return new Map<string, OpenApiSchema>([
    [d.time.name, { type: 'string', format: 'date-time', description: d.time.description }],
    [d.microTime.name, { type: 'string', format: 'date-time', description: d.microTime.description }],
    [d.quantity.name, { oneOf: [{ type: 'string' }, { type: 'number' }], description: d.quantity.description }],
    [
      d.intOrString.name,
      { oneOf: [{ type: 'integer' }, { type: 'string' }], format: 'int-or-string', description: d.intOrString.description, 'x-kubernetes-int-or-string': true },
    ],
    [d.fieldsV1.name, { type: 'object', description: d.fieldsV1.description, 'x-kubernetes-preserve-unknown-fields': true }],
    [d.rawExtension.name, { type: 'object', description: d.rawExtension.description, 'x-kubernetes-preserve-unknown-fields': true }],
  ]);
}

function collectRefs(s: OpenApiSchema | boolean | undefined, into: Set<string>): void {
  if (!s || typeof s !== 'object') return;
  const name = s.$ref ? refName(s.$ref) : undefined;
  if (name) into.add(name);
  for (const p of Object.values(s.properties ?? {})) collectRefs(p, into);
  collectRefs(s.items, into);
  collectRefs(s.additionalProperties, into);
  for (const sub of [...(s.allOf ?? []), ...(s.oneOf ?? [])]) collectRefs(sub, into);
}

/** The definition names a schema refers to, directly or through its nested schemas. */
export function referencedNames(s: OpenApiSchema): Set<string> {
  const out = new Set<string>();
  collectRefs(s, out);
  return out;
}
