/**
 * Reading an `ApiRequest`: query parameters (single values, integers, booleans, with 400 on
 * garbage), list/watch/delete options as Kubernetes names them, and building responses.
 * Transport-neutral: the HTTP server and the NATS adapter both produce `ApiRequest`s.
 */
import { badRequest, toStatus } from '../../shared/api/errors.js';
import type { ApiRequest, ApiResponse, DeleteOptions, ListOptions, WatchOptions } from '../../shared/client/api.js';
import { decodeBody } from './body.js';

export function queryValue(req: ApiRequest, name: string): string | undefined {
  const v = req.query?.[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return v;
}

export function queryInt(req: ApiRequest, name: string): number | undefined {
  const v = queryValue(req, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for query parameter ${name}: "${v}" is not an integer`);
  return n;
}

export function queryBool(req: ApiRequest, name: string): boolean {
  const v = queryValue(req, name);
  return v === 'true' || v === '1';
}

export function isWatchRequest(req: ApiRequest): boolean {
  return req.method === 'GET' && queryBool(req, 'watch');
}

export function listOptions(req: ApiRequest): ListOptions {
  return {
    labelSelector: queryValue(req, 'labelSelector'),
    fieldSelector: queryValue(req, 'fieldSelector'),
    limit: queryInt(req, 'limit'),
    continue: queryValue(req, 'continue'),
    resourceVersion: queryValue(req, 'resourceVersion'),
  };
}

export function watchOptions(req: ApiRequest): WatchOptions {
  return {
    labelSelector: queryValue(req, 'labelSelector'),
    fieldSelector: queryValue(req, 'fieldSelector'),
    resourceVersion: queryValue(req, 'resourceVersion'),
    allowWatchBookmarks: queryBool(req, 'allowWatchBookmarks'),
    timeoutSeconds: queryInt(req, 'timeoutSeconds'),
  };
}

const POLICIES = ['Orphan', 'Background', 'Foreground'];

/** DeleteOptions from the body (JSON) and the query; the query wins where both speak. */
export function deleteOptions(req: ApiRequest): DeleteOptions {
  const raw = decodeBody(req.body, req.contentType);
  const body = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as DeleteOptions & { orphanDependents?: boolean };
  const opts: DeleteOptions = {};
  const grace = queryInt(req, 'gracePeriodSeconds') ?? body.gracePeriodSeconds;
  if (grace !== undefined) {
    if (typeof grace !== 'number' || !Number.isInteger(grace)) throw badRequest('gracePeriodSeconds must be an integer');
    opts.gracePeriodSeconds = Math.max(0, grace);
  }
  const orphan = body.orphanDependents;
  const policy = queryValue(req, 'propagationPolicy') ?? body.propagationPolicy ?? (orphan === true ? 'Orphan' : orphan === false ? 'Background' : undefined);
  if (policy !== undefined) {
    if (!POLICIES.includes(policy)) throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  }
  if (body.preconditions) opts.preconditions = body.preconditions;
  if (dryRun(req) || (body.dryRun ?? []).includes('All')) opts.dryRun = ['All'];
  return opts;
}

/** `?dryRun=All` (the only value Kubernetes defines); anything else is a 400. */
export function dryRun(req: ApiRequest): boolean {
  const v = req.query?.dryRun;
  const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
  for (const x of values) if (x !== 'All') throw badRequest(`dryRun: Unsupported value: "${x}": supported values: "All"`);
  return values.length > 0;
}

export function ok(body: unknown, code = 200): ApiResponse {
  return { code, body, contentType: 'application/json' };
}

export function errorResponse(err: unknown): ApiResponse {
  const status = toStatus(err);
  return { code: status.code, body: status, contentType: 'application/json' };
}
