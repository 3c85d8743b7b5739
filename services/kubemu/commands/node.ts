/**
 * `kubemu node --name node-2`: run one node — its kubelet and its kube-proxy, two child processes
 * with the command lines of the launcher's component table — in the foreground, as the entry of a
 * docker compose node container (or of a node on a machine of its own, `--nats nats://host:4222`).
 *
 * Contract:
 *   - the node name comes from `--name` or `KUBEMU_NODE_NAME` (compose sets it per container); a
 *     control-plane process name is refused;
 *   - the children inherit stdout/stderr (their pino JSON is the container's log) and run in their
 *     own process groups, so a Ctrl-C at a terminal reaches only this process, which passes it on
 *     once: the first SIGTERM/SIGINT stops both (SIGTERM, SIGKILL after `--grace`), a second one
 *     later kills what is left at once; then it answers 0;
 *   - when either child dies on its own, the other is stopped the same way and it answers 1: a node
 *     is its kubelet and kube-proxy together, and compose should see the container exit;
 *   - the partition signals (SIGUSR2 cuts the node from the bus, SIGCONT heals it:
 *     shared/runtime/partition-signals.ts) are passed on to both children, so
 *     `docker compose kill -s SIGUSR2 node-2` partitions the node instead of ending it;
 *   - SIGKILL of this process (`docker kill`) is not survivable by design: in a container the
 *     PID namespace dies with its init, and the kubelet's pods with it, as a machine losing power.
 *     Outside a container, children of a SIGKILLed `kubemu node` run on (stop them by pid).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContext, Command } from '../cli.js';
import { UsageError, type ParsedArgs } from '../args.js';
import { RUNTIMES, type Launch, type NodeRuntime } from '../components.js';
import { containerProcesses, DEFAULT_NATS_URL, UnknownTarget, withNatsUrl } from '../container-plan.js';
import { identify } from '../process-identity.js';
import type { ProcessRecord } from '../state.js';
import { stopProcesses } from '../supervisor.js';
import { PROFILES } from '../../../shared/runtime/profile.js';
import { HEAL_SIGNAL, PARTITION_SIGNAL } from '../../../shared/runtime/partition-signals.js';

export interface NodeOptions {
  name: string;
  nats: string;
  profile: string;
  networkSlot: number;
  runtime: NodeRuntime;
  nodesDir: string;
  graceMs: number;
}

export function nodeOptions(args: ParsedArgs): NodeOptions {
  const f = args.flags;
  if (typeof f.name !== 'string') throw new UsageError('--name <node> is required (or KUBEMU_NODE_NAME)');
  return {
    name: f.name,
    nats: f.nats as string,
    profile: f.profile as string,
    networkSlot: f['network-slot'] as number,
    runtime: f.runtime as NodeRuntime,
    nodesDir: f['nodes-dir'] as string,
    graceMs: (f.grace as number) * 1000,
  };
}

/** The node's processes, planned; throws UsageError for a name that is not a node's. */
export function planNode(o: NodeOptions, root: string): Launch[] {
  let launches: Launch[];
  try {
    launches = containerProcesses([o.name], { root, profile: o.profile, networkSlot: o.networkSlot, runtime: o.runtime, nodesDir: o.nodesDir });
  } catch (err) {
    if (err instanceof UnknownTarget) throw new UsageError(err.message);
    throw err;
  }
  if (launches.length === 0 || launches.some((l) => l.node !== o.name)) throw new UsageError(`"${o.name}" names a control-plane process, not a node`);
  return launches.map((l) => withNatsUrl(l, o.nats));
}

interface Child {
  record: ProcessRecord & { pid: number };
  exited: Promise<string>;
}

function start(l: Launch, ctx: CliContext): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(l.file, l.args, { cwd: ctx.root, env: ctx.env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    const exited = new Promise<string>((done) => {
      child.once('exit', (code, signal) => done(signal ? `${l.name} was killed by ${signal}` : `${l.name} exited with code ${code}`));
    });
    child.once('error', (err) => reject(new Error(`cannot start ${l.name}: ${err.message}`)));
    child.once('spawn', () => {
      const pid = child.pid as number;
      const cmdline = [l.file, ...l.args];
      const record = { name: l.name, component: l.component, node: l.node, tier: l.tier, pid, startTicks: identify(pid)?.startTicks, cmdline, logFile: '-', health: l.health };
      resolve({ record, exited });
    });
  });
}

export async function runNode(o: NodeOptions, ctx: CliContext): Promise<number> {
  const launches = planNode(o, ctx.root);
  const missing = launches.map((l) => l.args[0]).filter((entry) => !existsSync(entry));
  if (missing.length) {
    ctx.err(`cannot start node ${o.name}: ${missing.join(', ')} missing; run \`npm run build\` first`);
    return 1;
  }
  const signals = ctx.signals();
  const children: Child[] = [];
  const passOn = (sig: NodeJS.Signals) => (): void => {
    for (const c of children) {
      try {
        process.kill(c.record.pid, sig);
      } catch {
        // gone; its exit is handled below
      }
    }
  };
  const partition = passOn(PARTITION_SIGNAL);
  const heal = passOn(HEAL_SIGNAL);
  process.on(PARTITION_SIGNAL, partition);
  process.on(HEAL_SIGNAL, heal);
  try {
    try {
      for (const l of launches) children.push(await start(l, ctx));
    } catch (err) {
      ctx.err(`node ${o.name}: ${(err as Error).message}`);
      await stopProcesses(children.map((c) => c.record), { clock: ctx.clock, graceMs: o.graceMs, hurry: signals.hurry });
      return 1;
    }
    ctx.out(`node ${o.name}: ${children.map((c) => `${c.record.name} (pid ${c.record.pid})`).join(', ')} on ${o.nats}, profile ${o.profile}`);
    const stopped = new Promise<undefined>((resolve) => {
      if (signals.stop.aborted) resolve(undefined);
      signals.stop.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    const died = await Promise.race([stopped, ...children.map((c) => c.exited)]);
    ctx[died ? 'err' : 'out'](died ? `node ${o.name}: ${died}; stopping the node` : `node ${o.name}: stopping`);
    await stopProcesses(
      children.map((c) => c.record),
      { clock: ctx.clock, graceMs: o.graceMs, hurry: signals.hurry, say: (line) => ctx.out(`node ${o.name}:${line}`) },
    );
    return died ? 1 : 0;
  } finally {
    process.off(PARTITION_SIGNAL, partition);
    process.off(HEAL_SIGNAL, heal);
    signals.dispose();
  }
}

export const nodeCommand: Command = {
  name: 'node',
  summary: "run one node's kubelet and kube-proxy in the foreground (the entry of a compose node container)",
  description: [
    "Starts the node's kubelet and kube-proxy as two child processes with the launcher's command lines",
    '(node-N gets the address 127.(1+slot).0.N), passes SIGTERM/SIGINT on to both, and exits when',
    'either of them dies (code 1) or after stopping both on a signal (code 0). Their logs go to stdout.',
    'docker-compose.yml runs one per node container; KUBEMU_NODE_NAME names the node there.',
  ].join('\n'),
  flags: [
    { name: 'name', kind: 'string', placeholder: 'NODE', env: 'KUBEMU_NODE_NAME', help: 'the node to run (node-1, node-2, …)' },
    { name: 'nats', kind: 'string', placeholder: 'URL', env: 'KUBEMU_NATS', default: DEFAULT_NATS_URL, help: "the cluster's NATS server" },
    { name: 'profile', kind: 'string', env: 'KUBEMU_PROFILE', default: 'default', choices: Object.keys(PROFILES), help: 'timing profile (the whole cluster must use the same)' },
    { name: 'network-slot', kind: 'number', placeholder: 'S', env: 'KUBEMU_NETWORK_SLOT', default: 0, min: 0, help: "the cluster's slot of 127/8" },
    { name: 'runtime', kind: 'string', default: 'process', choices: RUNTIMES, help: 'container runtime of the kubelet' },
    { name: 'nodes-dir', kind: 'string', placeholder: 'DIR', default: join(tmpdir(), 'kubemu-nodes'), help: "pod directories go to DIR/<node>" },
    { name: 'grace', kind: 'number', placeholder: 'SECONDS', default: 10, min: 0, help: 'time between SIGTERM and SIGKILL when stopping' },
  ],
  run: (args, ctx) => runNode(nodeOptions(args), ctx),
};
