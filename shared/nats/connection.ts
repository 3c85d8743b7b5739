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
 * - `partition` / `heal` make a network partition on purpose (`kubemu partition`): `partition`
 *   closes the connection at once (no drain: a cut cable does not flush) and reports
 *   `disconnected`; while cut, requests fail at once with ServiceUnavailable and publishes are
 *   dropped. `heal` connects again (retrying until it can), restores every subscription and
 *   `serve` made before or during the cut, and reports `connected`, so watch-channel clients
 *   re-create their watches. Subscriptions are tracked by the bus for this, not by nats.js.
 *
 * Bodies are JSON (./codec.ts). Timeouts use real timers: this module is infrastructure, not logic.
 */
import { connect, createInbox, headers as natsHeaders, type ConnectionOptions, type Msg, type NatsConnection, type Subscription, type MsgHdrs } from 'nats';
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

/** A subscription the bus re-creates on the new connection after a partition heals. */
interface Tracked {
  subject: string;
  queue: string | undefined;
  callback: (err: Error | null, msg: Msg) => void;
  sub?: Subscription;
}

/** `cut`: partitioned; `healing`: connecting again after a cut. */
type Link = 'connected' | 'cut' | 'healing';

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
  private readonly tracked = new Set<Tracked>();
  private conn: NatsConnection;
  private link: Link = 'connected';
  private closing = false;

  constructor(
    nc: NatsConnection,
    private readonly opts: BusOptions,
  ) {
    this.conn = nc;
    this.inboxPrefix = createInbox();
    this.track(`${this.inboxPrefix}.*`, undefined, (_err, msg) => {
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
    });
    void this.watchStatus(nc);
  }

  /** The current NATS connection (a new one after a partition heals). */
  get nc(): NatsConnection {
    return this.conn;
  }

  /** Cut from the bus by `partition()` and not healed yet. */
  get partitioned(): boolean {
    return this.link !== 'connected';
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
    if (this.link !== 'connected') return Promise.reject(serviceUnavailable(`partitioned from the bus: cannot send on ${subject}`));
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
    if (this.link !== 'connected') return; // partitioned: the message is lost, as on a cut network
    try {
      this.nc.publish(subject, data, reply ? { reply } : undefined);
    } catch (err) {
      // Publishing on a closed connection: the caller's retry/resync logic owns recovery.
      this.opts.log?.debug({ err, subject }, 'publish failed');
    }
  }

  /** Answers requests on `subject` with `handler`; errors become Status replies. */
  serve<Req = unknown, Res = unknown>(subject: string, handler: Handler<Req, Res>, opts: { queue?: string } = {}): BusSubscription {
    return this.track(subject, opts.queue, (_err, msg) => {
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
    return this.track(subject, opts.queue, (_err, msg) => {
      try {
        onMessage(msg.data, msg.subject, msg.reply || undefined);
      } catch (err) {
        this.opts.log?.error({ err, subject: msg.subject }, 'subscriber threw');
      }
    });
  }

  /** Subscribes on the current connection (none while partitioned) and remembers it for `heal`. */
  private track(subject: string, queue: string | undefined, callback: Tracked['callback']): BusSubscription {
    const t: Tracked = { subject, queue, callback };
    if (this.link === 'connected') t.sub = this.conn.subscribe(subject, { queue, callback });
    this.tracked.add(t);
    return {
      unsubscribe: () => {
        this.tracked.delete(t);
        t.sub?.unsubscribe();
        t.sub = undefined;
      },
    };
  }

  /** Waits until the server has seen everything published so far. */
  async flush(): Promise<void> {
    if (this.link !== 'connected') throw serviceUnavailable('partitioned from the bus');
    await this.conn.flush();
  }

  onStatus(listener: (s: BusStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  get isClosed(): boolean {
    return this.link === 'connected' ? this.conn.isClosed() : this.closing;
  }

  /**
   * Cuts this process from the bus, as a network partition would: the connection closes at once
   * (nothing is drained), pending requests fail with ServiceUnavailable, listeners hear
   * `disconnected`. Subscriptions are kept for `heal`. No-op when already cut or closed.
   */
  async partition(): Promise<void> {
    if (this.closing || this.link === 'cut') return;
    if (this.link === 'healing') {
      this.link = 'cut'; // the heal in flight sees this and drops the connection it makes
      return;
    }
    this.link = 'cut';
    this.failPending('partitioned from the bus');
    for (const t of this.tracked) t.sub = undefined;
    this.opts.log?.warn('partitioned from the bus');
    this.emit('disconnected');
    await this.conn.close().catch(() => undefined);
  }

  /**
   * Ends a partition: connects again (retrying until it can, or until partitioned again or
   * closed), restores every subscription, then reports `connected`. No-op when not cut.
   */
  async heal(): Promise<void> {
    if (this.closing || this.link !== 'cut') return;
    this.link = 'healing';
    const nc = await dial(this.opts, () => this.link !== 'healing' || this.closing);
    if (!nc) return;
    if (this.link !== 'healing' || this.closing) {
      await nc.close().catch(() => undefined);
      return;
    }
    this.conn = nc;
    for (const t of this.tracked) t.sub = nc.subscribe(t.subject, { queue: t.queue, callback: t.callback });
    this.link = 'connected';
    void this.watchStatus(nc);
    this.opts.log?.warn('partition healed: connected to the bus again');
    this.emit('connected');
  }

  /** Drains subscriptions (in-flight handlers finish), then closes. Safe to call twice. */
  async close(): Promise<void> {
    this.failPending('bus closed');
    const wasCut = this.link !== 'connected';
    this.closing = true;
    if (wasCut) {
      if (!this.conn.isClosed()) await this.conn.close().catch(() => undefined);
      this.emit('closed');
      return;
    }
    if (this.conn.isClosed()) return;
    try {
      await this.conn.drain();
    } catch {
      await this.conn.close().catch(() => undefined);
    }
  }

  private failPending(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(serviceUnavailable(why));
      this.pending.delete(id);
    }
  }

  private emit(s: BusStatus): void {
    for (const l of this.statusListeners) l(s);
  }

  /** Relays one connection's status; a connection replaced or cut on purpose says nothing more. */
  private async watchStatus(nc: NatsConnection): Promise<void> {
    const current = (): boolean => nc === this.conn && this.link === 'connected';
    for await (const s of nc.status()) {
      let mapped: BusStatus | undefined;
      if (s.type === 'disconnect') mapped = 'disconnected';
      else if (s.type === 'reconnecting') mapped = 'reconnecting';
      else if (s.type === 'reconnect') mapped = 'connected';
      if (!mapped || !current()) continue;
      this.opts.log?.info({ status: mapped, data: s.data }, 'bus status');
      this.emit(mapped);
    }
    if (current()) this.emit('closed');
  }
}

function natsOptions(opts: BusOptions): ConnectionOptions {
  return {
    servers: opts.servers,
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 10_000,
    noAsyncTraces: true,
    // The store's objects may be up to 1.5 MiB; the server's max_payload is raised to match.
    maxPingOut: 3,
  };
}

/** Connects, retrying every 200 ms until it works or `giveUp()` says so (then undefined). */
async function dial(opts: BusOptions, giveUp: () => boolean): Promise<NatsConnection | undefined> {
  while (!giveUp()) {
    try {
      return await connect(natsOptions(opts));
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return undefined;
}

export async function connectBus(opts: BusOptions): Promise<Bus> {
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 30_000);
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect(natsOptions(opts));
      return new Bus(nc, opts);
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw serviceUnavailable(`cannot connect to NATS at ${String(opts.servers)}: ${(lastErr as Error)?.message ?? 'timeout'}`);
}
