/**
 * The two schema-free patch formats:
 * - JSON merge patch (RFC 7386): objects merge recursively, `null` deletes a key, anything else
 *   (arrays included) replaces — what `kubectl label`, `annotate`, `scale` and `patch --type=merge` send;
 * - JSON patch (RFC 6902): add / remove / replace / move / copy / test at JSON Pointers — what
 *   `kubectl patch --type=json` sends. A failing op (missing path, failed test) is a 422 Invalid-style
 *   error in Kubernetes; we answer 422 with the operation that failed.
 * Both return new values and never mutate their inputs.
 */
import { badRequest, statusError } from '../../../shared/api/errors.js';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function unprocessable(message: string): Error {
  return statusError('Invalid', message);
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`JSON pointer "${path}" must start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: Json; last: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw unprocessable(`the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
  }
  return { parent: cur, last: tokens[tokens.length - 1] };
}

function get(doc: Json, path: string): Json {
  let cur = doc;
  for (const t of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (cur === undefined) throw unprocessable(`doc is missing path: "${path}"`);
  }
  return cur;
}

function index(arr: Json[], t: string, forAdd: boolean, path: string): number {
  if (forAdd && t === '-') return arr.length;
  const i = Number(t);
  if (!/^(0|[1-9][0-9]*)$/.test(t) || i > arr.length || (!forAdd && i >= arr.length)) throw unprocessable(`index out of range in path "${path}"`);
  return i;
}

function add(doc: Json, path: string, value: Json): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(index(parent, last, true, path), 0, structuredClone(value));
  else if (isObject(parent)) parent[last] = structuredClone(value);
  else throw unprocessable(`doc is missing path: "${path}"`);
  return doc;
}

function remove(doc: Json, path: string): Json {
  const tokens = pointer(path);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(index(parent, last, false, path), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops as Op[]) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest(`invalid JSON patch operation: ${JSON.stringify(raw)}`);
    }
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, raw.value);
        break;
      case 'remove':
        doc = remove(doc, raw.path);
        break;
      case 'replace':
        get(doc, raw.path);
        doc = add(remove(doc, raw.path), raw.path, raw.value);
        break;
      case 'move': {
        const v = get(doc, raw.from ?? '');
        doc = add(remove(doc, raw.from ?? ''), raw.path, v);
        break;
      }
      case 'copy':
        doc = add(doc, raw.path, get(doc, raw.from ?? ''));
        break;
      case 'test':
        if (JSON.stringify(get(doc, raw.path)) !== JSON.stringify(raw.value)) throw unprocessable(`testing value ${raw.path} failed: test failed`);
        break;
      default:
        throw badRequest(`unexpected JSON patch operation "${raw.op}"`);
    }
  }
  return doc;
}
