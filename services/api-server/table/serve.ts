/**
 * Where Tables meet the API: turning a successful GET (a list, or one object) into a Table when
 * the request's Accept header asks for one, and wrapping watch events as one-row Tables for
 * watches that asked for one (the encoder the HTTP server applies to each event).
 *
 * Only GETs of a resource (or its `status` subresource, which answers the same kind) are
 * converted; errors, other verbs and other subresources stay as they are, and so does every
 * request that did not ask. In a watch, the first Table carries the column definitions and later
 * ones leave them null; ERROR events stay Status objects; a BOOKMARK becomes a row-less Table
 * carrying only its resourceVersion. The watch encoder never throws: an object its printer cannot
 * print becomes an ERROR event (500), which ends kubectl's watch with a message.
 */
import { internalError, toStatus } from '../../../shared/api/errors.js';
import type { KubeList, KubeObject, WatchEvent } from '../../../shared/api/meta.js';
import type { ResourceInfo } from '../../../shared/api/resources.js';
import type { ApiRequest, ApiResponse } from '../../../shared/client/api.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import { queryValue } from '../request.js';
import { parsePath } from '../routes.js';
import { includeObjectOf, wantsTable, type IncludeObject, type TableVersion } from './negotiate.js';
import { toTable } from './table.js';

function tableResource(req: ApiRequest): ResourceInfo | undefined {
  if (req.method !== 'GET') return undefined;
  const route = parsePath(req.path);
  if (route.type !== 'resource') return undefined;
  if (route.subresource !== undefined && route.subresource !== 'status') return undefined;
  return route.resource;
}

function isList(body: unknown): body is KubeList {
  return typeof body === 'object' && body !== null && Array.isArray((body as KubeList).items);
}

function isObject(body: unknown): body is KubeObject {
  return typeof body === 'object' && body !== null && typeof (body as KubeObject).metadata === 'object';
}

/** The response as a Table when the request asked for one; otherwise the response unchanged. */
export function answerAsTable(req: ApiRequest, res: ApiResponse, clock: Clock): ApiResponse {
  if (res.code !== 200) return res;
  const version = wantsTable(req.accept);
  const r = version && tableResource(req);
  if (!version || !r) return res;
  const includeObject = includeObjectOf(queryValue(req, 'includeObject'));
  const opts = { clock, version, includeObject };
  if (isList(res.body)) return { ...res, body: toTable(r, res.body.items, { ...opts, metadata: res.body.metadata }) };
  if (isObject(res.body)) {
    const metadata = { resourceVersion: res.body.metadata.resourceVersion };
    return { ...res, body: toTable(r, [res.body], { ...opts, metadata }) };
  }
  return res;
}

interface WatchState {
  resource: ResourceInfo;
  version: TableVersion;
  includeObject: IncludeObject;
  columnsSent: boolean;
}

/** Refuses (400) a Table request with a bad `includeObject` before a watch starts streaming. */
export function checkTableRequest(req: ApiRequest): void {
  if (wantsTable(req.accept)) includeObjectOf(queryValue(req, 'includeObject'));
}

/** checkTableRequest refuses a bad value before a watch starts; an encoder must never throw. */
function safeIncludeObject(req: ApiRequest): IncludeObject {
  try {
    return includeObjectOf(queryValue(req, 'includeObject'));
  } catch {
    return 'Metadata';
  }
}

/**
 * The watch encoder: `(request, event) → what goes on the wire`. Keeps per-watch state (whether
 * the columns went out) keyed by the request object, which lives as long as its watch.
 */
export function tableWatchEncoder(clock: Clock): (req: ApiRequest, e: WatchEvent) => unknown {
  const states = new WeakMap<ApiRequest, WatchState | null>();
  const stateOf = (req: ApiRequest): WatchState | null => {
    let s = states.get(req);
    if (s === undefined) {
      const version = wantsTable(req.accept);
      const resource = version ? tableResource(req) : undefined;
      s = version && resource ? { resource, version, includeObject: safeIncludeObject(req), columnsSent: false } : null;
      states.set(req, s);
    }
    return s;
  };
  return (req, e) => {
    const s = e.type === 'ERROR' ? null : stateOf(req);
    if (!s) return e;
    const metadata = { resourceVersion: e.object.metadata?.resourceVersion };
    if (e.type === 'BOOKMARK') {
      return { type: e.type, object: toTable(s.resource, [], { clock, version: s.version, metadata, withColumns: false }) };
    }
    try {
      const table = toTable(s.resource, [e.object], { clock, version: s.version, includeObject: s.includeObject, metadata, withColumns: !s.columnsSent });
      s.columnsSent = true;
      return { type: e.type, object: table };
    } catch (err) {
      // The encoder runs inside the watch fan-out: a malformed object must not throw there.
      return { type: 'ERROR', object: toStatus(internalError(`could not print ${s.resource.plural} as a table: ${(err as Error).message}`)) };
    }
  };
}
