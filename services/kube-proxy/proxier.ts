/**
 * The proxier: makes a rules table (./rules.ts) true with TCP listeners, and forwards every
 * accepted connection to a backend by piping the two sockets.
 *
 * Listeners
 * - A frontend is listened on only while it has backends: with none, nothing listens on its
 *   address and a connect is refused by the kernel at once (as iptables' REJECT does). A
 *   connection that still arrives in the gap is reset.
 * - Shared frontends (ClusterIP, external and load-balancer IPs) are only tried while
 *   `serveShared` is true (the caller turns it off when the bus is lost or the node is not Ready).
 *   Binding one that another kube-proxy holds fails (EADDRINUSE: one listener per address:port in
 *   the one network namespace); it is retried every `sharedRetryMs` (default 500 ms, with jitter),
 *   so when the holder dies another proxy takes the address within about that long.
 * - A node's own frontends (NodePorts) that cannot be bound, and addresses that are not local
 *   (EADDRNOTAVAIL) or not allowed (EACCES), are retried every `unavailableRetryMs` (5 s) and
 *   warned about once.
 * - Backend changes apply to the next connection at once; the listener stays.
 *
 * Connections
 * - The accepted socket is paused until a backend accepted the upstream connection; a refused or
 *   failed connect tries another backend (each once, at most `maxConnectAttempts`, default 10)
 *   before the client is reset. Nothing is read from the client before that, so a retry loses no
 *   bytes. On loopback a dead pod refuses at once, so this hides the seconds between a pod's death
 *   and its endpoint's removal (and kubia pods that are Ready a moment before they listen).
 * - Then the sockets are piped both ways with Nagle off and half-close kept (allowHalfOpen), so
 *   back-pressure is the kernel's; an error on one side resets the other.
 * - Established connections outlive their listener and rule changes; only when a backend's address
 *   leaves every EndpointSlice (its pod is gone) are its connections closed.
 *
 * `stop()` closes every listener and connection. Errors never escape as exceptions: a socket
 * problem is that connection's, logged at debug level.
 */
import net from 'node:net';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import { Balancer, backendKey } from './balancer.js';
import type { Frontend, ProxyRules } from './rules.js';

export interface ProxierOptions {
  clock: Clock;
  log?: Logger;
  sharedRetryMs?: number;
  unavailableRetryMs?: number;
  maxConnectAttempts?: number;
  connectTimeoutMs?: number;
  random?: () => number;
}

type ListenerState = 'binding' | 'listening' | 'waiting';

interface Listener {
  frontend: Frontend;
  balancer: Balancer;
  state: ListenerState;
  server?: net.Server;
  retry?: TimerHandle;
  warned?: string;
}

interface Connection {
  client: net.Socket;
  upstream: net.Socket;
  backendIp: string;
}

export interface ProxierStatus {
  listening: string[];
  waiting: string[];
  connections: number;
}

function reset(s: net.Socket): void {
  if (typeof s.resetAndDestroy === 'function' && !s.destroyed) {
    try {
      s.resetAndDestroy();
      return;
    } catch {
      // not connected yet: a plain destroy does
    }
  }
  s.destroy();
}

export class Proxier {
  private readonly listeners = new Map<string, Listener>();
  private readonly connections = new Set<Connection>();
  private readonly log: Logger;
  private readonly random: () => number;
  private stopped = false;
  private serveShared = false;

  constructor(private readonly opts: ProxierOptions) {
    this.log = (opts.log ?? silentLogger()).child({ part: 'proxier' });
    this.random = opts.random ?? Math.random;
  }

  apply(rules: ProxyRules, serveShared: boolean): void {
    if (this.stopped) return;
    const wasServing = this.serveShared;
    this.serveShared = serveShared;
    if (wasServing !== serveShared) this.log.info({ serveShared }, serveShared ? 'serving shared service addresses' : 'releasing shared service addresses');
    const wanted = new Map<string, Frontend>();
    for (const f of rules.frontends) if (f.backends.length > 0 && (!f.shared || serveShared)) wanted.set(f.id, f);
    for (const [id, l] of this.listeners) if (!wanted.has(id)) this.close(l);
    for (const f of wanted.values()) {
      const l = this.listeners.get(f.id);
      if (l) {
        l.frontend = f;
        l.balancer.update(f.backends, f.affinityTimeoutMs);
      } else {
        const balancer = new Balancer({ clock: this.opts.clock, affinityTimeoutMs: f.affinityTimeoutMs, random: this.random });
        balancer.update(f.backends, f.affinityTimeoutMs);
        const fresh: Listener = { frontend: f, balancer, state: 'binding' };
        this.listeners.set(f.id, fresh);
        this.bind(fresh);
      }
    }
    for (const c of [...this.connections]) {
      if (!rules.endpointIps.has(c.backendIp)) {
        this.log.debug({ backend: c.backendIp }, 'closing a connection to an endpoint that is gone');
        this.drop(c);
      }
    }
  }

  status(): ProxierStatus {
    const listening: string[] = [];
    const waiting: string[] = [];
    for (const l of this.listeners.values()) (l.state === 'listening' ? listening : waiting).push(l.frontend.id);
    return { listening: listening.sort(), waiting: waiting.sort(), connections: this.connections.size };
  }

  /** The frontend ids this proxier holds a listener for right now. */
  holding(): Set<string> {
    return new Set(this.status().listening);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const closing = [...this.listeners.values()].map((l) => this.close(l));
    for (const c of [...this.connections]) this.drop(c);
    await Promise.all(closing);
  }

  // ---- listeners ----

  private bind(l: Listener): void {
    const f = l.frontend;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => this.accept(l, socket));
    l.server = server;
    l.state = 'binding';
    server.once('listening', () => {
      if (this.listeners.get(f.id) !== l || l.server !== server) {
        server.close();
        return;
      }
      l.state = 'listening';
      l.warned = undefined;
      this.log.info({ frontend: l.frontend.id, kind: l.frontend.kind, service: l.frontend.service }, 'listening');
    });
    server.on('error', (err: NodeJS.ErrnoException) => {
      server.close();
      if (this.listeners.get(f.id) !== l || l.server !== server) return;
      l.server = undefined;
      l.state = 'waiting';
      const busy = err.code === 'EADDRINUSE';
      const shared = l.frontend.shared && busy;
      if (!shared && l.warned !== err.code) {
        l.warned = err.code;
        this.log.warn({ frontend: l.frontend.id, service: l.frontend.service, code: err.code }, 'cannot listen on a service address; retrying');
      }
      const base = shared ? this.opts.sharedRetryMs ?? 500 : this.opts.unavailableRetryMs ?? 5000;
      const delay = Math.round(base * (0.8 + 0.4 * this.random()));
      l.retry = this.opts.clock.setTimeout(() => {
        l.retry = undefined;
        if (this.listeners.get(f.id) === l && !this.stopped) this.bind(l);
      }, delay);
    });
    server.listen({ host: f.ip, port: f.port, exclusive: true, backlog: 1024 });
  }

  private close(l: Listener): Promise<void> {
    if (this.listeners.get(l.frontend.id) === l) this.listeners.delete(l.frontend.id);
    l.retry?.cancel();
    l.retry = undefined;
    const server = l.server;
    l.server = undefined;
    if (!server) return Promise.resolve();
    if (l.state === 'listening') this.log.info({ frontend: l.frontend.id, service: l.frontend.service }, 'stopped listening');
    return new Promise((resolve) => server.close(() => resolve()));
  }

  // ---- connections ----

  private accept(l: Listener, client: net.Socket): void {
    client.on('error', (err) => this.log.debug({ err, frontend: l.frontend.id }, 'client socket error'));
    if (this.stopped || this.listeners.get(l.frontend.id) !== l) return reset(client);
    const tried = new Set<string>();
    const clientIp = client.remoteAddress;
    const attempts = Math.max(1, this.opts.maxConnectAttempts ?? 10);
    const tryNext = (): void => {
      if (client.destroyed) return;
      const backend = tried.size < attempts ? l.balancer.pick(clientIp, tried) : undefined;
      if (!backend) return reset(client);
      tried.add(backendKey(backend));
      const upstream = net.connect({ host: backend.ip, port: backend.port, allowHalfOpen: true, noDelay: true });
      upstream.setTimeout(this.opts.connectTimeoutMs ?? 3000);
      const onTimeout = (): void => {
        upstream.destroy(new Error('connect timed out'));
      };
      const onClientGone = (): void => {
        upstream.destroy();
      };
      upstream.once('timeout', onTimeout);
      client.once('close', onClientGone);
      const onFail = (err: Error): void => {
        client.off('close', onClientGone);
        upstream.destroy();
        this.log.debug({ err: err.message, backend: backendKey(backend), frontend: l.frontend.id }, 'backend did not accept; trying another');
        tryNext();
      };
      upstream.once('error', onFail);
      upstream.once('connect', () => {
        upstream.off('error', onFail);
        upstream.off('timeout', onTimeout);
        client.off('close', onClientGone);
        upstream.setTimeout(0);
        this.splice(client, upstream, backend.ip);
      });
    };
    tryNext();
  }

  private splice(client: net.Socket, upstream: net.Socket, backendIp: string): void {
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    const conn: Connection = { client, upstream, backendIp };
    this.connections.add(conn);
    upstream.on('error', () => reset(client));
    client.on('error', () => reset(upstream));
    const done = (): void => {
      this.connections.delete(conn);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.once('close', done);
    upstream.once('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  private drop(c: Connection): void {
    this.connections.delete(c);
    reset(c.client);
    reset(c.upstream);
  }
}
