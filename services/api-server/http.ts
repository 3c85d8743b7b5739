/**
 * The HTTP face of the API (what kubectl talks to): reads a request into an `ApiRequest`, hands it
 * to the API, writes the answer. Bodies over 3 MiB are refused with 413 before they are read whole;
 * watches stream newline-delimited JSON events over a chunked response and stop when the client
 * goes away or falls too far behind. A response body that is a `Readable` (followed logs) is piped
 * as it comes, and dropped when the client leaves. Connection upgrades (exec, port-forward) go to the upgrade
 * handlers modules register; plain requests a module claims (the dashboard, the service proxy) go to
 * its request handler before the API sees them. Listening is separate from building (`createHttpServer` / `listen`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import { methodNotAllowed, tooLarge } from '../../shared/api/errors.js';
import type { ApiRequest, ApiResponse, HttpMethod } from '../../shared/client/api.js';
import type { WatchEvent } from '../../shared/api/meta.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Api } from './api.js';
import { errorResponse } from './request.js';
import { mediaType } from './body.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** A watch whose unsent output exceeds this is ended (the client re-watches from its last version). */
const MAX_WATCH_BACKLOG = 16 * 1024 * 1024;

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
/** Takes a plain HTTP request before the API sees it (the dashboard, the service proxy); true = answered. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

export interface HttpServer {
  server: Server;
  /** Upgrade handlers are tried in order; the first returning true owns the socket. */
  addUpgradeHandler(h: UpgradeHandler): void;
  /** Request handlers are tried in order before the API; the first returning true owns the request. */
  addRequestHandler(h: RequestHandler): void;
  /** Transforms watch events for a request (e.g. into Table rows); identity by default. */
  setWatchEncoder(enc: (req: ApiRequest, e: WatchEvent) => unknown): void;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** An HTTP request as the transport-neutral `ApiRequest` (also used for WebSocket watches). */
export function toApiRequest(req: IncomingMessage, url: URL, body: Buffer | undefined): ApiRequest {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const contentType = req.headers['content-type'];
  const isProtobuf = mediaType(contentType) === 'application/vnd.kubernetes.protobuf';
  return {
    method: (req.method ?? 'GET') as HttpMethod,
    path: url.pathname,
    query,
    contentType,
    accept: req.headers.accept,
    body: body && body.length > 0 ? (isProtobuf ? new Uint8Array(body) : body.toString('utf8')) : undefined,
    userAgent: req.headers['user-agent'],
  };
}

/** A request body, refused with 413 as soon as it is known to exceed `limit` bytes (not read whole first). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(tooLarge(`Request entity too large: limit is ${limit}`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(`Request entity too large: limit is ${limit}`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A body that is a Readable (followed logs) is streamed as it comes, chunked, until it ends or the client leaves. */
function sendStream(res: ServerResponse, r: ApiResponse, body: Readable): void {
  res.writeHead(r.code, { 'Content-Type': r.contentType ?? 'application/octet-stream', 'Cache-Control': 'no-cache, private', ...(r.headers ?? {}) });
  res.flushHeaders();
  body.on('error', () => res.destroy());
  res.on('close', () => body.destroy());
  body.pipe(res);
}

function send(res: ServerResponse, r: ApiResponse): void {
  if (res.headersSent) return;
  if (r.body instanceof Readable) return sendStream(res, r, r.body);
  const text = typeof r.body === 'string' || r.body instanceof Uint8Array ? r.body : JSON.stringify(r.body);
  res.writeHead(r.code, { 'Content-Type': r.contentType ?? 'application/json', 'Cache-Control': 'no-cache, private', ...(r.headers ?? {}) });
  res.end(text);
}

export function createHttpServer(api: Api, log: Logger): HttpServer {
  const upgrades: UpgradeHandler[] = [];
  const handlers: RequestHandler[] = [];
  let encodeWatch: (req: ApiRequest, e: WatchEvent) => unknown = (_r, e) => e;

  async function serveWatch(areq: ApiRequest, res: ServerResponse): Promise<void> {
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
    };
    const watch = await api.watch(areq, {
      send(e) {
        start();
        res.write(JSON.stringify(encodeWatch(areq, e)) + '\n');
        return res.writableLength < MAX_WATCH_BACKLOG;
      },
      close() {
        start();
        res.end();
      },
    });
    start();
    res.on('close', () => watch.stop());
  }

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        for (const h of handlers) if (h(req, res, url)) return;
        if (!METHODS.has(req.method ?? '')) {
          req.resume();
          return send(res, errorResponse(methodNotAllowed()));
        }
        const body = req.method === 'GET' ? undefined : await readBody(req);
        const areq = toApiRequest(req, url, body);
        if (api.isWatch(areq)) return await serveWatch(areq, res);
        send(res, await api.handle(areq));
      } catch (err) {
        if (!res.headersSent) send(res, errorResponse(err));
        else res.end();
        log.debug({ err, url: req.url }, 'request failed');
      }
    })();
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.on('upgrade', (req, socket, head) => {
    for (const h of upgrades) if (h(req, socket, head)) return;
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nupgrade not supported on this path\n');
  });
  server.on('clientError', (_err, socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));

  return {
    server,
    addUpgradeHandler: (h) => upgrades.push(h),
    addRequestHandler: (h) => handlers.push(h),
    setWatchEncoder: (enc) => (encodeWatch = enc),
  };
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}
