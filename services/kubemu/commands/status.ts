/**
 * `kubemu status`: one line per recorded process — name, pid, state, health, port, log file.
 *
 * State: `running` (the pid is still the process kubemu started), `exited` (it died on its own or
 * was killed), `stopped` (kubemu stopped it), `pid-reused`. Health is probed only for running
 * processes, with the check recorded for them (HTTP, or a NATS request over a short-lived
 * connection). Answers 0 when every process runs and is healthy, 1 otherwise (also when there is
 * no cluster), so scripts can wait on it.
 */
import { connectBus, type Bus } from '../../../shared/nats/connection.js';
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import { DATA_DIR_FLAG, dataDirOf, kubemuCommand } from '../data-dir.js';
import { probe } from '../health.js';
import { ownership } from '../process-identity.js';
import { identityOf, launcherRunning, readState, type ProcessRecord } from '../state.js';

export type ProcessState = 'running' | 'exited' | 'stopped' | 'pid-reused';

export function processState(p: ProcessRecord): ProcessState {
  if (p.pid === undefined) return 'stopped';
  const own = ownership(identityOf({ ...p, pid: p.pid }));
  return own === 'ours' ? 'running' : own === 'gone' ? 'exited' : 'pid-reused';
}

/** Rows padded into columns. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2))).join('').trimEnd()).join('\n');
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
    const health = await Promise.all(
      state.processes.map(async (p, i) => (states[i] === 'running' ? probe(p.health, { ...(bus ? { bus } : {}), timeoutMs: 2000 }) : undefined)),
    );
    const rows = [['NAME', 'PID', 'STATE', 'HEALTH', 'PORT', 'LOG']];
    state.processes.forEach((p, i) => {
      const h = health[i];
      rows.push([p.name, p.pid !== undefined ? String(p.pid) : '-', states[i], h ? (h.ok ? 'ok' : `failing: ${h.detail}`) : '-', p.port ? String(p.port) : '-', p.logFile]);
    });
    const launcher = state.launcher && launcherRunning(state) ? `, kept by kubemu up (pid ${state.launcher.pid})` : '';
    ctx.out(`kubemu in ${l.dir}${launcher}`);
    ctx.out(`API ${state.apiUrl}   NATS ${state.natsUrl}   nodes ${state.nodes.join(', ') || '-'}   KUBECONFIG=${state.kubeconfig}`);
    ctx.out(table(rows));
    const allGood = state.processes.length > 0 && states.every((s) => s === 'running') && health.every((h) => h?.ok);
    return allGood ? 0 : 1;
  } finally {
    await bus?.close();
  }
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'show every process: pid, running/exited, health, port, log file',
  description: [
    'Lists the processes recorded in <data-dir>/state.json with their state (running, exited, stopped),',
    'their health (probed now), port and log file. Exit code 0 when all run and are healthy, else 1.',
  ].join('\n'),
  flags: [DATA_DIR_FLAG],
  run: status,
};
