/**
 * `npm run bench:pods` — pod startup latency (create → Running, seen through a watch) with each
 * container runtime, and the memory of a cluster's processes.
 *
 *   npm run bench:pods -- [--clusters simulated,process,sim100] [--rounds 3] [--n 200]
 *                         [--concurrency 10] [--memory-pods 10] [--quick] [--json [FILE]]
 *
 * For each cluster kind it starts a real cluster with the compiled launcher (`kubemu up --detach`
 * in a temp data dir, random ports; ./lib/kubemu-cluster.ts), drives it through the API over NATS
 * (the in-cluster client, `NatsApiClient`) and watches the pods (./lib/pod-timeline.ts):
 *
 *   simulated  3 nodes, each its own kubelet process with the simulated runtime (default stages)
 *   process    3 nodes, each a kubelet running every container as a real child process
 *   sim100     no process nodes; one kubelet process hosting 100 simulated nodes
 *
 * Per cluster: a warm-up, then rounds of the startup tests (./lib/pod-startup.ts: pause and
 * luksa/kubia, one at a time and `concurrency` in flight, n pods each, order rotated per round).
 * Memory (./lib/cluster-memory.ts) is sampled three times: idle on the fresh cluster, with
 * `memory-pods` kubia pods per node running on the fresh cluster (the goal is judged on this one),
 * and with as many again after all rounds — when thousands of pods have come and gone and their
 * Events and the watch history fill the api-server and the store. Then the cluster is stopped and
 * the next starts, so clusters never compete with each other.
 *
 * Before the clusters, the floors: how long spawning a process takes from Node.js here, plain,
 * through the pod sandbox's namespace chain, and a Node.js program (./lib/spawn-floors.ts).
 *
 * Prints a table per round, then medians across rounds and the goals' verdicts
 * (./lib/pods-report.ts). Exits 1 when a test failed — not when a goal is missed. See
 * docs/benchmarks.md.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { boolFlag, flag, numberFlag } from '../shared/runtime/process.js';
import { ensureNamespace, pidGroups, startBenchCluster, type BenchCluster, type ClusterOptions } from './lib/kubemu-cluster.js';
import { PodTimeline } from './lib/pod-timeline.js';
import { IMAGES, runStartupTest, startupTests, type StartupContext } from './lib/pod-startup.js';
import { loadPods, sampleMemory, unloadPods, type MemorySample } from './lib/cluster-memory.js';
import { conflictNote, goalLines, goals, memorySummary, roundTable, startupSummary, type ClusterResults, type StartupRound } from './lib/pods-report.js';
import { load, runMeta } from './lib/run-info.js';
import { prepareTree, type Tree } from './lib/snapshot.js';
import { fmt } from './lib/stats.js';
import { idleNodeMemory } from './lib/memory.js';
import { spawnFloors } from './lib/spawn-floors.js';
import { benchIo, runBench, stopOnInterrupt } from './lib/bench-io.js';

interface ClusterKind {
  id: string;
  description: string;
  runtime: 'process' | 'simulated';
  options: Omit<ClusterOptions, 'say'>;
}

const KINDS: ClusterKind[] = [
  { id: 'simulated', description: '3 nodes, a kubelet process each, simulated runtime', runtime: 'simulated', options: { nodes: 3, runtime: 'simulated' } },
  { id: 'process', description: '3 nodes, a kubelet process each, process runtime', runtime: 'process', options: { nodes: 3, runtime: 'process' } },
  {
    id: 'sim100',
    description: '100 simulated nodes in one kubelet process',
    runtime: 'simulated',
    options: { nodes: 0, runtime: 'simulated', simulatedNodes: 100 },
  },
];

const HELP = `usage: npm run bench:pods -- [options]
  --clusters IDS      which clusters, comma-separated: ${KINDS.map((k) => k.id).join(',')} (default all)
  --rounds N          rounds of every test per cluster (default 3)
  --n PODS            pods per test and round (default 200)
  --concurrency C     pods in flight in the concurrent tests (default 10)
  --memory-pods P     kubia pods per node while memory is sampled (default 10; 0 = idle only)
  --quick             smoke run: 1 round, n=30, 3 memory pods per node
  --commit REF        the commit to build and measure (default HEAD), in a temp copy
  --work-tree         measure the checkout as it is (its dist/, built when stale) instead of a commit
  --json [FILE]       raw results as JSON into FILE, or on stdout (tables then go to stderr)`;

const NAMESPACE = 'bench-pods';
const WARM_UP_PODS = 10;
const TIMEOUT_MS = 60_000;
/** Spawns per floor case (./lib/spawn-floors.ts). */
const FLOOR_SPAWNS = 40;
/** How long the idle write rate is measured. */
const IDLE_WINDOW_MS = 5000;

async function measureCluster(
  kind: ClusterKind,
  c: BenchCluster,
  o: { rounds: number; n: number; concurrency: number; memoryPods: number; out(s: string): void; say(s: string): void },
): Promise<{ results: ClusterResults; failures: number }> {
  await ensureNamespace(c.api, NAMESPACE);
  const timeline = await PodTimeline.open(c.api, NAMESPACE, { labelSelector: 'app=bench-pods' });
  const tests = startupTests(o.concurrency);
  const results: ClusterResults = { cluster: kind.id, runtime: kind.runtime, description: kind.description, tests, rounds: [], memory: { churnedPods: 0 } };
  const nodeCount = kind.options.nodes + (kind.options.simulatedNodes ?? 0);
  let failures = 0;
  let serial = 0;
  const r0 = await c.storeRevision();
  const w0 = process.hrtime.bigint();
  await sleep(IDLE_WINDOW_MS);
  const idleWritesPerSec = ((await c.storeRevision()) - r0) / (Number(process.hrtime.bigint() - w0) / 1e9);
  o.say(`${kind.id}: ${fmt(idleWritesPerSec)} store writes/s with no pods (leases, heartbeats), subtracted from writes per pod`);
  const ctx = (): StartupContext => ({
    api: c.api,
    timeline,
    namespace: NAMESPACE,
    prefix: `${kind.id}-${serial++}`,
    groups: pidGroups(c.processes()),
    timeoutMs: TIMEOUT_MS,
    storeRevision: () => c.storeRevision(),
    idleWritesPerSec,
  });
  const count = o.memoryPods * nodeCount;
  const withPods = async (label: string): Promise<MemorySample> => {
    o.say(`${kind.id}: memory with ${count} kubia pods running (${label})…`);
    const load = { api: c.api, timeline, namespace: NAMESPACE, prefix: `${kind.id}-mem-${serial++}`, image: IMAGES.kubia, count, concurrency: o.concurrency, timeoutMs: TIMEOUT_MS * 3 };
    const names = await loadPods(load);
    const sample = sampleMemory(c.processes(), count);
    await unloadPods(load, names);
    return sample;
  };
  try {
    results.memory.idle = sampleMemory(c.processes(), 0);
    results.floor = await idleNodeMemory();
    if (count > 0) results.memory.loaded = await withPods('fresh cluster');
    o.say(`${kind.id}: warm-up (${WARM_UP_PODS} pods per test)…`);
    for (const t of tests) {
      const f = await runStartupTest(t, WARM_UP_PODS, ctx());
      if (f.error) throw new Error(`warm-up ${t.id} failed: ${f.error}`);
    }
    for (let r = 0; r < o.rounds; r++) {
      const round: StartupRound = {};
      for (let k = 0; k < tests.length; k++) {
        const t = tests[(k + r) % tests.length];
        const f = await runStartupTest(t, o.n, ctx());
        round[t.id] = f;
        if (f.error) failures++;
        const tot = f.stages.total;
        o.say(`${kind.id} round ${r + 1}/${o.rounds} ${t.id}: ${f.error ? `FAILED ${f.error}` : `p50 ${fmt(tot.p50)} ms, p99 ${fmt(tot.p99)} ms, ${fmt(f.podsPerSec)} pods/s`}${f.deleteConflicts ? `; ${f.deleteConflicts} DELETE(s) answered 409 Conflict, retried` : ''}`);
      }
      results.rounds.push(round);
      o.out(`\n## ${kind.id}, round ${r + 1} of ${o.rounds} (latencies in ms; CPU ms per pod, its whole life, by process group)\n${roundTable(results, round)}`);
    }
    results.memory.churnedPods = timeline.all().length;
    if (count > 0) results.memory.churned = await withPods(`after ${results.memory.churnedPods} pods came and went`);
  } finally {
    await timeline.close();
  }
  return { results, failures };
}

async function main(): Promise<number> {
  if (boolFlag('help', false)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const quick = boolFlag('quick', false);
  const rounds = numberFlag('rounds', quick ? 1 : 3);
  const n = numberFlag('n', quick ? 30 : 200);
  const concurrency = numberFlag('concurrency', 10);
  const memoryPods = numberFlag('memory-pods', quick ? 3 : 10);
  if (![rounds, n, concurrency].every((x) => Number.isInteger(x) && x >= 1) || !Number.isInteger(memoryPods) || memoryPods < 0) {
    throw new Error('--rounds, --n and --concurrency must be whole numbers ≥ 1, --memory-pods ≥ 0');
  }
  const ids = (flag('clusters') ?? KINDS.map((k) => k.id).join(',')).split(',');
  const unknown = ids.find((id) => !KINDS.some((k) => k.id === id));
  if (unknown) throw new Error(`--clusters: unknown cluster "${unknown}"; clusters are ${KINDS.map((k) => k.id).join(', ')}`);
  const { out, say, writeRaw } = benchIo();

  let current: BenchCluster | undefined;
  let tree: Tree | undefined;
  stopOnInterrupt(say, async () => {
    await current?.stop();
    tree?.cleanup();
  });
  tree = prepareTree({ workTree: boolFlag('work-tree', false), commit: flag('commit'), say });
  const meta = {
    ...runMeta('bench:pods', tree.commit),
    rounds,
    n,
    concurrency,
    memoryPods,
  };
  out(`# pod startup benchmark — ${meta.date} — commit ${meta.commit}`);
  out(`# ${meta.machine}; node ${meta.node}; ${rounds} round(s) × n=${n}, concurrency ${concurrency}; load ${meta.loadavgBefore}`);
  const all: ClusterResults[] = [];
  let failures = 0;
  say(`floors: spawning processes from Node.js, ${FLOOR_SPAWNS} times each…`);
  const floors = await spawnFloors(FLOOR_SPAWNS);
  try {
    for (const kind of KINDS.filter((k) => ids.includes(k.id))) {
      current = await startBenchCluster({ ...kind.options, ...(tree.root ? { root: tree.root } : {}), say });
      try {
        const r = await measureCluster(kind, current, { rounds, n, concurrency, memoryPods, out, say });
        all.push(r.results);
        failures += r.failures;
      } finally {
        await current.stop();
        current = undefined;
      }
    }
  } finally {
    tree.cleanup();
  }
  meta.loadavgAfter = load();
  for (const c of all) {
    out(`\n## ${c.cluster} (${c.description}): medians over ${rounds} round(s) [min–max]; ms`);
    out(startupSummary(c));
    const note = conflictNote(c);
    if (note) out(note);
    out(`\n## ${c.cluster}: memory, MiB`);
    out(memorySummary(c));
  }
  out(`\n## floors: spawn → first output, from Node.js (${FLOOR_SPAWNS} spawns each)`);
  for (const f of floors) out(`${f.title}: ${f.error ? `FAILED: ${f.error}` : `p50 ${fmt(f.p50Ms)} ms, p90 ${fmt(f.p90Ms)} ms`}`);
  out(`\n## goals\n${goalLines(all.flatMap(goals))}\n# load average after: ${meta.loadavgAfter}`);
  writeRaw({ meta, floors, clusters: all });
  return failures > 0 ? 1 : 0;
}

runBench('bench:pods', main);
