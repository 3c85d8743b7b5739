/**
 * Plugs the WebSocket event stream and native WebSocket watches into the api-server's HTTP server
 * (HTTP only; the NATS API has its own watch channels).
 *
 * `GET /stream` with `Upgrade: websocket`: the query is parsed and checked first (a bad kind or
 * selector is refused as HTTP 400 with a Status; a resourceVersion newer than the cache is waited
 * for up to 3 s, then 504), then the socket joins the hub (./hub.ts). `/stream` with another
 * upgrade, or none (a plain GET, a browser tab), is a 400 saying how to connect. `<resource path>?watch=true` with `Upgrade: websocket` is a native watch
 * (./ws-watch.ts). Both kinds of socket are pinged by one keep-alive (./keepalive.ts).
 *
 * `stop()` closes every socket (1001, going away) and cuts what is still open a second later; the
 * HTTP server does not track upgraded connections itself.
 */
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { badRequest, toStatus } from '../../../shared/api/errors.js';
import type { WatchEvent } from '../../../shared/api/meta.js';
import { STREAM_PATH } from '../../../shared/api/stream.js';
import type { ApiRequest } from '../../../shared/client/api.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { Logger } from '../../../shared/runtime/logger.js';
import type { Api } from '../api.js';
import type { HttpServer } from '../http.js';
import type { WatchCache } from '../watch-cache.js';
import { refuse } from '../streaming/upgrade.js';
import { StreamHub, type StreamHubOptions } from './hub.js';
import { Keepalive, type KeepaliveOptions } from './keepalive.js';
import { parseStreamQuery } from './query.js';
import { wsSocket, type StreamSocket } from './socket.js';
import { wsWatchUpgrade } from './ws-watch.js';

export interface StreamOptions extends StreamHubOptions, KeepaliveOptions {}

export interface StreamDeps {
  api: Api;
  cache: WatchCache;
  clock: Clock;
  log: Logger;
  encodeWatch?: (req: ApiRequest, e: WatchEvent) => unknown;
}

export interface EventStream {
  hub: StreamHub;
  keepalive: Keepalive;
  stop(): void;
}

export function registerStream(http: HttpServer, deps: StreamDeps, opts: StreamOptions = {}): EventStream {
  const { cache, clock, log } = deps;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
  const keepalive = new Keepalive(clock, opts);
  const hub = new StreamHub({ source: cache, clock, log }, opts);
  hub.start();
  const raw = new Set<Duplex>();
  const open = new Set<StreamSocket>();
  const own = (socket: Duplex): void => {
    raw.add(socket);
    socket.once('close', () => raw.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const opened = (s: StreamSocket): void => {
    open.add(s);
    s.onClose(() => open.delete(s));
    keepalive.track(s);
  };

  const isStreamPath = (url: URL): boolean => url.pathname === STREAM_PATH || url.pathname === `${STREAM_PATH}/`;
  const notWebSocket = (): Error => badRequest(`${STREAM_PATH} speaks WebSocket only: connect with Upgrade: websocket (ws://<api-server>${STREAM_PATH}?kinds=pods,nodes)`);
  http.addRequestHandler((req, res, url) => {
    if (!isStreamPath(url)) return false;
    req.resume();
    const status = toStatus(notWebSocket());
    res.writeHead(status.code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.end(JSON.stringify(status));
    return true;
  });

  const watchUpgrade = wsWatchUpgrade({ api: deps.api, wss, opened, log, encode: deps.encodeWatch });
  http.addUpgradeHandler((req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!isStreamPath(url)) return false;
    own(socket);
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refuse(socket, notWebSocket());
      return true;
    }
    void (async () => {
      const query = parseStreamQuery(url.searchParams);
      const rv = query.resourceVersion;
      if (rv !== undefined && rv > cache.revision) await cache.waitFor(rv, 3000);
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const s = wsSocket(ws);
        opened(s);
        hub.connect(s, query);
      });
    })().catch((err: unknown) => {
      log.debug({ err, url: req.url }, 'stream upgrade refused');
      refuse(socket, err);
    });
    return true;
  });
  http.addUpgradeHandler((req, socket, head) => {
    const taken = watchUpgrade(req, socket, head);
    if (taken) own(socket);
    return taken;
  });

  return {
    hub,
    keepalive,
    stop() {
      hub.stop();
      keepalive.stop();
      for (const s of open) s.close(1001, 'api-server stopping');
      const left = [...raw];
      raw.clear();
      if (left.length) clock.setTimeout(() => left.forEach((s) => s.destroy()), 1000);
    },
  };
}
