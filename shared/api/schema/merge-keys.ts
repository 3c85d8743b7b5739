/**
 * The schema lookups strategic merge patch needs: for a root kind and a path of field names,
 * what is there — a struct, a map, a list (with its merge key, patch strategy, list type and item
 * schema) or a scalar. Lists are stepped through implicitly: `['spec', 'containers', 'ports']`
 * names the ports list of every container. A map step consumes one key: `['metadata', 'labels',
 * 'app']` is the value of the `app` label.
 *
 * Only the lookup lives here; the patch algorithm belongs to the api-server. An unknown path
 * answers undefined (SMP then treats the value as opaque and replaces it), never throws.
 *
 * Imports only ./registry and ./dsl.
 */
import { definitions } from './registry.js';
import type { ListType, ObjectDef, PatchStrategy, Schema } from './dsl.js';

export type FieldShape = 'object' | 'map' | 'list' | 'primitive' | 'free-form';

export interface ListPatchInfo {
  /** The field identifying items when merging (`name`, `containerPort`, `mountPath`, …). */
  mergeKey?: string;
  patchStrategy?: PatchStrategy;
  /** `atomic` lists are replaced whole; `undefined` when Kubernetes declares none. */
  listType?: ListType;
  listMapKeys?: readonly string[];
  /** The schema of one item. */
  items: Schema;
  /** The item definition when items are objects. */
  itemDefinition?: ObjectDef;
}

/** Where a path lands: the schema of the field, and the definition when it is an object. */
interface Landing {
  schema?: Schema;
  definition?: ObjectDef;
}

function resolve(name: string, defs: ReadonlyMap<string, ObjectDef>): ObjectDef | undefined {
  return defs.get(name);
}

/** Descends through lists to the schema a field name applies to. */
function throughLists(s: Schema): Schema {
  let cur = s;
  while (cur.type === 'list') cur = cur.items;
  return cur;
}

function walk(root: ObjectDef, path: readonly string[], defs: ReadonlyMap<string, ObjectDef>): Landing | undefined {
  let def: ObjectDef | undefined = root;
  let schema: Schema | undefined;
  for (const step of path) {
    if (def) {
      schema = def.properties[step];
      if (!schema) return undefined;
    } else if (schema) {
      const inner = throughLists(schema);
      if (inner.type !== 'map') return undefined;
      schema = inner.values;
    } else {
      return undefined;
    }
    const target = throughLists(schema);
    def = target.type === 'ref' ? resolve(target.name, defs) : undefined;
    if (target.type === 'ref' && !def) return undefined;
  }
  return schema ? { schema, definition: def } : { definition: root };
}

/** The schema of the field at `path` (undefined for the root itself or an unknown path). */
export function fieldSchema(root: ObjectDef, path: readonly string[], defs: ReadonlyMap<string, ObjectDef> = definitions): Schema | undefined {
  return walk(root, path, defs)?.schema;
}

/** The object definition at `path` (stepping through lists), or undefined when it is not a struct. */
export function definitionAt(root: ObjectDef, path: readonly string[], defs: ReadonlyMap<string, ObjectDef> = definitions): ObjectDef | undefined {
  return walk(root, path, defs)?.definition;
}

/** What kind of value lives at `path`; the root is an object. */
export function shapeAt(root: ObjectDef, path: readonly string[], defs: ReadonlyMap<string, ObjectDef> = definitions): FieldShape | undefined {
  const landing = walk(root, path, defs);
  if (!landing) return undefined;
  if (!landing.schema) return 'object';
  switch (landing.schema.type) {
    case 'ref':
      return 'object';
    case 'map':
      return 'map';
    case 'list':
      return 'list';
    case 'free-form':
      return 'free-form';
    default:
      return 'primitive';
  }
}

/** The merge facts of the list at `path`, or undefined when the field is not a list. */
export function listInfo(root: ObjectDef, path: readonly string[], defs: ReadonlyMap<string, ObjectDef> = definitions): ListPatchInfo | undefined {
  const s = fieldSchema(root, path, defs);
  if (!s || s.type !== 'list') return undefined;
  const info: ListPatchInfo = { items: s.items };
  if (s.mergeKey) info.mergeKey = s.mergeKey;
  if (s.patchStrategy) info.patchStrategy = s.patchStrategy;
  if (s.listType) info.listType = s.listType;
  if (s.listMapKeys) info.listMapKeys = s.listMapKeys;
  if (s.items.type === 'ref') {
    const d = resolve(s.items.name, defs);
    if (d) info.itemDefinition = d;
  }
  return info;
}

/** The patch strategy declared on the field at `path` (lists, and `retainKeys` structs). */
export function patchStrategyAt(root: ObjectDef, path: readonly string[], defs: ReadonlyMap<string, ObjectDef> = definitions): PatchStrategy | undefined {
  const s = fieldSchema(root, path, defs);
  if (!s) return undefined;
  return s.type === 'list' || s.type === 'ref' ? s.patchStrategy : undefined;
}

/** True for string-keyed maps (labels, annotations, selectors, resource lists). */
export function isMap(root: ObjectDef, path: readonly string[], defs: ReadonlyMap<string, ObjectDef> = definitions): boolean {
  return shapeAt(root, path, defs) === 'map';
}

/** True for lists of scalars (args, command, finalizers), which SMP merges by value. */
export function isPrimitiveList(root: ObjectDef, path: readonly string[], defs: ReadonlyMap<string, ObjectDef> = definitions): boolean {
  const s = fieldSchema(root, path, defs);
  if (!s || s.type !== 'list') return false;
  return !['ref', 'list', 'map', 'free-form'].includes(s.items.type);
}
