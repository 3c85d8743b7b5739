/**
 * Services carrying real traffic, the notes' flow with the real kubectl on a 3-node cluster:
 * `kubectl create -f rc.yaml` (kubia ×3), `kubectl expose rc kubia --type=LoadBalancer --name
 * kubia-http`, an EXTERNAL-IP in `kubectl get svc`, requests to it answered by every pod (real TCP
 * through kube-proxy), the ClusterIP and each node's NodePort answering, a Service without ready
 * endpoints refusing at once, a selector-less Service with hand-written Endpoints answering,
 * `kubectl scale` to 5 answered by all five, and then the node whose
 * kube-proxy holds the load-balancer address is killed: another kube-proxy takes the address over
 * within about a second, the dead node's pods answer no more, the Service keeps answering and the
 * ReplicationController's replacements join it.
 *
 * The tests run in order on one cluster: each step starts from the state the previous one left.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { tryHttpGet } from '../support/http.js';
import { column, describeField, parseTable, row, type KubectlTable } from '../support/kubectl-output.js';
import { recordedProcess, runningProcess, watchDeaths } from '../support/processes.js';

const run = promisify(execFile);
const M = 'test/fixtures/manifests';
const HIT = /^You've hit (kubia-[a-z0-9]{5})\n$/;

/** Which pod answered a GET, or the error. */
async function whoAnswers(host: string, port: number, timeoutMs = 2000): Promise<string> {
  const a = await tryHttpGet(host, port, '/', timeoutMs);
  if ('error' in a) return a.error;
  return HIT.exec(a.body)?.[1] ?? `unexpected answer ${a.status} ${JSON.stringify(a.body)}`;
}

async function answers(host: string, port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await whoAnswers(host, port));
  return out;
}

const count = (xs: string[]): Record<string, number> => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});

/** How a bare TCP connect ends, and how long it took. */
function connectOutcome(host: string, port: number): Promise<{ outcome: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(5000, () => s.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    s.once('connect', () => (s.destroy(), resolve({ outcome: 'connected', ms: Date.now() - t0 })));
    s.once('error', (e: NodeJS.ErrnoException) => resolve({ outcome: e.code ?? e.message, ms: Date.now() - t0 }));
  });
}

/** The pid listening on ip:port, from the kernel's socket table (`ss`). */
async function listenerPid(ip: string, port: number): Promise<number | undefined> {
  const { stdout } = await run('ss', ['-Hltnp', `src ${ip}:${port}`]);
  const m = /pid=(\d+)/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

describe('Services carry real traffic: expose rc kubia as a LoadBalancer, curl it, kill the node serving it', () => {
  let c: E2ECluster;
  let external = '';
  let nodePort = 0;
  let clusterIp = '';
  /** The node killed in the takeover test. */
  let victim = '';
  const nodeIps = new Map<string, string>();

  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await c.kubectl(args, input === undefined ? {} : { input });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const pods = async (): Promise<KubectlTable> => parseTable(await ok(['get', 'po', '-l', 'app=kubia', '-o', 'wide']));
  /** The kubia pods that are Running and ready, by name → node. */
  const readyPods = async (): Promise<Map<string, string>> => {
    const t = await pods();
    const out = new Map<string, string>();
    for (const name of column(t, 'NAME')) {
      const r = row(t, name);
      if (r.STATUS === 'Running' && r.READY === '1/1') out.set(name, r.NODE);
    }
    return out;
  };

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
    const t = parseTable(await ok(['get', 'nodes', '-o', 'wide']));
    for (const n of column(t, 'NAME')) nodeIps.set(n, row(t, n)['INTERNAL-IP']);
  }, 180_000);
  afterAll(async () => {
    await c?.down();
  });

  it('kubectl create -f rc.yaml runs three kubia pods, one per node', async () => {
    expect((await ok(['create', '-f', `${M}/rc.yaml`])).trim()).toBe('replicationcontroller/kubia created');
    const ready = await eventually(
      async () => {
        const r = await readyPods();
        expect(r.size).toBe(3);
        return r;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'three kubia pods did not run' },
    );
    expect(new Set(ready.values())).toEqual(new Set(['node-1', 'node-2', 'node-3']));
  });

  it('kubectl expose rc kubia --type=LoadBalancer --name kubia-http gives it an EXTERNAL-IP', async () => {
    expect((await ok(['expose', 'rc', 'kubia', '--type=LoadBalancer', '--name', 'kubia-http'])).trim()).toBe('service/kubia-http exposed');
    const svc = await eventually(
      async () => {
        const r = row(parseTable(await ok(['get', 'svc'])), 'kubia-http');
        expect(r['EXTERNAL-IP']).not.toBe('<pending>');
        return r;
      },
      { timeoutMs: 10_000, intervalMs: 200, message: 'kubia-http kept a <pending> EXTERNAL-IP' },
    );
    expect(svc.TYPE).toBe('LoadBalancer');
    external = svc['EXTERNAL-IP'];
    clusterIp = svc['CLUSTER-IP'];
    expect(external).toMatch(/^127\.\d+\.(19[2-9]|2\d\d)\.\d+$/); // the cluster's load-balancer range
    const m = /^8080:(\d+)\/TCP$/.exec(svc['PORT(S)']);
    expect(m, svc['PORT(S)']).not.toBeNull();
    nodePort = Number(m![1]);
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
  });

  it('30 requests to the EXTERNAL-IP are answered by all three pods', async () => {
    const names = [...(await readyPods()).keys()].sort();
    // The pods answer once kube-proxy has their endpoints and kubia listens.
    await eventually(async () => expect(await whoAnswers(external, 8080)).toMatch(/^kubia-/), { timeoutMs: 15_000, intervalMs: 200 });
    const got = await answers(external, 8080, 30);
    expect(Object.keys(count(got)).sort()).toEqual(names);
    for (const n of names) expect(count(got)[n], `${n} answered ${count(got)[n]} of 30`).toBeGreaterThanOrEqual(5);
    const curl = await run('curl', ['-s', '-m', '5', `http://${external}:8080`]);
    expect(curl.stdout).toMatch(HIT);
  });

  it('kubectl describe svc and get endpoints show the three pod addresses', async () => {
    const ips = column(await pods(), 'IP').sort();
    const d = await ok(['describe', 'svc', 'kubia-http']);
    expect(describeField(d, 'LoadBalancer Ingress')).toBe(`${external} (VIP)`);
    expect(describeField(d, 'Endpoints').split(',').sort()).toEqual(ips.map((ip) => `${ip}:8080`));
    expect(d).toMatch(/EnsuringLoadBalancer\s+\S+\s+service-controller\s+Ensuring load balancer/);
    const ep = row(parseTable(await ok(['get', 'endpoints', 'kubia-http'])), 'kubia-http');
    expect(ep.ENDPOINTS.split(',').sort()).toEqual(ips.map((ip) => `${ip}:8080`));
    const slices = parseTable(await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=kubia-http']));
    expect(column(slices, 'PORTS')).toEqual(['8080']);
  });

  it('the ClusterIP and the NodePort on every node’s address answer too', async () => {
    expect(Object.keys(count(await answers(clusterIp, 8080, 6))).length).toBeGreaterThanOrEqual(2);
    expect(nodeIps.size).toBe(3);
    for (const [node, ip] of nodeIps) expect(await whoAnswers(ip, nodePort), `NodePort on ${node} (${ip})`).toMatch(/^kubia-/);
  });

  it('a Service without ready endpoints refuses connections at once', async () => {
    expect((await ok(['create', 'service', 'clusterip', 'nothing', '--tcp=80:8080'])).trim()).toBe('service/nothing created');
    const ip = row(parseTable(await ok(['get', 'svc', 'nothing'])), 'nothing')['CLUSTER-IP'];
    const { outcome, ms } = await connectOutcome(ip, 80);
    expect(outcome).toBe('ECONNREFUSED');
    expect(ms).toBeLessThan(1000);
    const curl = await run('curl', ['-s', '-m', '5', `http://${ip}:80`]).catch((e: { code: number }) => e);
    expect((curl as { code: number }).code).toBe(7); // curl: failed to connect
  });

  it('a Service without a selector carries traffic to the Endpoints written for it', async () => {
    const [pod] = [...(await readyPods()).keys()];
    const podIp = row(await pods(), pod).IP;
    const manifests = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external-service' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external-service' }, subsets: [{ addresses: [{ ip: podIp }], ports: [{ port: 8080 }] }] },
    ];
    expect((await ok(['create', '-f', '-'], manifests.map((m) => JSON.stringify(m)).join('\n'))).trim().split('\n')).toEqual([
      'service/external-service created',
      'endpoints/external-service created',
    ]);
    const ip = row(parseTable(await ok(['get', 'svc', 'external-service'])), 'external-service')['CLUSTER-IP'];
    await eventually(async () => expect(await whoAnswers(ip, 80)).toBe(pod), { timeoutMs: 10_000, intervalMs: 200 });
    expect(describeField(await ok(['describe', 'svc', 'external-service']), 'Endpoints')).toBe(`${podIp}:8080`);
  });

  it('kubectl scale rc kubia --replicas=5 → five pods, all answering', async () => {
    expect((await ok(['scale', 'rc', 'kubia', '--replicas=5'])).trim()).toBe('replicationcontroller/kubia scaled');
    const names = await eventually(
      async () => {
        const r = await readyPods();
        expect(r.size).toBe(5);
        return [...r.keys()].sort();
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await eventually(async () => expect(Object.keys(count(await answers(external, 8080, 25))).sort()).toEqual(names), { timeoutMs: 20_000, intervalMs: 200 });
  });

  it('kubectl delete po <one> → the RC makes a new one, which joins the Service', async () => {
    const before = [...(await readyPods()).keys()].sort();
    const victimPod = before[0];
    expect((await ok(['delete', 'po', victimPod])).trim()).toBe(`pod "${victimPod}" deleted`);
    const after = await eventually(
      async () => {
        const r = [...(await readyPods()).keys()].sort();
        expect(r).toHaveLength(5);
        expect(r).not.toContain(victimPod);
        return r;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await eventually(async () => expect(Object.keys(count(await answers(external, 8080, 25))).sort()).toEqual(after), { timeoutMs: 20_000, intervalMs: 200 });
  });

  it('relabelling a pod takes it out of the RC (and the Service): a new one appears in its place', async () => {
    const before = [...(await readyPods()).keys()].sort();
    const moved = before[0];
    expect((await ok(['label', 'po', moved, 'app=foo', '--overwrite'])).trim()).toBe(`pod/${moved} labeled`);
    const after = await eventually(
      async () => {
        const r = [...(await readyPods()).keys()].sort();
        expect(r).toHaveLength(5);
        expect(r).not.toContain(moved);
        return r;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const released = JSON.parse(await ok(['get', 'po', moved, '-o', 'json']));
    expect(released.metadata.ownerReferences ?? []).toEqual([]);
    expect(released.status.phase).toBe('Running');
    await eventually(async () => expect(Object.keys(count(await answers(external, 8080, 25))).sort()).toEqual(after), { timeoutMs: 20_000, intervalMs: 200 });
    expect((await ok(['delete', 'po', moved])).trim()).toBe(`pod "${moved}" deleted`);
  });

  it('killing the node whose kube-proxy holds the EXTERNAL-IP: another takes it over, the dead pods stop answering, the Service keeps answering', async () => {
    const holderPid = await listenerPid(external, 8080);
    expect(holderPid, `nobody listens on ${external}:8080`).toBeDefined();
    victim = ['node-1', 'node-2', 'node-3'].find((n) => recordedProcess(c.dataDir, `kube-proxy-${n}`).pid === holderPid) ?? '';
    expect(victim, `pid ${holderPid} is not one of the cluster's kube-proxies`).not.toBe('');
    const before = await readyPods();
    const dead = new Set([...before].filter(([, node]) => node === victim).map(([name]) => name));
    expect(dead.size).toBeGreaterThan(0);

    // A steady request loop through the kill.
    const log: { at: number; who: string }[] = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const who = await whoAnswers(external, 8080, 1000);
        log.push({ at: Date.now(), who });
      }
    })();
    await eventually(() => log.length >= 10);
    // The moment that counts is the kube-proxy's death, seen in /proc (the CLI takes a while to start).
    const death = watchDeaths(runningProcess(c.dataDir, `kube-proxy-${victim}`), [], 30_000);
    const kill = await c.kubemu(['kill', victim]);
    expect(kill.code, kill.stderr).toBe(0);
    const killedAt = (await death).firstGoneAt;
    await eventually(() => log.some((l) => l.at > killedAt + 4000), { timeoutMs: 20_000 });
    stop = true;
    await loop;

    const timeline = log.filter((l) => l.at > killedAt - 200).map((l) => `${l.at - killedAt} ${l.who}`).join(', ');
    const after = log.filter((l) => l.at > killedAt + 1000);
    const failuresAfter2s = log.filter((l) => l.at > killedAt + 2000 && !l.who.startsWith('kubia-'));
    const firstAnswer = log.find((l) => l.at > killedAt && l.who.startsWith('kubia-') && !dead.has(l.who));
    expect(firstAnswer, 'nothing answered after the kill').toBeDefined();
    expect(firstAnswer!.at - killedAt, `time until another kube-proxy served the address: ${timeline}`).toBeLessThan(2500);
    expect(failuresAfter2s, timeline).toEqual([]);
    expect(after.filter((l) => dead.has(l.who)), 'answers from the dead node’s pods').toEqual([]);

    const newHolder = await listenerPid(external, 8080);
    expect(newHolder).toBeDefined();
    expect(newHolder).not.toBe(holderPid);
  });

  it('the ReplicationController’s replacements on the other nodes join the Service', async () => {
    expect(victim).not.toBe('');
    const names = await eventually(
      async () => {
        const r = [...(await readyPods())].filter(([, node]) => node !== victim);
        expect(r.length).toBe(5);
        return r.map(([name]) => name).sort();
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'the dead node’s pods were not replaced' },
    );
    await eventually(async () => expect(Object.keys(count(await answers(external, 8080, 25))).sort()).toEqual(names), { timeoutMs: 20_000, intervalMs: 200 });
  });
});
