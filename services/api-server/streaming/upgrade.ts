/**
 * The connection upgrades of `…/pods/{name}/exec` and `…/pods/{name}/portforward`, as kubectl 1.32
 * makes them: first a WebSocket (`v5.channel.k8s.io` for exec, `SPDY/3.1+portforward.k8s.io` for
 * port-forward), then, on any refusal, `Upgrade: SPDY/3.1` with `X-Stream-Protocol-Version`
 * (`v5/v4.channel.k8s.io`, `portforward.k8s.io`).
 *
 * Everything that can be refused is refused before the 101 — the pod, the container, the node,
 * the protocol, and for exec the kubelet's own answer (the command is started first) — as an HTTP
 * error carrying the Status JSON, which kubectl prints (`Error from server (BadRequest): …`).
 * Requests to these paths without an upgrade get 400 `Upgrade request required` from
 * `upgradeRequired`. Every upgraded socket is tracked so `stop()` can cut them.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { badRequest, toStatus } from '../../../shared/api/errors.js';
import type { Pod } from '../../../shared/api/core.js';
import type { ExecStreamOptions } from '../../../shared/client/byte-stream-open.js';
import type { UpgradeHandler } from '../http.js';
import type { SubresourceHandler } from '../resource-handler.js';
import { parsePath } from '../routes.js';
import { EXEC_SPDY_PROTOCOLS, execOverSpdy } from './exec-spdy.js';
import { EXEC_WS_PROTOCOLS, runExecOverWebSocket } from './exec-ws.js';
import { dialKubelet, type StreamingDeps } from './kubelet-dial.js';
import { chooseContainer, loadPod, requireNode, streamTarget } from './pod-target.js';
import { portForwarder } from './portforward.js';
import type { SpdySession } from './spdy/session.js';
import { spdyOverSocket, spdyOverWebSocket } from './spdy-transports.js';

const PORTFORWARD_WS_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const PORTFORWARD_SPDY_PROTOCOL = 'portforward.k8s.io';

export interface StreamingUpgrades {
  handler: UpgradeHandler;
  stop(): void;
}

interface Request {
  sub: 'exec' | 'portforward';
  namespace?: string;
  name: string;
  query: URLSearchParams;
  websocket: boolean;
  /** Subprotocols (WebSocket) or stream protocol versions (SPDY) the client offers, in its order. */
  offered: string[];
}

function offeredProtocols(req: IncomingMessage, websocket: boolean): string[] {
  const raw = websocket ? req.headers['sec-websocket-protocol'] : req.headers['x-stream-protocol-version'];
  const values = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function pick(offered: string[], supported: string[]): string {
  const chosen = offered.find((p) => supported.includes(p));
  if (!chosen) throw badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`);
  return chosen;
}

function execOptions(q: URLSearchParams): ExecStreamOptions {
  const flag = (n: string): boolean => q.get(n) === 'true' || q.get(n) === '1';
  const opts = { command: q.getAll('command'), stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
  if (opts.command.length === 0) throw badRequest('you must specify at least 1 command');
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
  return opts;
}

/** Answers an upgrade request with an HTTP error carrying the Status JSON, and closes the socket. */
export function refuse(socket: Duplex, err: unknown): void {
  if (socket.destroyed) return;
  const status = toStatus(err);
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function switchToSpdy(socket: Duplex, protocol: string): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
}

export function streamingUpgrades(deps: StreamingDeps): StreamingUpgrades {
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
  // `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token (the `/`), so ws would refuse the
  // handshake: the negotiation is ours, and ws only sees the answer we add to its 101.
  wss.on('headers', (headers, req) => {
    const protocol = chosenProtocol.get(req);
    if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  const sockets = new Set<Duplex>();

  /** Completes a WebSocket handshake; `onFailed` runs if the socket closes before it completes. */
  const toWebSocket = (req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string, onOpen: (ws: WebSocket) => void, onFailed: () => void): void => {
    chosenProtocol.set(req, protocol);
    delete req.headers['sec-websocket-protocol'];
    let opened = false;
    socket.once('close', () => {
      if (!opened) onFailed();
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      opened = true;
      onOpen(ws);
    });
  };

  async function serve(r: Request, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const pod: Pod = await loadPod(deps.registry, r.namespace, r.name);
    if (r.sub === 'exec') {
      const container = chooseContainer(pod, r.query.get('container') ?? undefined);
      const node = requireNode(pod);
      const opts = execOptions(r.query);
      const protocol = pick(r.offered, r.websocket ? EXEC_WS_PROTOCOLS : EXEC_SPDY_PROTOCOLS);
      const stream = await dialKubelet(deps, node, { kind: 'exec', target: streamTarget(pod, container), exec: opts });
      if (socket.destroyed) {
        stream.abort('the exec client went away');
        return;
      }
      if (r.websocket) {
        toWebSocket(req, socket, head, protocol, (ws) => runExecOverWebSocket(ws, protocol, stream, opts), () => stream.abort('the exec client went away'));
        return;
      }
      switchToSpdy(socket, protocol);
      let session: SpdySession | undefined;
      const exec = execOverSpdy(() => session!, stream, opts, deps.clock);
      session = spdyOverSocket(socket, head, { role: 'server', onStream: (s) => exec.accept(s), onClose: () => exec.closed(), log: deps.log });
      return;
    }
    const node = requireNode(pod);
    const target = streamTarget(pod);
    if (r.websocket) {
      const protocol = pick(r.offered, [PORTFORWARD_WS_PROTOCOL]);
      toWebSocket(req, socket, head, protocol, (ws) => {
        const pf = portForwarder(deps, node, target);
        spdyOverWebSocket(ws, { role: 'server', onStream: (s) => pf.accept(s), onClose: () => pf.closed(), log: deps.log });
      }, () => undefined);
      return;
    }
    const protocol = pick(r.offered, [PORTFORWARD_SPDY_PROTOCOL]);
    switchToSpdy(socket, protocol);
    const pf = portForwarder(deps, node, target);
    spdyOverSocket(socket, head, { role: 'server', onStream: (s) => pf.accept(s), onClose: () => pf.closed(), log: deps.log });
  }

  const handler: UpgradeHandler = (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = parsePath(url.pathname);
    if (route.type !== 'resource' || route.resource.group !== '' || route.resource.plural !== 'pods' || !route.name) return false;
    if (route.subresource !== 'exec' && route.subresource !== 'portforward') return false;
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') return false;
    const websocket = upgrade === 'websocket';
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const r: Request = { sub: route.subresource, namespace: route.namespace, name: route.name, query: url.searchParams, websocket, offered: offeredProtocols(req, websocket) };
    serve(r, req, socket, head).catch((err: unknown) => {
      deps.log.debug({ err, url: req.url }, 'streaming upgrade refused');
      refuse(socket, err);
    });
    return true;
  };

  return {
    handler,
    stop() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      wss.close();
    },
  };
}

/** exec / portforward without an upgrade: what kube-apiserver answers. */
export const upgradeRequired: SubresourceHandler = async () => {
  throw badRequest('Upgrade request required');
};
