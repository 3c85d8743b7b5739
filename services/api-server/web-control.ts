/**
 * The dashboard's buttons: `POST /ui/api/{kill|start|partition|heal|restart}` with the JSON body
 * `{"target": "node-2", "forMs"?: n}`, forwarded to the kubemu agent on the bus
 * (`subjects.control('agent', op)`) with `"by": "dashboard"`, so chaos.jsonl says who acted; its
 * answer (`{ok: true, message}`) or its Status error comes back unchanged. The agent runs under `kubemu up`; where none runs (docker compose, a bare
 * api-server) the answer is 503 with a Status saying so, never a hang.
 *
 * Only `Content-Type: application/json` is taken: a page of another origin cannot send that
 * without a CORS preflight, which this server never grants, so no other site can press the
 * buttons through a user's browser. Bodies over 4 KiB are refused (413) before they are read whole.
 * The wait for the agent is long enough for a `start`, which waits until the node is Ready.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, isStatusError, methodNotAllowed, serviceUnavailable, statusError, toStatus, unsupportedMediaType } from '../../shared/api/errors.js';
import type { Bus } from '../../shared/nats/connection.js';
import { subjects } from '../../shared/nats/subjects.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { readBody } from './http.js';

export const CONTROL_OPS = ['kill', 'start', 'partition', 'heal', 'restart'] as const;
export type ControlOp = (typeof CONTROL_OPS)[number];

export interface ControlRequest {
  target: string;
  forMs?: number;
}

export interface WebControlDeps {
  bus: Bus;
  log: Logger;
  /** How long to wait for the agent's answer (default 90 s: `start` waits for a Ready node). */
  timeoutMs?: number;
}

const MAX_BODY = 4096;
const TARGET = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The body as the agent's contract wants it; anything else is a 400 naming the field. */
export function parseControlRequest(text: string): ControlRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw badRequest('the body must be JSON: {"target": "<node or component>"}');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('the body must be a JSON object: {"target": "<node or component>"}');
  const { target, forMs } = raw as { target?: unknown; forMs?: unknown };
  if (typeof target !== 'string' || !TARGET.test(target)) throw badRequest('target: must name a node or a component, such as "node-2" or "scheduler"');
  if (forMs === undefined) return { target };
  if (typeof forMs !== 'number' || !Number.isInteger(forMs) || forMs <= 0) throw badRequest('forMs: must be a positive whole number of milliseconds');
  return { target, forMs };
}

function answer(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Serves one `/ui/api/<op>` request (`op` as it came in the path). */
export function serveControl(deps: WebControlDeps, op: string, req: IncomingMessage, res: ServerResponse): void {
  void (async () => {
    try {
      if (!(CONTROL_OPS as readonly string[]).includes(op)) throw statusError('NotFound', `no such dashboard action "${op}": one of ${CONTROL_OPS.join(', ')}`);
      if (req.method !== 'POST') throw methodNotAllowed(`${req.method} is not allowed on /ui/api/${op}: use POST`);
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') throw unsupportedMediaType(type);
      const body = parseControlRequest((await readBody(req, MAX_BODY)).toString('utf8'));
      try {
        const reply = await deps.bus.request(subjects.control('agent', op), { ...body, by: 'dashboard' }, { timeoutMs: deps.timeoutMs ?? 90_000 });
        deps.log.info({ op, target: body.target }, 'dashboard action done');
        answer(res, 200, reply);
      } catch (err) {
        if (isStatusError(err, 'ServiceUnavailable') && /no responders/.test(err.message)) {
          throw serviceUnavailable(`cannot ${op} ${body.target}: no kubemu agent is running on this cluster's bus (kubemu up starts one; under docker compose there is none — use docker compose kill/start)`);
        }
        throw err;
      }
    } catch (err) {
      if (req.readable) req.resume();
      const status = toStatus(err);
      deps.log.debug({ err, op }, 'dashboard action refused');
      answer(res, status.code, status);
    }
  })();
}
