/**
 * The api-server's WebSocket event stream (`/stream`) and native WebSocket watches, against a real
 * store and nats-server: filters, resume across an api-server restart, 410, bookmarks, a slow
 * client dropped while everyone else goes on, pings, and the refusals answered before the upgrade;
 * and `kubemu events` (in-process) reading it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { configMap, namespace, pod } from '../support/builders.js';
import { openStreamClient, type StreamTestClient } from '../support/stream-client.js';
import { runCli, type CliContext } from '../../services/kubemu/cli.js';
import { realClock } from '../../shared/runtime/clock.js';

const CMS = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

function lease(name: string, ns: string): any {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: ns }, spec: { holderIdentity: name } };
}

describe('the event stream /stream', () => {
  let c: ApiCluster;
  const clients: StreamTestClient[] = [];
  const open = async (query = '', opts: { autoPong?: boolean } = {}): Promise<StreamTestClient> => {
    const s = await openStreamClient(`${c.baseUrl.replace('http', 'ws')}/stream${query}`, opts);
    clients.push(s);
    return s;
  };
  const live = async (query = ''): Promise<StreamTestClient> => {
    const s = await open(query);
    await s.caughtUp();
    return s;
  };

  beforeAll(async () => {
    c = await startApiCluster({
      historyCapacity: 150,
      stream: { bookmarkIntervalMs: 300, maxBufferedBytes: 256 * 1024, lowWaterBytes: 64 * 1024, dropGraceMs: 60_000, pingIntervalMs: 200, pongTimeoutMs: 120_000 },
    });
    await c.http('POST', '/api/v1/namespaces', namespace('team-a'));
  });
  afterAll(async () => {
    for (const s of clients) s.close();
    await c?.dispose();
  });

  it('streams every change with kind, namespace, name, uid, resourceVersion, receive time and the object', async () => {
    const s = await live();
    const before = Date.now();
    const created = await c.http('POST', CMS, configMap('s-all', { a: '1' }));
    await c.http('PATCH', `${CMS}/s-all`, { data: { a: '2' } }, MERGE);
    await c.http('DELETE', `${CMS}/s-all`);
    await eventually(() => expect(s.changes().filter((x) => x.endsWith('s-all'))).toEqual(['ADDED s-all', 'MODIFIED s-all', 'DELETED s-all']));
    const mine = s.messages.filter((m) => m.name === 's-all');
    expect(mine[0]).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', namespace: 'default', uid: created.json.metadata.uid, resourceVersion: created.json.metadata.resourceVersion });
    expect(mine[1].object.data).toEqual({ a: '2' });
    for (const m of mine) {
      expect(m.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(m.time)).toBeGreaterThanOrEqual(before - 1);
      expect(m.timeEstimated).toBeUndefined();
    }
    const rvs = mine.map((m) => Number(m.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
  });

  it('leaves the node Leases of kube-node-lease out unless leases are asked for', async () => {
    const all = await live();
    const leases = await live('?kinds=leases');
    await c.http('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('node-x', 'kube-node-lease'));
    await c.http('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', lease('elector', 'default'));
    await c.http('POST', CMS, configMap('after-leases'));
    await eventually(() => expect(all.changes()).toContain('ADDED after-leases'));
    expect(all.changes()).toContain('ADDED elector');
    expect(all.changes()).not.toContain('ADDED node-x');
    await eventually(() => expect(leases.changes()).toEqual(['ADDED node-x', 'ADDED elector']));
  });

  it('filters by kinds (plural, short name or Kind), namespace and label selector', async () => {
    const byKind = await live('?kinds=po,ConfigMap');
    const byNs = await live('?namespace=team-a&kinds=configmaps,nodes');
    const byLabel = await live('?labelSelector=app%3Dweb&objects=false');
    await c.http('POST', '/api/v1/namespaces/team-a/configmaps', configMap('in-a', {}, { app: 'web' }));
    await c.http('POST', CMS, configMap('in-default'));
    await c.http('POST', PODS, pod('p-web', { labels: { app: 'web' } }));
    await c.http('POST', '/api/v1/namespaces/team-a/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', labels: { app: 'web' } } });
    await c.http('PATCH', `${CMS}/in-default`, { metadata: { labels: { app: 'web' } } }, MERGE);
    await c.http('PATCH', `${CMS}/in-default`, { metadata: { labels: { app: 'db' } } }, MERGE);
    await c.http('POST', CMS, configMap('end'));
    await c.http('POST', '/api/v1/namespaces/team-a/configmaps', configMap('end'));
    await eventually(() => expect(byKind.changes()).toEqual(['ADDED in-a', 'ADDED in-default', 'ADDED p-web', 'MODIFIED in-default', 'MODIFIED in-default', 'ADDED end', 'ADDED end']));
    await eventually(() => expect(byNs.changes()).toEqual(['ADDED in-a', 'ADDED end']));
    // The relabelled ConfigMap enters the selection as ADDED and leaves it as DELETED, as a watch does.
    await eventually(() => expect(byLabel.changes()).toEqual(['ADDED in-a', 'ADDED p-web', 'ADDED sec', 'ADDED in-default', 'DELETED in-default']));
    expect(byLabel.messages.filter((m) => m.type === 'ADDED').every((m) => m.object === undefined && m.uid)).toBe(true);
    expect(byKind.messages.find((m) => m.name === 'p-web')).toMatchObject({ kind: 'Pod', namespace: 'default' });
  });

  it('refuses a bad query before the upgrade with a 400 Status', async () => {
    const bad = await open('?kinds=pods,widgets');
    expect(bad.refused?.status).toBe(400);
    expect(bad.refused?.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect(bad.refused?.body.message).toMatch(/unknown kind "widgets"/);
    const sel = await open('?labelSelector=a%20in%20(');
    expect(sel.refused?.status).toBe(400);
    const rv = await open('?resourceVersion=abc');
    expect(rv.refused?.status).toBe(400);
  });

  it('with resourceVersion=0 sends the current objects as ADDED, then says it is live', async () => {
    await c.http('POST', '/api/v1/namespaces/team-a/configmaps', configMap('snap-1'));
    const s = await open('?kinds=configmaps&namespace=team-a&resourceVersion=0');
    await s.caughtUp();
    // The snapshot is the cache's state (as a watch from 0 is): a write just answered may come
    // right after it, as a live ADDED.
    await eventually(() => expect(s.changes()).toEqual(expect.arrayContaining(['ADDED in-a', 'ADDED end', 'ADDED snap-1'])));
    const upTo = s.messages.findIndex((m) => m.caughtUp);
    expect(s.messages.slice(0, upTo).every((m) => m.type === 'ADDED')).toBe(true);
    await c.http('POST', '/api/v1/namespaces/team-a/configmaps', configMap('snap-2'));
    await eventually(() => expect(s.changes().at(-1)).toBe('ADDED snap-2'));
  });

  it('sends BOOKMARKs every interval with a resourceVersion to resume from', async () => {
    const s = await live('?kinds=secrets');
    await eventually(() => expect(s.messages.filter((m) => m.type === 'BOOKMARK' && !m.caughtUp).length).toBeGreaterThanOrEqual(2));
    const marks = s.messages.filter((m) => m.type === 'BOOKMARK');
    for (const m of marks) expect(Number(m.resourceVersion)).toBeGreaterThan(0);
  });

  it('resumes from a resourceVersion across an api-server restart with no gap and no duplicate', async () => {
    const first = await live('?kinds=configmaps&namespace=default');
    for (let i = 0; i < 3; i++) await c.http('POST', CMS, configMap(`resume-${i}`));
    await eventually(() => expect(first.changes().filter((x) => x.includes('resume-'))).toHaveLength(3));
    const last = first.messages.filter((m) => m.name === 'resume-2')[0].resourceVersion;
    first.close();
    for (let i = 3; i < 6; i++) await c.http('POST', CMS, configMap(`resume-${i}`));
    await c.http('PATCH', `${CMS}/resume-0`, { data: { x: 'y' } }, MERGE);
    const other = await live('?kinds=configmaps&namespace=default');
    await c.restartApiServer();
    await eventually(() => expect(other.closed?.code).toBe(1001));
    await c.http('DELETE', `${CMS}/resume-1`);
    const again = await open(`?kinds=configmaps&namespace=default&resourceVersion=${last}`);
    await again.caughtUp();
    await c.http('POST', CMS, configMap('resume-6'));
    await eventually(() =>
      expect(again.changes()).toEqual(['ADDED resume-3', 'ADDED resume-4', 'ADDED resume-5', 'MODIFIED resume-0', 'DELETED resume-1', 'ADDED resume-6']),
    );
    const rvs = again.messages.filter((m) => m.resourceVersion && m.type !== 'BOOKMARK').map((m) => Number(m.resourceVersion));
    expect(rvs[0]).toBeGreaterThan(Number(last));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    // Changes received before this api-server started have estimated times; later ones are exact.
    expect(again.messages.find((m) => m.name === 'resume-3')?.timeEstimated).toBe(true);
    expect(again.messages.find((m) => m.name === 'resume-6')?.timeEstimated).toBeUndefined();
  });

  it('answers a resourceVersion older than the history with ERROR 410 Expired, then closes', async () => {
    for (let i = 0; i < 160; i++) await c.http('POST', CMS, configMap(`old-${i}`));
    const s = await open('?resourceVersion=2');
    await eventually(() => expect(s.closed).toBeDefined());
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]).toMatchObject({ type: 'ERROR', code: 410, reason: 'Expired' });
    expect(s.messages[0].message).toMatch(/^too old resource version: 2 \(\d+\)$/);
  });

  it('tells a client that stops reading it is SLOW and drops it, while other clients and writes go on', async () => {
    const slow = await live('?kinds=configmaps&namespace=team-a');
    const steady = await live('?kinds=configmaps&namespace=team-a');
    const joined = c.server.stream.hub.clientCount;
    slow.ws.pause();
    const big = 'x'.repeat(100 * 1024);
    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      const r = await c.http('POST', '/api/v1/namespaces/team-a/configmaps', configMap(`big-${i}`, { big }));
      expect(r.status).toBe(201);
    }
    const flood = Date.now() - started;
    await eventually(() => expect(steady.changes().filter((x) => x.includes('big-'))).toHaveLength(100));
    await eventually(() => expect(c.server.stream.hub.clientCount).toBe(joined - 1));
    const t = Date.now();
    expect((await c.http('GET', '/api/v1/namespaces/team-a/configmaps/big-0')).status).toBe(200);
    expect(Date.now() - t).toBeLessThan(1000);
    slow.ws.resume();
    await eventually(() => expect(slow.closed?.code).toBe(1013));
    const lastMsg = slow.messages.at(-1);
    expect(lastMsg).toMatchObject({ type: 'SLOW' });
    expect(lastMsg.message).toMatch(/too slow/);
    const got = slow.changes().filter((x) => x.includes('big-')).length;
    expect(got).toBeLessThan(100);
    // What it did get is everything up to the resourceVersion the SLOW message names.
    expect(Number(slow.messages.filter((m) => m.name?.startsWith('big-')).at(-1)?.resourceVersion ?? 0)).toBeLessThanOrEqual(Number(lastMsg.resourceVersion));
    expect(flood).toBeLessThan(30_000);
  });

  it('pings its clients', async () => {
    const s = await live('?kinds=secrets');
    await eventually(() => expect(s.pings).toBeGreaterThanOrEqual(2));
    expect(s.closed).toBeUndefined();
  });

  it('answers /stream without a WebSocket upgrade (another upgrade, or a plain GET) with 400', async () => {
    const net = await import('node:net');
    const port = Number(new URL(c.baseUrl).port);
    const answer = await new Promise<string>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => sock.write('GET /stream HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'));
      let text = '';
      sock.on('data', (d) => (text += String(d)));
      sock.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1.1 400/);
    expect(answer).toMatch(/speaks WebSocket only/);
    const plain = await c.http('GET', '/stream');
    expect(plain.status).toBe(400);
    expect(plain.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: expect.stringMatching(/Upgrade: websocket/) });
  });
});

describe('native Kubernetes watch over WebSocket', () => {
  let c: ApiCluster;
  const clients: StreamTestClient[] = [];
  const open = async (path: string): Promise<StreamTestClient> => {
    const s = await openStreamClient(`${c.baseUrl.replace('http', 'ws')}${path}`);
    clients.push(s);
    return s;
  };
  beforeAll(async () => {
    c = await startApiCluster({ historyCapacity: 50, stream: { pingIntervalMs: 200, pongTimeoutMs: 1000 } });
  });
  afterAll(async () => {
    for (const s of clients) s.close();
    await c?.dispose();
  });

  it('sends each watch event as one text frame: the current objects, then changes', async () => {
    await c.http('POST', CMS, configMap('w-1'));
    const s = await open(`${CMS}?watch=true`);
    await eventually(() => expect(s.messages.map((m) => `${m.type} ${m.object.metadata.name}`)).toEqual(['ADDED w-1']));
    await c.http('PATCH', `${CMS}/w-1`, { data: { k: 'v' } }, MERGE);
    await c.http('DELETE', `${CMS}/w-1`);
    await eventually(() => expect(s.messages.map((m) => m.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']));
    expect(s.messages[1].object.data).toEqual({ k: 'v' });
    expect(s.messages[0].object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
  });

  it('applies selectors and resourceVersion as the HTTP watch does, and closes with 410 when too old', async () => {
    const list = await c.http('GET', CMS);
    const rv = list.json.metadata.resourceVersion;
    const s = await open(`${CMS}?watch=1&labelSelector=tier%3Dfront&resourceVersion=${rv}`);
    await c.http('POST', CMS, configMap('w-back', {}, { tier: 'back' }));
    await c.http('POST', CMS, configMap('w-front', {}, { tier: 'front' }));
    await eventually(() => expect(s.messages.map((m) => m.object.metadata.name)).toEqual(['w-front']));
    for (let i = 0; i < 60; i++) await c.http('POST', CMS, configMap(`w-old-${i}`));
    const old = await open(`${CMS}?watch=true&resourceVersion=1`);
    await eventually(() => expect(old.closed?.code).toBe(1000));
    expect(old.messages).toHaveLength(1);
    expect(old.messages[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('ends the socket when timeoutSeconds passes', async () => {
    const s = await open(`${CMS}?watch=true&timeoutSeconds=1&labelSelector=none%3Dnone`);
    await eventually(() => expect(s.closed?.code).toBe(1000), { timeoutMs: 5000 });
  });

  it('refuses a bad watch as HTTP with its Status before the upgrade', async () => {
    const s = await open(`${CMS}?watch=true&labelSelector=a%20in%20(`);
    expect(s.refused?.status).toBe(400);
    expect(s.refused?.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    const unknown = await open('/api/v1/namespaces/default/widgets?watch=true');
    expect(unknown.refused?.status).toBe(404);
  });

  it('drops a client that stops answering pings, and keeps one that answers', async () => {
    const alive = await open(`${CMS}?watch=true&labelSelector=none%3Dnone`);
    const dead = await openStreamClient(`${c.baseUrl.replace('http', 'ws')}${CMS}?watch=true&labelSelector=none%3Dnone`, { autoPong: false });
    clients.push(dead);
    await eventually(() => expect(dead.closed).toBeDefined(), { timeoutMs: 5000 });
    expect(dead.pings).toBeGreaterThan(0);
    expect(alive.closed).toBeUndefined();
    expect(alive.pings).toBeGreaterThanOrEqual(dead.pings);
  });
});

describe('kubemu events against a live api-server', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster({ historyCapacity: 500 });
  });
  afterAll(async () => {
    await c?.dispose();
  });

  /** Runs `kubemu events …` in-process until `stop()`; its stdout and stderr lines as they come. */
  function tail(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const stop = new AbortController();
    const ctx: CliContext = {
      root: '/nonexistent',
      clock: realClock,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: {},
      stdoutIsTTY: false,
      signals: () => ({ stop: stop.signal, hurry: new AbortController().signal, dispose: () => undefined }),
    };
    const code = runCli(['events', '--server', c.baseUrl, ...args], ctx);
    return { out, err, code, stop: () => stop.abort(new Error('test done')) };
  }

  it('prints one readable line per change, without colour when stdout is not a terminal', async () => {
    const t = tail(['-n', 'default', '--kinds', 'pods,configmaps']);
    await eventually(() => expect(c.server.stream.hub.clientCount).toBe(1));
    await c.http('POST', CMS, configMap('cli-cm'));
    await c.http('POST', PODS, pod('cli-pod'));
    await c.http('DELETE', `${PODS}/cli-pod`, { gracePeriodSeconds: 0 });
    await eventually(() => expect(t.out.some((l) => / - Pod +default\/cli-pod +deleted/.test(l))).toBe(true));
    expect(t.out.find((l) => l.includes('cli-cm'))).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \+ ConfigMap +default\/cli-cm$/);
    expect(t.out.find((l) => l.includes('+ Pod'))).toMatch(/\+ Pod +default\/cli-pod +Pending +ready 0\/1$/);
    expect(t.out.join('\n')).not.toMatch(/\x1b/);
    t.stop();
    expect(await t.code).toBe(0);
    await eventually(() => expect(c.server.stream.hub.clientCount).toBe(0));
  });

  it('--json prints the raw messages, reconnects when the api-server restarts and resumes with nothing lost or repeated', async () => {
    const t = tail(['--json', '--kinds', 'configmaps', '-n', 'default', '-l', 'cli=json']);
    await eventually(() => expect(t.out.some((l) => JSON.parse(l).caughtUp)).toBe(true)); // it prints from here
    await c.http('POST', CMS, configMap('j-1', {}, { cli: 'json' }));
    await eventually(() => expect(t.out.some((l) => l.includes('"j-1"'))).toBe(true));
    await c.restartApiServer();
    await c.http('POST', CMS, configMap('j-2', {}, { cli: 'json' }));
    await c.http('POST', CMS, configMap('other', {}, { cli: 'no' }));
    await eventually(() => expect(t.out.some((l) => l.includes('"j-2"'))).toBe(true), { timeoutMs: 15_000 });
    const changes = t.out.map((l) => JSON.parse(l)).filter((m) => m.type === 'ADDED');
    expect(changes.map((m) => m.name)).toEqual(['j-1', 'j-2']);
    expect(t.err.join('\n')).toMatch(/reconnecting/);
    expect(t.err.join('\n')).toMatch(/reconnected \(resuming after resourceVersion \d+\)/);
    t.stop();
    expect(await t.code).toBe(0);
    await eventually(() => expect(c.server.stream.hub.clientCount).toBe(0));
  });

  it('fails with the server’s reason for a bad kind, and when nothing answers', async () => {
    const bad = tail(['--kinds', 'gizmos']);
    expect(await bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/answered 400: kinds: unknown kind "gizmos"/);
    const nobody = runCli(['events', '--server', 'http://127.0.0.1:1'], { root: '/nonexistent', clock: realClock, out: () => undefined, err: (l) => bad.err.push(l), env: {}, signals: () => ({ stop: new AbortController().signal, hurry: new AbortController().signal, dispose: () => undefined }) });
    expect(await nobody).toBe(1);
    expect(bad.err.at(-1)).toMatch(/cannot reach the api-server at http:\/\/127.0.0.1:1/);
  });
});
