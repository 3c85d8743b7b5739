/**
 * The dashboard's buttons as requests: `POST api/<op>` (relative to the page, so it works at
 * `/ui/` and behind the service proxy) with `{"target": "<node>"}`, answered by the api-server
 * after the kubemu agent did it. Every outcome becomes one log line for the page — the agent's
 * message, or the Status message of a refusal (503 when no agent runs) — never a thrown error.
 *
 * `fetch` and the clock are injected; no DOM.
 */
import type { LogEntry } from './log-entries.js';

export type NodeAction = 'kill' | 'partition' | 'start' | 'heal';

export interface ActionOutcome {
  ok: boolean;
  entry: LogEntry;
}

type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

const PAST: Record<NodeAction, string> = { kill: 'killed', partition: 'partitioned', start: 'started', heal: 'healed' };

function messageOf(text: string, fallback: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // not JSON: use the text itself
  }
  return text.trim() || fallback;
}

export async function runAction(fetchFn: Fetch, now: () => string, op: NodeAction, target: string): Promise<ActionOutcome> {
  const subject = `you: ${op} ${target}`;
  try {
    const res = await fetchFn(`api/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ target }) });
    const text = await res.text();
    if (res.ok) return { ok: true, entry: { time: now(), tone: 'ok', subject, text: messageOf(text, `${target} ${PAST[op]}`) } };
    return { ok: false, entry: { time: now(), tone: 'bad', subject, text: `refused (${res.status}): ${messageOf(text, 'no reason given')}` } };
  } catch (err) {
    return { ok: false, entry: { time: now(), tone: 'bad', subject, text: `could not reach the api-server: ${(err as Error).message ?? String(err)}` } };
  }
}
