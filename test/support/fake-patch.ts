/**
 * Patch algorithms for the fake ApiClient (test/support/fake-api.ts): RFC 7386 JSON merge patch and
 * RFC 6902 JSON patch on plain JSON values. Strategic merge patch is approximated by merge patch
 * (lists are replaced, not merged by key): good enough for unit tests of controllers, which patch
 * maps and scalars; the api-server has the real one.
 *
 * Pure functions; they never mutate their inputs. Failures are BadRequest / Invalid StatusErrors.
 */
import { badRequest, statusError } from '../../shared/api/errors.js';

type Json = unknown;

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: Json;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: Record<string, Json> | Json[]; last: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isPlainObject(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw statusError('Invalid', `the server rejected our request: path ${path} does not exist`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur)) throw statusError('Invalid', `the server rejected our request: path ${path} does not exist`);
  return { parent: cur, last: parts[parts.length - 1] };
}

function read(doc: Json, path: string): Json {
  const parts = pointer(path);
  if (parts.length === 0) return doc;
  const { parent, last } = parentOf(doc, parts, path);
  const v = Array.isArray(parent) ? parent[Number(last)] : parent[last];
  if (v === undefined) throw statusError('Invalid', `the server rejected our request: path ${path} does not exist`);
  return v;
}

function write(doc: Json, path: string, value: Json, mode: 'add' | 'replace' | 'remove'): Json {
  const parts = pointer(path);
  if (parts.length === 0) return mode === 'remove' ? undefined : value;
  const { parent, last } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (mode !== 'add' && i >= parent.length)) {
      throw statusError('Invalid', `the server rejected our request: index ${last} out of range at ${path}`);
    }
    if (mode === 'add') parent.splice(i, 0, value);
    else if (mode === 'replace') parent[i] = value;
    else parent.splice(i, 1);
  } else {
    if (mode !== 'add' && !(last in parent)) throw statusError('Invalid', `the server rejected our request: path ${path} does not exist`);
    if (mode === 'remove') delete parent[last];
    else parent[last] = value;
  }
  return doc;
}

/** RFC 6902 over a copy of `target`. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops as JsonPatchOp[]) {
    switch (raw.op) {
      case 'add':
      case 'replace':
        doc = write(doc, raw.path, structuredClone(raw.value), raw.op);
        break;
      case 'remove':
        doc = write(doc, raw.path, undefined, 'remove');
        break;
      case 'test':
        if (JSON.stringify(read(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw statusError('Invalid', `the server rejected our request: test failed at ${raw.path}`);
        }
        break;
      case 'move':
      case 'copy': {
        const v = structuredClone(read(doc, raw.from ?? ''));
        if (raw.op === 'move') doc = write(doc, raw.from ?? '', undefined, 'remove');
        doc = write(doc, raw.path, v, 'add');
        break;
      }
      default:
        throw badRequest(`unsupported JSON patch operation ${JSON.stringify((raw as { op?: unknown }).op)}`);
    }
  }
  return doc;
}
