/**
 * `kubectl exec` over WebSocket (`v5.channel.k8s.io`, and `v4.channel.k8s.io`): binary messages
 * whose first byte is the channel — 0 stdin (from the client), 1 stdout, 2 stderr, 3 the final
 * Status (to the client), 4 terminal resize (from the client), and in v5 only 255 "close channel"
 * (`[255, 0]`: the client's stdin hit EOF). The command's bytes come from the kubelet's byte
 * stream; at its end the Status goes out on channel 3 and the WebSocket is closed (code 1000) —
 * kubectl waits for that close. The client leaving kills the command (the stream is aborted).
 *
 * Back-pressure both ways: stdin pauses the WebSocket while the kubelet's window is full; output
 * pauses the byte stream while the WebSocket has more than a megabyte unsent.
 */
import type { WebSocket } from 'ws';
import { badRequest } from '../../../shared/api/errors.js';
import type { ByteStream } from '../../../shared/client/byte-stream.js';
import { CHANNEL, type ExecStreamOptions } from '../../../shared/client/byte-stream-open.js';
import { execStatus } from './exec-status.js';
import { asBuffer } from './spdy-transports.js';

export const EXEC_WS_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const CLOSE_CHANNEL = 255;
const STATUS_CHANNEL = 3;
const HIGH_WATER = 1024 * 1024;

export function runExecOverWebSocket(ws: WebSocket, protocol: string, stream: ByteStream, opts: ExecStreamOptions): void {
  let outputPaused = false;
  const send = (channel: number, bytes: Uint8Array): void => {
    const frame = Buffer.allocUnsafe(bytes.length + 1);
    frame[0] = channel;
    frame.set(bytes, 1);
    ws.send(frame, { binary: true }, () => {
      if (outputPaused && ws.bufferedAmount < HIGH_WATER / 2) {
        outputPaused = false;
        stream.resume();
      }
    });
    if (!outputPaused && ws.bufferedAmount >= HIGH_WATER) {
      outputPaused = true;
      stream.pause();
    }
  };

  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const msg = asBuffer(data);
    if (msg.length === 0) return;
    const channel = msg[0]!;
    const payload = msg.subarray(1);
    if (channel === CHANNEL.stdin && opts.stdin) {
      if (!stream.write(CHANNEL.stdin, payload)) ws.pause();
    } else if (channel === CHANNEL.resize) {
      stream.write(CHANNEL.resize, payload);
    } else if (channel === CLOSE_CHANNEL && protocol.startsWith('v5') && payload[0] === CHANNEL.stdin) {
      stream.end(CHANNEL.stdin);
    }
  });
  ws.on('close', () => {
    if (!stream.closed) stream.abort(badRequest('the exec client went away'));
  });
  ws.on('error', () => ws.terminate());

  stream.listen({
    data(channel, bytes) {
      if (channel === CHANNEL.stdout || channel === CHANNEL.stderr) send(channel, bytes);
    },
    drain: () => ws.resume(),
    close(result, by) {
      if (by === 'local' && !result.error) return;
      if (ws.readyState !== ws.OPEN) return;
      send(STATUS_CHANNEL, Buffer.from(JSON.stringify(execStatus(result, opts.command))));
      ws.close(1000);
    },
  });
}
