/**
 * Starting recorded processes again (`kubemu start`, `restart`): with the same command line as
 * before (so the same flags, ports, data dir for the store and nats-server), detached (the CLI
 * exits, they run on), their logs appended to after a marker line. Tier order and health checks
 * are the launcher's (./launcher.ts); a process that does not become healthy is stopped again and
 * reported with its log tail. The state file gets the new pids as soon as they exist.
 *
 * When kubelets are among them, it then waits until their nodes are Ready in the API (a node that
 * comes back is the point of `start node-2`) and shows them as `kubectl get nodes` does. A node
 * that stays NotReady is reported (exit 1) but its processes keep running: they are healthy, and
 * the reason is elsewhere (the api-server, the controller-manager).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { connectBus } from '../../shared/nats/connection.js';
import { isoTime, type Clock } from '../../shared/runtime/clock.js';
import { simulatedNodeNames, type Launch } from './components.js';
import type { DataDirLayout } from './data-dir.js';
import { startCluster, StartFailed } from './launcher.js';
import { abbreviate, nodesTable, waitNodesReady } from './node-readiness.js';
import { notRunning, updateState, withRecords, type ClusterState, type ProcessRecord } from './state.js';

export interface RelaunchDeps {
  clock: Clock;
  layout: DataDirLayout;
  root: string;
  env: NodeJS.ProcessEnv;
  startTimeoutMs: number;
  graceMs: number;
  say(line: string): void;
  warn(line: string): void;
  signal?: AbortSignal;
}

/** The launch a record was made from. */
export function launchOf(r: ProcessRecord): Launch {
  const [file, ...args] = r.cmdline;
  return {
    name: r.name,
    component: r.component,
    ...(r.node ? { node: r.node } : {}),
    tier: r.tier,
    file,
    args,
    health: r.health,
    ...(r.port !== undefined ? { port: r.port } : {}),
  };
}

/** The nodes that the kubelets among `records` register. */
export function nodesOf(records: ProcessRecord[], state: ClusterState): string[] {
  return records
    .filter((r) => r.component === 'kubelet')
    .flatMap((r) => (r.node ? [r.node] : simulatedNodeNames(state.simulatedNodes ?? 0)));
}

/** Starts `records` (none of them running) and waits for them; answers the exit code. */
export async function relaunch(state: ClusterState, records: ProcessRecord[], deps: RelaunchDeps): Promise<number> {
  mkdirSync(deps.layout.logs, { recursive: true });
  for (const r of records) appendFileSync(r.logFile, `--- started again by kubemu at ${isoTime(deps.clock)} ---\n`);
  let progress: ProcessRecord[] = [];
  try {
    const started = await startCluster(records.map(launchOf), {
      clock: deps.clock,
      layout: deps.layout,
      cwd: deps.root,
      env: deps.env,
      detach: true,
      logMode: 'a',
      startTimeoutMs: deps.startTimeoutMs,
      graceMs: deps.graceMs,
      natsUrl: state.natsUrl,
      connect: (url) => connectBus({ servers: url, name: 'kubemu-cli', connectTimeoutMs: 5000 }),
      say: deps.say,
      onProgress: (recs) => {
        progress = recs;
        updateState(deps.layout.dir, (s) => withRecords(s, recs));
      },
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    await started.bus?.close();
  } catch (err) {
    updateState(deps.layout.dir, (s) => withRecords(s, progress.map(notRunning)));
    if (!(err instanceof StartFailed)) throw err;
    if (err.interrupted) {
      deps.say('interrupted: what was started has been stopped again');
      return 1;
    }
    deps.warn(`start failed: ${err.message}`);
    if (err.tail) deps.warn(`--- last lines of ${err.logFile} ---\n${err.tail}\n---`);
    return 1;
  }

  const nodes = nodesOf(records, state);
  if (nodes.length === 0) return 0;
  try {
    await waitNodesReady(state.apiUrl, nodes, { clock: deps.clock, deadlineMs: deps.startTimeoutMs, ...(deps.signal ? { signal: deps.signal } : {}) });
  } catch (err) {
    deps.warn(`${(err as Error).message}; the processes keep running`);
    return 1;
  }
  const wanted = new Set(nodes.length > 10 ? [] : nodes);
  const table = await nodesTable(state.apiUrl, (n) => wanted.has(n));
  deps.say(`Ready: ${abbreviate(nodes)}`);
  if (table && wanted.size) deps.say(table.split('\n').filter((l) => !l.startsWith('+ ')).join('\n'));
  return 0;
}
