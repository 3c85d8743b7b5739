/**
 * kube-proxy with real TCP: backends are real HTTP/TCP servers on pod addresses, the proxier binds
 * real service addresses, clients connect for real. Addresses come from network slot 27, which a
 * launcher only takes when the machine is busy with 27 other clusters (and it would then see these
 * sockets and skip the slot).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { EndpointSlice } from '../../shared/api/apps.js';
import type { Node, Service } from '../../shared/api/core.js';
import { networkPlan } from '../../shared/api/network.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { BusStatus } from '../../shared/nats/connection.js';
import { realClock } from '../../shared/runtime/clock.js';
import { Proxier } from '../../services/kube-proxy/proxier.js';
import { computeRules, type ProxyRules } from '../../services/kube-proxy/rules.js';
import { createKubeProxy } from '../../services/kube-proxy/kube-proxy.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';

const plan = networkPlan(27);
const NODE_IP = plan.nodeAddress(1);
const POD = (i: number): string => `${plan.podCidr(0).replace(/\.0\/24$/, '')}.${i + 1}`;
const CLUSTER_IP = plan.serviceIp(200);

// ---- real servers and clients ----

const servers: net.Server[] = [];

async function httpPod(ip: string, name: string, port = 8080): Promise<void> {
  const server = http.createServer((_req, res) => res.end(`You've hit ${name}\n`));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, ip, () => resolve()));
  servers.push(server);
}

/** A TCP server that echoes every chunk back. */
async function echoPod(ip: string, port = 9000): Promise<void> {
  const server = net.createServer((s) => s.on('data', (d) => s.write(d)).on('error', () => undefined));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, ip, () => resolve()));
  servers.push(server);
}

/** One GET on a fresh connection: the body, or the error code. */
function hit(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body.trim()));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

async function hits(host: string, port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await hit(host, port));
  return out;
}

/** How a bare connect ends: 'connected' or the error code, and how long it took. */
function connectOutcome(host: string, port: number): Promise<{ outcome: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(3000, () => s.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    s.once('connect', () => {
      s.destroy();
      resolve({ outcome: 'connected', ms: Date.now() - t0 });
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve({ outcome: e.code ?? e.message, ms: Date.now() - t0 }));
  });
}

// ---- objects ----

function service(name: string, spec: Partial<Service['spec']> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'ClusterIP', clusterIP: CLUSTER_IP, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
  };
}

function slice(svc: string, ready: string[], notReady: string[] = [], port = 8080): EndpointSlice {
  const ep = (ip: string, r: boolean) => ({ addresses: [ip], conditions: { ready: r, serving: r, terminating: false }, nodeName: 'node-1' });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-abcde`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: [...ready.map((ip) => ep(ip, true)), ...notReady.map((ip) => ep(ip, false))],
    ports: [{ name: '', port, protocol: 'TCP' }],
  };
}

const rulesFor = (services: Service[], slices: EndpointSlice[]): ProxyRules => computeRules({ services, slices, nodeName: 'node-1', nodeIp: NODE_IP });

const proxiers: Proxier[] = [];
function proxier(): Proxier {
  const p = new Proxier({ clock: realClock, sharedRetryMs: 200, unavailableRetryMs: 500 });
  proxiers.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(proxiers.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('kube-proxy proxier (real TCP)', () => {
  beforeAll(async () => {
    await httpPod(POD(1), 'kubia-a');
    await httpPod(POD(2), 'kubia-b');
    await httpPod(POD(3), 'kubia-c');
    await echoPod(POD(4));
  });

  it('forwards connections to a ClusterIP to every ready backend in turn', async () => {
    const p = proxier();
    p.apply(rulesFor([service('kubia')], [slice('kubia', [POD(1), POD(2), POD(3)])]), true);
    await eventually(() => p.status().listening.length === 1);
    const answers = await hits(CLUSTER_IP, 80, 6);
    expect(answers.sort()).toEqual(["You've hit kubia-a", "You've hit kubia-a", "You've hit kubia-b", "You've hit kubia-b", "You've hit kubia-c", "You've hit kubia-c"]);
  });

  it('refuses a connection at once when the service has no ready endpoint', async () => {
    const p = proxier();
    p.apply(rulesFor([service('kubia')], [slice('kubia', [], [POD(1)])]), true);
    const { outcome, ms } = await connectOutcome(CLUSTER_IP, 80);
    expect(outcome).toBe('ECONNREFUSED');
    expect(ms).toBeLessThan(500);
  });

  it('sends a connection to another backend when one refuses it', async () => {
    const p = proxier();
    const dead = POD(50); // nothing listens there: a pod whose process died
    p.apply(rulesFor([service('kubia')], [slice('kubia', [POD(1), dead])]), true);
    await eventually(() => p.status().listening.length === 1);
    expect(await hits(CLUSTER_IP, 80, 6)).toEqual(Array(6).fill("You've hit kubia-a"));
  });

  it('applies endpoint changes to the next connection', async () => {
    const p = proxier();
    const svc = service('kubia');
    p.apply(rulesFor([svc], [slice('kubia', [POD(1)])]), true);
    await eventually(() => p.status().listening.length === 1);
    expect(await hit(CLUSTER_IP, 80)).toBe("You've hit kubia-a");
    p.apply(rulesFor([svc], [slice('kubia', [POD(2)], [POD(1)])]), true);
    expect(await hits(CLUSTER_IP, 80, 3)).toEqual(Array(3).fill("You've hit kubia-b"));
    p.apply(rulesFor([svc], [slice('kubia', [], [POD(1), POD(2)])]), true);
    await eventually(async () => (await connectOutcome(CLUSTER_IP, 80)).outcome === 'ECONNREFUSED');
  });

  it('sticks a client to one backend with sessionAffinity ClientIP', async () => {
    const p = proxier();
    p.apply(rulesFor([service('kubia', { sessionAffinity: 'ClientIP' })], [slice('kubia', [POD(1), POD(2), POD(3)])]), true);
    await eventually(() => p.status().listening.length === 1);
    const answers = await hits(CLUSTER_IP, 80, 6);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/^You've hit kubia-[abc]$/);
  });

  it('lets one proxier hold a shared address and another take it over within about a second when it stops', async () => {
    const rules = rulesFor([service('kubia')], [slice('kubia', [POD(1)])]);
    const first = proxier();
    const second = proxier();
    first.apply(rules, true);
    await eventually(() => first.status().listening.length === 1);
    second.apply(rules, true);
    await eventually(() => second.status().waiting.length === 1, { message: 'the second proxier waits for the address' });
    expect(second.status().listening).toEqual([]);
    expect(await hit(CLUSTER_IP, 80)).toBe("You've hit kubia-a");
    const t0 = Date.now();
    await first.stop();
    await eventually(() => second.status().listening.length === 1, { timeoutMs: 3000 });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await hit(CLUSTER_IP, 80)).toBe("You've hit kubia-a");
  });

  it('releases shared addresses but keeps its NodePort when it may not serve them', async () => {
    const p = proxier();
    const svc = service('np', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 31999 }] });
    const rules = rulesFor([svc], [slice('np', [POD(2)])]);
    p.apply(rules, true);
    await eventually(() => p.status().listening.length === 2);
    p.apply(rules, false);
    await eventually(() => p.status().listening.length === 1);
    expect(await hit(NODE_IP, 31999)).toBe("You've hit kubia-b");
    expect((await connectOutcome(CLUSTER_IP, 80)).outcome).toBe('ECONNREFUSED');
  });

  it('keeps an established connection while its pod is only not ready, and closes it when the pod is gone', async () => {
    const p = proxier();
    const svc = service('echo', { ports: [{ port: 9000, targetPort: 9000, protocol: 'TCP' }] });
    p.apply(rulesFor([svc], [slice('echo', [POD(4)], [], 9000)]), true);
    await eventually(() => p.status().listening.length === 1);
    const sock = net.connect({ host: CLUSTER_IP, port: 9000 });
    let received = '';
    let closed = false;
    sock.setEncoding('utf8').on('data', (d: string) => (received += d)).on('close', () => (closed = true)).on('error', () => undefined);
    sock.write('one;');
    await eventually(() => received === 'one;');
    p.apply(rulesFor([svc], [slice('echo', [], [POD(4)], 9000)]), true);
    sock.write('two;');
    await eventually(() => received === 'one;two;');
    expect(closed).toBe(false);
    p.apply(rulesFor([svc], []), true);
    await eventually(() => closed, { message: 'the connection to a gone pod is closed' });
  });

  it('passes a half-close through: the answer still arrives after the client stopped writing', async () => {
    const p = proxier();
    const svc = service('echo', { ports: [{ port: 9000, targetPort: 9000, protocol: 'TCP' }] });
    p.apply(rulesFor([svc], [slice('echo', [POD(4)], [], 9000)]), true);
    await eventually(() => p.status().listening.length === 1);
    const big = 'x'.repeat(1 << 20);
    const echoed = await new Promise<number>((resolve, reject) => {
      let n = 0;
      const s = net.connect({ host: CLUSTER_IP, port: 9000 }, () => s.end(big));
      s.on('data', (d) => {
        n += d.length;
        if (n >= big.length) {
          s.destroy();
          resolve(n);
        }
      });
      s.on('error', reject);
    });
    expect(echoed).toBe(big.length);
  });
});

describe('kube-proxy through the API', () => {
  let c: ApiCluster;
  const NODES = resourceByPlural('nodes');
  const SERVICES = resourceByPlural('services');
  const SLICES = resourceByPlural('endpointslices');
  let busListener: ((s: BusStatus) => void) | undefined;
  const abort = new AbortController();
  let proxy: ReturnType<typeof createKubeProxy>;

  async function setNodeReady(ready: boolean): Promise<void> {
    const api = c.client();
    const node = await api.get<Node>(NODES, undefined, 'node-1');
    node.status = { ...node.status, conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown', reason: ready ? 'KubeletReady' : 'NodeStatusUnknown' }] };
    await api.update(NODES, node, 'status');
  }

  beforeAll(async () => {
    c = await startApiCluster({ network: plan, systemObjectsIntervalMs: 60_000 });
    await httpPod(POD(11), 'api-a');
    await httpPod(POD(12), 'api-b');
    await c.client().create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
    await setNodeReady(true);
    proxy = createKubeProxy(
      { nodeName: 'node-1', nodeIp: NODE_IP, sharedRetryMs: 200 },
      { api: c.client('kube-proxy'), clock: realClock, onBusStatus: (l) => ((busListener = l), () => (busListener = undefined)) },
    );
    void proxy.run(abort.signal);
    await eventually(() => proxy.health().ready);
  });

  afterAll(async () => {
    abort.abort();
    await c?.dispose();
  });

  it('serves a Service from its EndpointSlices and follows them as they change', async () => {
    const api = c.client();
    const svc = await api.create<Service>(SERVICES, 'default', { ...service('web'), spec: { ports: [{ port: 80, targetPort: 8080 }] } });
    const ip = svc.spec.clusterIP as string;
    expect(plan.serviceIpIndex(ip)).toBeDefined();
    expect((await connectOutcome(ip, 80)).outcome).toBe('ECONNREFUSED');
    const created = await api.create<EndpointSlice>(SLICES, 'default', slice('web', [POD(11)]));
    await eventually(async () => (await hit(ip, 80)) === "You've hit api-a");
    await api.update(SLICES, { ...created, endpoints: slice('web', [POD(11), POD(12)]).endpoints });
    await eventually(async () => new Set(await hits(ip, 80, 4)).size === 2);
    await api.delete(SLICES, 'default', created.metadata.name ?? '');
    await eventually(async () => (await connectOutcome(ip, 80)).outcome === 'ECONNREFUSED');
  });

  it('releases shared addresses while its node is not Ready or the bus is lost, and serves them again after', async () => {
    const api = c.client();
    const svc = await api.create<Service>(SERVICES, 'default', {
      ...service('held'),
      spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 31888 }] },
    });
    await api.create(SLICES, 'default', slice('held', [POD(12)]));
    const ip = svc.spec.clusterIP as string;
    await eventually(async () => (await hit(ip, 80)) === "You've hit api-b");

    await setNodeReady(false);
    await eventually(async () => (await connectOutcome(ip, 80)).outcome === 'ECONNREFUSED');
    expect(await hit(NODE_IP, 31888)).toBe("You've hit api-b");
    await setNodeReady(true);
    await eventually(async () => (await hit(ip, 80)) === "You've hit api-b");

    busListener?.('disconnected');
    await eventually(async () => (await connectOutcome(ip, 80)).outcome === 'ECONNREFUSED');
    expect(proxy.health()).toMatchObject({ ready: true, servingShared: false });
    busListener?.('connected');
    await eventually(async () => (await hit(ip, 80)) === "You've hit api-b");
  });

  it('forwards the kubernetes Service to the api-server', async () => {
    const kubernetes = await c.client().get<Service>(SERVICES, 'default', 'kubernetes');
    const ip = kubernetes.spec.clusterIP as string;
    const answer = await eventually(async () => {
      const res = await fetch(`http://${ip}:443/version`);
      return (await res.json()) as { major?: string };
    });
    expect(answer.major).toBe('1');
  });
});
