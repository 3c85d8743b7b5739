/**
 * The store's request bodies, checked: every field a handler reads is parsed here, and anything
 * malformed is a BadRequest (never a crash, never a silently coerced value).
 *
 * Wire shapes (what NatsStoreClient sends):
 *   get {key} · range {prefix, limit?, continue?, countOnly?} · create/put {key, value, lease?}
 *   update {key, value, expectedModRevision, lease?} · delete {key, expectedModRevision?}
 *   compact {revision} · lease.grant {ttl} · lease.keepalive|revoke|ttl {id}
 *   watch.create {deliver, fromRevision, params: {prefix}} (see shared/client/watch-channel.ts)
 */
import { badRequest } from '../../shared/api/errors.js';
import type { RangeOptions } from '../../shared/client/store.js';
import type { WriteRequest } from './mvcc.js';
import { MAX_KEY_BYTES } from './log.js';

type Body = Record<string, unknown>;

function object(body: unknown, op: string): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`${op}: request body must be a JSON object`);
  return body as Body;
}

function str(b: Body, field: string, op: string): string {
  const v = b[field];
  if (typeof v !== 'string') throw badRequest(`${op}: ${field} must be a string`);
  return v;
}

function int(b: Body, field: string, op: string, min: number, optional: true): number | undefined;
function int(b: Body, field: string, op: string, min: number, optional?: false): number;
function int(b: Body, field: string, op: string, min: number, optional = false): number | undefined {
  const v = b[field];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw badRequest(`${op}: ${field} is required`);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw badRequest(`${op}: ${field} must be an integer ≥ ${min}`);
  return v;
}

function key(b: Body, op: string, field = 'key'): string {
  const k = str(b, field, op);
  if (field === 'key' && k.length === 0) throw badRequest(`${op}: key must not be empty`);
  if (Buffer.byteLength(k, 'utf8') > MAX_KEY_BYTES) throw badRequest(`${op}: ${field} is longer than ${MAX_KEY_BYTES} bytes`);
  return k;
}

export function parseKey(body: unknown, op: string): string {
  return key(object(body, op), op);
}

export function parseRange(body: unknown): { prefix: string; opts: RangeOptions } {
  const b = object(body, 'range');
  const prefix = key(b, 'range', 'prefix');
  const opts: RangeOptions = {};
  const limit = int(b, 'limit', 'range', 0, true);
  if (limit !== undefined) opts.limit = limit;
  if (b.continue !== undefined && b.continue !== null && b.continue !== '') opts.continue = str(b, 'continue', 'range');
  if (b.countOnly !== undefined && typeof b.countOnly !== 'boolean') throw badRequest('range: countOnly must be a boolean');
  if (b.countOnly) opts.countOnly = true;
  return { prefix, opts };
}

export function parseWrite(op: 'create' | 'update' | 'put' | 'delete', body: unknown): WriteRequest {
  const b = object(body, op);
  const k = key(b, op);
  if (op === 'delete') {
    const expected = int(b, 'expectedModRevision', op, 1, true);
    return expected === undefined ? { op, key: k } : { op, key: k, expectedModRevision: expected };
  }
  const value = str(b, 'value', op);
  const lease = int(b, 'lease', op, 0, true) ?? 0;
  if (op === 'update') return { op, key: k, value, lease, expectedModRevision: int(b, 'expectedModRevision', op, 1) };
  return { op, key: k, value, lease };
}

export function parseRevision(body: unknown): number {
  return int(object(body, 'compact'), 'revision', 'compact', 0);
}

export function parseTtl(body: unknown): number {
  return int(object(body, 'lease.grant'), 'ttl', 'lease.grant', 1);
}

export function parseLeaseId(body: unknown, op: string): number {
  return int(object(body, op), 'id', op, 1);
}

export function parseWatchPrefix(params: unknown): string {
  return key(object(params, 'watch.create'), 'watch.create', 'prefix');
}
