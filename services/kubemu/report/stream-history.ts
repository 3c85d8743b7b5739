/**
 * What the event stream still remembers, read once for a report: every change of the kinds that
 * take part in healing (pods, nodes, replica controllers), from the oldest resourceVersion the
 * api-server still holds up to now.
 *
 * How: ask to resume after version 1; when that is too old the stream answers ERROR 410 saying
 * which version its history begins at (`too old resource version: R (N)`), so ask again from just
 * before it. The replay is over when the server sends the bookmark marked `caughtUp`; then the
 * socket is closed. Without a usable history (no hint in the 410, or still 410) it falls back to
 * the current objects (`resourceVersion=0`), which dates what already happened by the objects' own
 * timestamps — and says so in `notes`. Never throws: an api-server that cannot be reached is
 * `error`, with whatever was read.
 */
import type { StreamChange, StreamMessage } from '../../../shared/api/stream.js';
import { isChange } from '../../../shared/healing/messages.js';
import { runStreamSession, streamUrl, type SessionEnd } from '../stream-session.js';

export const HEALING_KINDS = 'pods,nodes,replicationcontrollers,replicasets,deployments';

export interface StreamHistory {
  changes: StreamChange[];
  /** The resourceVersion the replay started after (`0`: the current objects). */
  from: string;
  notes: string[];
  /** Set when the stream could not be read to the end. */
  error?: string;
}

export interface HistoryOptions {
  kinds?: string;
  /** Give up waiting for the replay after this long (ms); default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Attempt {
  changes: StreamChange[];
  caughtUp: boolean;
  expired?: { message: string; oldest?: number };
  end: SessionEnd;
}

async function attempt(apiUrl: string, resourceVersion: string, opts: HistoryOptions): Promise<Attempt> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), opts.timeoutMs ?? 60_000);
  const onOuter = (): void => stop.abort();
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  const changes: StreamChange[] = [];
  let caughtUp = false;
  let expired: Attempt['expired'];
  try {
    const end = await runStreamSession(
      streamUrl(apiUrl, { kinds: opts.kinds ?? HEALING_KINDS, resourceVersion }),
      {
        onMessage(_text, m: StreamMessage) {
          if (isChange(m)) changes.push(m);
          else if (m.type === 'BOOKMARK' && m.caughtUp) {
            caughtUp = true;
            stop.abort();
          } else if (m.type === 'ERROR' && m.code === 410) {
            const hint = /\((\d+)\)\s*$/.exec(m.message ?? '');
            expired = { message: m.message, ...(hint ? { oldest: Number(hint[1]) } : {}) };
          }
        },
      },
      stop.signal,
    );
    return { changes, caughtUp, end, ...(expired ? { expired } : {}) };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuter);
  }
}

function failure(end: SessionEnd): string {
  switch (end.kind) {
    case 'unreachable':
      return `the api-server's event stream is unreachable (${end.message})`;
    case 'refused':
      return `the api-server refused the event stream (${end.status}: ${end.message})`;
    case 'closed':
      return `the event stream closed before it caught up (${end.code}${end.reason ? ` ${end.reason}` : ''})`;
    case 'stopped':
      return 'gave up waiting for the event stream to catch up';
  }
}

export async function readStreamHistory(apiUrl: string, opts: HistoryOptions = {}): Promise<StreamHistory> {
  const notes: string[] = [];
  let from = '1';
  for (let tries = 0; tries < 3; tries++) {
    const a = await attempt(apiUrl, from, opts);
    if (a.caughtUp) return { changes: a.changes, from, notes };
    if (!a.expired) return { changes: a.changes, from, notes, error: failure(a.end) };
    if (a.expired.oldest === undefined || a.expired.oldest <= 1) break;
    from = String(a.expired.oldest - 1 + tries); // the hint is the first version kept; one more if it moved on meanwhile
  }
  const now = await attempt(apiUrl, '0', opts);
  notes.push("the api-server's history did not reach back far enough; times of what had already happened come from the objects' own timestamps");
  return { changes: now.changes, from: '0', notes, ...(now.caughtUp ? {} : { error: failure(now.end) }) };
}
