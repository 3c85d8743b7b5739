/**
 * `<data-dir>/chaos.jsonl`: one JSON line per failure made or undone on purpose — every kill,
 * start, restart, partition and heal, whoever made it (the CLI, the agent for the dashboard,
 * `kubemu chaos`) — so the healing report knows when each failure began, and who caused it.
 *
 * Lines are appended whole (one `appendFileSync` of one line, which the kernel writes at once
 * for a file opened in append mode), so concurrent writers (an agent and a CLI) never interleave.
 * Reading skips lines that are not records (a torn last line after a crash) instead of failing:
 * the journal is a help for the report, never a reason for it to fail.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseChaosRecord, timeOf, type ChaosAction, type ChaosRecord } from '../../shared/healing/messages.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { nodesOf } from './relaunch.js';
import type { ClusterState, ProcessRecord } from './state.js';

export function chaosJournalPath(dataDir: string): string {
  return join(dataDir, 'chaos.jsonl');
}

/** RFC 3339 with milliseconds, as the event stream stamps its messages. */
export function msTime(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

export function appendChaos(dataDir: string, record: ChaosRecord): void {
  mkdirSync(dataDir, { recursive: true });
  appendFileSync(chaosJournalPath(dataDir), `${JSON.stringify(record)}\n`);
}

/**
 * Records what a command did to `records` (the processes of `target`): the nodes are those whose
 * kubelet is among them.
 */
export function journal(
  dataDir: string,
  entry: {
    clock: Clock;
    action: ChaosAction;
    target: string;
    by: string | undefined;
    state: ClusterState;
    records: ProcessRecord[];
    forMs?: number;
    /** When it happened, if not now (a kill is recorded once its processes are dead). */
    time?: string;
  },
): ChaosRecord {
  const nodes = nodesOf(entry.records, entry.state);
  const record: ChaosRecord = {
    time: entry.time ?? msTime(entry.clock),
    action: entry.action,
    target: entry.target,
    by: entry.by ?? 'cli',
    ...(nodes.length ? { nodes } : {}),
    ...(entry.forMs !== undefined ? { forMs: entry.forMs } : {}),
  };
  appendChaos(dataDir, record);
  return record;
}

/** The records, oldest first; `sinceMs` (epoch ms) drops older ones. No journal: none. */
export function readChaos(dataDir: string, sinceMs?: number): ChaosRecord[] {
  let text: string;
  try {
    text = readFileSync(chaosJournalPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: ChaosRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const r = parseChaosRecord(line);
    if (r && (sinceMs === undefined || timeOf(r.time) >= sinceMs)) out.push(r);
  }
  return out;
}
