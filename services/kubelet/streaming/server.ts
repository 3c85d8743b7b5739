/**
 * The kubelet's streaming server: answers the api-server's byte-stream requests for this node
 * (`kubectl logs`, `exec`, `port-forward`) — what a real kubelet serves on port 10250 — by kind:
 * logs through `runtime.readLogs` (./logs.ts), commands through `runtime.exec` (./exec.ts), and
 * TCP connections to the pod's IP (./portforward.ts).
 *
 * The pod must be one this node runs, found by namespace/name through the kubelet's `PodLookup`
 * and matching the uid the api-server saw (a pod deleted and re-created under the same name is
 * another pod): otherwise `pods "x" not found`. Refusals go back as Status errors at open time;
 * once a stream is open, the handlers end it with the result (exit code) or the error. Streams
 * are torn down with the kubelet (`stop()`); their peers notice within the stream timeout.
 */
import { notFound } from '../../../shared/api/errors.js';
import type { ByteStream } from '../../../shared/client/byte-stream.js';
import { serveByteStreams, type StreamOpenRequest, type StreamTimings } from '../../../shared/client/byte-stream-open.js';
import type { Bus, BusSubscription } from '../../../shared/nats/connection.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { Logger } from '../../../shared/runtime/logger.js';
import type { PodLookup, PodRef } from '../pod-lookup.js';
import type { Runtime } from '../runtime/runtime.js';
import { startExec } from './exec.js';
import { startLogs } from './logs.js';
import { startPortForward } from './portforward.js';

export interface KubeletStreamingDeps {
  bus: Bus;
  clock: Clock;
  log: Logger;
  nodeName: string;
  runtime: Pick<Runtime, 'readLogs' | 'exec'>;
  pods: PodLookup;
  timings?: StreamTimings;
}

export interface StreamingServer {
  /** Streams currently open. */
  readonly active: number;
  stop(): void;
}

export type StreamStarter = (deps: KubeletStreamingDeps, req: StreamOpenRequest, pod: PodRef, stream: ByteStream) => Promise<void>;

const STARTERS: Record<StreamOpenRequest['kind'], StreamStarter> = { logs: startLogs, exec: startExec, portforward: startPortForward };

export function serveStreaming(deps: KubeletStreamingDeps): StreamingServer {
  const open = new Set<ByteStream>();
  const log = deps.log.child({ module: 'streaming' });
  const sub: BusSubscription = serveByteStreams(
    { bus: deps.bus, clock: deps.clock, log },
    deps.nodeName,
    async (req, stream) => {
      const pod = deps.pods.find(req.target.namespace, req.target.pod);
      if (!pod || (req.target.uid && pod.uid !== req.target.uid)) throw notFound('pods', req.target.pod);
      open.add(stream);
      try {
        await STARTERS[req.kind]({ ...deps, log }, req, pod, stream);
      } catch (err) {
        open.delete(stream);
        throw err;
      }
      stream.whenClosed(() => open.delete(stream));
      log.debug({ kind: req.kind, pod: `${req.target.namespace}/${req.target.pod}` }, 'stream opened');
    },
    deps.timings,
  );
  return {
    get active() {
      return open.size;
    },
    stop() {
      sub.unsubscribe();
      for (const s of open) s.abort('the kubelet is stopping');
      open.clear();
    },
  };
}
