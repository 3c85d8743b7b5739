/**
 * The inputs of the healing timeline, as plain data: the event stream's messages (the `/stream`
 * protocol, whose types are shared/api/stream.ts) and the records of `<data-dir>/chaos.jsonl`
 * (every kill, start, restart, partition and heal made by the CLI, the agent, `kubemu chaos` or
 * the dashboard).
 *
 * No runtime imports (type imports only, erased when compiled): this directory is also loaded by
 * the dashboard in the browser (compiled, from `/ui/lib/healing/`), so nothing here may import Node
 * or a kubemu module that would have to be served too. Objects are read defensively elsewhere in
 * this directory: any field may be missing, and a stream of another version must not break a report.
 */

export type { StreamBookmark, StreamChange, StreamChangeType, StreamError, StreamMessage, StreamSlow } from '../api/stream.js';
import type { StreamChange, StreamMessage } from '../api/stream.js';

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

export function isChange(m: StreamMessage): m is StreamChange {
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
