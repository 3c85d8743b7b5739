/**
 * How kubectl reads our OpenAPI v3 documents, restated for tests (behaviour learned from kubectl's
 * explain template and apimachinery's PatchMetaFromOpenAPIV3, not their code):
 *
 * - `typeGuess`: the type `kubectl explain` prints in angle brackets;
 * - `resolve`: one step through `allOf[0]`, then one `$ref`, as strategic merge patch does;
 * - `unknownFields`: every field path of an object that a patch computed from the schema could
 *   not find (`unable to find api field "x"` in kubectl apply).
 */
type Json = any;

const PREFIX = '#/components/schemas/';

export function resolveRef(ref: string | undefined, doc: Json): Json | undefined {
  if (!ref || !ref.startsWith(PREFIX)) return undefined;
  return doc.components?.schemas?.[ref.slice(PREFIX.length)];
}

export function typeGuess(s: Json, doc: Json): string {
  if (s.items) return `[]${typeGuess(s.items, doc)}`;
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return `map[string]${typeGuess(s.additionalProperties, doc)}`;
  if (s.allOf && !s.properties && s.allOf.length === 1) return typeGuess(s.allOf[0], doc);
  if (s.$ref) {
    const target = resolveRef(s.$ref, doc);
    if (!target || !target.type || target.type === 'object') return s.$ref.split('/').pop().split('.').pop() || 'Object';
    return target.type;
  }
  return s.type === 'object' ? 'Object' : s.type || 'Object';
}

/** The schema a property leads to after SMP's resolution step; throws on a dangling reference. */
export function resolve(s: Json, doc: Json): Json {
  let cur = s.allOf?.length ? s.allOf[0] : s;
  if (cur.$ref) {
    const target = resolveRef(cur.$ref, doc);
    if (!target) throw new Error(`unable to resolve ${cur.$ref}`);
    cur = target;
  }
  return cur;
}

/** Field paths of `value` that the schema does not know. */
export function unknownFields(schema: Json, value: Json, doc: Json, path = ''): string[] {
  const s = resolve(schema, doc);
  if (Array.isArray(value)) {
    if (!s.items) return [path];
    return value.flatMap((v, i) => unknownFields(s.items, v, doc, `${path}[${i}]`));
  }
  if (value === null || typeof value !== 'object') return [];
  if (s['x-kubernetes-preserve-unknown-fields']) return [];
  if (s.properties) {
    return Object.entries(value).flatMap(([k, v]) => {
      const p = s.properties[k];
      const here = path ? `${path}.${k}` : k;
      return p ? unknownFields(p, v, doc, here) : [here];
    });
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    return Object.entries(value).flatMap(([k, v]) => unknownFields(s.additionalProperties, v, doc, `${path}.${k}`));
  }
  return [path];
}

/** The definition carrying `gvk` in its `x-kubernetes-group-version-kind` array, as explain and apply find it. */
export function definitionForKind(doc: Json, gvk: { group: string; version: string; kind: string }): Json | undefined {
  return Object.values<Json>(doc.components.schemas).find((d) =>
    (d['x-kubernetes-group-version-kind'] ?? []).some((g: Json) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind),
  );
}
