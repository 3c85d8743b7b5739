/**
 * A test client of the api-server's WebSocket endpoints (`/stream`, native WebSocket watches):
 * collects every JSON text frame as it arrives, records pings and how the socket closed, and for a
 * refused upgrade the HTTP status and body. `pause()` / `resume()` stop and restart reading from
 * the socket itself (a client that stops reading, for the slow-consumer tests).
 */
import WebSocket from 'ws';
import { eventually } from './eventually.js';

export interface StreamTestClient {
  ws: WebSocket;
  messages: any[];
  pings: number;
  /** Set once the socket closed. */
  closed?: { code: number; reason: string };
  /** Set when the server refused the upgrade. */
  refused?: { status: number; body: any };
  /** Changes only (ADDED / MODIFIED / DELETED), as `TYPE name`. */
  changes(): string[];
  /** Resolves once the server said the stream is live (the `caughtUp` bookmark). */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): void;
}

export function openStreamClient(url: string, opts: { autoPong?: boolean } = {}): Promise<StreamTestClient> {
  const ws = new WebSocket(url, { autoPong: opts.autoPong ?? true, perMessageDeflate: false });
  const c: StreamTestClient = {
    ws,
    messages: [],
    pings: 0,
    changes: () => c.messages.filter((m) => ['ADDED', 'MODIFIED', 'DELETED'].includes(m.type)).map((m) => `${m.type} ${m.name ?? m.object?.metadata?.name}`),
    caughtUp: (timeoutMs = 10_000) =>
      eventually(() => {
        if (!c.messages.some((m) => m.type === 'BOOKMARK' && m.caughtUp)) throw new Error(`not caught up; got ${JSON.stringify(c.messages.map((m) => m.type))}`);
      }, { timeoutMs }),
    close: () => ws.terminate(),
  };
  ws.on('message', (data, isBinary) => {
    if (!isBinary) c.messages.push(JSON.parse(String(data)));
  });
  ws.on('ping', () => c.pings++);
  ws.on('error', () => undefined);
  return new Promise((resolve) => {
    ws.on('close', (code, reason) => {
      c.closed = { code, reason: String(reason) };
      resolve(c);
    });
    ws.on('open', () => resolve(c));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => {
        let json: any = body;
        try {
          json = JSON.parse(body);
        } catch {
          /* not JSON */
        }
        c.refused = { status: res.statusCode ?? 0, body: json };
        resolve(c);
      });
    });
  });
}
