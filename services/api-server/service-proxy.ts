/**
 * kube-apiserver's service proxy, small and generic:
 *
 *   /api/v1/namespaces/{ns}/services/[{scheme}:]{name}[:{port}]/proxy[/{path}]
 *
 * `{port}` is the Service port's name or number (the first port when absent; kubectl cluster-info
 * writes `kube-dns:dns`). The request (method, path below `/proxy`, query, body, headers less the
 * hop-by-hop ones) goes over plain HTTP to one ready address of the Service's Endpoints, chosen at
 * random, on the endpoint port of the same name; the answer streams back as it comes. Refusals are
 * Status errors: unknown Service 404, unknown port or `https` 400, no ready endpoint or a failed
 * dial 503 (kube-apiserver's wording). `…/proxy` without a slash redirects to `…/proxy/` for GET,
 * so relative links of the page behind it resolve. Upgrades (WebSockets) are not proxied.
 *
 * The dashboard's own Service is the api-server itself: its path is handed to `serveDashboard`
 * in-process instead of dialling back in.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { badRequest, serviceUnavailable, toStatus } from '../../shared/api/errors.js';
import type { Endpoints, Service } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Registry } from './registry/registry.js';
import { isDashboardService } from './dashboard-service.js';

const PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

export interface ProxyPath {
  namespace: string;
  /** `{scheme}:{name}:{port}` split; scheme and port '' when absent. */
  scheme: string;
  name: string;
  port: string;
  /** The path below `/proxy`, undefined when the URL ends at `/proxy`. */
  rest?: string;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A service proxy URL path, or undefined for any other path. */
export function parseProxyPath(pathname: string): ProxyPath | undefined {
  const m = PROXY_PATH.exec(pathname);
  if (!m) return undefined;
  const parts = decode(m[2]!).split(':');
  const [scheme, name, port] = parts.length === 3 ? parts : parts.length === 2 ? ['', parts[0]!, parts[1]!] : ['', parts[0]!, ''];
  if (parts.length > 3) return undefined;
  return { namespace: decode(m[1]!), scheme: scheme!, name: name!, port: port!, rest: m[3] };
}

export interface ProxyTarget {
  ip: string;
  port: number;
}

/** Which address and port a request to `svc` on `portSpec` goes to; `pick` chooses among the ready ones. */
export function proxyTarget(svc: Service, eps: Endpoints | undefined, portSpec: string, pick: (n: number) => number = (n) => Math.floor(Math.random() * n)): ProxyTarget {
  const name = svc.metadata.name!;
  const ports = svc.spec?.ports ?? [];
  const svcPort = portSpec === '' ? ports[0] : ports.find((p) => p.name === portSpec || String(p.port) === portSpec);
  if (!svcPort) throw badRequest(`no service port "${portSpec}" found for service "${name}"`);
  const portName = svcPort.name ?? '';
  const candidates: ProxyTarget[] = [];
  for (const subset of eps?.subsets ?? []) {
    const epPort = subset.ports?.find((p) => (p.name ?? '') === portName) ?? (subset.ports?.length === 1 && portName === '' ? subset.ports[0] : undefined);
    if (!epPort) continue;
    for (const a of subset.addresses ?? []) candidates.push({ ip: a.ip, port: epPort.port });
  }
  if (candidates.length === 0) throw serviceUnavailable(`no endpoints available for service "${name}"`);
  return candidates[pick(candidates.length)]!;
}

function forwardHeaders(h: IncomingHttpHeaders, extra: Record<string, string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return { ...out, ...extra };
}

function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = toStatus(err);
  res.writeHead(status.code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(status));
}

export interface ServiceProxyDeps {
  registry: Registry;
  log: Logger;
  /** Serves the dashboard for `sub` (`/`, `/main.js`, `/api/kill`, …) as `/ui{sub}` would be. */
  serveDashboard(req: IncomingMessage, res: ServerResponse, sub: string): void;
}

/** The request handler: true when `url` is a service proxy path (then it is answered). */
export function serviceProxy(deps: ServiceProxyDeps): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const SERVICES = resourceByPlural('services');
  const ENDPOINTS = resourceByPlural('endpoints');
  return (req, res, url) => {
    const p = parseProxyPath(url.pathname);
    if (!p) return false;
    if (p.rest === undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
      res.end();
      return true;
    }
    void (async () => {
      try {
        const svc = (await deps.registry.get(SERVICES, p.namespace, p.name)) as Service;
        if (isDashboardService(p.namespace, p.name)) return deps.serveDashboard(req, res, p.rest ?? '/');
        if (p.scheme === 'https') throw badRequest(`kubemu's service proxy speaks plain HTTP only: cannot reach "https:${p.name}"`);
        const eps = (await deps.registry.get(ENDPOINTS, p.namespace, p.name).catch(() => undefined)) as Endpoints | undefined;
        const target = proxyTarget(svc, eps, p.port);
        const upstream = httpRequest({
          host: target.ip,
          port: target.port,
          method: req.method,
          path: `${p.rest ?? '/'}${url.search}`,
          headers: forwardHeaders(req.headers, { host: `${target.ip}:${target.port}`, 'x-forwarded-for': req.socket.remoteAddress ?? '' }),
          timeout: 30_000,
        });
        upstream.on('response', (answer) => {
          const headers = forwardHeaders(answer.headers, {});
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
        });
        upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
          fail(res, serviceUnavailable(`error trying to reach service: dial tcp ${target.ip}:${target.port}: ${why}`));
        });
        res.on('close', () => upstream.destroy());
        req.pipe(upstream);
      } catch (err) {
        req.resume();
        deps.log.debug({ err, path: url.pathname }, 'service proxy refused');
        fail(res, err);
      }
    })();
    return true;
  };
}
