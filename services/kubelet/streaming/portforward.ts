/**
 * `kubectl port-forward` on the kubelet: one TCP connection per forwarded client connection, from
 * the kubelet to the pod's IP and port (the real kubelet dials the port inside the pod's network
 * namespace; kubemu's pod IPs all live on the shared loopback). The open is answered once the
 * connection is made, or refused with `failed to connect to <ip>:<port> inside the pod: <why>`.
 *
 * Bytes on channel 0 go to the pod, bytes from the pod come back on 1; half-closes travel both
 * ways (a client FIN ends our sending side, the pod closing ends channel 1) and the stream closes
 * when the socket does. Back-pressure: a full socket pauses the stream, a full stream pauses
 * reading the socket. The api-server going away destroys the connection.
 */
import { connect, type Socket } from 'node:net';
import { badRequest, serviceUnavailable } from '../../../shared/api/errors.js';
import { CHANNEL } from '../../../shared/client/byte-stream-open.js';
import type { StreamStarter } from './server.js';

const CONNECT_TIMEOUT_MS = 5000;

function dial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)));
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export const startPortForward: StreamStarter = async (_deps, req, pod, stream) => {
  const ip = pod.podIP ?? req.target.podIP;
  if (!ip) throw badRequest(`pod ${pod.name} has no IP address yet`);
  const port = req.port!;
  let socket: Socket;
  try {
    socket = await dial(ip, port);
  } catch (err) {
    throw serviceUnavailable(`failed to connect to ${ip}:${port} inside the pod: ${(err as Error).message}`);
  }
  socket.removeAllListeners('error');
  socket.on('error', (err) => {
    if (!stream.closed) stream.close({ error: serviceUnavailable(`connection to ${ip}:${port} failed: ${err.message}`).status });
  });
  socket.on('data', (chunk: Buffer) => {
    if (!stream.write(CHANNEL.stdout, chunk)) socket.pause();
  });
  socket.on('end', () => stream.end(CHANNEL.stdout));
  socket.on('drain', () => stream.resume());
  socket.on('close', () => stream.close({}));
  stream.listen({
    data(channel, bytes) {
      if (channel === CHANNEL.stdin && !socket.write(bytes)) stream.pause();
    },
    end(channel) {
      if (channel === CHANNEL.stdin) socket.end();
    },
    drain: () => socket.resume(),
    close: () => socket.destroy(),
  });
};
