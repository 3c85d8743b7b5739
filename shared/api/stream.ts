/**
 * The WebSocket event stream's wire contract (`GET /stream`, upgraded to WebSocket on the
 * api-server's HTTP port): the messages it sends, one JSON text frame each, and its query
 * parameters. The api-server produces these; `kubemu events`, the dashboard and the healing
 * timeline read them. Types and constants only; this module imports nothing outside shared/api.
 *
 * Ordering: changes arrive in resourceVersion order, each once. A BOOKMARK's resourceVersion says
 * "everything up to here that matches your filters has been sent", so a client that reconnects
 * with `resourceVersion=<last change or bookmark it saw>` misses nothing and sees nothing twice.
 * `time` is when the api-server received the change (RFC 3339 with milliseconds); for a change it
 * received before it last started (replayed after an api-server restart) it is estimated from the
 * object's own timestamps and the message says `timeEstimated: true`.
 */
import type { KubeObject } from './meta.js';

export const STREAM_PATH = '/stream';

export type StreamChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change to any resource; Kubernetes Events are resources of kind `Event` and arrive the same way. */
export interface StreamChange {
  type: StreamChangeType;
  kind: string;
  apiVersion: string;
  /** Absent for cluster-scoped kinds (Node, Namespace). */
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion: string;
  time: string;
  timeEstimated?: true;
  /** The object after the change (for DELETED its last state); absent with `objects=false`. */
  object?: KubeObject;
}

/**
 * Progress: nothing that matches was left out up to `resourceVersion`. Sent every few seconds,
 * and once with `caughtUp: true` when the initial state or the replay has been sent and the
 * stream is live (the first message when neither was asked for).
 */
export interface StreamBookmark {
  type: 'BOOKMARK';
  resourceVersion: string;
  time: string;
  caughtUp?: true;
}

/** The stream cannot go on (410 Expired: the resourceVersion is older than the history); the server closes. */
export interface StreamError {
  type: 'ERROR';
  code: number;
  reason: string;
  message: string;
}

/** Sent just before the server drops a client that fell too far behind (its send buffer overflowed). */
export interface StreamSlow {
  type: 'SLOW';
  message: string;
  /** Everything up to here was sent before the drop: resume after it once the backlog is read. */
  resourceVersion?: string;
}

export type StreamMessage = StreamChange | StreamBookmark | StreamError | StreamSlow;

/** Query parameters of `/stream` (all optional). */
export interface StreamQueryParams {
  /** Comma list of plural names, singular names, short names or Kinds (`pods,nodes,Event`). Default: every kind, without the Leases of `kube-node-lease`. */
  kinds?: string;
  /** Only objects of this namespace (cluster-scoped objects, such as Nodes, still pass). */
  namespace?: string;
  /** Kubernetes label selector grammar, applied to every kind. */
  labelSelector?: string;
  /** Resume after this version; `0` = the current objects as ADDED first, then changes. */
  resourceVersion?: string;
  /** `false`: leave `object` out of changes. */
  objects?: string;
}

export function isStreamChange(m: StreamMessage): m is StreamChange {
  return m.type === 'ADDED' || m.type === 'MODIFIED' || m.type === 'DELETED';
}
