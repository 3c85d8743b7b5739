/**
 * `npm run bench:scale` — a Deployment scaled from 0 to 1,000 pods over 50 simulated nodes: pods/s
 * until every pod is Ready, where the time goes, and the way back to 0.
 *
 *   npm run bench:scale -- [--rounds 3] [--pods 1000] [--nodes 50] [--shared-cluster]
 *                          [--cpu-prof DIR] [--quick] [--commit REF | --work-tree] [--json [FILE]]
 *
 * Each round starts a fresh cluster with the compiled launcher (./lib/kubemu-cluster.ts:
 * `kubemu up --detach --nodes 0 --simulated-nodes 50 --runtime simulated`, temp data dir, random
 * ports) — no process nodes, one `kubelet-sim` hosting the 50 simulated nodes with the default
 * (fast) stages. It creates a Deployment of pause pods with `replicas: 0` and waits until the
 * controller has observed it (./lib/scale-workload.ts), then (./lib/scale-phase.ts):
 *
 *   up    scale to `pods` through the scale subresource; clock from the write until the watch has
 *         seen every new pod Ready (and the Deployment's status says so too)
 *   down  scale to 0; until every pod is gone
 *
 * `--shared-cluster` runs every round on one cluster instead (each round scales up and down again:
 * later rounds then find warm processes and a store holding the earlier rounds' history).
 * `--cpu-prof DIR` runs every Node process of the cluster with V8's sampling profiler and prints, per
 * process, where its CPU went during the scale-up (./lib/cpu-profile.ts).
 *
 * Prints each phase's timeline and CPU by component, then medians over the rounds and the goal's
 * verdict (./lib/scale-report.ts). Exits 1 when a phase did not finish — not when the goal is
 * missed. See docs/benchmarks.md.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { boolFlag, flag, numberFlag } from '../shared/runtime/process.js';
import { NatsStoreClient } from '../shared/client/nats-store-client.js';
import { silentLogger } from '../shared/runtime/logger.js';
import { ensureNamespace, pidGroups, startBenchCluster, type BenchCluster } from './lib/kubemu-cluster.js';
import { PodTimeline } from './lib/pod-timeline.js';
import { createScaleDeployment, DeploymentWatch, SCALE_APP } from './lib/scale-workload.js';
import { runPhase, type PhaseContext } from './lib/scale-phase.js';
import { goalLine, headline, phaseTables, summary, type ScaleRound } from './lib/scale-report.js';
import { profileEnv, profileText, readProfiles } from './lib/cpu-profile.js';
import { sampleMemory } from './lib/cluster-memory.js';
import { load, runMeta } from './lib/run-info.js';
import { prepareTree, type Tree } from './lib/snapshot.js';
import { benchIo, runBench, stopOnInterrupt } from './lib/bench-io.js';

const HELP = `usage: npm run bench:scale -- [options]
  --rounds N         rounds, each scaling 0 → pods → 0 (default 3)
  --pods N           replicas to scale to (default 1000)
  --nodes N          simulated nodes, all in one kubelet-sim process (default 50)
  --shared-cluster   run every round on one cluster (default: a fresh cluster per round)
  --timeout S        how long a phase may take (default 300)
  --cpu-prof DIR     profile every Node process of the cluster; print where the scale-up's CPU went
  --quick            smoke run: 1 round, 200 pods, 10 nodes
  --commit REF       the commit to build and measure (default HEAD), in a temp copy
  --work-tree        measure the checkout as it is (its dist/) instead of a commit
  --json [FILE]      raw results as JSON into FILE, or on stdout (tables then go to stderr)`;

const NAMESPACE = 'bench-scale';
const DEPLOYMENT = 'scale';

interface Session {
  cluster: BenchCluster;
  timeline: PodTimeline;
  deployment: DeploymentWatch;
  /** pid → process name, read before the cluster stops (for the profiles). */
  names: Map<number, string>;
  /** The store's own client, for the write counts. */
  store: NatsStoreClient;
  profileDir?: string;
}

async function openSession(o: { nodes: number; root?: string; profileDir?: string; timeoutMs: number; say(s: string): void }): Promise<Session> {
  const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, KUBEMU_BENCH_PROFILE_DIR: process.env.KUBEMU_BENCH_PROFILE_DIR };
  if (o.profileDir) {
    mkdirSync(o.profileDir, { recursive: true });
    Object.assign(process.env, profileEnv(o.profileDir));
  }
  let cluster: BenchCluster;
  try {
    cluster = await startBenchCluster({ nodes: 0, runtime: 'simulated', simulatedNodes: o.nodes, ...(o.root ? { root: o.root } : {}), say: o.say });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  try {
    await ensureNamespace(cluster.api, NAMESPACE);
    const timeline = await PodTimeline.open(cluster.api, NAMESPACE, { labelSelector: `app=${SCALE_APP}` });
    await createScaleDeployment(cluster.api, NAMESPACE, DEPLOYMENT, o.timeoutMs);
    const deployment = await DeploymentWatch.open(cluster.api, NAMESPACE, DEPLOYMENT);
    const names = new Map(cluster.processes().flatMap((p) => (p.pid === undefined ? [] : [[p.pid, p.name] as [number, string]])));
    const store = new NatsStoreClient(cluster.bus, { clientId: `bench-scale-${process.pid}`, log: silentLogger() });
    return { cluster, timeline, deployment, names, store, ...(o.profileDir ? { profileDir: o.profileDir } : {}) };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

async function closeSession(s: Session): Promise<void> {
  await s.timeline.close().catch(() => undefined);
  await s.deployment.close().catch(() => undefined);
  await s.store.close().catch(() => undefined);
  await s.cluster.stop();
}

async function runRound(s: Session, round: number, pods: number, timeoutMs: number, out: (s: string) => void, say: (s: string) => void): Promise<ScaleRound> {
  const ctx: PhaseContext = {
    api: s.cluster.api,
    timeline: s.timeline,
    deployment: s.deployment,
    namespace: NAMESPACE,
    name: DEPLOYMENT,
    groups: pidGroups(s.cluster.processes()),
    store: s.store,
    timeoutMs,
  };
  const result: ScaleRound = { round };
  say(`round ${round}: scaling to ${pods}…`);
  result.up = await runPhase(ctx, 'up', pods);
  if (!result.up.error) {
    const mem = sampleMemory(s.cluster.processes(), pods);
    result.rssMiB = Object.fromEntries(mem.processes.map((p) => [p.name, p.mem.rssMiB]));
  }
  out(`\n## round ${round}\n${headline(result.up, 0, pods)}\n\n${phaseTables(result.up)}`);
  say(`round ${round}: scaling to 0…`);
  result.down = await runPhase(ctx, 'down', 0);
  out(`\n${headline(result.down, pods, 0)}\n\n${phaseTables(result.down)}`);
  return result;
}

async function main(): Promise<number> {
  if (boolFlag('help', false)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const quick = boolFlag('quick', false);
  const rounds = numberFlag('rounds', quick ? 1 : 3);
  const pods = numberFlag('pods', quick ? 200 : 1000);
  const nodes = numberFlag('nodes', quick ? 10 : 50);
  const timeoutMs = numberFlag('timeout', 300) * 1000;
  const shared = boolFlag('shared-cluster', false);
  const profOpt = flag('cpu-prof');
  const profileRoot = profOpt && profOpt !== 'true' ? resolve(profOpt) : undefined;
  if (profOpt === 'true') throw new Error('--cpu-prof needs a directory');
  if (![rounds, pods, nodes, timeoutMs].every((x) => Number.isInteger(x) && x >= 1)) throw new Error('--rounds, --pods, --nodes and --timeout must be whole numbers ≥ 1');
  const { out, say, writeRaw } = benchIo();

  let session: Session | undefined;
  let tree: Tree | undefined;
  stopOnInterrupt(say, async () => {
    if (session) await closeSession(session);
    tree?.cleanup();
  });
  tree = prepareTree({ workTree: boolFlag('work-tree', false), commit: flag('commit'), say });
  const meta = {
    ...runMeta('bench:scale', tree.commit),
    rounds,
    pods,
    nodes,
    sharedCluster: shared,
  };
  out(`# scale benchmark — ${meta.date} — commit ${meta.commit}`);
  out(`# ${meta.machine}; node ${meta.node}; ${rounds} round(s) of a Deployment 0 → ${pods} → 0 over ${nodes} simulated nodes, ${shared ? 'one cluster' : 'a fresh cluster per round'}; load ${meta.loadavgBefore}`);
  const results: ScaleRound[] = [];
  let failures = 0;
  const open = (round: number): Promise<Session> =>
    openSession({ nodes, timeoutMs, say, ...(tree?.root ? { root: tree.root } : {}), ...(profileRoot ? { profileDir: shared ? profileRoot : join(profileRoot, `round-${round}`) } : {}) });
  const close = async (): Promise<void> => {
    if (!session) return;
    const s = session;
    session = undefined;
    await closeSession(s);
    if (!s.profileDir) return;
    for (const r of results.filter((x) => x.up && (shared || x === results[results.length - 1]))) {
      const w = r.up!.window;
      out(`\n## round ${r.round}: where the scale-up's CPU went (profiles in ${s.profileDir})\n${profileText(readProfiles(s.profileDir, s.names, w.fromNs, w.toNs), r.up!.cpuWallSeconds)}`);
    }
  };
  try {
    for (let r = 1; r <= rounds; r++) {
      session ??= await open(r);
      const res = await runRound(session, r, pods, timeoutMs, out, say);
      results.push(res);
      if (res.up?.error || res.down?.error) failures++;
      say(`round ${r}: up ${res.up?.podsPerSec.toFixed(0)} pods/s${res.up?.error ? ' (FAILED)' : ''}, down ${res.down?.podsPerSec.toFixed(0)} pods/s${res.down?.error ? ' (FAILED)' : ''}`);
      if (!shared || r === rounds) await close();
    }
  } finally {
    await close().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
    tree.cleanup();
  }
  meta.loadavgAfter = load();
  out(`\n## medians over ${results.length} round(s) [min–max]\n${summary(results)}`);
  out(`\n## goal\n${goalLine(results).line}\n# load average after: ${meta.loadavgAfter}`);
  writeRaw({ meta, rounds: results });
  return failures > 0 ? 1 : 0;
}

runBench('bench:scale', main);
