/**
 * `kubemu status`: one line per recorded process — name, pid, state, health, port, log file — and
 * one line per node: its Ready state in the API and the state of its processes.
 *
 * Process state: `running` (the pid is still the process kubemu started), `killed` (gone after
 * `kubemu kill` / `restart` signalled it), `exited` (it died on its own), `stopped` (kubemu stopped
 * it), `pid-reused`. Health is probed only for running processes, with the check recorded for them
 * (HTTP, or a NATS request over a short-lived connection). Node state comes from
 * `GET /api/v1/nodes` when the api-server answers (else `?` and why); simulated nodes are one
 * summary line. Answers 0 when every process runs and is healthy and every node is Ready, 1
 * otherwise (also when there is no cluster), so scripts can wait on it.
 */
import { connectBus, type Bus } from '../../../shared/nats/connection.js';
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import { SIMULATED_KUBELET, simulatedNodeNames } from '../components.js';
import { DATA_DIR_FLAG, dataDirOf, kubemuCommand } from '../data-dir.js';
import { probe, type HealthResult } from '../health.js';
import { readNodes, statusWord, type NodesRead } from '../node-readiness.js';
import { ownership } from '../process-identity.js';
import { identityOf, launcherRunning, readState, type ClusterState, type ProcessRecord } from '../state.js';
import { textTable } from '../text-table.js';

export type ProcessState = 'running' | 'killed' | 'exited' | 'stopped' | 'pid-reused';

export function processState(p: ProcessRecord): ProcessState {
  if (p.pid === undefined) return 'stopped';
  const own = ownership(identityOf({ ...p, pid: p.pid }));
  if (own === 'ours') return 'running';
  if (own === 'gone') return p.killed ? 'killed' : 'exited';
  return 'pid-reused';
}

/** The node lines: per node its status in the API and its processes; simulated nodes summed up. */
export function nodeRows(state: ClusterState, states: Map<string, ProcessState>, nodes: NodesRead): { rows: string[][]; allReady: boolean } {
  const rows = [['NODE', 'STATUS', 'PROCESSES', 'WHY']];
  let allReady = nodes.ok;
  const procs = (list: ProcessRecord[]): string => list.map((p) => `${p.name} ${states.get(p.name) ?? '?'}`).join(', ') || '-';
  for (const node of state.nodes) {
    const view = nodes.ok ? nodes.nodes.get(node) : undefined;
    const status = !nodes.ok ? '?' : view ? statusWord(view.ready) : 'not registered';
    if (view?.ready !== 'True') allReady = false;
    rows.push([node, status, procs(state.processes.filter((p) => p.node === node)), view?.why ?? '']);
  }
  const sims = simulatedNodeNames(state.simulatedNodes ?? 0);
  if (sims.length) {
    const ready = nodes.ok ? sims.filter((n) => nodes.nodes.get(n)?.ready === 'True').length : 0;
    if (ready < sims.length) allReady = false;
    const range = sims.length === 1 ? sims[0] : `${sims[0]}…${sims.at(-1)}`;
    rows.push([range, nodes.ok ? `${ready}/${sims.length} Ready` : '?', procs(state.processes.filter((p) => p.name === SIMULATED_KUBELET)), '']);
  }
  return { rows, allReady };
}

function healthCell(h: HealthResult | undefined): string {
  return h ? (h.ok ? 'ok' : `failing: ${h.detail}`) : '-';
}

export async function status(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const state = readState(l.dir);
  if (!state) {
    ctx.out(`No kubemu cluster in ${l.dir}. Start one with ${kubemuCommand('up', ctx.root, l.dir, ctx.env)}`);
    return 1;
  }
  const states = state.processes.map(processState);
  const natsRunning = state.processes.some((p, i) => p.component === 'nats-server' && states[i] === 'running');
  let bus: Bus | undefined;
  if (natsRunning && state.processes.some((p) => p.health.kind === 'nats')) {
    bus = await connectBus({ servers: state.natsUrl, name: 'kubemu-status', connectTimeoutMs: 2000 }).catch(() => undefined);
  }
  try {
    const apiRunning = state.processes.some((p, i) => p.component === 'api-server' && states[i] === 'running');
    const [health, nodes] = await Promise.all([
      Promise.all(state.processes.map(async (p, i) => (states[i] === 'running' ? probe(p.health, { ...(bus ? { bus } : {}), timeoutMs: 2000 }) : undefined))),
      apiRunning ? readNodes(state.apiUrl) : Promise.resolve<NodesRead>({ ok: false, unreachable: 'the api-server is not running' }),
    ]);
    const rows = [['NAME', 'PID', 'STATE', 'HEALTH', 'PORT', 'LOG']];
    state.processes.forEach((p, i) => {
      rows.push([p.name, p.pid !== undefined ? String(p.pid) : '-', states[i], healthCell(health[i]), p.port ? String(p.port) : '-', p.logFile]);
    });
    const launcher = state.launcher && launcherRunning(state) ? `, kept by kubemu up (pid ${state.launcher.pid})` : '';
    ctx.out(`kubemu in ${l.dir}${launcher}`);
    ctx.out(
      `API ${state.apiUrl}   NATS ${state.natsUrl}   profile ${state.profile ?? 'default'}   runtime ${state.runtime ?? 'process'}   network slot ${state.networkSlot ?? 0}   KUBECONFIG=${state.kubeconfig}`,
    );
    ctx.out(textTable(rows));
    let nodesOk = true;
    if (state.nodes.length || state.simulatedNodes) {
      const byName = new Map(state.processes.map((p, i) => [p.name, states[i]]));
      const n = nodeRows(state, byName, nodes);
      nodesOk = n.allReady;
      ctx.out('');
      ctx.out(textTable(n.rows));
      if (!nodes.ok) ctx.out(`(node states unknown: ${nodes.unreachable})`);
    }
    const allGood = state.processes.length > 0 && states.every((s) => s === 'running') && health.every((h) => h?.ok) && nodesOk;
    return allGood ? 0 : 1;
  } finally {
    await bus?.close();
  }
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'show every process (pid, running/killed/exited, health, port, log) and every node',
  description: [
    'Lists the processes recorded in <data-dir>/state.json with their state (running, killed, exited,',
    'stopped), their health (probed now), port and log file; then each node with its Ready state in the',
    'API and the state of its processes. Exit code 0 when all run, are healthy and every node is Ready.',
  ].join('\n'),
  flags: [DATA_DIR_FLAG],
  run: status,
};
