/**
 * The dashboard's side of `/stream`: one WebSocket at a time, never a gap.
 *
 * - The first connection asks `resourceVersion=0` (the current objects as ADDED, then a
 *   `caughtUp` bookmark, then live changes). Every later one resumes from the model's newest
 *   version, so the page survives an api-server restart without a reload and without repeats.
 * - `ERROR` 410 (the version fell out of the server's history): `onReset` drops the state, and
 *   the next connection starts again from `0`.
 * - A close (server gone, `SLOW` client dropped, network cut) reconnects after a back-off of
 *   0.5 s doubling to 5 s; any message resets it. A connection silent for longer than
 *   `silenceMs` (the server sends bookmarks every few seconds) is closed and made again.
 *
 * The socket and the timers are injected (the browser passes `new WebSocket(url)` and
 * `setTimeout`), so it is unit-tested without a browser.
 */
import type { StreamMessage } from '../../../shared/api/stream.js';

/** The part of the browser's WebSocket this uses. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'resyncing' | 'stopped';

export interface StreamClientDeps {
  /** The WebSocket URL for a start at `resourceVersion`. */
  url(resourceVersion: string): string;
  open(url: string): SocketLike;
  /** Where to resume from (the model's newest version); undefined = start over. */
  resumeFrom(): string | undefined;
  onMessage(m: StreamMessage): void;
  /** The state is stale (410): forget it before the fresh replay arrives. */
  onReset(): void;
  onState(s: ConnectionState, detail?: string): void;
  schedule(fn: () => void, ms: number): () => void;
  silenceMs?: number;
}

export interface StreamClient {
  start(): void;
  stop(): void;
}

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 5000;

export function streamClient(deps: StreamClientDeps): StreamClient {
  const silenceMs = deps.silenceMs ?? 30_000;
  let socket: SocketLike | undefined;
  let backoff = FIRST_BACKOFF_MS;
  let stopped = true;
  let cancelRetry: (() => void) | undefined;
  let cancelWatchdog: (() => void) | undefined;

  const armWatchdog = (s: SocketLike): void => {
    cancelWatchdog?.();
    cancelWatchdog = deps.schedule(() => {
      if (socket === s) drop(s, 'reconnecting', `no message for ${silenceMs / 1000} s`);
    }, silenceMs);
  };

  /** Gives up on `s` and plans the next connection. */
  const drop = (s: SocketLike, state: ConnectionState, detail: string): void => {
    if (socket !== s) return;
    socket = undefined;
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    try {
      s.close();
    } catch {
      // already closed
    }
    cancelWatchdog?.();
    if (stopped) return;
    deps.onState(state, detail);
    const wait = state === 'resyncing' ? 0 : backoff;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    cancelRetry = deps.schedule(connect, wait);
  };

  const connect = (): void => {
    cancelRetry = undefined;
    if (stopped) return;
    const from = deps.resumeFrom() ?? '0';
    let s: SocketLike;
    try {
      s = deps.open(deps.url(from));
    } catch (err) {
      deps.onState('reconnecting', String(err));
      cancelRetry = deps.schedule(connect, backoff);
      return;
    }
    socket = s;
    armWatchdog(s);
    s.onopen = () => deps.onState('live');
    s.onmessage = (ev) => {
      if (socket !== s) return;
      backoff = FIRST_BACKOFF_MS;
      armWatchdog(s);
      let m: StreamMessage;
      try {
        m = JSON.parse(String(ev.data)) as StreamMessage;
      } catch {
        return; // not ours to crash on
      }
      if (m.type === 'ERROR') {
        if (m.code === 410) {
          deps.onReset();
          return drop(s, 'resyncing', m.message);
        }
        return drop(s, 'reconnecting', m.message);
      }
      if (m.type === 'SLOW') return drop(s, 'reconnecting', m.message);
      deps.onMessage(m);
    };
    s.onclose = () => drop(s, 'reconnecting', 'the connection closed');
    s.onerror = () => drop(s, 'reconnecting', 'the connection failed');
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      deps.onState('connecting');
      connect();
    },
    stop() {
      stopped = true;
      cancelRetry?.();
      if (socket) drop(socket, 'stopped', '');
      deps.onState('stopped');
    },
  };
}
