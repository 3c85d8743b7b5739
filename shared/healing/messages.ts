/**
 * The inputs of the healing timeline, as plain data: the event stream's messages (the `/stream`
 * protocol of the api-server, see README "The event stream") and the records of
 * `<data-dir>/chaos.jsonl` (every kill, start, restart, partition and heal made by the CLI, the
 * agent or `kubemu chaos`).
 *
 * Pure types and readers with no imports at all: this directory is also loaded by the dashboard in
 * the browser (compiled, from `/ui/lib/`), so nothing here may import Node or other kubemu modules.
 * Objects are read defensively (any field may be missing): a stream from another version must not
 * break a report.
 */

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A loosely typed Kubernetes object: only what the timeline reads. */
export interface LooseObject {
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    ownerReferences?: { kind?: string; name?: string; uid?: string; controller?: boolean }[];
    generation?: number;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ChangeMessage {
  type: ChangeType;
  kind: string;
  apiVersion?: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  /** RFC 3339 with milliseconds: when the api-server saw the change. */
  time: string;
  object?: LooseObject;
}

export interface BookmarkMessage {
  type: 'BOOKMARK';
  resourceVersion: string;
  time?: string;
}

export interface ErrorMessage {
  type: 'ERROR';
  code?: number;
  reason?: string;
  message?: string;
}

export interface SlowMessage {
  type: 'SLOW';
  message?: string;
}

export type StreamMessage = ChangeMessage | BookmarkMessage | ErrorMessage | SlowMessage;

export type ChaosAction = 'kill' | 'start' | 'restart' | 'partition' | 'heal';

export const CHAOS_ACTIONS: readonly ChaosAction[] = ['kill', 'start', 'restart', 'partition', 'heal'];

/** One line of `<data-dir>/chaos.jsonl`. */
export interface ChaosRecord {
  /** RFC 3339 with milliseconds. */
  time: string;
  action: ChaosAction;
  /** What the person (or program) named: `node-2`, `scheduler`, `kubelet-node-2`. */
  target: string;
  /** Who acted: `cli`, `agent`, `chaos`, `dashboard`, … */
  by: string;
  /** The nodes whose kubelet the action reached (a kill of `kubelet-node-2` is node-2's failure). */
  nodes?: string[];
  /** A partition that heals itself after this long. */
  forMs?: number;
}

export function isChange(m: StreamMessage): m is ChangeMessage {
  return m.type === 'ADDED' || m.type === 'MODIFIED' || m.type === 'DELETED';
}

/** Epoch ms of an RFC 3339 time; NaN when absent or unreadable. */
export function timeOf(t: string | undefined): number {
  return t ? Date.parse(t) : Number.NaN;
}

/** A chaos.jsonl line, checked; undefined when it is not a record (a torn last line, garbage). */
export function parseChaosRecord(line: string): ChaosRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = raw as Partial<ChaosRecord>;
  if (typeof r !== 'object' || r === null) return undefined;
  if (typeof r.time !== 'string' || Number.isNaN(timeOf(r.time))) return undefined;
  if (!CHAOS_ACTIONS.includes(r.action as ChaosAction) || typeof r.target !== 'string') return undefined;
  return {
    time: r.time,
    action: r.action as ChaosAction,
    target: r.target,
    by: typeof r.by === 'string' ? r.by : 'unknown',
    ...(Array.isArray(r.nodes) ? { nodes: r.nodes.filter((n): n is string => typeof n === 'string') } : {}),
    ...(typeof r.forMs === 'number' && r.forMs > 0 ? { forMs: r.forMs } : {}),
  };
}
