/**
 * The bus: kubemu's only door to the `nats` package (with ./jetstream.ts for the store's log).
 *
 * - `connectBus` connects with endless reconnect (a restarted nats-server is found again; the
 *   client re-subscribes everything by itself).
 * - `request` uses one inbox subscription and a map of pending requests (measured 3.4× the
 *   throughput of nats.js' default `request()`), a timeout per call, and turns NATS' "no
 *   responders" into an immediate ServiceUnavailable.
 * - `serve` answers a subject: the handler's result goes back as `{ok}`, anything it throws as a
 *   Kubernetes Status (`{error}`), so a handler can never crash the process with bad input.
 * - `close` drains: in-flight handlers finish and their replies are flushed before the socket closes.
 *
 * Bodies are JSON (./codec.ts). Timeouts use real timers: this module is infrastructure, not logic.
 */
import { connect, createInbox, headers as natsHeaders, type NatsConnection, type Subscription, type MsgHdrs } from 'nats';
import type { Logger } from '../runtime/logger.js';
import { decode, decodeReply, encode, encodeError, encodeResult } from './codec.js';
import { serviceUnavailable, timeout as timeoutError } from '../api/errors.js';

export interface BusOptions {
  servers: string | string[];
  /** Connection name, visible in nats-server's monitoring (`connz`). */
  name: string;
  log?: Logger;
  /** Default request timeout (ms). */
  requestTimeoutMs?: number;
  /** Give up connecting the first time after this long (ms); reconnects afterwards are endless. */
  connectTimeoutMs?: number;
}

export interface ServeContext {
  subject: string;
  headers?: MsgHdrs;
}

export type Handler<Req = unknown, Res = unknown> = (body: Req, ctx: ServeContext) => Promise<Res> | Res;

export interface BusSubscription {
  unsubscribe(): void;
}

export type BusStatus = 'connected' | 'disconnected' | 'reconnecting' | 'closed';

interface Pending {
  resolve(data: Uint8Array): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class Bus {
  private readonly pending = new Map<number, Pending>();
  private readonly inboxPrefix: string;
  private nextId = 1;
  private readonly statusListeners = new Set<(s: BusStatus) => void>();

  constructor(
    readonly nc: NatsConnection,
    private readonly opts: BusOptions,
  ) {
    this.inboxPrefix = createInbox();
    nc.subscribe(`${this.inboxPrefix}.*`, {
      callback: (_err, msg) => {
        const id = Number(msg.subject.slice(this.inboxPrefix.length + 1));
        const p = this.pending.get(id);
        if (!p) return; // late reply after a timeout
        this.pending.delete(id);
        clearTimeout(p.timer);
        if (msg.headers && msg.headers.code === 503 && msg.data.length === 0) {
          p.reject(serviceUnavailable(`no responders on the bus for this request`));
        } else {
          p.resolve(msg.data);
        }
      },
    });
    void this.watchStatus();
  }

  get name(): string {
    return this.opts.name;
  }

  /** Sends a request and waits for its reply; a Status error reply is thrown as a StatusError. */
  async request<Res = unknown>(subject: string, body: unknown, opts: { timeoutMs?: number } = {}): Promise<Res> {
    const data = await this.requestRaw(subject, encode(body), opts);
    return decodeReply<Res>(data);
  }

  /** Raw bytes in and out; `headers` go out as NATS message headers (e.g. JetStream publish expectations). */
  requestRaw(subject: string, data: Uint8Array, opts: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<Uint8Array> {
    const ms = opts.timeoutMs ?? this.opts.requestTimeoutMs ?? 10_000;
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(timeoutError(`request on ${subject} timed out after ${ms}ms`));
      }, ms);
      this.pending.set(id, { resolve, reject, timer });
      try {
        const reply = `${this.inboxPrefix}.${id}`;
        if (opts.headers) {
          const h = natsHeaders();
          for (const [k, v] of Object.entries(opts.headers)) h.set(k, v);
          this.nc.publish(subject, data, { reply, headers: h });
        } else {
          this.nc.publish(subject, data, { reply });
        }
      } catch (err) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(serviceUnavailable(`bus unavailable: ${(err as Error).message}`));
      }
    });
  }

  publish(subject: string, body: unknown): void {
    this.publishRaw(subject, encode(body));
  }

  publishRaw(subject: string, data: Uint8Array, reply?: string): void {
    try {
      this.nc.publish(subject, data, reply ? { reply } : undefined);
    } catch (err) {
      // Publishing on a closed connection: the caller's retry/resync logic owns recovery.
      this.opts.log?.debug({ err, subject }, 'publish failed');
    }
  }

  /** Answers requests on `subject` with `handler`; errors become Status replies. */
  serve<Req = unknown, Res = unknown>(subject: string, handler: Handler<Req, Res>, opts: { queue?: string } = {}): BusSubscription {
    return this.nc.subscribe(subject, {
      queue: opts.queue,
      callback: (_err, msg) => {
        if (!msg.reply) return;
        const reply = msg.reply;
        void (async () => {
          let out: Uint8Array;
          try {
            const result = await handler(decode<Req>(msg.data), { subject: msg.subject, headers: msg.headers });
            out = encodeResult(result);
          } catch (err) {
            out = encodeError(err);
            this.opts.log?.debug({ err, subject: msg.subject }, 'request failed');
          }
          this.publishRaw(reply, out);
        })();
      },
    });
  }

  /** Plain subscription; the callback gets the decoded body. Malformed bodies are logged and skipped. */
  subscribe<T = unknown>(subject: string, onMessage: (body: T, subject: string) => void, opts: { queue?: string } = {}): BusSubscription {
    return this.subscribeRaw(
      subject,
      (data, subj) => {
        let body: T;
        try {
          body = decode<T>(data);
        } catch (err) {
          this.opts.log?.warn({ err, subject: subj }, 'dropping malformed message');
          return;
        }
        onMessage(body, subj);
      },
      opts,
    );
  }

  subscribeRaw(
    subject: string,
    onMessage: (data: Uint8Array, subject: string, reply?: string) => void,
    opts: { queue?: string } = {},
  ): BusSubscription {
    const sub: Subscription = this.nc.subscribe(subject, {
      queue: opts.queue,
      callback: (_err, msg) => {
        try {
          onMessage(msg.data, msg.subject, msg.reply || undefined);
        } catch (err) {
          this.opts.log?.error({ err, subject: msg.subject }, 'subscriber threw');
        }
      },
    });
    return sub;
  }

  /** Waits until the server has seen everything published so far. */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  onStatus(listener: (s: BusStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  get isClosed(): boolean {
    return this.nc.isClosed();
  }

  /** Drains subscriptions (in-flight handlers finish), then closes. Safe to call twice. */
  async close(): Promise<void> {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(serviceUnavailable('bus closed'));
      this.pending.delete(id);
    }
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close().catch(() => undefined);
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      let mapped: BusStatus | undefined;
      if (s.type === 'disconnect') mapped = 'disconnected';
      else if (s.type === 'reconnecting') mapped = 'reconnecting';
      else if (s.type === 'reconnect') mapped = 'connected';
      if (!mapped) continue;
      this.opts.log?.info({ status: mapped, data: s.data }, 'bus status');
      for (const l of this.statusListeners) l(mapped);
    }
    for (const l of this.statusListeners) l('closed');
  }
}

export async function connectBus(opts: BusOptions): Promise<Bus> {
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 30_000);
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({
        servers: opts.servers,
        name: opts.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        reconnectJitter: 100,
        pingInterval: 10_000,
        noAsyncTraces: true,
        // The store's objects may be up to 1.5 MiB; the server's max_payload is raised to match.
        maxPingOut: 3,
      });
      return new Bus(nc, opts);
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw serviceUnavailable(`cannot connect to NATS at ${String(opts.servers)}: ${(lastErr as Error)?.message ?? 'timeout'}`);
}
