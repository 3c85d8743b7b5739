/**
 * The processes of one container, taken from the launcher's component table (./components.ts), so
 * that docker compose runs exactly the command lines and health checks a local `kubemu up` runs.
 *
 * A compose cluster has no launcher: each container starts its own process(es) — `kubemu node`
 * a node's kubelet and kube-proxy, `healthcheck.js` the checks of the processes it names. Both ask
 * `containerProcesses` for the planned `Launch`es of the targets they were given:
 *   - a process name of the table (`store`, `api-server`, `scheduler-2`, `kubelet-node-2`, …);
 *   - a node name (`node-2`): every process of that node (its kubelet and kube-proxy).
 * An unknown target is a `UnknownTarget` error naming what is known.
 *
 * Inside compose every kubemu container shares one network namespace (`nats`'s), so the
 * table's loopback addresses hold as they are: NATS on 127.0.0.1:4222, the api-server on :6443 and
 * nats-server's monitor on :8222 (the defaults here). `withNatsUrl` points a planned command line
 * at another NATS server (`kubemu node --nats nats://host:4222` on a machine of its own).
 * Pure planning: spawns nothing, reads no file.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCluster, type ClusterPorts, type Launch, type LaunchContext, type NodeRuntime } from './components.js';

export const CONTAINER_PORTS: ClusterPorts = { nats: 4222, natsMonitor: 8222, api: 6443 };
export const DEFAULT_NATS_URL = `nats://127.0.0.1:${CONTAINER_PORTS.nats}`;

export interface ContainerOptions {
  /** The directory holding package.json and dist/ (the image's /app). */
  root: string;
  nodeBin?: string;
  profile?: string;
  networkSlot?: number;
  runtime?: NodeRuntime;
  /** Where kubelets keep pod directories: `<nodesDir>/<node>`. */
  nodesDir?: string;
  ports?: Partial<ClusterPorts>;
}

export class UnknownTarget extends Error {
  override name = 'UnknownTarget';
}

function context(opts: ContainerOptions, nodes: string[]): LaunchContext {
  return {
    root: opts.root,
    dev: false,
    nodeBin: opts.nodeBin ?? process.execPath,
    natsBin: 'nats-server',
    natsConfig: '/etc/nats/nats-server.conf',
    ports: { ...CONTAINER_PORTS, ...opts.ports },
    nodes,
    profile: opts.profile ?? 'default',
    runtime: opts.runtime ?? 'process',
    standby: true,
    simulatedNodes: 0,
    nodesDir: opts.nodesDir ?? join(tmpdir(), 'kubemu-nodes'),
    networkSlot: opts.networkSlot ?? 0,
  };
}

const NODE_PROCESS = /^(?:kubelet|kube-proxy)-(.+)$/;

/** The planned processes named by `targets` (process or node names), in the table's start order. */
export function containerProcesses(targets: string[], opts: ContainerOptions): Launch[] {
  const everyEntry = (): boolean => true;
  const controlPlane = new Set(planCluster(context(opts, []), undefined, everyEntry).launches.map((l) => l.name));
  const nodes = new Set<string>();
  for (const t of targets) {
    const perNode = NODE_PROCESS.exec(t);
    if (perNode) nodes.add(perNode[1]);
    else if (!controlPlane.has(t)) nodes.add(t);
  }
  for (const n of nodes) {
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(n)) {
      throw new UnknownTarget(`"${n}" is neither a process (${[...controlPlane].join(', ')}, kubelet-<node>, kube-proxy-<node>) nor a node name`);
    }
  }
  const launches = planCluster(context(opts, [...nodes]), undefined, everyEntry).launches;
  const wanted = new Set(targets);
  return launches.filter((l) => wanted.has(l.name) || (l.node !== undefined && wanted.has(l.node)));
}

/** The launch with its `--nats` argument pointing at `url` (the table assumes loopback). */
export function withNatsUrl(launch: Launch, url: string): Launch {
  const i = launch.args.indexOf('--nats');
  if (i < 0) return launch;
  const args = [...launch.args];
  args[i + 1] = url;
  return { ...launch, args };
}
