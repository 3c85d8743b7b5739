/**
 * The little of a WebSocket the stream needs, so the hub, its clients and the keep-alive can be
 * tested with a fake, and the one adapter from a `ws` WebSocket to it.
 *
 * `bufferedAmount` is what was handed to the socket but not yet written to the kernel — the
 * client's send buffer, the number the stream bounds. `sendText`'s callback runs once the frame is
 * written (or the socket failed); that is when a client catching up sends more.
 */
import type { WebSocket } from 'ws';

export interface StreamSocket {
  readonly bufferedAmount: number;
  /** Sends one text frame holding `data` (UTF-8 JSON). */
  sendText(data: Buffer, written?: () => void): void;
  ping(): void;
  /** Starts the closing handshake; frames already sent go out first. */
  close(code: number, reason: string): void;
  /** Cuts the connection at once. */
  terminate(): void;
  onPong(fn: () => void): void;
  onClose(fn: () => void): void;
}

export function wsSocket(ws: WebSocket): StreamSocket {
  ws.on('error', () => ws.terminate());
  return {
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    sendText(data, written) {
      if (ws.readyState !== ws.OPEN) return written?.();
      ws.send(data, { binary: false }, () => written?.());
    },
    ping() {
      if (ws.readyState === ws.OPEN) ws.ping();
    },
    close(code, reason) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    },
    terminate: () => ws.terminate(),
    onPong: (fn) => void ws.on('pong', fn),
    onClose: (fn) => void ws.once('close', fn),
  };
}
