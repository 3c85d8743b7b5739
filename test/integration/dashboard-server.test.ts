/**
 * The dashboard on a real api-server (a real nats-server and store): the page and its files under
 * /ui/ (and nothing outside its directories), the buttons forwarded to a kubemu agent on the bus
 * (a stand-in serving the agent's subjects) or refused with 503 when none runs, the dashboard's
 * cluster Service and Endpoints, and the service proxy — to a real HTTP server behind a Service's
 * Endpoints, and to the dashboard itself.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { subjects } from '../../shared/nats/subjects.js';
import { badRequest } from '../../shared/api/errors.js';
import { dashboardServer } from '../../services/api-server/web-server.js';
import { silentLogger } from '../../shared/runtime/logger.js';

const DASHBOARD = '/api/v1/namespaces/kube-system/services/kubemu-dashboard:http/proxy';
const json = (r: Response): Promise<any> => r.json();

describe('the dashboard on the api-server', { timeout: 60_000 }, () => {
  let c: ApiCluster;
  let upstream: Server;
  let upstreamPort = 0;
  const seen: { method?: string; url?: string; body: string; host?: string }[] = [];

  beforeAll(async () => {
    c = await startApiCluster();
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body, host: req.headers.host });
        res.writeHead(201, { 'Content-Type': 'text/plain', 'X-Upstream': 'yes' });
        res.end(`hello from upstream ${req.method} ${req.url}`);
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamPort = (upstream.address() as { port: number }).port;
  }, 60_000);
  afterAll(async () => {
    upstream?.close();
    await c?.dispose();
  });

  const raw = (path: string, init: RequestInit = {}) => fetch(`${c.baseUrl}${path}`, { redirect: 'manual', ...init });
  const post = (op: string, body: unknown, type = 'application/json') => raw(`/ui/api/${op}`, { method: 'POST', headers: { 'Content-Type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('serves the page at /ui/ (and redirects /ui there), with nosniff and a same-origin content policy', async () => {
    const redirect = await raw('/ui');
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/ui/']);
    const page = await raw('/ui/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="main.js"></script>');
    expect((await raw('/ui/style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for files it does not have and for paths that try to leave its directories', async () => {
    for (const path of ['/ui/nope.css', '/ui/%2e%2e/package.json', '/ui/lib/../../package.json', '/ui/lib/api%2f..%2f..%2fpackage.json', '/ui/.env']) {
      const r = await raw(path);
      expect(r.status, path).toBe(404);
      expect((await json(r)).kind).toBe('Status');
    }
    expect((await raw('/ui/style.css', { method: 'DELETE' })).status).toBe(405);
  });

  it('serves the compiled scripts and shared modules from the directories it was given', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kubemu-web-'));
    try {
      for (const d of ['pages', 'scripts', 'lib/healing']) mkdirSync(join(root, d), { recursive: true });
      writeFileSync(join(root, 'scripts/main.js'), 'export const main = 1;\n');
      writeFileSync(join(root, 'lib/healing/timeline.js'), 'export const timeline = 1;\n');
      const serve = dashboardServer({ registry: c.server.registry, bus: c.bus, log: silentLogger(), dirs: { pages: join(root, 'pages'), scripts: join(root, 'scripts'), lib: join(root, 'lib') } });
      const srv = createServer((req, res) => serve(req, res, new URL(req.url!, 'http://x').pathname));
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
      const script = await fetch(`${base}/main.js`);
      expect([script.status, script.headers.get('content-type'), await script.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'export const main = 1;\n']);
      expect(await (await fetch(`${base}/lib/healing/timeline.js`)).text()).toBe('export const timeline = 1;\n');
      const missing = await fetch(`${base}/render.js`);
      expect(missing.status).toBe(404);
      expect((await json(missing)).message).toContain('npm run build');
      srv.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a button with 503 and a clear Status when no kubemu agent runs', async () => {
    const r = await post('kill', { target: 'node-2' });
    expect(r.status).toBe(503);
    const status = await json(r);
    expect(status).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect(status.message).toMatch(/^cannot kill node-2: no kubemu agent is running/);
  });

  it("forwards a button to the agent's subject and answers what the agent answered, errors included", async () => {
    const got: unknown[] = [];
    const subs = [
      c.bus.serve(subjects.control('agent', 'partition'), (body) => {
        got.push(body);
        return { ok: true, message: 'node-2 partitioned for 30s' };
      }),
      c.bus.serve(subjects.control('agent', 'start'), () => {
        throw badRequest('node-9 is not a node of this cluster');
      }),
    ];
    try {
      const ok = await post('partition', { target: 'node-2', forMs: 30_000 });
      expect([ok.status, await json(ok)]).toEqual([200, { ok: true, message: 'node-2 partitioned for 30s' }]);
      expect(got).toEqual([{ target: 'node-2', forMs: 30_000, by: 'dashboard' }]);
      const refused = await post('start', { target: 'node-9' });
      expect([refused.status, (await json(refused)).message]).toEqual([400, 'node-9 is not a node of this cluster']);
    } finally {
      for (const s of subs) s.unsubscribe();
    }
  });

  it('takes only POSTed JSON naming a target, for the actions it knows', async () => {
    expect((await post('kill', { target: 'node-2' }, 'text/plain')).status).toBe(415);
    expect((await post('kill', { nope: true })).status).toBe(400);
    expect((await post('kill', 'x'.repeat(10_000))).status).toBe(413);
    expect((await post('explode', { target: 'node-2' })).status).toBe(404);
    expect((await raw('/ui/api/kill')).status).toBe(405);
  });

  it('has the dashboard cluster Service, whose Endpoints name this api-server', async () => {
    const svc = await c.http('GET', '/api/v1/namespaces/kube-system/services/kubemu-dashboard');
    expect(svc.json.metadata.labels).toMatchObject({ 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'Dashboard' });
    expect(svc.json.spec.clusterIP).toMatch(/^127\.64\.\d+\.\d+$/);
    const eps = await c.http('GET', '/api/v1/namespaces/kube-system/endpoints/kubemu-dashboard');
    expect(eps.json.subsets[0].ports[0]).toMatchObject({ name: 'http', port: Number(new URL(c.baseUrl).port) });
  });

  it('serves the dashboard through the service proxy, so the cluster-info link opens it', async () => {
    const bare = await raw(DASHBOARD);
    expect([bare.status, bare.headers.get('location')]).toEqual([301, `${DASHBOARD}/`]);
    const page = await raw(`${DASHBOARD}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('kubemu dashboard');
    expect((await raw(`${DASHBOARD}/style.css`)).status).toBe(200);
    expect((await raw(`${DASHBOARD}/api/kill`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"target":"node-1"}' })).status).toBe(503);
  });

  it('proxies any HTTP request to a ready endpoint of a Service: method, path, query, body and the answer', async () => {
    await c.http('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { ports: [{ name: 'web', port: 80 }] } });
    await c.http('POST', '/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'echo' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'web', port: upstreamPort }] }] });
    const r = await raw('/api/v1/namespaces/default/services/echo:web/proxy/some/path?x=1&y=2', { method: 'PUT', body: 'payload' });
    expect([r.status, r.headers.get('x-upstream'), await r.text()]).toEqual([201, 'yes', 'hello from upstream PUT /some/path?x=1&y=2']);
    expect(seen.at(-1)).toEqual({ method: 'PUT', url: '/some/path?x=1&y=2', body: 'payload', host: `127.0.0.1:${upstreamPort}` });
  });

  it('refuses with Kubernetes Statuses: unknown Service 404, no endpoints 503, a dead endpoint 503', async () => {
    const unknown = await raw('/api/v1/namespaces/default/services/ghost/proxy/');
    expect([unknown.status, (await json(unknown)).message]).toEqual([404, 'services "ghost" not found']);
    await c.http('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lonely' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } });
    const none = await raw('/api/v1/namespaces/default/services/lonely/proxy/');
    expect([none.status, (await json(none)).message]).toEqual([503, 'no endpoints available for service "lonely"']);
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await c.http('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dead' }, spec: { ports: [{ port: 80 }] } });
    await c.http('POST', '/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'dead' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: closed }] }] });
    const dead = await raw('/api/v1/namespaces/default/services/dead/proxy/');
    expect([dead.status, (await json(dead)).message]).toEqual([503, `error trying to reach service: dial tcp 127.0.0.1:${closed}: connect: connection refused`]);
  });
});
