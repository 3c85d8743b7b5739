/**
 * SPDY sessions on the two transports kubectl uses: the raw TCP socket left after an HTTP
 * `Upgrade: SPDY/3.1` (its fallback), and a WebSocket with subprotocol
 * `SPDY/3.1+portforward.k8s.io` whose binary messages carry raw SPDY bytes, split anywhere (its
 * first choice for port-forward). Our frames go out one per WebSocket message.
 *
 * Back-pressure: the session learns the transport is full from `write()` and is told when it
 * drained; pausing a session pauses reading the socket (or the WebSocket's socket).
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { SpdySession, type SpdySessionOptions } from './spdy/session.js';

/** WebSocket bytes buffered beyond which writes report "full". */
const WS_HIGH_WATER = 1024 * 1024;

export function spdyOverSocket(socket: Duplex, head: Buffer, opts: SpdySessionOptions): SpdySession {
  const session: SpdySession = new SpdySession(
    {
      write: (bytes) => socket.write(bytes),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      close: () => socket.end(),
    },
    opts,
  );
  socket.on('data', (chunk: Buffer) => session.receive(chunk));
  socket.on('drain', () => session.transportDrained());
  socket.on('close', () => session.transportClosed());
  socket.on('error', () => socket.destroy());
  if (head.length > 0) session.receive(head);
  return session;
}

export function spdyOverWebSocket(ws: WebSocket, opts: SpdySessionOptions): SpdySession {
  const session: SpdySession = new SpdySession(
    {
      write(bytes) {
        ws.send(bytes, { binary: true }, () => {
          if (ws.bufferedAmount < WS_HIGH_WATER / 2) session.transportDrained();
        });
        return ws.bufferedAmount < WS_HIGH_WATER;
      },
      pause: () => ws.pause(),
      resume: () => ws.resume(),
      close: () => ws.close(1000),
    },
    opts,
  );
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => session.receive(asBuffer(data)));
  ws.on('close', () => session.transportClosed());
  ws.on('error', () => ws.terminate());
  return session;
}

export function asBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
