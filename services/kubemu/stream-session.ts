/**
 * One connection to the api-server's event stream (`/stream`, WebSocket), for CLI commands that
 * tail it: connects, hands every text frame to `onMessage` (raw text and parsed), and resolves
 * with how it ended — never rejects:
 *
 * - `refused`: the server answered the upgrade with an HTTP error (a bad kind or selector is 400;
 *   the Status message is kept);
 * - `unreachable`: no connection at all (nothing listens, the address is wrong);
 * - `closed`: the stream ended after it opened (the api-server stopped, the network went, or the
 *   server sent ERROR / SLOW and closed — the caller saw those messages);
 * - `stopped`: `signal` aborted (Ctrl-C); the socket is closed politely.
 */
import WebSocket from 'ws';
import { STREAM_PATH, type StreamMessage } from '../../shared/api/stream.js';

export type SessionEnd =
  | { kind: 'stopped' }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'closed'; code: number; reason: string };

export interface StreamParams {
  kinds?: string;
  namespace?: string;
  labelSelector?: string;
  resourceVersion?: string;
}

/** `http://host:port` (+ params) → `ws://host:port/stream?…`. */
export function streamUrl(apiUrl: string, params: StreamParams): string {
  const u = new URL(STREAM_PATH, apiUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.searchParams.set(k, v);
  return u.toString();
}

export interface SessionHandlers {
  onOpen?(): void;
  onMessage(text: string, message: StreamMessage): void;
}

function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: string };
    if (typeof s.message === 'string') return s.message;
  } catch {
    // not a Status
  }
  return body.trim() || 'no reason given';
}

export function runStreamSession(url: string, handlers: SessionHandlers, signal: AbortSignal): Promise<SessionEnd> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ kind: 'stopped' });
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    let opened = false;
    let settled = false;
    const done = (end: SessionEnd): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(end);
    };
    const onAbort = (): void => {
      done({ kind: 'stopped' });
      if (ws.readyState === ws.OPEN) ws.close(1000, 'bye');
      else ws.terminate();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    ws.on('open', () => {
      opened = true;
      handlers.onOpen?.();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary || settled) return;
      const text = String(data);
      let message: StreamMessage;
      try {
        message = JSON.parse(text) as StreamMessage;
      } catch {
        return; // not ours to print
      }
      handlers.onMessage(text, message);
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      const refused = (): void => {
        done({ kind: 'refused', status: res.statusCode ?? 0, message: statusMessage(body) });
        ws.terminate();
      };
      res.on('end', refused);
      res.on('error', refused);
    });
    ws.on('error', (err) => {
      if (!opened) done({ kind: 'unreachable', message: err.message });
    });
    ws.on('close', (code, reason) => done(opened ? { kind: 'closed', code, reason: String(reason) } : { kind: 'unreachable', message: `closed before the stream opened (${code})` }));
  });
}
