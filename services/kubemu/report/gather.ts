/**
 * Everything a healing report is made of, gathered for one cluster: the chaos journal of its data
 * dir and the event stream's history from its api-server, turned into a HealingReport
 * (shared/healing/timeline.ts). Used by `kubemu report` and at the end of `kubemu chaos`.
 *
 * `sinceMs` limits the journal and the failures shown, never the stream: the pods and nodes of a
 * failure must be known from before it began. Notes say what limited the report (history that did
 * not reach back, an unreachable stream); the report is still built from what there is.
 */
import { buildHealingReport, type HealingReport } from '../../../shared/healing/timeline.js';
import { readChaos } from '../chaos-journal.js';
import { readStreamHistory } from './stream-history.js';

export interface Gathered {
  report: HealingReport;
  notes: string[];
  /** The stream could not be read to the end (the report may miss changes). */
  error?: string;
}

export async function gatherReport(apiUrl: string, dataDir: string, opts: { sinceMs?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Gathered> {
  const chaos = readChaos(dataDir, opts.sinceMs);
  const history = await readStreamHistory(apiUrl, { ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  const full = buildHealingReport(history.changes, chaos);
  const report = opts.sinceMs === undefined ? full : { ...full, failures: full.failures.filter((f) => f.at >= opts.sinceMs!) };
  const notes = [...history.notes];
  if (history.error) notes.push(history.error);
  return { report, notes, ...(history.error ? { error: history.error } : {}) };
}

/** Every failure healed and every controller at its desired replicas. */
export function allHealed(r: HealingReport): boolean {
  return r.allControllersOk && r.failures.every((f) => f.healed);
}
