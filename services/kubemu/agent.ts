/**
 * The kubemu agent: the control contract served over NATS, so that what cannot run a command —
 * the dashboard, through the api-server's `POST /ui/api/<op>` — can kill, start, restart,
 * partition and heal nodes and components of the cluster it runs in.
 *
 *   subjects.control('agent', op)   op: kill | start | restart | partition | heal
 *     body  {"target": "node-2" | "scheduler" | …, "forMs"?: n (partition), "by"?: "dashboard"}
 *     reply {"ok": true, "message": "<what the command said>"}
 *           or a Status error: BadRequest for a bad body or target, InternalError when the
 *           operation ran and failed (the message says why).
 *   subjects.control('agent', 'health')  the launcher's health convention.
 *
 * Each operation is the CLI's own command (./control.ts), journalled in chaos.jsonl with `by`
 * (default `agent`). One operation at a time, in arrival order: they change the same state file
 * and processes. A `start` answers once the node is Ready (up to a minute); callers wait that long.
 * The agent never kills itself (kill refuses it as a target).
 */
import { badRequest, internalError } from '../../shared/api/errors.js';
import type { Bus, BusSubscription } from '../../shared/nats/connection.js';
import { subjects } from '../../shared/nats/subjects.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { serveHealth } from '../../shared/runtime/health.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { CONTROL_OPS, runControl, type ControlOp, type ControlRequest, type ControlResult } from './control.js';

export const AGENT_NAME = 'agent';

export interface AgentReply {
  ok: true;
  message: string;
}

export interface AgentDeps {
  bus: Bus;
  clock: Clock;
  log: Logger;
  root: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** The operation runner (tests give a fake). */
  run?: (op: ControlOp, req: ControlRequest, by: string, signal: AbortSignal) => Promise<ControlResult>;
}

export interface Agent {
  stop(): Promise<void>;
}

function parseBody(op: ControlOp, body: unknown): { req: ControlRequest; by: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${op}: the body must be {"target": "<node or component>"}`);
  const { target, forMs, by } = body as { target?: unknown; forMs?: unknown; by?: unknown };
  if (typeof target !== 'string' || target === '' || target.startsWith('-')) throw badRequest(`${op}: target must name a node or a component (node-2, scheduler, …)`);
  if (forMs !== undefined && (typeof forMs !== 'number' || !Number.isFinite(forMs) || forMs <= 0)) throw badRequest(`${op}: forMs must be a positive number of milliseconds`);
  if (by !== undefined && (typeof by !== 'string' || !/^[a-z0-9-]{1,32}$/.test(by))) throw badRequest(`${op}: by must be a short lower-case name`);
  return { req: { target, ...(forMs !== undefined ? { forMs } : {}) }, by: (by as string | undefined) ?? AGENT_NAME };
}

export function startAgent(deps: AgentDeps): Agent {
  const abort = new AbortController();
  const run =
    deps.run ??
    ((op: ControlOp, req: ControlRequest, by: string, signal: AbortSignal) =>
      runControl(op, req, { root: deps.root, dataDir: deps.dataDir, clock: deps.clock, env: deps.env, by, signal }));
  let queue: Promise<unknown> = Promise.resolve();
  const inOrder = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const subs: BusSubscription[] = CONTROL_OPS.map((op) =>
    deps.bus.serve<unknown, AgentReply>(subjects.control(AGENT_NAME, op), async (body) => {
      const { req, by } = parseBody(op, body);
      const result = await inOrder(() => run(op, req, by, abort.signal));
      const message = result.lines.join('\n').trim();
      deps.log.info({ op, target: req.target, by, code: result.code }, 'control operation done');
      if (result.code === 2) throw badRequest(message || `${op} ${req.target}: not possible`);
      if (result.code !== 0) throw internalError(message || `${op} ${req.target} failed`);
      return { ok: true, message };
    }),
  );
  subs.push(serveHealth(deps.bus, AGENT_NAME, () => ({ ready: true, dataDir: deps.dataDir })));

  return {
    async stop() {
      abort.abort(new Error('agent stopping'));
      for (const s of subs) s.unsubscribe();
      await queue;
    },
  };
}
