/**
 * Kubernetes' native watch over WebSocket, as kube-apiserver serves it to browsers: a
 * `GET <any resource path>?watch=true` (or `watch=1`) with `Upgrade: websocket` becomes a
 * WebSocket on which every watch event — `{"type":"ADDED","object":{…}}`, BOOKMARK, ERROR — is one
 * text frame; the server closes (1000) when the watch ends (timeoutSeconds, an ERROR).
 *
 * The watch itself is `api.watch` (./../watch.ts: the same options, selectors, resume and 410 as
 * the chunked HTTP watch), started before the upgrade so a bad request is refused as HTTP with its
 * Status (400 for a bad selector, 404 for an unknown resource); events it produces before the
 * handshake completes are held and sent first. A socket with more than 16 MiB unsent ends the
 * watch, as the HTTP watch does; the client re-watches from the last resourceVersion it saw.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { WatchEvent } from '../../../shared/api/meta.js';
import type { ApiRequest } from '../../../shared/client/api.js';
import type { Logger } from '../../../shared/runtime/logger.js';
import type { Api } from '../api.js';
import { toApiRequest, type UpgradeHandler } from '../http.js';
import { refuse } from '../streaming/upgrade.js';
import { isWatchRequest } from '../request.js';
import { wsSocket, type StreamSocket } from './socket.js';

const MAX_UNSENT_BYTES = 16 * 1024 * 1024;

export interface WsWatchDeps {
  api: Api;
  wss: WebSocketServer;
  /** Every socket once open (the keep-alive and the shutdown track it). */
  opened(s: StreamSocket): void;
  log: Logger;
  /** Transforms events as the HTTP watch does (Table rows when the Accept header asks). */
  encode?: (req: ApiRequest, e: WatchEvent) => unknown;
}

export function wsWatchUpgrade(deps: WsWatchDeps): UpgradeHandler {
  const encode = deps.encode ?? ((_r: ApiRequest, e: WatchEvent) => e);

  async function serve(areq: ApiRequest, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const held: Buffer[] = [];
    let heldBytes = 0;
    let ws: StreamSocket | undefined;
    let ended = false;
    const watch = await deps.api.watch(areq, {
      send(e) {
        const frame = Buffer.from(JSON.stringify(encode(areq, e)), 'utf8');
        if (ws) {
          ws.sendText(frame);
          return ws.bufferedAmount < MAX_UNSENT_BYTES;
        }
        held.push(frame);
        heldBytes += frame.length;
        return heldBytes < MAX_UNSENT_BYTES;
      },
      close() {
        ended = true;
        ws?.close(1000, 'watch ended');
      },
    });
    if (socket.destroyed) return watch.stop();
    socket.once('close', () => {
      if (!ws) watch.stop(); // the handshake failed
    });
    deps.wss.handleUpgrade(req, socket, head, (raw) => {
      const s = wsSocket(raw);
      s.onClose(() => watch.stop());
      deps.opened(s);
      for (const frame of held.splice(0)) s.sendText(frame);
      ws = s;
      if (ended) s.close(1000, 'watch ended');
    });
  }

  return (req, socket, head) => {
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return false;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const areq = toApiRequest(req, url, undefined);
    if (!isWatchRequest(areq)) return false; // an unknown path is then answered 404 by api.watch
    socket.on('error', () => socket.destroy());
    serve(areq, req, socket, head).catch((err: unknown) => {
      deps.log.debug({ err, url: req.url }, 'websocket watch refused');
      refuse(socket, err);
    });
    return true;
  };
}
