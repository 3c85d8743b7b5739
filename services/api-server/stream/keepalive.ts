/**
 * Pings every WebSocket the api-server streams to (the event stream and native watches) and drops
 * the dead: one timer for all of them, a WebSocket ping every `pingIntervalMs` (10 s), and a
 * socket that has not answered with a pong for `pongTimeoutMs` (30 s) is terminated — a client
 * whose machine vanished would otherwise hold its buffer and its place in the fan-out forever.
 * Browsers and `ws` answer pings by themselves, so a live client never notices.
 */
import type { Clock, TimerHandle } from '../../../shared/runtime/clock.js';
import type { StreamSocket } from './socket.js';

export interface KeepaliveOptions {
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
}

export class Keepalive {
  private readonly lastPong = new Map<StreamSocket, number>();
  private timer?: TimerHandle;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;

  constructor(private readonly clock: Clock, opts: KeepaliveOptions = {}) {
    this.pingIntervalMs = opts.pingIntervalMs ?? 10_000;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 30_000;
  }

  track(socket: StreamSocket): void {
    this.lastPong.set(socket, this.clock.now());
    socket.onPong(() => {
      if (this.lastPong.has(socket)) this.lastPong.set(socket, this.clock.now());
    });
    socket.onClose(() => this.lastPong.delete(socket));
    this.timer ??= this.clock.setInterval(() => this.tick(), this.pingIntervalMs);
  }

  get tracked(): number {
    return this.lastPong.size;
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.lastPong.clear();
  }

  private tick(): void {
    const now = this.clock.now();
    for (const [socket, pong] of this.lastPong) {
      if (now - pong >= this.pongTimeoutMs) {
        this.lastPong.delete(socket);
        socket.terminate();
      } else {
        socket.ping();
      }
    }
    if (this.lastPong.size === 0) {
      this.timer?.cancel();
      this.timer = undefined;
    }
  }
}
