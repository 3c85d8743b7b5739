/**
 * Stand-ins for the streaming tests: a runtime whose logs are lines a test appends (with the
 * `readLogs` options applied simply and recorded, so a test sees what reached the runtime) and
 * whose `exec` runs the command as a real child process (real stdin, output and exit codes); a
 * pod lookup over a map; and SPDY clients — over an HTTP `Upgrade: SPDY/3.1` and over a WebSocket
 * tunnel — built from the api-server's own session, in the client role, as kubectl would use them.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import WebSocket from 'ws';
import type { PodLookup, PodRef } from '../../services/kubelet/pod-lookup.js';
import type { ExecOptions, ExecSession, LogOptions, LogReader, LogStream, Runtime } from '../../services/kubelet/runtime/runtime.js';
import type { SpdySession } from '../../services/api-server/streaming/spdy/session.js';
import { spdyOverSocket, spdyOverWebSocket } from '../../services/api-server/streaming/spdy-transports.js';

interface Log {
  current: string[];
  previous?: string[];
  running: boolean;
  followers: Set<LogStream>;
}

export const FAKE_LOG_TIME = '2026-01-01T00:00:00.000000000Z';

export class FakeStreamingRuntime implements Pick<Runtime, 'readLogs' | 'exec'> {
  private readonly logs = new Map<string, Log>();
  readonly logCalls: { podUid: string; container: string; opts: LogOptions }[] = [];
  readonly execCalls: { containerId: string; opts: ExecOptions }[] = [];
  readonly children = new Set<number>();

  private log(podUid: string, container: string): Log {
    const key = `${podUid}/${container}`;
    let l = this.logs.get(key);
    if (!l) {
      l = { current: [], running: true, followers: new Set() };
      this.logs.set(key, l);
    }
    return l;
  }

  setLog(podUid: string, container: string, current: string[], previous?: string[]): void {
    const l = this.log(podUid, container);
    l.current = [...current];
    l.previous = previous;
  }

  append(podUid: string, container: string, line: string): void {
    const l = this.log(podUid, container);
    l.current.push(line);
    for (const f of l.followers) f.onData(Buffer.from(`${line}\n`));
  }

  /** The container's current instance ends: followers reach the end of the log. */
  exit(podUid: string, container: string): void {
    const l = this.log(podUid, container);
    l.running = false;
    for (const f of l.followers) f.onEnd();
    l.followers.clear();
  }

  readLogs(podUid: string, container: string, opts: LogOptions, stream: LogStream): LogReader {
    this.logCalls.push({ podUid, container, opts });
    const l = this.logs.get(`${podUid}/${container}`);
    const lines = opts.previous ? l?.previous : l?.current;
    if (!l || !lines) {
      queueMicrotask(() => stream.onEnd(new Error(opts.previous ? 'no previous instance' : 'no such container')));
      return { cancel: () => undefined };
    }
    const shown = opts.tailLines !== undefined ? lines.slice(Math.max(0, lines.length - opts.tailLines)) : lines;
    const text = shown.map((line) => `${opts.timestamps ? `${FAKE_LOG_TIME} ` : ''}${line}\n`).join('');
    let cancelled = false;
    queueMicrotask(() => {
      if (cancelled) return;
      if (text) stream.onData(Buffer.from(text));
      if (opts.follow && !opts.previous && l.running) l.followers.add(stream);
      else stream.onEnd();
    });
    return {
      cancel: () => {
        cancelled = true;
        l.followers.delete(stream);
      },
    };
  }

  exec(containerId: string, opts: ExecOptions): ExecSession {
    this.execCalls.push({ containerId, opts });
    const [cmd, ...args] = opts.command;
    const child = spawn(cmd!, args, { stdio: 'pipe' });
    if (child.pid) this.children.add(child.pid);
    const exited = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        if (child.pid) this.children.delete(child.pid);
        resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
      });
    });
    exited.catch(() => undefined);
    child.stdin.on('error', () => undefined);
    return {
      write: (chunk) => void child.stdin.write(chunk),
      closeStdin: () => child.stdin.end(),
      resize: () => undefined,
      onStdout: (cb) => void child.stdout.on('data', cb),
      onStderr: (cb) => void child.stderr.on('data', cb),
      exited,
      kill: () => void child.kill('SIGKILL'),
      pause: () => child.stdout.pause(),
      resume: () => child.stdout.resume(),
    };
  }
}

export class MapPodLookup implements PodLookup {
  readonly pods = new Map<string, PodRef>();

  set(pod: PodRef): void {
    this.pods.set(`${pod.namespace}/${pod.name}`, pod);
  }

  find(namespace: string, name: string): PodRef | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }
}

/** `POST path` with `Upgrade: SPDY/3.1`, as kubectl's fallback; resolves with the client session or rejects with the refusal. */
export function spdyUpgrade(baseUrl: string, path: string, protocols: string[]): Promise<{ session: SpdySession; protocol: string }> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocols, 'Content-Length': '0' },
    });
    req.on('upgrade', (res, socket, head) => {
      const session = spdyOverSocket(socket, head, { role: 'client' });
      resolve({ session, protocol: String(res.headers['x-stream-protocol-version'] ?? '') });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A WebSocket carrying raw SPDY (kubectl's port-forward tunnel), as a client session. The `ws`
 * client refuses `SPDY/3.1+portforward.k8s.io` as a subprotocol name (not an RFC 7230 token), so it
 * is sent as a plain header and the server's answer is taken off the 101 before ws checks it.
 */
export function spdyOverWebSocketClient(baseUrl: string, path: string): Promise<{ session: SpdySession; ws: WebSocket; protocol: string }> {
  const ws = new WebSocket(new URL(path, baseUrl.replace(/^http/, 'ws')), { headers: { 'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io' } });
  let protocol = '';
  ws.once('upgrade', (res) => {
    protocol = String(res.headers['sec-websocket-protocol'] ?? '');
    delete res.headers['sec-websocket-protocol'];
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ session: spdyOverWebSocket(ws, { role: 'client' }), ws, protocol }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Everything a client SPDY stream receives, and whether it ended. */
export function collect(stream: { listen(h: { data?(b: Buffer): void; end?(): void; reset?(why: unknown): void }): void }): {
  text(): string;
  bytes(): Buffer;
  ended(): boolean;
  reset(): unknown;
} {
  const chunks: Buffer[] = [];
  let ended = false;
  let reset: unknown;
  stream.listen({ data: (b) => chunks.push(b), end: () => (ended = true), reset: (why) => (reset = why) });
  return { text: () => Buffer.concat(chunks).toString(), bytes: () => Buffer.concat(chunks), ended: () => ended, reset: () => reset };
}
