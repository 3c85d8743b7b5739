/**
 * What a cluster wrote to its store between two revisions, by kind of write: the store's history
 * replayed with a watch from the first revision (after the phase, so the replay costs the measured
 * phase nothing), each change classified by its key's resource and what it did.
 *
 * Pod writes are told apart by what changed (create, bind = `spec.nodeName` set, deletion marked,
 * delete, else status); Events by their reason (`Scheduled`, `SuccessfulCreate`, `Started`, …);
 * other kinds by create / update / delete. Reads only; the watch is cancelled before it answers.
 * The store keeps `--history` revisions (100,000 by default): a window older than that answers
 * Expired.
 */
import { resourceForKey } from '../../shared/api/resources.js';
import type { StoreClient, StoreEvent } from '../../shared/client/store.js';

type Json = { spec?: { nodeName?: string }; metadata?: { deletionTimestamp?: string }; reason?: string };

function parse(text: string | undefined): Json | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** `pods bind`, `events Scheduled`, `replicasets update`, … */
export function classify(e: StoreEvent): string {
  const r = resourceForKey(e.kv.key);
  const kind = r ? r.plural : e.kv.key.split('/').slice(0, 3).join('/');
  if (e.type === 'DELETE') return `${kind} delete`;
  if (!e.prevKv) {
    if (kind === 'events') return `events ${parse(e.kv.value)?.reason ?? '?'}`;
    return `${kind} create`;
  }
  if (kind === 'events') return `events ${parse(e.kv.value)?.reason ?? '?'} (count)`;
  if (kind !== 'pods') return `${kind} update`;
  const before = parse(e.prevKv.value);
  const after = parse(e.kv.value);
  if (!before?.spec?.nodeName && after?.spec?.nodeName) return 'pods bind';
  if (!before?.metadata?.deletionTimestamp && after?.metadata?.deletionTimestamp) return 'pods mark deleted';
  return 'pods status';
}

/** Counts the writes of revisions `from`..`to` (inclusive), by `classify`. */
export async function countWrites(store: StoreClient, from: number, to: number, timeoutMs = 30_000): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (to < from) return counts;
  let resolveDone!: () => void;
  let rejectDone!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const watch = await store.watch('/', from, {
    onEvents: (events, revision) => {
      for (const e of events) {
        if (e.kv.modRevision > to) continue;
        const k = classify(e);
        counts[k] = (counts[k] ?? 0) + 1;
      }
      if (revision >= to) resolveDone();
    },
    onProgress: (revision) => {
      if (revision >= to) resolveDone();
    },
    onError: (err) => rejectDone(err),
  });
  const timer = setTimeout(() => rejectDone(new Error(`the store's history replay did not reach revision ${to} within ${timeoutMs} ms`)), timeoutMs);
  try {
    await done;
  } finally {
    clearTimeout(timer);
    await watch.cancel().catch(() => undefined);
  }
  return counts;
}
