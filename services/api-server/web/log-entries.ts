/**
 * The lines of the dashboard's event log: Kubernetes Events (reason, message, the object they are
 * about, `×n` for a repeated one), node transitions (Ready ↔ NotReady, registered, removed) and the
 * answers to the page's own buttons. Newest first; the log keeps `LOG_LIMIT` lines.
 *
 * Pure: built from objects and the stream's receive time, no DOM.
 */
import type { Event, Node } from '../../../shared/api/core.js';
import { readyStatus } from './looks.js';

export type LogTone = 'info' | 'warning' | 'ok' | 'bad';

export interface LogEntry {
  /** RFC 3339; what the log sorts and prints by. */
  time: string;
  tone: LogTone;
  /** `Pod kubia-x`, `Node node-2`, `you`. */
  subject: string;
  text: string;
  /** Identifies a line that a replay may bring again (an Event at a given count). */
  key?: string;
}

export const LOG_LIMIT = 300;

/** An Event's own time: the latest it says it was seen, else when it was stored, else when the stream saw it. */
export function eventTime(e: Event, fallback: string): string {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? fallback;
}

export function eventEntry(e: Event, receivedAt: string): LogEntry {
  const count = e.series?.count ?? e.count ?? 1;
  const about = e.involvedObject ?? {};
  const where = about.namespace && about.namespace !== 'default' ? `${about.namespace}/` : '';
  return {
    time: eventTime(e, receivedAt),
    tone: e.type === 'Warning' ? 'warning' : 'info',
    subject: `${about.kind ?? 'Object'} ${where}${about.name ?? ''}`.trim(),
    text: `${e.reason ?? 'Event'}: ${e.message ?? ''}${count > 1 ? ` (×${count})` : ''}`,
    key: `${e.metadata.uid ?? `${e.metadata.namespace}/${e.metadata.name}`}#${count}`,
  };
}

/** A line when a node appears, goes, or its Ready condition changes; nothing otherwise (heartbeats are not news). */
export function nodeEntry(before: Node | undefined, after: Node | undefined, time: string): LogEntry | undefined {
  const name = (after ?? before)?.metadata.name ?? '';
  const subject = `Node ${name}`;
  if (!after) return { time, tone: 'bad', subject, text: 'removed from the cluster' };
  const now = readyStatus(after);
  const ready = after.status?.conditions?.find((c) => c.type === 'Ready');
  const why = ready?.message ? ` — ${ready.message}` : ready?.reason ? ` — ${ready.reason}` : '';
  if (!before) return { time, tone: now === 'True' ? 'ok' : 'info', subject, text: now === 'True' ? 'registered, Ready' : 'registered' };
  if (readyStatus(before) === now) return undefined;
  if (now === 'True') return { time, tone: 'ok', subject, text: 'Ready' };
  return { time, tone: 'bad', subject, text: `NotReady${now === 'Unknown' ? ' (status unknown)' : ''}${why}` };
}

function millis(t: string): number {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Adds lines to the log, newest on top, at most LOG_LIMIT, skipping lines already there (by key).
 * Live lines go on top in the order they came (the stream's order: times from different clocks
 * and precisions would shuffle them); the lines of a replay are placed by their own times.
 */
export function addEntries(log: LogEntry[], entries: LogEntry[], replay = false): LogEntry[] {
  const known = new Set(log.map((e) => e.key).filter((k) => k !== undefined));
  const fresh = entries.filter((e) => e.key === undefined || !known.has(e.key));
  if (fresh.length === 0) return log;
  const merged = [...fresh.reverse(), ...log];
  // Stable, so among lines of the same instant the later ones stay on top.
  if (replay) merged.sort((a, b) => millis(b.time) - millis(a.time));
  return merged.slice(0, LOG_LIMIT);
}
