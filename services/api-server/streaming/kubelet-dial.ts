/**
 * The api-server's way to a kubelet: opens a byte stream to the node running a pod (the NATS
 * equivalent of kube-apiserver dialing the kubelet's port 10250). A node whose kubelet does not
 * answer — stopped, SIGKILLed, partitioned — fails at once (no responders) or after the open
 * timeout, as `error dialing backend: …` the way kube-apiserver words it; the kubelet's own
 * refusals (a container that is not running, a refused connection) pass through unchanged.
 */
import { isStatusError, serviceUnavailable } from '../../../shared/api/errors.js';
import type { ByteStream } from '../../../shared/client/byte-stream.js';
import { openByteStream, type StreamOpenRequest, type StreamTimings } from '../../../shared/client/byte-stream-open.js';
import type { Bus } from '../../../shared/nats/connection.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { Logger } from '../../../shared/runtime/logger.js';
import type { Registry } from '../registry/registry.js';

export interface StreamingDeps {
  registry: Registry;
  bus: Bus;
  clock: Clock;
  log: Logger;
  /** Stream liveness and windows (defaults: ping 1 s, peer timeout 5 s, window 256 KiB). */
  timings?: StreamTimings;
}

export async function dialKubelet(deps: StreamingDeps, node: string, req: Omit<StreamOpenRequest, 'id' | 'window'>): Promise<ByteStream> {
  try {
    return await openByteStream({ bus: deps.bus, clock: deps.clock, log: deps.log }, node, req, deps.timings);
  } catch (err) {
    if (isStatusError(err, 'ServiceUnavailable') && /no responders/.test(err.message)) {
      throw serviceUnavailable(`error dialing backend: no kubelet answers for node "${node}"`);
    }
    if (isStatusError(err, 'Timeout')) throw serviceUnavailable(`error dialing backend: the kubelet of node "${node}" did not answer in time`);
    throw err;
  }
}
