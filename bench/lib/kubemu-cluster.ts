/**
 * A whole kubemu cluster for the pod and healing benchmarks, started the way users start it: the
 * compiled launcher, `kubemu up --detach`, of a built snapshot (./snapshot.ts) or of the work tree
 * (built first when the sources are newer than dist/), in a temp data dir on random free ports — test/support/cluster.ts does exactly that for the e2e tests
 * and is reused here rather than copied. On top of it: one bus connection and a `NatsApiClient`
 * (how in-cluster components talk to the api-server), the store's revision (to count writes), the
 * processes from the state file, and the pid groups for CPU and memory figures.
 *
 * `stop()` closes the client, runs `kubemu down` and removes the data dir; it is safe to call twice
 * (Ctrl-C and the normal end may both call it). A start that fails leaves nothing running.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { NatsStoreClient } from '../../shared/client/nats-store-client.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { isStatusError } from '../../shared/api/errors.js';
import type { ProcessRecord } from '../../services/kubemu/state.js';
import { startCluster, type E2ECluster } from '../../test/support/cluster.js';

export interface ClusterOptions {
  nodes: number;
  runtime: 'process' | 'simulated';
  /** Simulated nodes hosted by one more kubelet process (`kubelet-sim`). */
  simulatedNodes?: number;
  profile?: string;
  /** Launch from this checkout (a built snapshot, ./snapshot.ts); default the work tree. */
  root?: string;
  say(msg: string): void;
}

export interface BenchCluster {
  dataDir: string;
  natsUrl: string;
  apiUrl: string;
  bus: Bus;
  api: NatsApiClient;
  /** The store's global revision now: every write to the store adds one. */
  storeRevision(): Promise<number>;
  /** The processes as the state file lists them now (pids change when `kubemu start` relaunches). */
  processes(): ProcessRecord[];
  /** Runs the kubemu CLI on this cluster (`start node-2`). */
  kubemu(args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Pids by role, for CPU and memory figures: the store's processes, the control plane, the nodes. */
export function pidGroups(processes: ProcessRecord[]): Record<string, number[]> {
  const groups: Record<string, number[]> = {};
  for (const p of processes) {
    if (p.pid === undefined) continue;
    const group = p.component === 'nats-server' ? 'nats' : p.component;
    (groups[group] ??= []).push(p.pid);
  }
  return groups;
}

const NAMESPACES = resourceByPlural('namespaces');

/** Creates a namespace; one that exists already is fine. */
export async function ensureNamespace(api: NatsApiClient, name: string): Promise<void> {
  try {
    await api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isStatusError(err, 'AlreadyExists')) throw err;
  }
}

export async function startBenchCluster(opts: ClusterOptions): Promise<BenchCluster> {
  const extra = ['--runtime', opts.runtime, '--start-timeout', '120'];
  if (opts.simulatedNodes) extra.push('--simulated-nodes', String(opts.simulatedNodes));
  if (opts.profile) extra.push('--profile', opts.profile);
  const sims = opts.simulatedNodes ? ` + ${opts.simulatedNodes} simulated in one process` : '';
  opts.say(`starting a cluster: kubemu up --detach --nodes ${opts.nodes} ${extra.join(' ')} (${opts.nodes} node(s)${sims})…`);
  const t0 = process.hrtime.bigint();
  const e2e: E2ECluster = await startCluster({ nodes: opts.nodes, extraArgs: extra, ...(opts.root ? { root: opts.root } : {}) });
  opts.say(`cluster up in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s (data dir ${e2e.dataDir})`);
  let bus: Bus | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await api?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    await e2e.down();
  };
  let api: NatsApiClient | undefined;
  try {
    bus = await connectBus({ servers: e2e.natsUrl, name: `bench-${process.pid}`, log: silentLogger(), requestTimeoutMs: 30_000 });
    api = new NatsApiClient(bus, { userAgent: 'bench', clock: realClock, log: silentLogger(), timeoutMs: 30_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  const client = api;
  const store = new NatsStoreClient(bus, { clientId: `bench-${process.pid}`, log: silentLogger() });
  const statePath = join(e2e.dataDir, 'state.json');
  return {
    dataDir: e2e.dataDir,
    natsUrl: e2e.natsUrl,
    apiUrl: e2e.apiUrl,
    bus,
    api: client,
    storeRevision: async () => (await store.status()).revision,
    processes: () => (JSON.parse(readFileSync(statePath, 'utf8')) as { processes: ProcessRecord[] }).processes,
    kubemu: (args, timeoutMs) => e2e.kubemu(args, timeoutMs),
    stop,
  };
}
