/**
 * Strategic merge patch (`application/strategic-merge-patch+json`): what `kubectl apply`, `edit`,
 * `set image`, `patch` (default type), `cordon` and `taint` send. Behaviour follows
 * apimachinery's strategicpatch as kube-apiserver runs it, driven by the kind's schema
 * (shared/api/schema/merge-keys.ts):
 *
 * - objects and maps merge key by key, recursively; `null` deletes a key (a `null` for a key the
 *   original lacks is dropped, never stored);
 * - a list whose patch strategy includes `merge` merges: lists of objects item by item on the
 *   merge key (`containers` by `name`, `ports` by `containerPort`, `volumeMounts` by
 *   `mountPath`, …; a patch item without the key is a 400), lists of scalars as a union
 *   (`finalizers`); every other list (no strategy: `tolerations`, `args`, …) is replaced whole.
 *   The patch strategy alone decides, as in Kubernetes (`x-kubernetes-list-type` is for
 *   server-side apply): `podIPs`/`hostIPs` merge by `ip` although hostIPs is listed atomic;
 * - directives: `$patch: replace` (the value replaces the original; on a list item, the list is
 *   replaced by the other items), `$patch: delete` (a map becomes `{}`, a list item is removed by
 *   its key, every copy), `$patch: merge` (the default, accepted and dropped),
 *   `$retainKeys: [...]` (keys of the original not listed are cleared; patch keys must be
 *   listed), `$setElementOrder/<list>` (the final order; see strategic-order.ts),
 *   `$deleteFromPrimitiveList/<list>` (remove values from a scalar list). Any other `$` key or
 *   `$patch` value is a 400 BadRequest saying where;
 * - where the schema knows nothing (free-form fields such as `fieldsV1`, unknown fields): plain
 *   JSON merge patch (RFC 7386), so decoding can report unknown fields as usual.
 *
 * Deliberate differences from apimachinery: every malformed patch is a 400 (kube-apiserver
 * answers 500 for some, such as a missing merge key); values added where the original has none
 * are patched onto nothing, so directives inside them are applied rather than stored; a list item
 * marked `$patch: merge` merges like an unmarked one.
 *
 * Pure: returns a new object and never mutates its inputs.
 */
import { badRequest } from '../../../shared/api/errors.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import type { ResourceInfo } from '../../../shared/api/resources.js';
import type { ObjectDef } from '../../../shared/api/schema/dsl.js';
import { isPrimitiveList, listInfo, patchStrategyAt, shapeAt } from '../../../shared/api/schema/merge-keys.js';
import { schemaForKind } from '../../../shared/api/schema/registry.js';
import { mergePatch } from './json-patches.js';
import { normalizeOrder, orderAgrees, type KeyOf } from './strategic-order.js';

export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

type Obj = Record<string, unknown>;
type Path = readonly string[];

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/** What a `$patch: delete` leaves where the original had no value: nothing at all. */
const OMIT: unique symbol = Symbol('omit');
type Merged = unknown | typeof OMIT;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function where(path: Path): string {
  return path.length === 0 ? 'the object' : path.join('.');
}

function fail(path: Path, message: string): Error {
  return badRequest(`strategic merge patch: ${where(path)}: ${message}`);
}

function hasDirective(item: unknown): boolean {
  return isObj(item) && PATCH in item;
}

/**
 * Applies `patch` to `original` (an object of the kind `root` describes). A patch that is not a
 * JSON object, or that is malformed, is a 400 BadRequest.
 */
export function strategicMergePatch(root: ObjectDef, original: unknown, patch: unknown): Obj {
  if (!isObj(patch)) throw badRequest(`a strategic merge patch must be a JSON object, got ${describe(patch)}`);
  const base = isObj(original) ? (structuredClone(original) as Obj) : undefined;
  const out = mergeObject(root, base, structuredClone(patch) as Obj, []);
  return out === OMIT ? {} : (out as Obj);
}

/**
 * The PatchApplier the api-server registers for the media type: the kind's schema drives the
 * merge; kinds without a schema get JSON merge patch semantics (objects only).
 */
export function applyStrategicPatch(r: ResourceInfo, current: KubeObject, patch: unknown): KubeObject {
  const root = schemaForKind(r.group, r.version, r.kind);
  if (root) return strategicMergePatch(root, current, patch) as unknown as KubeObject;
  if (!isObj(patch)) throw badRequest(`a strategic merge patch must be a JSON object, got ${describe(patch)}`);
  return mergePatch(current, patch) as KubeObject;
}

// ---- objects and maps (they own their inputs: both are private copies) ----

function mergeObject(root: ObjectDef, original: Obj | undefined, patch: Obj, path: Path): Merged {
  if (PATCH in patch) {
    const directive = patch[PATCH];
    delete patch[PATCH];
    if (directive === 'delete') return original === undefined ? OMIT : {};
    if (directive === 'replace') return mergeObject(root, undefined, patch, path);
    if (directive !== 'merge') throw fail(path, `unknown $patch directive ${JSON.stringify(directive)} (expected "replace", "merge" or "delete")`);
  }
  const out: Obj = original ?? {};
  retainKeys(out, patch, path);
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    setElementOrder(root, out, patch, key.slice(SET_ORDER.length), order, path);
  }
  const deletions: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM)) {
      deletions.push([key.slice(DELETE_FROM.length), value]);
      continue;
    }
    if (key.startsWith('$')) throw fail(path, `unknown directive ${JSON.stringify(key)}`);
    if (value === null) {
      delete out[key];
      continue;
    }
    const merged = mergeValue(root, out[key], value, [...path, key]);
    if (merged === OMIT) delete out[key];
    else out[key] = merged;
  }
  for (const [key, values] of deletions) deleteFromPrimitiveList(out, key, values, path);
  return out;
}

/** `$retainKeys`: clear the original's keys that are not listed; every patch key must be listed. */
function retainKeys(out: Obj, patch: Obj, path: Path): void {
  if (!(RETAIN_KEYS in patch)) return;
  const keys = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw fail(path, `$retainKeys must be a list of field names, got ${JSON.stringify(keys)}`);
  const kept = new Set<string>(keys as string[]);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(SET_ORDER) || key.startsWith(DELETE_FROM)) continue;
    if (!kept.has(key)) throw fail(path, `the patch sets "${key}", which $retainKeys ${JSON.stringify(keys)} does not list`);
  }
  for (const key of Object.keys(out)) if (!kept.has(key)) delete out[key];
}

/** `$deleteFromPrimitiveList/<key>`: remove these scalars from the list; a missing list stays missing. */
function deleteFromPrimitiveList(out: Obj, key: string, values: unknown, path: Path): void {
  if (key === '') throw fail(path, `"${DELETE_FROM}" needs the name of a list after the slash`);
  if (!Array.isArray(values)) throw fail(path, `${DELETE_FROM}${key} must be a list of values, got ${describe(values)}`);
  const current = out[key];
  if (!Array.isArray(current)) return;
  out[key] = current.filter((v) => !values.some((d) => d === v));
}

function mergeValue(root: ObjectDef, original: unknown, patch: unknown, path: Path): Merged {
  const shape = shapeAt(root, path);
  if (shape === undefined || shape === 'free-form' || shape === 'primitive') return mergePatch(original, patch);
  if (isObj(patch)) {
    const replace = shape === 'object' && patchStrategyAt(root, path) === 'replace';
    return mergeObject(root, isObj(original) && !replace ? original : undefined, patch, path);
  }
  if (Array.isArray(patch)) {
    if (shape === 'list') return mergeList(root, Array.isArray(original) ? original : undefined, patch, path);
    return patch;
  }
  return patch;
}

// ---- lists ----

function strategies(root: ObjectDef, path: Path): { merge: boolean; mergeKey?: string } {
  const info = listInfo(root, path);
  const merge = (info?.patchStrategy ?? '').split(',').includes('merge');
  return { merge, mergeKey: info?.mergeKey };
}

function keyOfList(mergeKey: string | undefined): KeyOf {
  return mergeKey === undefined ? (x) => x : (x) => (isObj(x) ? x[mergeKey] : undefined);
}

/**
 * Builds list items from nothing: directives inside are applied; `delete` / `replace` markers and
 * bare `merge` markers vanish.
 */
function freshItems(root: ObjectDef, items: readonly unknown[], path: Path): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    if (!isObj(item)) {
      out.push(item);
      continue;
    }
    if (hasDirective(item)) {
      checkItemDirective(item, path);
      if (item[PATCH] !== 'merge' || Object.keys(item).length === 1) continue;
    }
    out.push(mergeObject(root, undefined, item, path));
  }
  return out;
}

function checkItemDirective(item: Obj, path: Path): void {
  const d = item[PATCH];
  if (d !== 'delete' && d !== 'replace' && d !== 'merge') throw fail(path, `unknown $patch directive ${JSON.stringify(d)} in a list item (expected "replace", "merge" or "delete")`);
}

function mergeList(root: ObjectDef, original: unknown[] | undefined, patch: unknown[], path: Path): unknown[] {
  const { merge, mergeKey } = strategies(root, path);
  if (!merge) return freshItems(root, patch, path);
  if (isPrimitiveList(root, path)) return mergeScalars(original ?? [], patch, path);
  if (mergeKey === undefined) throw fail(path, 'the schema declares a merge strategy but no merge key for this list');
  return mergeKeyed(root, original ?? [], patch, mergeKey, path);
}

/** A union of scalars: the patch's values in its order, the others where they were. */
function mergeScalars(original: readonly unknown[], patch: readonly unknown[], path: Path): unknown[] {
  for (const v of patch) if (typeof v === 'object' && v !== null) throw fail(path, `this list holds scalars, got ${describe(v)} ${JSON.stringify(v)}`);
  const merged: unknown[] = [];
  for (const v of [...original, ...patch]) if (!merged.includes(v)) merged.push(v);
  return normalizeOrder(merged, patch, original, (x) => x);
}

function requireKey(raw: unknown, mergeKey: string, path: Path): Obj {
  const item = requireObject(raw, mergeKey, path);
  if (item[mergeKey] === undefined) throw fail(path, `the item ${JSON.stringify(item)} has no merge key "${mergeKey}"`);
  return item;
}

/** Objects merged on `mergeKey`: `$patch` items first (delete, replace), then the others in order. */
function mergeKeyed(root: ObjectDef, original: readonly unknown[], patch: readonly unknown[], mergeKey: string, path: Path): unknown[] {
  const keyOf = keyOfList(mergeKey);
  let base = [...original];
  let replace = false;
  const plain: Obj[] = [];
  for (const raw of patch) {
    const item = requireObject(raw, mergeKey, path);
    if (!(PATCH in item)) {
      plain.push(requireKey(item, mergeKey, path));
      continue;
    }
    checkItemDirective(item, path);
    if (item[PATCH] === 'delete') {
      const key = requireKey(item, mergeKey, path)[mergeKey];
      base = base.filter((o) => keyOf(o) !== key);
    } else if (item[PATCH] === 'replace') {
      replace = true;
    } else {
      delete item[PATCH];
      if (Object.keys(item).length > 0) plain.push(requireKey(item, mergeKey, path));
    }
  }
  if (replace) return freshItems(root, plain, path);
  const merged: unknown[] = [...base];
  for (const item of plain) {
    const at = merged.findIndex((o) => keyOf(o) === item[mergeKey]);
    const next = mergeObject(root, at >= 0 ? (merged[at] as Obj) : undefined, item, path);
    if (at >= 0) merged[at] = next;
    else merged.push(next);
  }
  return normalizeOrder(merged, plain, base, keyOf);
}

function requireObject(item: unknown, mergeKey: string, path: Path): Obj {
  if (!isObj(item)) throw fail(path, `the items of this list are objects merged by "${mergeKey}", got ${describe(item)} ${JSON.stringify(item)}`);
  return item;
}

/**
 * `$setElementOrder/<key>`: merge the list (if the patch has it), then order it by the directive.
 * Consumes `patch[key]` so the main loop does not merge it again.
 */
function setElementOrder(root: ObjectDef, out: Obj, patch: Obj, key: string, order: unknown, path: Path): void {
  const listPath = [...path, key];
  if (key === '') throw fail(path, `"${SET_ORDER}" needs the name of a list after the slash`);
  if (!Array.isArray(order)) throw fail(listPath, `$setElementOrder/${key} must be a list, got ${describe(order)}`);
  if (shapeAt(root, listPath) !== 'list') throw fail(listPath, `$setElementOrder/${key} names a field that is not a list`);
  const patchList = patch[key];
  if (patchList === null) return; // the list is deleted; nothing to order
  if (patchList !== undefined && !Array.isArray(patchList)) throw fail(listPath, `expected a list, got ${describe(patchList)}`);
  const primitive = isPrimitiveList(root, listPath);
  const { mergeKey } = strategies(root, listPath);
  if (!primitive && mergeKey === undefined) throw fail(listPath, 'cannot order a list of objects that has no merge key');
  const keyOf = keyOfList(primitive ? undefined : mergeKey);
  if (!primitive) for (const o of order) requireKey(o, mergeKey!, listPath);
  if (patchList !== undefined) {
    if (!primitive) for (const item of patchList) if (!hasDirective(item)) requireKey(item, mergeKey!, listPath);
    if (!orderAgrees(patchList, order, keyOf, hasDirective)) {
      throw fail(listPath, `the items of the patch list are not in the order $setElementOrder/${key} gives: ${JSON.stringify(patchList)} vs ${JSON.stringify(order)}`);
    }
  }
  const original = out[key];
  let merged: unknown;
  if (patchList === undefined) {
    if (!Array.isArray(original)) return;
    merged = original;
  } else {
    merged = mergeValue(root, original, patchList, listPath);
    delete patch[key];
  }
  out[key] = normalizeOrder(merged as unknown[], order, Array.isArray(original) ? original : [], keyOf);
}
