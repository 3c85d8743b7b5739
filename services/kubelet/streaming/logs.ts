/**
 * `kubectl logs` on the kubelet: reads a container's log through `runtime.readLogs` (which applies
 * `previous`, `tailLines`, `sinceSeconds`, `timestamps`, `follow`) and sends the bytes on channel 1.
 * `limitBytes` is enforced here as well, so the limit holds whatever the runtime does. A slow
 * reader pauses the runtime (when it supports `pause`); the api-server going away cancels the read.
 *
 * The open is answered at the first bytes, the end of the log, or after `EARLY_ERROR_MS`,
 * whichever comes first, so that an error the runtime reports at once (no previous instance, …)
 * becomes the answer to the open — an HTTP error for kubectl — instead of a cut-off stream.
 */
import { badRequest, toStatus } from '../../../shared/api/errors.js';
import { CHANNEL } from '../../../shared/client/byte-stream-open.js';
import type { LogReader } from '../runtime/runtime.js';
import type { StreamStarter } from './server.js';

const EARLY_ERROR_MS = 100;

export const startLogs: StreamStarter = (deps, req, pod, stream) => {
  const container = req.target.container;
  if (!container || !pod.containers.some((c) => c.name === container)) throw badRequest(`container ${container ?? '""'} is not valid for pod ${pod.name}`);
  const opts = req.logs ?? {};
  const limit = opts.limitBytes;
  let sent = 0;
  let reader: LogReader | undefined;
  let cancelled = false;
  const cancel = (): void => {
    cancelled = true;
    reader?.cancel();
  };

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      grace.cancel();
      if (err) {
        cancel();
        reject(err);
      } else resolve();
    };
    const grace = deps.clock.setTimeout(() => settle(), EARLY_ERROR_MS);

    stream.listen({
      data: () => undefined,
      drain: () => reader?.resume?.(),
      close: () => cancel(),
    });

    reader = deps.runtime.readLogs(pod.uid, container, opts, {
      onData(chunk) {
        if (cancelled || stream.closed) return;
        let bytes = chunk;
        if (limit !== undefined) bytes = chunk.subarray(0, Math.max(0, limit - sent));
        sent += bytes.length;
        settle();
        if (bytes.length > 0 && !stream.write(CHANNEL.stdout, bytes)) reader?.pause?.();
        if (limit !== undefined && sent >= limit) {
          cancel();
          stream.end(CHANNEL.stdout);
          stream.close({});
        }
      },
      onEnd(err) {
        if (err && !settled) return settle(err);
        settle();
        if (stream.closed) return;
        if (err) stream.close({ error: toStatus(err) });
        else {
          stream.end(CHANNEL.stdout);
          stream.close({});
        }
      },
    });
    if (cancelled) reader.cancel();
  });
};
