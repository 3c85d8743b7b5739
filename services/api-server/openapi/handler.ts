/**
 * Serving the OpenAPI documents the way kube-apiserver's kube-openapi handler does, so kubectl's
 * HTTP cache treats them the same:
 *
 * - `GET /openapi/v3` → the root index, with an `ETag`; not cacheable without revalidation
 *   (kubectl fetches it on every run and follows its hashed URLs).
 * - `GET /openapi/v3/<api/v1 | apis/<group>/<version>>[?hash=H]` → the document as JSON, with
 *   `ETag: "H"` and `Vary: Accept`. With the current hash the URL is immutable:
 *   `Cache-Control: public, immutable` and `Expires` a year ahead, so kubectl's cache reuses it
 *   without asking. A stale hash is answered 301 to the current URL, as kube-openapi does.
 * - Only JSON is served: an Accept that rules it out (kubectl never sends one) gets 406.
 * - `GET /openapi/v2` → an empty Swagger 2.0 document, protobuf when asked for (kubectl asks
 *   only that way), else JSON: what lets `kubectl create -f` take a `kind: List` (./v2-document.ts).
 * - Anything else under `/openapi` is 404.
 *
 * Documents are built on first use and kept for the life of the process (the resource table and
 * schemas are compiled in). The clock only dates `Expires`.
 */
import { methodNotAllowed, notAcceptable, unknownPath } from '../../../shared/api/errors.js';
import type { ApiRequest, ApiResponse } from '../../../shared/client/api.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import { queryValue } from '../request.js';
import { buildOpenApiDocuments, serverRelativeUrl, type OpenApiDocuments } from './documents.js';
import { OPENAPI_V2_PROTOBUF, openApiV2Json, openApiV2Protobuf } from './v2-document.js';

const ROOT = '/openapi/v3';
const V2 = '/openapi/v2';
const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface OpenApiHandler {
  /** Answers a request whose path starts with `/openapi`; throws StatusErrors like every handler. */
  handle(req: ApiRequest, path: string): ApiResponse;
  /** The documents (built now if they were not yet). */
  documents(): OpenApiDocuments;
}

/** True when the Accept header allows JSON (no header means anything). */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const media = part.split(';')[0]!.trim().toLowerCase();
    return media === 'application/json' || media === 'application/*' || media === '*/*';
  });
}

/** `version`: the server's gitVersion, for the v2 document's `info`. */
export function createOpenApiHandler(deps: { clock: Clock; version?: string }): OpenApiHandler {
  let built: OpenApiDocuments | undefined;
  const documents = (): OpenApiDocuments => (built ??= buildOpenApiDocuments());
  const version = deps.version ?? 'unversioned';

  return {
    documents,
    handle(req, path) {
      if (path === V2) {
        if (req.method !== 'GET') throw methodNotAllowed();
        const protobuf = (req.accept ?? '').toLowerCase().includes(OPENAPI_V2_PROTOBUF.toLowerCase());
        return protobuf
          ? // The media type asked for has an '@', which Go's mime parser refuses in an answer.
            { code: 200, body: openApiV2Protobuf(version), contentType: 'application/octet-stream' }
          : { code: 200, body: openApiV2Json(version), contentType: 'application/json' };
      }
      if (path !== ROOT && !path.startsWith(`${ROOT}/`)) throw unknownPath();
      if (req.method !== 'GET') throw methodNotAllowed();
      const docs = documents();
      if (path === ROOT) {
        return { code: 200, body: docs.root, contentType: 'application/json', headers: { ETag: `"${docs.rootHash}"` } };
      }
      const doc = docs.byKey.get(path.slice(ROOT.length + 1));
      if (!doc) throw unknownPath();
      if (!acceptsJson(req.accept)) throw notAcceptable(`only application/json is served for OpenAPI v3 documents, not ${req.accept}`);
      const headers: Record<string, string> = { ETag: `"${doc.hash}"`, Vary: 'Accept' };
      const hash = queryValue(req, 'hash');
      if (hash !== undefined && hash !== '') {
        if (hash !== doc.hash) {
          const location = serverRelativeUrl(doc);
          return { code: 301, body: `Moved Permanently: ${location}\n`, contentType: 'text/plain; charset=utf-8', headers: { ...headers, Location: location } };
        }
        headers['Cache-Control'] = 'public, immutable';
        headers.Expires = new Date(deps.clock.now() + YEAR_MS).toUTCString();
      }
      return { code: 200, body: doc.body, contentType: 'application/json', headers };
    },
  };
}
