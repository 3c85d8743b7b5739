/**
 * `GET …/pods/{name}/log` — container logs, from the kubelet of the pod's node over a byte stream.
 *
 * Query (PodLogOptions): `container`, `follow`, `previous`, `tailLines`, `sinceSeconds` /
 * `sinceTime`, `limitBytes`, `timestamps`. Bad values are 422 Invalid `PodLogOptions`, as in
 * kube-apiserver; which container and whether it has logs follow ./pod-target.ts. A pod with no
 * node answers an empty log.
 *
 * The answer is `200 text/plain` with the raw bytes as a Node `Readable` (the HTTP server streams
 * it, chunked; with `follow` it stays open until the container stops or the client goes away).
 * The stream to the kubelet is opened before answering, so every refusal is a proper Status with
 * its HTTP code. The body is back-pressured: a slow reader pauses the stream to the kubelet. If
 * the kubelet's side fails midway (the node died), the body errors and the HTTP response is cut
 * off, so the client sees a broken stream rather than a clean end. A body nobody starts reading
 * within `UNCLAIMED_MS` is dropped; one serialised to JSON (an answer over NATS, which cannot
 * stream) is dropped at once.
 */
import { Readable } from 'node:stream';
import { badRequest, invalid, methodNotAllowed, StatusError, type StatusCause } from '../../../shared/api/errors.js';
import type { ApiRequest, ApiResponse } from '../../../shared/client/api.js';
import type { ByteStream } from '../../../shared/client/byte-stream.js';
import { CHANNEL, type LogStreamOptions } from '../../../shared/client/byte-stream-open.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { SubresourceHandler } from '../resource-handler.js';
import { queryBool, queryInt, queryValue } from '../request.js';
import { dialKubelet, type StreamingDeps } from './kubelet-dial.js';
import { checkLogsAvailable, chooseContainer, loadPod, streamTarget } from './pod-target.js';

const UNCLAIMED_MS = 30_000;

function logOptions(req: ApiRequest, podName: string, clock: Clock): LogStreamOptions {
  const causes: StatusCause[] = [];
  const opts: LogStreamOptions = {
    follow: queryBool(req, 'follow'),
    previous: queryBool(req, 'previous'),
    timestamps: queryBool(req, 'timestamps'),
  };
  const tail = queryInt(req, 'tailLines');
  if (tail !== undefined) {
    if (tail < 0) causes.push({ reason: 'FieldValueInvalid', field: 'tailLines', message: `Invalid value: ${tail}: must be greater than or equal to 0` });
    else opts.tailLines = tail;
  }
  const limit = queryInt(req, 'limitBytes');
  if (limit !== undefined) {
    if (limit < 1) causes.push({ reason: 'FieldValueInvalid', field: 'limitBytes', message: `Invalid value: ${limit}: must be greater than 0` });
    else opts.limitBytes = limit;
  }
  const since = queryInt(req, 'sinceSeconds');
  const sinceTime = queryValue(req, 'sinceTime');
  if (since !== undefined && sinceTime) causes.push({ reason: 'FieldValueForbidden', field: '', message: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (since !== undefined) {
    if (since < 1) causes.push({ reason: 'FieldValueInvalid', field: 'sinceSeconds', message: `Invalid value: ${since}: must be greater than 0` });
    else opts.sinceSeconds = since;
  } else if (sinceTime) {
    const at = Date.parse(sinceTime);
    if (Number.isNaN(at)) causes.push({ reason: 'FieldValueInvalid', field: 'sinceTime', message: `Invalid value: "${sinceTime}": must be an RFC 3339 time` });
    else opts.sinceSeconds = Math.max(1, Math.ceil((clock.now() - at) / 1000));
  }
  if (causes.length > 0) throw invalid('PodLogOptions', podName, causes);
  return opts;
}

/**
 * A streamed body cannot travel in a JSON reply (the NATS API): serialising it drops the stream
 * and says where logs are read, instead of leaking the stream until the unclaimed timer.
 */
class LogBody extends Readable {
  toJSON(): string {
    this.destroy();
    return 'pod logs are streamed over HTTP only';
  }
}

/** The log bytes of a stream as a back-pressured Readable. */
export function logBody(stream: ByteStream, clock: Clock): Readable {
  let claimed = false;
  const body: Readable = new LogBody({
    read() {
      claimed = true;
      stream.resume();
    },
    destroy(err, cb) {
      guard.cancel();
      if (!stream.closed) stream.abort(badRequest('the client stopped reading the log'));
      cb(err);
    },
  });
  const guard = clock.setTimeout(() => {
    if (!claimed) body.destroy();
  }, UNCLAIMED_MS);
  stream.listen({
    data(channel, bytes) {
      if (channel !== CHANNEL.stdout && channel !== CHANNEL.stderr) return;
      if (!body.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) stream.pause();
    },
    close(result) {
      guard.cancel();
      if (result.error) body.destroy(new StatusError(result.error));
      else body.push(null);
    },
  });
  return body;
}

export function logSubresource(deps: StreamingDeps): SubresourceHandler {
  return async (req, t): Promise<ApiResponse> => {
    if (req.method !== 'GET') throw methodNotAllowed();
    const pod = await loadPod(deps.registry, t.namespace, t.name);
    const container = chooseContainer(pod, queryValue(req, 'container'));
    const opts = logOptions(req, t.name, deps.clock);
    const node = pod.spec.nodeName;
    if (!node) return { code: 200, body: '', contentType: 'text/plain' };
    checkLogsAvailable(pod, container, !!opts.previous);
    const stream = await dialKubelet(deps, node, { kind: 'logs', target: streamTarget(pod, container), logs: opts });
    return { code: 200, body: logBody(stream, deps.clock), contentType: 'text/plain' };
  };
}
