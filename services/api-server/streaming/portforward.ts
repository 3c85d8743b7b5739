/**
 * `kubectl port-forward` (protocol `portforward.k8s.io`) on a SPDY session, whichever transport
 * carries it. For every local connection kubectl opens two SPDY streams with the same `requestid`
 * and `port` headers: `streamtype: error` (which it half-closes at once) and `streamtype: data`.
 * Both are replied to at once (kubectl gives up on an unreplied stream after 30 s). When a pair is
 * complete, a byte stream to the pod's port is opened through the node's kubelet, and bytes flow
 * both ways with half-closes passed along (a FIN on the data stream ends the pod connection's
 * sending side, the pod closing sends FIN back). Anything that goes wrong — a bad port, a refused
 * connection, the node lost — is written as text on the error stream (kubectl prints `an error
 * occurred forwarding L -> R: <text>`); success writes nothing. Both streams are finished at the
 * end, which is what kubectl waits for. A pair missing its second stream after `PAIR_WAIT_MS` is
 * reset. Back-pressure: a full byte stream pauses the SPDY connection, a full connection pauses
 * the byte stream.
 */
import { badRequest } from '../../../shared/api/errors.js';
import type { ByteStream } from '../../../shared/client/byte-stream.js';
import { CHANNEL, type StreamTarget } from '../../../shared/client/byte-stream-open.js';
import type { TimerHandle } from '../../../shared/runtime/clock.js';
import type { SpdyStream } from './spdy/session.js';
import { dialKubelet, type StreamingDeps } from './kubelet-dial.js';

const PAIR_WAIT_MS = 30_000;
/** Bytes kept from the client while the pod connection is being opened, before reading pauses. */
const EARLY_LIMIT = 256 * 1024;

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: TimerHandle;
  remote?: ByteStream;
}

export interface PortForwarder {
  accept(s: SpdyStream): void;
  /** The connection ended: every forwarded connection ends too. */
  closed(): void;
}

export function portForwarder(deps: StreamingDeps, node: string, target: StreamTarget): PortForwarder {
  const pairs = new Map<string, Pair>();
  const remotes = new Set<ByteStream>();

  const fail = (pair: Pair, message: string): void => {
    pair.error?.write(Buffer.from(message));
    pair.error?.end();
    pair.data?.end();
  };

  const start = async (id: string, pair: Pair): Promise<void> => {
    pair.timer.cancel();
    const data = pair.data!;
    const portText = data.headers.port ?? '';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return fail(pair, `invalid port: ${JSON.stringify(portText)}`);
    const early: Buffer[] = [];
    let earlyBytes = 0;
    let localEnded = false;
    let reset = false;
    data.listen({
      data: (b) => {
        if (!pair.remote) {
          early.push(b);
          earlyBytes += b.length;
          if (earlyBytes > EARLY_LIMIT) data.pause();
          return;
        }
        if (!pair.remote.write(CHANNEL.stdin, b)) data.pause();
      },
      end: () => {
        localEnded = true;
        pair.remote?.end(CHANNEL.stdin);
      },
      reset: () => {
        reset = true;
        pair.remote?.abort(badRequest('the port-forward client closed the connection'));
      },
      drain: () => pair.remote?.resume(),
    });
    let remote: ByteStream;
    try {
      remote = await dialKubelet(deps, node, { kind: 'portforward', target, port });
    } catch (err) {
      pairs.delete(id);
      return fail(pair, `error forwarding port ${port} to pod ${target.uid}, uid : ${(err as Error).message}`);
    }
    if (reset || data.gone) {
      remote.abort(badRequest('the port-forward client closed the connection'));
      pairs.delete(id);
      return;
    }
    pair.remote = remote;
    remotes.add(remote);
    remote.listen({
      data(channel, bytes) {
        if (channel === CHANNEL.stdout && !data.write(Buffer.from(bytes))) remote.pause();
      },
      end: (channel) => {
        if (channel === CHANNEL.stdout) data.end();
      },
      drain: () => data.resume(),
      close(result) {
        remotes.delete(remote);
        pairs.delete(id);
        if (result.error) fail(pair, `error forwarding port ${port} to pod ${target.uid}, uid : ${result.error.message ?? 'unknown error'}`);
        else {
          pair.error?.end();
          data.end();
        }
      },
    });
    let open = true;
    for (const b of early) open = remote.write(CHANNEL.stdin, b);
    if (open) data.resume();
    if (localEnded) remote.end(CHANNEL.stdin);
  };

  return {
    accept(s) {
      const type = s.headers.streamtype;
      const id = s.headers.requestid ?? '';
      if (type !== 'error' && type !== 'data') {
        s.reset();
        return;
      }
      let pair = pairs.get(id);
      if (!pair) {
        pair = { timer: deps.clock.setTimeout(() => {
          const p = pairs.get(id);
          if (!p || (p.error && p.data)) return;
          pairs.delete(id);
          p.error?.reset();
          p.data?.reset();
        }, PAIR_WAIT_MS) };
        pairs.set(id, pair);
      }
      if (pair[type]) {
        s.reset();
        return;
      }
      pair[type] = s;
      s.reply();
      if (pair.error && pair.data) void start(id, pair);
    },
    closed() {
      for (const p of pairs.values()) p.timer.cancel();
      pairs.clear();
      for (const r of remotes) r.abort(badRequest('the port-forward connection closed'));
      remotes.clear();
    },
  };
}
