/**
 * `npm run bench:service` — what kube-proxy costs: HTTP requests through a Service's ClusterIP
 * against the same requests sent straight to the pod IPs, side by side in the same run.
 *
 *   npm run bench:service -- [--rounds 3] [--seconds 5] [--pods 1] [--keepalive-connections 16]
 *                            [--close-connections 8] [--quick] [--json [FILE]]
 *
 * It starts a real one-node cluster with the compiled launcher (`kubemu up --detach --nodes 1`,
 * process runtime; ./lib/kubemu-cluster.ts), runs `pods` luksa/kubia pods (real processes) behind a
 * ClusterIP Service (port 80 → 8080), waits until the Service and every pod answer, and then, per
 * round, runs each test against both targets (order rotated per round and test):
 *
 *   direct    the pods' own addresses, <podIP>:8080 (the client spreads its connections over them)
 *   service   <clusterIP>:80, through the node's kube-proxy (it spreads them)
 *
 *   keep-alive  `keepalive-connections` connections, each sending GETs back to back
 *   close       `close-connections` loops, a new connection per GET (as curl in a loop)
 *
 * Reported per test and target: requests/s, p50/p99 latency, errors, and CPU µs per request of
 * the client (this process), the kube-proxy and the pods' processes; then medians over rounds and
 * the ratio service/direct per round (median). Goal (issue 5): through the Service ≥ 80 % of the
 * direct throughput. Exits 1 when a test had errors or the requests did not reach every pod — not
 * when the goal is missed. See docs/benchmarks.md.
 */
import type { Pod, Service } from '../shared/api/core.js';
import { resourceByPlural } from '../shared/api/resources.js';
import { boolFlag, numberFlag } from '../shared/runtime/process.js';
import { ensureNamespace, startBenchCluster, type BenchCluster } from './lib/kubemu-cluster.js';
import { startCpuMeter } from './lib/cpu.js';
import { runLoad, type LoadResult } from './lib/http-load.js';
import { gitCommit, load, runMeta } from './lib/run-info.js';
import { fmt, median, ratio, summariseNs, table } from './lib/stats.js';
import { podProcesses } from '../test/support/processes.js';
import { benchIo, runBench, stopOnInterrupt } from './lib/bench-io.js';

const HELP = `usage: npm run bench:service -- [options]
  --rounds N                  rounds (default 3)
  --seconds S                 seconds per test and target (default 5)
  --pods P                    kubia pods behind the Service (default 1)
  --keepalive-connections C   connections of the keep-alive test (default 16)
  --close-connections C       loops of the connection-per-request test (default 8)
  --quick                     smoke run: 1 round of 2 s
  --json [FILE]               raw results as JSON into FILE, or on stdout (tables then go to stderr)`;

const PODS = resourceByPlural('pods');
const SERVICES = resourceByPlural('services');
const NAMESPACE = 'bench-service';
const LABELS = { app: 'bench-service' };
const GOAL_RATIO = 0.8;

type TestId = 'keep-alive' | 'close';
type TargetId = 'direct' | 'service';

interface Figure {
  requestsPerSec: number;
  p50Us: number;
  p99Us: number;
  requests: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** CPU µs per request by group: client, proxy, pods. */
  cpuUsPerReq: Record<string, number>;
  /** Answers per pod (kubia names itself in each). */
  perPod: Record<string, number>;
}

type Round = Record<TestId, Partial<Record<TargetId, Figure>>>;

interface Setup {
  direct: { host: string; port: number }[];
  service: { host: string; port: number }[];
  podNames: string[];
  groups: Record<string, number[]>;
}

function kubiaPod(name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: LABELS },
    spec: { containers: [{ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8080 }] }] },
  };
}

async function until<T>(what: string | (() => string), timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${typeof what === 'string' ? what : what()} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function setUp(c: BenchCluster, pods: number, say: (s: string) => void): Promise<Setup> {
  await ensureNamespace(c.api, NAMESPACE);
  const names = Array.from({ length: pods }, (_, i) => `kubia-${i + 1}`);
  for (const n of names) await c.api.create(PODS, NAMESPACE, kubiaPod(n));
  const svc = await c.api.create<Service>(SERVICES, NAMESPACE, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubia', namespace: NAMESPACE },
    spec: { selector: LABELS, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const clusterIp = svc.spec.clusterIP as string;
  const ips = await until('the pods did not all become Ready', 60_000, async () => {
    const list = await c.api.list<Pod>(PODS, NAMESPACE);
    const ready = list.items.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') && p.status.podIP);
    return ready.length === pods ? ready.map((p) => p.status!.podIP as string) : undefined;
  });
  const direct = ips.map((host) => ({ host, port: 8080 }));
  const service = [{ host: clusterIp, port: 80 }];
  say(`pods ${ips.join(', ')} behind Service ${NAMESPACE}/kubia at ${clusterIp}:80; waiting until both paths answer…`);
  for (const t of [...direct, ...service]) {
    let last = '';
    await until(() => `${t.host}:${t.port} did not answer (last errors: ${last})`, 60_000, async () => {
      const r = await runLoad({ ...t, connections: 1, durationMs: 50, mode: 'close' });
      last = JSON.stringify(r.errorCodes);
      return r.requests > 0 && r.errors === 0 ? true : undefined;
    });
  }
  const proxies = c.processes().filter((p) => p.component === 'kube-proxy' && p.pid !== undefined).map((p) => p.pid as number);
  const podPids = ips.flatMap((ip) => podProcesses(ip).map((p) => p.pid));
  return { direct, service, podNames: names, groups: { proxy: proxies, pods: podPids } };
}

async function measure(setup: Setup, test: TestId, target: TargetId, seconds: number, o: { keepalive: number; close: number }): Promise<Figure> {
  const targets = setup[target];
  const total = test === 'keep-alive' ? o.keepalive : o.close;
  const meter = startCpuMeter(setup.groups);
  // Connections spread evenly over the targets (one per pod direct; all to the ClusterIP via the Service).
  const parts = await Promise.all(
    targets.map((t, i) => runLoad({ ...t, connections: Math.floor(total / targets.length) + (i < total % targets.length ? 1 : 0), durationMs: seconds * 1000, mode: test })),
  );
  const cpu = meter();
  const merged: LoadResult = { requests: 0, errors: 0, errorCodes: {}, elapsedMs: 0, latenciesNs: [], bodies: {} };
  for (const p of parts) {
    merged.requests += p.requests;
    merged.errors += p.errors;
    merged.elapsedMs = Math.max(merged.elapsedMs, p.elapsedMs);
    for (const ns of p.latenciesNs) merged.latenciesNs.push(ns);
    for (const [k, v] of Object.entries(p.errorCodes)) merged.errorCodes[k] = (merged.errorCodes[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.bodies)) merged.bodies[k] = (merged.bodies[k] ?? 0) + v;
  }
  const lat = summariseNs(merged.latenciesNs);
  const perReq = (s: number): number => (merged.requests ? (s * 1e6) / merged.requests : NaN);
  const perPod: Record<string, number> = {};
  for (const [body, n] of Object.entries(merged.bodies)) perPod[body.replace(/^You've hit /, '')] = n;
  return {
    requestsPerSec: merged.requests / (merged.elapsedMs / 1000),
    p50Us: lat.p50Us,
    p99Us: lat.p99Us,
    requests: merged.requests,
    errors: merged.errors,
    errorCodes: merged.errorCodes,
    cpuUsPerReq: { client: perReq(cpu.client), proxy: perReq(cpu.proxy), pods: perReq(cpu.pods) },
    perPod,
  };
}

const TESTS: TestId[] = ['keep-alive', 'close'];
const TARGETS: TargetId[] = ['direct', 'service'];

function roundTable(round: Round): string {
  const rows = [['test', 'target', 'requests', 'req/s', 'p50 µs', 'p99 µs', 'errors', 'CPU µs/req: client', 'proxy', 'pods']];
  for (const t of TESTS) {
    for (const g of TARGETS) {
      const f = round[t][g];
      if (!f) continue;
      rows.push([t, g, String(f.requests), fmt(f.requestsPerSec), fmt(f.p50Us), fmt(f.p99Us), String(f.errors), fmt(f.cpuUsPerReq.client), fmt(f.cpuUsPerReq.proxy), fmt(f.cpuUsPerReq.pods)]);
    }
  }
  return table(rows);
}

function summaryTable(rounds: Round[]): { text: string; keepAliveRatio: number } {
  const rows = [['test', 'figure', 'direct', 'service', 'service/direct']];
  let keepAliveRatio = NaN;
  const metrics: [string, (f: Figure) => number][] = [
    ['req/s', (f) => f.requestsPerSec],
    ['p50 µs', (f) => f.p50Us],
    ['p99 µs', (f) => f.p99Us],
    ['proxy CPU µs/req', (f) => f.cpuUsPerReq.proxy],
    ['pods CPU µs/req', (f) => f.cpuUsPerReq.pods],
    ['client CPU µs/req', (f) => f.cpuUsPerReq.client],
  ];
  for (const t of TESTS) {
    for (const [label, get] of metrics) {
      const per = (g: TargetId): number[] => rounds.map((r) => r[t][g]).map((f) => (f ? get(f) : NaN));
      const d = per('direct');
      const s = per('service');
      const r = median(s.map((v, i) => ratio(v, d[i])));
      if (t === 'keep-alive' && label === 'req/s') keepAliveRatio = r;
      rows.push([t, label, fmt(median(d)), fmt(median(s)), label.includes('CPU') && label.startsWith('proxy') ? '–' : fmt(r)]);
    }
  }
  return { text: table(rows), keepAliveRatio };
}

async function main(): Promise<number> {
  if (boolFlag('help', false)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const quick = boolFlag('quick', false);
  const rounds = numberFlag('rounds', quick ? 1 : 3);
  const seconds = numberFlag('seconds', quick ? 2 : 5);
  const pods = numberFlag('pods', 1);
  const keepalive = numberFlag('keepalive-connections', 16);
  const close = numberFlag('close-connections', 8);
  if (![rounds, seconds, pods, keepalive, close].every((x) => Number.isFinite(x) && x >= 1)) throw new Error('every count must be ≥ 1');
  const { out, say, writeRaw } = benchIo();

  const meta = { ...runMeta('bench:service', gitCommit()), rounds, seconds, pods, keepalive, close };
  out(`# service benchmark — ${meta.date} — commit ${meta.commit}`);
  out(`# ${meta.machine}; node ${meta.node}; ${rounds} round(s) × ${seconds} s per test and target; ${pods} pod(s); load ${meta.loadavgBefore}`);

  const c = await startBenchCluster({ nodes: 1, runtime: 'process', say });
  stopOnInterrupt(say, () => c.stop());
  const results: Round[] = [];
  let failures = 0;
  try {
    const setup = await setUp(c, pods, say);
    say('warm-up (1 s of each test on each target)…');
    for (const t of TESTS) for (const g of TARGETS) await measure(setup, t, g, 1, { keepalive, close });
    for (let r = 0; r < rounds; r++) {
      const round: Round = { 'keep-alive': {}, close: {} };
      for (const [ti, t] of TESTS.entries()) {
        for (let k = 0; k < TARGETS.length; k++) {
          const g = TARGETS[(k + r + ti) % TARGETS.length];
          const f = await measure(setup, t, g, seconds, { keepalive, close });
          round[t][g] = f;
          const missing = setup.podNames.filter((p) => !f.perPod[p]);
          if (f.errors > 0 || missing.length > 0) failures++;
          say(
            `round ${r + 1}/${rounds} ${t} ${g}: ${fmt(f.requestsPerSec)} req/s, p50 ${fmt(f.p50Us)} µs, p99 ${fmt(f.p99Us)} µs` +
              (f.errors ? `, ${f.errors} errors ${JSON.stringify(f.errorCodes)}` : '') +
              (missing.length ? `, no requests reached ${missing.join(', ')}` : ''),
          );
        }
      }
      results.push(round);
      out(`\n## round ${r + 1} of ${rounds}\n${roundTable(round)}`);
    }
  } finally {
    await c.stop();
  }
  meta.loadavgAfter = load();
  const { text, keepAliveRatio } = summaryTable(results);
  out(`\n## medians over ${rounds} round(s); ratios are medians of per-round ratios\n${text}`);
  out(`\n${keepAliveRatio >= GOAL_RATIO ? 'PASS' : 'FAIL'}  keep-alive throughput through the Service ≥ ${GOAL_RATIO * 100} % of direct: ${fmt(keepAliveRatio * 100)} %`);
  out(`# load after: ${meta.loadavgAfter}`);
  writeRaw({ meta, rounds: results });
  return failures > 0 ? 1 : 0;
}

runBench('bench:service', main);
