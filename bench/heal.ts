/**
 * `npm run bench:heal` — how long a node failure takes to heal: SIGKILL a node's processes, until
 * its pods are replaced and Ready on the other nodes. Median over several kills.
 *
 *   npm run bench:heal -- [--kills 10] [--nodes 3] [--replicas 6] [--runtime process|simulated]
 *                         [--profile default|kubernetes] [--owner rc|standin] [--readiness-period S]
 *                         [--commit REF | --work-tree] [--json [FILE]]
 *
 * Starts a real cluster with the compiled launcher (./lib/kubemu-cluster.ts; the profile given
 * goes to every component) and keeps `replicas` luksa/kubia pods alive with a replica owner
 * (./lib/replica-owners.ts: a real ReplicationController, or with `--owner standin` a stand-in
 * ReplicaSet in this process, which measured healing before kubemu had the controller). Each pod
 * requests 100m CPU, so the scheduler spreads them (and, with an RC, by owner too). Then, `kills` times: SIGKILL the kubelet and kube-proxy of the node with
 * the most pods, record the timeline (./lib/heal-kill.ts), bring the node back with
 * `kubemu start` and wait until the pods evicted from it are gone, so every kill starts from a
 * whole cluster.
 *
 * Prints each kill's timeline, then medians and the goal's verdict (./lib/heal-report.ts). Exits 1
 * when a kill did not heal within the deadline. See docs/benchmarks.md.
 */
import type { Pod } from '../shared/api/core.js';
import { PROFILES, type ProfileName } from '../shared/runtime/profile.js';
import { boolFlag, flag, numberFlag } from '../shared/runtime/process.js';
import { eventually } from '../test/support/eventually.js';
import { ensureNamespace, startBenchCluster, type BenchCluster } from './lib/kubemu-cluster.js';
import { PodTimeline } from './lib/pod-timeline.js';
import { NodeTimeline } from './lib/node-timeline.js';
import { createOwner, OWNER_KINDS, type OwnerKind, type ReplicaOwner } from './lib/replica-owners.js';
import { chooseVictim, killNode, restoreNode, type KillContext, type KillTimeline } from './lib/heal-kill.js';
import { healGoal, killLine, killsTable, summaryTable } from './lib/heal-report.js';
import { IMAGES } from './lib/pod-startup.js';
import { load, runMeta } from './lib/run-info.js';
import { prepareTree, type Tree } from './lib/snapshot.js';
import { benchIo, runBench, stopOnInterrupt } from './lib/bench-io.js';

const HELP = `usage: npm run bench:heal -- [options]
  --kills N             node kills to measure (default 10)
  --nodes N             nodes in the cluster (default 3)
  --replicas N          pods kept alive (default 2 per node)
  --runtime R           process (default) or simulated
  --profile P           default (heartbeat 1s, grace 4s, eviction at once) or kubernetes (10s, 50s, 300s)
  --owner O             rc (default: a real ReplicationController) or standin (a stand-in ReplicaSet in the benchmark)
  --readiness-period S  give the pods an httpGet readiness probe on :8080 with this period (default 0: none)
  --commit REF          the commit to build and measure (default HEAD), in a temp copy
  --work-tree           measure the checkout as it is (its dist/) instead of a commit
  --json [FILE]         raw results as JSON into FILE, or on stdout (tables then go to stderr)`;

const NAMESPACE = 'bench-heal';
const LABELS = { app: 'bench-heal' };

function podSpec(readinessPeriod: number): Pod['spec'] {
  return {
    containers: [
      {
        name: 'kubia',
        image: IMAGES.kubia,
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: '100m', memory: '32Mi' } },
        ...(readinessPeriod > 0 ? { readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: readinessPeriod } } : {}),
      },
    ],
  } as Pod['spec'];
}

async function main(): Promise<number> {
  if (boolFlag('help', false)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const kills = numberFlag('kills', 10);
  const nodes = numberFlag('nodes', 3);
  const replicas = numberFlag('replicas', 2 * nodes);
  const readinessPeriod = numberFlag('readiness-period', 0);
  const runtime = flag('runtime', 'process') as 'process' | 'simulated';
  const profileName = flag('profile', 'default') as ProfileName;
  const owner = flag('owner', 'rc') as OwnerKind;
  if (![kills, replicas].every((x) => Number.isInteger(x) && x >= 1) || !Number.isInteger(nodes) || nodes < 2) throw new Error('--kills and --replicas must be ≥ 1, --nodes ≥ 2');
  if (!['process', 'simulated'].includes(runtime)) throw new Error(`--runtime must be process or simulated, not "${runtime}"`);
  const profile = PROFILES[profileName];
  if (!profile) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
  if (!OWNER_KINDS.includes(owner)) throw new Error(`--owner must be one of ${OWNER_KINDS.join(', ')}`);
  const { out, say, writeRaw } = benchIo();
  // A kill heals after the grace, the toleration and a start; allow for a slow machine on top.
  const healTimeoutMs = profile.nodeMonitorGraceMs + profile.heartbeatIntervalMs + profile.defaultTolerationSeconds * 1000 + 60_000;

  let cluster: BenchCluster | undefined;
  let tree: Tree | undefined;
  stopOnInterrupt(say, async () => {
    await cluster?.stop();
    tree?.cleanup();
  });
  tree = prepareTree({ workTree: boolFlag('work-tree', false), commit: flag('commit'), say });
  const meta = {
    ...runMeta('bench:heal', tree.commit),
    kills,
    nodes,
    replicas,
    runtime,
    profile: profileName,
    owner,
    readinessPeriod,
  };
  out(`# healing benchmark — ${meta.date} — commit ${meta.commit}`);
  out(`# ${meta.machine}; node ${meta.node}; ${nodes} nodes (${runtime} runtime), ${replicas} kubia replicas, profile ${profileName}; load ${meta.loadavgBefore}`);
  const timelines: KillTimeline[] = [];
  let replicaOwner: ReplicaOwner | undefined;
  try {
    cluster = await startBenchCluster({ nodes, runtime, profile: profileName, ...(tree.root ? { root: tree.root } : {}), say });
    await ensureNamespace(cluster.api, NAMESPACE);
    const pods = await PodTimeline.open(cluster.api, NAMESPACE, { labelSelector: 'app=bench-heal' });
    const nodeTimeline = await NodeTimeline.open(cluster.api);
    replicaOwner = createOwner(owner, { api: cluster.api, namespace: NAMESPACE, name: 'bench-heal', replicas, labels: LABELS, template: podSpec(readinessPeriod) });
    out(`# replicas kept by ${replicaOwner.describe}`);
    await replicaOwner.start();
    const readyOn = (): Map<string, number> => {
      const m = new Map<string, number>();
      for (const p of pods.all()) if (p.node && p.at.ready !== undefined && p.at.terminating === undefined && p.at.deleted === undefined) m.set(p.node, (m.get(p.node) ?? 0) + 1);
      return m;
    };
    const whole = async (what: string): Promise<void> => {
      await eventually(
        () => {
          const n = [...readyOn().values()].reduce((a, b) => a + b, 0);
          if (n < replicas) throw new Error(`${n}/${replicas} Ready${owner === 'rc' && n === 0 ? ' (no pod at all: does the controller-manager run a ReplicationController controller yet?)' : ''}`);
        },
        { timeoutMs: 120_000, intervalMs: 50, message: what },
      );
    };
    await whole(`the ${replicas} replicas did not become Ready`);
    say(`${replicas} replicas Ready: ${[...readyOn()].map(([n, c]) => `${n} ${c}`).join(', ')}`);

    const order = Array.from({ length: nodes }, (_, i) => `node-${i + 1}`);
    const ctx: KillContext = { cluster, pods, nodes: nodeTimeline, replicas, healTimeoutMs };
    let previous: string | undefined;
    for (let i = 0; i < kills; i++) {
      const victim = chooseVictim(pods.all(), order, previous);
      previous = victim;
      const t = await killNode(victim, ctx);
      timelines.push(t);
      say(killLine(i, t));
      await restoreNode(ctx, t);
      await whole(`the replicas were not all Ready again after ${victim} came back`);
    }
    await pods.close();
    await nodeTimeline.close();
  } finally {
    await replicaOwner?.stop().catch(() => undefined);
    await cluster?.stop();
    tree.cleanup();
  }
  meta.loadavgAfter = load();
  out(`\n## every kill (ms after the SIGKILL; restart = kubemu start until Ready, cleanup = until its evicted pods were gone)\n${killsTable(timelines)}`);
  out(`\n## medians over ${timelines.length} kill(s), ms after the SIGKILL\n${summaryTable(timelines)}`);
  const goal = healGoal(timelines, profileName);
  out(`\n## goal\n${goal.line}\n# load average after: ${meta.loadavgAfter}`);
  writeRaw({ meta, kills: timelines });
  return timelines.some((t) => t.error) ? 1 : 0;
}

runBench('bench:heal', main);
