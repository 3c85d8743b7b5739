/**
 * `kubectl exec` over raw SPDY (its fallback when the WebSocket upgrade is refused), protocol
 * `v4.channel.k8s.io` / `v5.channel.k8s.io`: the client opens one SPDY stream per channel, named
 * by the `streamtype` header — `error`, and `stdin`, `stdout`, `stderr`, `resize` as the request
 * asked (no `stderr` with a tty, `resize` only with one). Each is replied to at once; the command's
 * output starts flowing when every expected stream exists (until then the kubelet's bytes wait in
 * the byte stream's window), and if they do not all come within `STREAM_WAIT_MS` the exec is
 * abandoned. At the end the Status JSON goes on the error stream, every stream is finished and
 * the session closed (GOAWAY), as the kubelet does.
 */
import { badRequest, timeout } from '../../../shared/api/errors.js';
import type { ByteStream } from '../../../shared/client/byte-stream.js';
import { CHANNEL, type ExecStreamOptions } from '../../../shared/client/byte-stream-open.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { SpdySession, SpdyStream } from './spdy/session.js';
import { execStatus } from './exec-status.js';

export const EXEC_SPDY_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STREAM_WAIT_MS = 30_000;

type Kind = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

function expectedKinds(opts: ExecStreamOptions): Kind[] {
  const kinds: Kind[] = ['error'];
  if (opts.stdin) kinds.push('stdin');
  if (opts.stdout) kinds.push('stdout');
  if (opts.stderr && !opts.tty) kinds.push('stderr');
  if (opts.tty) kinds.push('resize');
  return kinds;
}

/** Wires an exec to a SPDY session; call `accept` for every stream the client opens. */
export function execOverSpdy(session: () => SpdySession, stream: ByteStream, opts: ExecStreamOptions, clock: Clock): { accept(s: SpdyStream): void; closed(): void } {
  const expected = expectedKinds(opts);
  const streams = new Map<Kind, SpdyStream>();
  let started = false;
  const timer = clock.setTimeout(() => {
    if (!started) {
      stream.abort(timeout('timed out waiting for client to create streams'));
      session().close();
    }
  }, STREAM_WAIT_MS);

  const start = (): void => {
    started = true;
    timer.cancel();
    const stdin = streams.get('stdin');
    stdin?.listen({
      data: (b) => {
        if (!stream.write(CHANNEL.stdin, b)) stdin.pause();
      },
      end: () => stream.end(CHANNEL.stdin),
    });
    streams.get('resize')?.listen({ data: (b) => stream.write(CHANNEL.resize, b) });
    const out = (channel: number): SpdyStream | undefined => streams.get(channel === CHANNEL.stderr ? 'stderr' : 'stdout');
    for (const s of [streams.get('stdout'), streams.get('stderr')]) s?.listen({ drain: () => stream.resume() });
    stream.listen({
      data(channel, bytes) {
        const s = out(channel);
        if (s && !s.write(Buffer.from(bytes))) stream.pause();
      },
      drain: () => stdin?.resume(),
      close(result, by) {
        if (session().closed || (by === 'local' && !result.error)) return;
        const error = streams.get('error')!;
        error.write(Buffer.from(JSON.stringify(execStatus(result, opts.command))));
        for (const s of streams.values()) s.end();
        session().close();
      },
    });
  };

  return {
    accept(s) {
      const kind = s.headers.streamtype as Kind;
      if (!expected.includes(kind) || streams.has(kind)) {
        s.reset();
        return;
      }
      s.reply();
      streams.set(kind, s);
      if (!started && expected.every((k) => streams.has(k))) start();
    },
    closed() {
      timer.cancel();
      if (!stream.closed) stream.abort(badRequest('the exec client went away'));
    },
  };
}
