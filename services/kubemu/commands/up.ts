/**
 * `kubemu up`: start a cluster from a data directory and tell the user how to reach it.
 *
 * Order: refuse if a cluster already runs from the data dir; find (or apt-install) nats-server;
 * choose ports (API 6443 when free, else a free port, said aloud; NATS and its monitor on free
 * ports, never 4222; ports given as flags must be free); plan the processes from the component
 * table (the profile, runtime, standby, simulated nodes and the network slot — ./../network-slot.ts,
 * the one this data dir had before, else the lowest free one — go into it); start them tier by tier
 * (./launcher.ts); when kubelets run, wait until every node is Ready in the API; write the
 * kubeconfig and the state file; print the nodes as `kubectl get nodes` does, `export
 * KUBECONFIG=…` and what to try.
 *
 * `--detach` returns once everything is ready and leaves the processes running (`kubemu down`
 * stops them). Otherwise it stays in the foreground: the first Ctrl-C / SIGTERM stops everything
 * in reverse order with grace periods, a later one kills what is left at once, and it answers 0.
 * What it stops is what the state file lists at that moment, so processes that `kubemu start`
 * brought back from another terminal are stopped too. A process that dies while the cluster runs
 * is reported (calmly when `kubemu kill` did it, ./../crash-watch.ts), not restarted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connectBus } from '../../../shared/nats/connection.js';
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import {
  apiUrl,
  natsUrl,
  nodeNames,
  NotBuilt,
  planCluster,
  RUNTIMES,
  simulatedNodeNames,
  type ClusterPorts,
  type LaunchContext,
  type NodeRuntime,
} from '../components.js';
import { CrashWatch } from '../crash-watch.js';
import { DATA_DIR_FLAG, dataDirOf, kubemuCommand, type DataDirLayout } from '../data-dir.js';
import { writeKubeconfig } from '../kubeconfig.js';
import { startCluster, StartFailed } from '../launcher.js';
import { ensureNatsServer, NatsServerMissing, writeNatsConfig } from '../nats-server.js';
import { claimSlot, defaultRegistry, releaseSlot, SlotTaken } from '../network-slot.js';
import { freePort, portFree } from '../ports.js';
import { identify } from '../process-identity.js';
import { nodesTable, waitNodesReady } from '../node-readiness.js';
import { launcherRunning, readState, runningProcesses, STATE_VERSION, withoutPids, writeState, type ClusterState } from '../state.js';
import { stopProcesses } from '../supervisor.js';
import { isoTime } from '../../../shared/runtime/clock.js';
import { PROFILES } from '../../../shared/runtime/profile.js';

export const DEFAULT_API_PORT = 6443;

export interface UpOptions {
  layout: DataDirLayout;
  /** Explicit `--network-slot`. */
  networkSlot?: number;
  nodes: number;
  profile: string;
  runtime: NodeRuntime;
  simulatedNodes: number;
  standby: boolean;
  apiPort?: number;
  natsPort?: number;
  detach: boolean;
  dev: boolean;
  startTimeoutMs: number;
  graceMs: number;
}

export function upOptions(args: ParsedArgs, root: string): UpOptions {
  const f = args.flags;
  return {
    layout: dataDirOf(args, root),
    nodes: f.nodes as number,
    profile: f.profile as string,
    runtime: f.runtime as NodeRuntime,
    simulatedNodes: f['simulated-nodes'] as number,
    standby: f.standby === true,
    ...(f['network-slot'] !== undefined ? { networkSlot: f['network-slot'] as number } : {}),
    ...(f['api-port'] !== undefined ? { apiPort: f['api-port'] as number } : {}),
    ...(f['nats-port'] !== undefined ? { natsPort: f['nats-port'] as number } : {}),
    detach: f.detach === true,
    dev: f.dev === true,
    startTimeoutMs: (f['start-timeout'] as number) * 1000,
    graceMs: (f.grace as number) * 1000,
  };
}

async function choosePorts(o: UpOptions, say: (line: string) => void): Promise<ClusterPorts> {
  const explicit = async (port: number, flag: string): Promise<number> => {
    if (!(await portFree(port))) throw new Error(`--${flag} ${port} is in use; choose another port or leave the flag out`);
    return port;
  };
  let api: number;
  if (o.apiPort !== undefined) api = await explicit(o.apiPort, 'api-port');
  else if (await portFree(DEFAULT_API_PORT)) api = DEFAULT_API_PORT;
  else {
    api = await freePort();
    say(`port ${DEFAULT_API_PORT} is in use; the API will listen on ${api} instead`);
  }
  const nats = o.natsPort !== undefined ? await explicit(o.natsPort, 'nats-port') : await freePort();
  let natsMonitor = await freePort();
  while (natsMonitor === api || natsMonitor === nats) natsMonitor = await freePort();
  return { api, nats, natsMonitor };
}

export async function up(o: UpOptions, ctx: CliContext): Promise<number> {
  const l = o.layout;
  mkdirSync(l.dir, { recursive: true });
  const prev = readState(l.dir);
  const cmd = (sub: string): string => kubemuCommand(sub, ctx.root, l.dir, ctx.env);
  if (prev && (launcherRunning(prev) || runningProcesses(prev).length > 0)) {
    ctx.err(`A kubemu cluster is already running from ${l.dir} (API ${prev.apiUrl}).`);
    ctx.err(`  ${cmd('status')}   shows it;  ${cmd('down')}   stops it.`);
    return 1;
  }
  let natsBin: string;
  try {
    natsBin = ensureNatsServer(ctx.out);
  } catch (err) {
    if (!(err instanceof NatsServerMissing)) throw err;
    ctx.err(err.message);
    return 1;
  }
  const registry = defaultRegistry(ctx.env);
  let networkSlot: number;
  try {
    networkSlot = claimSlot({ dataDir: l.dir, registry, ...((o.networkSlot ?? prev?.networkSlot) !== undefined ? { wanted: o.networkSlot ?? prev?.networkSlot } : {}) });
  } catch (err) {
    if (!(err instanceof SlotTaken)) throw err;
    const sticky = o.networkSlot === undefined && prev?.networkSlot !== undefined;
    ctx.err(`${err.message}${sticky ? ` (this data dir used it before: its Nodes keep pod CIDRs of that slot; --network-slot N overrides)` : ''}`);
    return 1;
  }
  if (prev?.networkSlot !== undefined && prev.networkSlot !== networkSlot) {
    ctx.out(`note: this data dir used network slot ${prev.networkSlot} before; Nodes kept in the store still have pod CIDRs of that slot`);
  }
  const release = (): void => releaseSlot(registry, networkSlot, l.dir);
  let ports: ClusterPorts;
  try {
    ports = await choosePorts(o, ctx.out);
  } catch (err) {
    release();
    throw err;
  }
  const nodes = nodeNames(o.nodes);
  const natsConfig = writeNatsConfig({ port: ports.nats, monitorPort: ports.natsMonitor, dataDir: l.nats, serverName: 'kubemu' });
  const launchCtx: LaunchContext = {
    root: ctx.root,
    dev: o.dev,
    nodeBin: process.execPath,
    natsBin,
    natsConfig,
    ports,
    nodes,
    profile: o.profile,
    runtime: o.runtime,
    standby: o.standby,
    simulatedNodes: o.simulatedNodes,
    nodesDir: l.nodes,
    networkSlot,
  };
  let plan;
  try {
    plan = planCluster(launchCtx);
  } catch (err) {
    release();
    if (!(err instanceof NotBuilt)) throw err;
    ctx.err(err.message);
    return 1;
  }
  for (const s of plan.skipped) ctx.out(`  ${s.component.padEnd(24)} not built yet (${s.entry}); skipped`);
  // Only nodes whose kubelet runs are part of the cluster (none while the kubelet is not built).
  const kubelets = plan.launches.filter((x) => x.component === 'kubelet');
  const clusterNodes = nodes.filter((n) => kubelets.some((k) => k.node === n));
  const simulatedNodes = kubelets.some((k) => !k.node) ? o.simulatedNodes : 0;
  const expectedNodes = [...clusterNodes, ...simulatedNodeNames(simulatedNodes)];

  const self = identify(process.pid);
  const state: ClusterState = {
    version: STATE_VERSION,
    dataDir: l.dir,
    startedAt: isoTime(ctx.clock),
    ...(!o.detach ? { launcher: { pid: process.pid, cmdline: self?.cmdline ?? process.argv, ...(self?.startTicks !== undefined ? { startTicks: self.startTicks } : {}) } } : {}),
    natsUrl: natsUrl(ports),
    apiUrl: apiUrl(ports),
    ports,
    nodes: clusterNodes,
    profile: o.profile,
    runtime: o.runtime,
    ...(simulatedNodes ? { simulatedNodes } : {}),
    networkSlot,
    kubeconfig: l.kubeconfig,
    processes: [],
  };
  writeState(l.dir, state);

  // Trapped during start in both modes: an interrupted start must not leave processes behind.
  const signals = ctx.signals();
  try {
    const sims = simulatedNodes ? ` + ${simulatedNodes} simulated` : '';
    ctx.out(
      `starting kubemu (${o.nodes} node${o.nodes === 1 ? '' : 's'}${sims}, profile ${o.profile}, runtime ${o.runtime}, network slot ${networkSlot}) in ${l.dir}${o.dev ? ' from the TypeScript sources' : ''}`,
    );
    let cluster;
    try {
      cluster = await startCluster(plan.launches, {
        clock: ctx.clock,
        layout: l,
        cwd: ctx.root,
        env: ctx.env,
        detach: o.detach,
        startTimeoutMs: o.startTimeoutMs,
        graceMs: o.graceMs,
        natsUrl: state.natsUrl,
        connect: (url) => connectBus({ servers: url, name: 'kubemu-cli', connectTimeoutMs: 10_000 }),
        say: ctx.out,
        onProgress: (records) => {
          state.processes = records;
          writeState(l.dir, state);
        },
        ...(expectedNodes.length
          ? {
              waitReady: async (signal, started) => {
                ctx.out(`  waiting for ${expectedNodes.length === 1 ? 'the node' : `${expectedNodes.length} nodes`} to be Ready…`);
                await waitNodesReady(state.apiUrl, expectedNodes, {
                  clock: ctx.clock,
                  deadlineMs: o.startTimeoutMs,
                  signal,
                  failed: () => started.find((s) => s.exitReason())?.exitReason(),
                });
              },
            }
          : {}),
        signal: signals.stop,
      });
    } catch (err) {
      writeState(l.dir, withoutPids(state));
      release();
      if (!(err instanceof StartFailed)) throw err;
      if (err.interrupted) {
        ctx.out('interrupted: everything started has been stopped');
        return 0;
      }
      ctx.err(`kubemu up failed: ${err.message}`);
      if (err.tail) ctx.err(`--- last lines of ${err.logFile} ---\n${err.tail}\n---`);
      return 1;
    }

    writeKubeconfig(l.kubeconfig, { server: state.apiUrl });
    writeState(l.dir, state);
    const nodeLines = expectedNodes.length ? await nodesTable(state.apiUrl, (n) => clusterNodes.includes(n)) : undefined;
    printReady(ctx, o, state, plan.skipped.map((s) => s.component), cmd, nodeLines);
    if (o.detach) {
      await cluster.bus?.close();
      return 0;
    }

    const watch = new CrashWatch({ dataDir: l.dir, clock: ctx.clock, say: ctx.out, shout: ctx.err });
    for (const p of cluster.processes) {
      watch.child(p.record.pid);
      p.onExit((reason) => {
        if (!signals.stop.aborted) watch.exited(p.record.name, p.record.pid, reason);
      });
    }
    await watch.run(signals.stop);
    ctx.out('stopping kubemu (Ctrl-C again to kill at once)…');
    await cluster.bus?.close();
    // What runs now: `kubemu start` may have replaced processes since the start.
    const now = readState(l.dir) ?? state;
    await stopProcesses(now.processes, { clock: ctx.clock, graceMs: o.graceMs, hurry: signals.hurry, say: ctx.out });
    writeState(l.dir, withoutPids(now));
    release();
    ctx.out('kubemu stopped');
    return 0;
  } finally {
    signals.dispose();
  }
}

function printReady(
  ctx: CliContext,
  o: UpOptions,
  state: ClusterState,
  skipped: string[],
  cmd: (sub: string) => string,
  nodeLines: string | undefined,
): void {
  const grace = (PROFILES[o.profile as keyof typeof PROFILES] ?? PROFILES.default).nodeMonitorGraceMs / 1000;
  const lines = [
    '',
    `kubemu is up. API: ${state.apiUrl}   NATS: ${state.natsUrl}   profile: ${o.profile}`,
    ...(nodeLines ? ['', nodeLines] : []),
    '',
    'Use it with kubectl:',
    `  export KUBECONFIG=${state.kubeconfig}`,
    state.nodes.length ? '  kubectl get nodes' : '  kubectl get ns',
    '',
    ...(state.nodes.length > 1
      ? [
          'Make a node fail and watch the cluster heal:',
          `  ${cmd(`kill ${state.nodes[1]}`)}    (NotReady after ~${grace}s, its pods evicted)`,
          `  ${cmd(`start ${state.nodes[1]}`)}   (Ready again)`,
          '',
        ]
      : []),
    `Logs:   ${join(o.layout.logs, '<process>.log')}`,
    `Status: ${cmd('status')}`,
    `Stop:   ${cmd('down')}${o.detach ? '' : '   (or Ctrl-C here)'}`,
  ];
  if (skipped.includes('kubelet') && o.nodes > 0) lines.push('', 'Note: the kubelet is not built yet, so no node joins the cluster.');
  ctx.out(lines.join('\n'));
}


export const upCommand: Command = {
  name: 'up',
  summary: 'start a cluster (nats-server, store, api-server, control plane, N nodes)',
  description: [
    'Starts nats-server (installed with apt when missing and root), then the store, the api-server and,',
    'once they are built, the scheduler, the controller-manager and a kubelet and kube-proxy per node, each',
    'as its own process with its log in <data-dir>/logs/<name>.log. Each tier must be healthy before the',
    'next starts; a process that dies or stays unhealthy stops the whole start and prints its log tail.',
    'When kubelets run, it then waits until every node is Ready in the API and prints the nodes.',
    'Writes <data-dir>/kubeconfig and <data-dir>/state.json and prints how to use kubectl.',
    '',
    'The profile goes to every component: default is made for watching healing (heartbeat 1s, a silent',
    'node NotReady after 4s, its pods evicted at once); kubernetes uses the real defaults (10s, 50s, 300s).',
    '',
    'Without --detach it stays in the foreground: Ctrl-C stops every process in reverse order; a process',
    'that dies is reported (calmly when kubemu kill did it), not restarted.',
  ].join('\n'),
  flags: [
    { name: 'nodes', kind: 'number', placeholder: 'N', default: 3, min: 0, help: 'number of nodes (kubelet + kube-proxy each)' },
    {
      name: 'profile',
      kind: 'string',
      choices: Object.keys(PROFILES),
      default: 'default',
      env: 'KUBEMU_PROFILE',
      help: 'timings: default (heartbeat 1s, NotReady after 4s, eviction at once) or kubernetes (the real defaults)',
    },
    { name: 'runtime', kind: 'string', choices: RUNTIMES, default: 'process', help: 'how the nodes run containers: real processes or simulated' },
    {
      name: 'simulated-nodes',
      kind: 'number',
      placeholder: 'M',
      default: 0,
      min: 0,
      help: 'one more kubelet process hosting M simulated nodes sim-1…sim-M',
    },
    { name: 'standby', kind: 'boolean', help: 'a second scheduler and controller-manager (leader election)' },
    {
      name: 'network-slot',
      kind: 'number',
      placeholder: 'S',
      min: 0,
      help: 'which slot of 127/8 the cluster\'s node, pod and service addresses come from (default: the data dir\'s, else a free one)',
    },
    DATA_DIR_FLAG,
    { name: 'api-port', kind: 'number', placeholder: 'PORT', min: 1, help: `API port (default ${DEFAULT_API_PORT} when free, else a free port)` },
    { name: 'nats-port', kind: 'number', placeholder: 'PORT', min: 1, help: 'NATS client port (default: a free port)' },
    { name: 'detach', kind: 'boolean', help: 'return once the cluster is healthy; stop it later with kubemu down' },
    { name: 'dev', kind: 'boolean', help: 'run the TypeScript sources with tsx instead of the compiled dist/ (slower, more memory)' },
    { name: 'start-timeout', kind: 'number', placeholder: 'SECONDS', default: 60, min: 1, help: 'how long each tier may take to become healthy' },
    { name: 'grace', kind: 'number', placeholder: 'SECONDS', default: 10, min: 0, help: 'time between SIGTERM and SIGKILL when stopping' },
  ],
  run: (args, ctx) => up(upOptions(args, ctx.root), ctx),
};
