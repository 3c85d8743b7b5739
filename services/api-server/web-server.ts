/**
 * The dashboard on the api-server's HTTP port (HTTP only; the NATS API never sees it):
 *
 *   /ui                    → 301 to /ui/
 *   /ui/, /ui/index.html   the page            (services/api-server/web/*.html, *.css, *.svg: sources)
 *   /ui/<name>.js[.map]    its scripts         (dist/services/api-server/web/: compiled by `npm run build`)
 *   /ui/lib/<dir>/<m>.js   shared modules      (dist/shared/<dir>/<m>.js: the healing timeline and what it imports)
 *   /ui/api/<op>           the buttons         (web-control.ts → the kubemu agent)
 *
 * plus the service proxy (service-proxy.ts), which serves this same tree for the
 * `kube-system/kubemu-dashboard` Service. Files are read on each request (no cache: a rebuilt
 * script is served at once) from directories fixed at start; only plain names of the listed
 * types are served, so no path can leave those directories. Every file answer carries
 * `nosniff` and a Content-Security-Policy allowing only this origin (and its WebSocket).
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { methodNotAllowed, statusError, toStatus } from '../../shared/api/errors.js';
import type { Bus } from '../../shared/nats/connection.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { HttpServer } from './http.js';
import type { Registry } from './registry/registry.js';
import { serviceProxy } from './service-proxy.js';
import { serveControl } from './web-control.js';

export interface WebDirs {
  /** index.html, style.css (the sources). */
  pages: string;
  /** The compiled dashboard scripts. */
  scripts: string;
  /** The compiled `shared/` tree (served under /ui/lib/). */
  lib: string;
}

export interface DashboardDeps {
  registry: Registry;
  bus: Bus;
  log: Logger;
  dirs?: WebDirs;
  /** How long a button waits for the agent (web-control.ts). */
  controlTimeoutMs?: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};
const PAGE = /^[a-z0-9][a-z0-9-]*\.(html|css|svg)$/;
const SCRIPT = /^[a-z0-9][a-z0-9-]*\.js(\.map)?$/;
const LIB = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*\.js(\.map)?$/;
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

/** The checkout this module runs from: `services/api-server/*.ts` under tsx, `dist/services/api-server/*.js` built. */
export function defaultWebDirs(moduleUrl: string = import.meta.url): WebDirs {
  const here = fileURLToPath(moduleUrl);
  const root = resolve(dirname(here), here.endsWith('.ts') ? '../..' : '../../..');
  return { pages: join(root, 'services/api-server/web'), scripts: join(root, 'dist/services/api-server/web'), lib: join(root, 'dist/shared') };
}

function extension(name: string): string {
  return name.slice(name.lastIndexOf('.'));
}

function sendError(res: ServerResponse, err: unknown): void {
  const status = toStatus(err);
  res.writeHead(status.code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(status));
}

/** `sub`: the path below `/ui` (`/`, `/main.js`, `/lib/healing/timeline.js`, `/api/kill`). */
export type DashboardServer = (req: IncomingMessage, res: ServerResponse, sub: string) => void;

export function dashboardServer(deps: DashboardDeps): DashboardServer {
  const dirs = deps.dirs ?? defaultWebDirs();

  async function sendFile(req: IncomingMessage, res: ServerResponse, path: string, name: string): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      const hint = extension(name) === '.html' || extension(name) === '.css' ? '' : ' (the dashboard scripts are built by `npm run build`)';
      return sendError(res, statusError('NotFound', `the dashboard has no file "${name}"${hint}`));
    }
    const type = TYPES[extension(name)] ?? 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return (req, res, sub) => {
    if (sub.startsWith('/api/')) return serveControl({ bus: deps.bus, log: deps.log, timeoutMs: deps.controlTimeoutMs }, sub.slice('/api/'.length), req, res);
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, methodNotAllowed(`${req.method} is not allowed on the dashboard's files`));
    const name = sub === '/' ? 'index.html' : sub.slice(1);
    let path: string | undefined;
    if (PAGE.test(name)) path = join(dirs.pages, name);
    else if (SCRIPT.test(name)) path = join(dirs.scripts, name);
    else if (name.startsWith('lib/') && LIB.test(name.slice(4))) path = join(dirs.lib, name.slice(4));
    if (!path) return sendError(res, statusError('NotFound', `the dashboard has no file "${name}"`));
    void sendFile(req, res, path, name);
  };
}

/** Plugs `/ui/…` and the service proxy into the api-server's HTTP server. */
export function registerDashboard(http: HttpServer, deps: DashboardDeps): void {
  const serve = dashboardServer(deps);
  http.addRequestHandler((req, res, url) => {
    if (url.pathname === '/ui') {
      req.resume();
      res.writeHead(301, { Location: `/ui/${url.search}` });
      res.end();
      return true;
    }
    if (!url.pathname.startsWith('/ui/')) return false;
    serve(req, res, url.pathname.slice('/ui'.length));
    return true;
  });
  http.addRequestHandler(serviceProxy({ registry: deps.registry, log: deps.log, serveDashboard: serve }));
}
