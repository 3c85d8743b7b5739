/**
 * The table of components a kubemu cluster is made of, and `planCluster`, which turns it into the
 * concrete processes to launch for one `kubemu up`.
 *
 * One row per kind of process: its entry file, its instances, their arguments and health checks,
 * its start tier and whether it is optional. Processes start tier by tier (all of a tier at once,
 * each healthy before the next tier starts) and stop in the reverse order. Instances:
 *   - most rows: one process named after the component;
 *   - scheduler and controller-manager: a second one, `<component>-2`, with `--standby` (they elect
 *     a leader over a Lease; each passes its instance name as `--name`, its election identity);
 *   - kubelet and kube-proxy: one per node, named `<component>-<node>` (`kubelet-node-2`), with
 *     `--node-name` and `--node-ip` (node i's address in the cluster's slot, `127.(1+slot).0.i`);
 *     with `--simulated-nodes M` one more kubelet, `kubelet-sim`, hosts M simulated nodes
 *     `sim-1…sim-M` (no kube-proxy: nothing of theirs carries traffic);
 *   - agent: `kubemu agent --data-dir <dir>` (the CLI's own entry), which carries out kill / start /
 *     partition / heal requests from the bus for the dashboard (./agent.ts); tier 3, after the
 *     api-server. Its data dir is the parent of `nodesDir` (./data-dir.ts lays them out so).
 * The timing profile and the network slot go to every process that has timings or addresses
 * (`--profile`, the api-server included: it derives the pods' default tolerations from it;
 * `--network-slot`: node, pod and service ranges); nats-server and the store have neither.
 *
 * Optional rows whose entry file does not exist yet are skipped (reported in `Plan.skipped`), so a
 * component starts automatically once it is written and built. Required rows (nats-server, store,
 * api-server) missing are an error that says how to build.
 *
 * Health convention (shared/runtime/health.ts): a process named N (the instance name above)
 * answers a NATS request on `subjects.control(N, 'health')` once it is ready to do its work (any
 * successful reply is healthy; a Status error reply or no reply is not). The store answers
 * `subjects.store.rpc('status')`, the api-server `GET /readyz` with 200, nats-server `/healthz`.
 *
 * Compiled JavaScript (`dist/…/main.js`) is the default; `dev` runs the TypeScript entries with
 * `node --import tsx` (≈2.6× slower start, ≈3× memory per process: fine for tests, not for big
 * clusters). This module only plans: it spawns nothing and touches no file except to ask `exists`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subjects } from '../../shared/nats/subjects.js';
import { networkPlan, nodeIndexOf } from '../../shared/api/network.js';
import type { HealthCheck } from './health.js';

export interface ClusterPorts {
  /** NATS client port. */
  nats: number;
  /** nats-server monitoring port (`/healthz`). */
  natsMonitor: number;
  /** api-server HTTP port. */
  api: number;
}

export interface LaunchContext {
  /** Repository root: entries are resolved from here, and children run with it as cwd. */
  root: string;
  dev: boolean;
  /** The node binary (process.execPath). */
  nodeBin: string;
  natsBin: string;
  /** The nats-server config file written for this cluster. */
  natsConfig: string;
  ports: ClusterPorts;
  /** Node names, `node-1` … `node-N`. */
  nodes: string[];
  /** The timing profile every component gets (`default`, `kubernetes`). */
  profile: string;
  /** The container runtime of the `node-i` kubelets. */
  runtime: NodeRuntime;
  /** A second scheduler and controller-manager, for leader-election demos. */
  standby: boolean;
  /** How many simulated nodes `kubelet-sim` hosts (0: no such process). */
  simulatedNodes: number;
  /** Where each kubelet keeps its pods' directories: `<nodesDir>/<node>`. */
  nodesDir: string;
  /** The cluster's slot of 127/8 (./network-slot.ts); every process with addresses gets it. */
  networkSlot: number;
}

export type NodeRuntime = 'process' | 'simulated';
export const RUNTIMES: readonly NodeRuntime[] = ['process', 'simulated'];

/** One process of a row. */
export interface Instance {
  name: string;
  node?: string;
}

export interface ComponentRow {
  component: string;
  /** Start order: lower tiers start first and stop last. */
  tier: number;
  optional: boolean;
  /** Entry module without extension, relative to the root (`services/store/main`); none for binaries. */
  entry?: string;
  /** The processes of this row; one named after the component when absent. */
  instances?(ctx: LaunchContext): Instance[];
  /** The command line of one instance. */
  command(ctx: LaunchContext, instance: Instance): string[];
  health(ctx: LaunchContext, instance: string): HealthCheck;
  /** The port users reach it on, shown by `kubemu status`. */
  port?(ctx: LaunchContext): number;
}

/** One process to launch. */
export interface Launch {
  name: string;
  component: string;
  node?: string;
  tier: number;
  file: string;
  args: string[];
  health: HealthCheck;
  port?: number;
}

export interface Plan {
  launches: Launch[];
  /** Optional components not built yet. */
  skipped: { component: string; entry: string }[];
}

export class NotBuilt extends Error {
  override name = 'NotBuilt';
}

export function natsUrl(ports: ClusterPorts): string {
  return `nats://127.0.0.1:${ports.nats}`;
}

export function apiUrl(ports: ClusterPorts): string {
  return `http://127.0.0.1:${ports.api}`;
}

export function nodeNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `node-${i + 1}`);
}

/** The name prefix of simulated nodes, and the process that hosts them. */
export const SIMULATED_NODE_PREFIX = 'sim';
export const SIMULATED_KUBELET = 'kubelet-sim';

export function simulatedNodeNames(m: number): string[] {
  return Array.from({ length: m }, (_, i) => `${SIMULATED_NODE_PREFIX}-${i + 1}`);
}

/** The address of a `node-i` in the cluster's network slot (127.(1+slot).x.y); other names have none of their own. */
export function nodeIp(node: string, slot = 0): string | undefined {
  const i = nodeIndexOf(node);
  return i === undefined ? undefined : networkPlan(slot).nodeAddress(i);
}

const controlHealth = (_ctx: LaunchContext, instance: string): HealthCheck => ({
  kind: 'nats',
  subject: subjects.control(instance, 'health'),
});

const onBus = (ctx: LaunchContext): string[] => ['--nats', natsUrl(ctx.ports)];
const withProfile = (ctx: LaunchContext): string[] => [...onBus(ctx), '--profile', ctx.profile, '--network-slot', String(ctx.networkSlot)];
const onNode = (ctx: LaunchContext, node: string): string[] => {
  const ip = nodeIp(node, ctx.networkSlot);
  return [...withProfile(ctx), '--node-name', node, ...(ip ? ['--node-ip', ip] : [])];
};
const perNode = (component: string) => (ctx: LaunchContext): Instance[] => ctx.nodes.map((node) => ({ name: `${component}-${node}`, node }));
const withStandby = (component: string) => (ctx: LaunchContext): Instance[] =>
  ctx.standby ? [{ name: component }, { name: `${component}-2` }] : [{ name: component }];
const electing = (ctx: LaunchContext, i: Instance): string[] => [...withProfile(ctx), '--name', i.name];

function kubeletInstances(ctx: LaunchContext): Instance[] {
  return [...perNode('kubelet')(ctx), ...(ctx.simulatedNodes > 0 ? [{ name: SIMULATED_KUBELET }] : [])];
}

function kubeletCommand(ctx: LaunchContext, i: Instance): string[] {
  if (i.node) return [...onNode(ctx, i.node), '--runtime', ctx.runtime, '--data-dir', join(ctx.nodesDir, i.node)];
  return [
    ...withProfile(ctx),
    '--node-prefix',
    SIMULATED_NODE_PREFIX,
    '--simulated-nodes',
    String(ctx.simulatedNodes),
    '--runtime',
    'simulated',
    '--data-dir',
    join(ctx.nodesDir, SIMULATED_NODE_PREFIX),
  ];
}

export const COMPONENTS: readonly ComponentRow[] = [
  {
    component: 'nats-server',
    tier: 0,
    optional: false,
    command: (ctx) => [ctx.natsBin, '-c', ctx.natsConfig],
    health: (ctx) => ({ kind: 'http', url: `http://127.0.0.1:${ctx.ports.natsMonitor}/healthz` }),
    port: (ctx) => ctx.ports.nats,
  },
  {
    component: 'store',
    tier: 1,
    optional: false,
    entry: 'services/store/main',
    command: onBus,
    health: () => ({ kind: 'nats', subject: subjects.store.rpc('status') }),
  },
  {
    component: 'api-server',
    tier: 2,
    optional: false,
    entry: 'services/api-server/main',
    command: (ctx) => [...withProfile(ctx), '--port', String(ctx.ports.api), '--host', '127.0.0.1'],
    health: (ctx) => ({ kind: 'http', url: `${apiUrl(ctx.ports)}/readyz` }),
    port: (ctx) => ctx.ports.api,
  },
  {
    component: 'scheduler',
    tier: 3,
    optional: true,
    entry: 'services/scheduler/main',
    instances: withStandby('scheduler'),
    command: electing,
    health: controlHealth,
  },
  {
    component: 'controller-manager',
    tier: 3,
    optional: true,
    entry: 'services/controller-manager/main',
    instances: withStandby('controller-manager'),
    command: electing,
    health: controlHealth,
  },
  {
    component: 'agent',
    tier: 3,
    optional: true,
    entry: 'services/kubemu/main',
    command: (ctx) => ['agent', '--data-dir', dirname(ctx.nodesDir), ...onBus(ctx)],
    health: controlHealth,
  },
  {
    component: 'kubelet',
    tier: 4,
    optional: true,
    entry: 'services/kubelet/main',
    instances: kubeletInstances,
    command: kubeletCommand,
    health: controlHealth,
  },
  {
    component: 'kube-proxy',
    tier: 4,
    optional: true,
    entry: 'services/kube-proxy/main',
    instances: perNode('kube-proxy'),
    command: (ctx, i) => onNode(ctx, i.node ?? ''),
    health: controlHealth,
  },
];

/** The repository root: the nearest directory above `fromUrl` holding package.json and services/. */
export function findRoot(fromUrl: string, exists: (path: string) => boolean = existsSync): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (exists(join(dir, 'package.json')) && exists(join(dir, 'services'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the kubemu repository root above ${fileURLToPath(fromUrl)}`);
    dir = up;
  }
}

/** Where a row's entry lives: `dist/<entry>.js`, or `<entry>.ts` in dev mode (relative to root). */
export function entryFile(entry: string, dev: boolean): string {
  return dev ? `${entry}.ts` : join('dist', `${entry}.js`);
}

/** The processes of a cluster, in start order. Throws NotBuilt when a required entry is missing. */
export function planCluster(
  ctx: LaunchContext,
  rows: readonly ComponentRow[] = COMPONENTS,
  exists: (path: string) => boolean = existsSync,
): Plan {
  const launches: Launch[] = [];
  const skipped: Plan['skipped'] = [];
  for (const row of [...rows].sort((a, b) => a.tier - b.tier)) {
    let prefix: string[] = [];
    if (row.entry) {
      const rel = entryFile(row.entry, ctx.dev);
      if (!exists(join(ctx.root, rel))) {
        if (row.optional) {
          skipped.push({ component: row.component, entry: rel });
          continue;
        }
        const how = ctx.dev ? 'its source is not there yet' : 'run `npm run build` first (or use --dev to run the sources)';
        throw new NotBuilt(`${row.component} cannot start: ${rel} is missing; ${how}`);
      }
      prefix = [ctx.nodeBin, ...(ctx.dev ? ['--import', 'tsx'] : []), join(ctx.root, rel)];
    }
    for (const instance of row.instances?.(ctx) ?? [{ name: row.component }]) {
      const [file, ...args] = [...prefix, ...row.command(ctx, instance)];
      launches.push({
        name: instance.name,
        component: row.component,
        ...(instance.node ? { node: instance.node } : {}),
        tier: row.tier,
        file,
        args,
        health: row.health(ctx, instance.name),
        ...(row.port ? { port: row.port(ctx) } : {}),
      });
    }
  }
  return { launches, skipped };
}
