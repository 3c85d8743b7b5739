/**
 * A small, cheap HTTP/1.1 load generator for the service benchmark: `connections` loops, each
 * sending `GET /` and waiting for the whole answer before the next, for `durationMs`.
 *
 * - keep-alive: one TCP connection per loop, reused for every request (what a browser or a client
 *   pool does); a connection that breaks is counted as an error and opened again.
 * - close: a new connection per request with `Connection: close` (what `curl` in a loop does), so
 *   connection set-up — where a proxy does the most work — is part of every request.
 *
 * It speaks raw sockets and reads only the status line and the body's framing (Content-Length,
 * chunked, or the end of the connection), so the client's own CPU per request stays small and the
 * same on every target: the targets are what is compared. Latency is per request on the machine's monotonic clock, from the
 * write (or the connect, for close) to the last byte of the answer. Errors are counted by code.
 */
import net from 'node:net';

export interface LoadOptions {
  host: string;
  port: number;
  connections: number;
  durationMs: number;
  mode: 'keep-alive' | 'close';
  /** Give up on one request after this long (counted as ETIMEDOUT). */
  requestTimeoutMs?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  errorCodes: Record<string, number>;
  elapsedMs: number;
  latenciesNs: number[];
  /** How many answers had each body (kubia's "You've hit <pod>"), to check where requests went. */
  bodies: Record<string, number>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** A chunked body starting at `at`: the body and where the response ends, or undefined while incomplete. */
function parseChunked(buf: Buffer, at: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let i = at;
  for (;;) {
    const eol = buf.indexOf('\r\n', i, 'latin1');
    if (eol < 0) return undefined;
    const size = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw Object.assign(new Error('bad chunk size'), { code: 'EPROTO' });
    if (size === 0) {
      // No trailers: the last chunk's line ends, then the final CRLF.
      if (eol + 4 > buf.length) return undefined;
      return { body: Buffer.concat(parts), end: eol + 4 };
    }
    if (eol + 2 + size + 2 > buf.length) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

/**
 * Parses one complete response from `buf`, or returns undefined while it is incomplete: bodies
 * framed by Content-Length or chunked encoding (kubia answers chunked: it calls writeHead first),
 * or — `closed`, after the server closed the connection — by the end of the stream.
 */
function parseResponse(buf: Buffer, closed: boolean): { status: number; body: string; length: number } | undefined {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = end + 4 + Number(length[1]);
    return buf.length < total ? undefined : { status, body: buf.subarray(end + 4, total).toString('utf8').trim(), length: total };
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const c = parseChunked(buf, end + 4);
    return c ? { status, body: c.body.toString('utf8').trim(), length: c.end } : undefined;
  }
  return closed ? { status, body: buf.subarray(end + 4).toString('utf8').trim(), length: buf.length } : undefined;
}

class Conn {
  private socket?: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private waiting?: { resolve(r: { status: number; body: string }): void; reject(e: Error): void; timer: NodeJS.Timeout };

  constructor(
    private readonly o: LoadOptions,
    private readonly request: Buffer,
  ) {}

  /** One request; on keep-alive the socket stays open for the next. */
  async roundTrip(): Promise<{ status: number; body: string }> {
    const s = this.socket && !this.socket.destroyed ? this.socket : await this.open();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })), this.o.requestTimeoutMs ?? 5000);
      this.waiting = { resolve, reject, timer };
      s.write(this.request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: this.o.host, port: this.o.port, noDelay: true });
      this.buf = Buffer.alloc(0);
      s.once('connect', () => {
        s.off('error', reject);
        s.on('error', (e) => this.fail(e));
        s.on('end', () => this.answer(true));
        s.on('close', () => this.fail(Object.assign(new Error('connection closed before the answer'), { code: 'ECONNRESET' })));
        this.socket = s;
        resolve(s);
      });
      s.once('error', reject);
      s.on('data', (d: Buffer) => this.onData(d));
    });
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    this.answer(false);
  }

  private answer(closed: boolean): void {
    if (!this.waiting) return;
    let r: ReturnType<typeof parseResponse>;
    try {
      r = parseResponse(this.buf, closed);
    } catch (e) {
      return this.fail(e as Error);
    }
    if (!r) return;
    this.buf = this.buf.subarray(r.length);
    const w = this.waiting;
    this.waiting = undefined;
    clearTimeout(w.timer);
    if (this.o.mode === 'close') this.close();
    w.resolve(r);
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    this.close();
    if (!w) return;
    clearTimeout(w.timer);
    w.reject(e);
  }
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const headers = o.mode === 'close' ? 'Connection: close\r\n' : '';
  const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${o.host}:${o.port}\r\n${headers}\r\n`);
  const result: LoadResult = { requests: 0, errors: 0, errorCodes: {}, elapsedMs: 0, latenciesNs: [], bodies: {} };
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(o.durationMs) * 1_000_000n;
  const loop = async (): Promise<void> => {
    const conn = new Conn(o, request);
    try {
      while (process.hrtime.bigint() < deadline) {
        const start = process.hrtime.bigint();
        try {
          const r = await conn.roundTrip();
          const ns = Number(process.hrtime.bigint() - start);
          if (r.status !== 200) throw Object.assign(new Error(`status ${r.status}`), { code: `HTTP ${r.status}` });
          result.requests++;
          result.latenciesNs.push(ns);
          result.bodies[r.body] = (result.bodies[r.body] ?? 0) + 1;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          result.errors++;
          result.errorCodes[code] = (result.errorCodes[code] ?? 0) + 1;
          conn.close();
          await new Promise((r) => setTimeout(r, 10)); // do not spin on a refusing target
        }
      }
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: o.connections }, loop));
  result.elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return result;
}
