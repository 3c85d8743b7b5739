/**
 * Opening byte streams between the api-server and a kubelet (both halves).
 *
 * The opener (the api-server) picks a random stream id, starts listening on
 * `subjects.node.stream(node, id, 'up')`, then asks the node's kubelet on
 * `subjects.node.kubelet(node, 'stream')` with a `StreamOpenRequest`: what to stream (`logs` of a
 * container, an `exec`, a `portforward` to a pod port), for which pod (namespace, name, uid, IP),
 * with which options, and its own receive window. The kubelet listens on `…'down'`, sets the
 * stream up (reads the log, starts the command, connects to the port) and answers
 * `{window}` — or a Status error, which the opener throws as the same StatusError (a missing
 * container, a refused connection, …). No kubelet answering → ServiceUnavailable at once.
 *
 * Channels: 0 into the container (stdin, bytes to the pod's port), 1 out of it (stdout, log bytes,
 * bytes from the port), 2 stderr, 4 terminal resize (JSON `{"Width","Height"}`).
 */
import { randomBytes } from 'node:crypto';
import { badRequest } from '../api/errors.js';
import type { Bus, BusSubscription } from '../nats/connection.js';
import { subjects } from '../nats/subjects.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { ByteStream, DEFAULT_WINDOW } from './byte-stream.js';

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, resize: 4 } as const;

export type StreamKind = 'logs' | 'exec' | 'portforward';

export interface StreamTarget {
  namespace: string;
  pod: string;
  uid: string;
  /** The pod's IP as the api-server knows it (port-forward connects there). */
  podIP?: string;
  container?: string;
}

export interface LogStreamOptions {
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
  timestamps?: boolean;
}

export interface ExecStreamOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface StreamOpenRequest {
  id: string;
  kind: StreamKind;
  target: StreamTarget;
  logs?: LogStreamOptions;
  exec?: ExecStreamOptions;
  port?: number;
  /** The opener's receive window (the kubelet's initial credit). */
  window: number;
}

export interface StreamOpenReply {
  window: number;
}

export interface StreamTimings {
  pingIntervalMs?: number;
  peerTimeoutMs?: number;
  /** How long the kubelet may take to set a stream up (default 10 s). */
  openTimeoutMs?: number;
  window?: number;
}

type StreamBusFull = Pick<Bus, 'publishRaw' | 'subscribeRaw' | 'request' | 'serve'>;

/** Opens a stream to `node`'s kubelet; resolves once the kubelet has set it up. */
export async function openByteStream(
  deps: { bus: StreamBusFull; clock: Clock; log?: Logger },
  node: string,
  req: Omit<StreamOpenRequest, 'id' | 'window'>,
  timings: StreamTimings = {},
): Promise<ByteStream> {
  const id = randomBytes(8).toString('hex');
  const window = timings.window ?? DEFAULT_WINDOW;
  const stream = new ByteStream({
    bus: deps.bus,
    clock: deps.clock,
    sendTo: subjects.node.stream(node, id, 'down'),
    receiveOn: subjects.node.stream(node, id, 'up'),
    sendWindow: 0,
    receiveWindow: window,
    pingIntervalMs: timings.pingIntervalMs,
    peerTimeoutMs: timings.peerTimeoutMs,
    peerName: `node ${node}`,
    log: deps.log,
  });
  try {
    const full: StreamOpenRequest = { ...req, id, window };
    const reply = await deps.bus.request<StreamOpenReply>(subjects.node.kubelet(node, 'stream'), full, { timeoutMs: timings.openTimeoutMs ?? 10_000 });
    stream.addCredit(Math.max(0, Number(reply?.window) || 0));
    return stream;
  } catch (err) {
    stream.dispose();
    throw err;
  }
}

export type StreamHandler = (req: StreamOpenRequest, stream: ByteStream) => Promise<void>;

/**
 * Serves the stream requests of `node`: `handler` attaches to the stream and sets it up; when it
 * throws, the stream is dropped and the error goes back to the opener.
 */
export function serveByteStreams(
  deps: { bus: StreamBusFull; clock: Clock; log?: Logger },
  node: string,
  handler: StreamHandler,
  timings: StreamTimings = {},
): BusSubscription {
  const window = timings.window ?? DEFAULT_WINDOW;
  return deps.bus.serve<unknown, StreamOpenReply>(subjects.node.kubelet(node, 'stream'), async (body) => {
    const req = parseOpenRequest(body);
    const stream = new ByteStream({
      bus: deps.bus,
      clock: deps.clock,
      sendTo: subjects.node.stream(node, req.id, 'up'),
      receiveOn: subjects.node.stream(node, req.id, 'down'),
      sendWindow: req.window,
      receiveWindow: window,
      pingIntervalMs: timings.pingIntervalMs,
      peerTimeoutMs: timings.peerTimeoutMs,
      peerName: 'the api-server',
      log: deps.log,
    });
    try {
      await handler(req, stream);
    } catch (err) {
      stream.dispose();
      throw err;
    }
    return { window };
  });
}

const KINDS: StreamKind[] = ['logs', 'exec', 'portforward'];

function parseOpenRequest(body: unknown): StreamOpenRequest {
  const r = body as Partial<StreamOpenRequest> | null;
  if (!r || typeof r !== 'object') throw badRequest('stream open request must be an object');
  if (typeof r.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(r.id)) throw badRequest('stream open request needs an id of letters, digits, - and _');
  if (!KINDS.includes(r.kind as StreamKind)) throw badRequest(`unknown stream kind ${JSON.stringify(r.kind)}`);
  const t = r.target;
  if (!t || typeof t.namespace !== 'string' || typeof t.pod !== 'string' || typeof t.uid !== 'string') throw badRequest('stream open request needs a target pod (namespace, pod, uid)');
  if (typeof r.window !== 'number' || !(r.window > 0)) throw badRequest('stream open request needs a positive window');
  if (r.kind === 'exec' && (!r.exec || !Array.isArray(r.exec.command) || r.exec.command.length === 0)) throw badRequest('exec needs a command');
  if (r.kind === 'portforward' && !(Number.isInteger(r.port) && r.port! > 0 && r.port! < 65536)) throw badRequest('portforward needs a port');
  return r as StreamOpenRequest;
}
