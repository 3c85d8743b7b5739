/**
 * The store's versioned index (etcd's mvcc, in memory): the live keys, the global revision, the
 * compare-and-swap rules, and the event history that watches replay from.
 *
 * - `planWrite` is the whole CAS rule set, pure: given a request and the key's current value it
 *   returns the log entry to append, or throws the Status error (AlreadyExists, NotFound,
 *   Conflict, RequestEntityTooLarge). The writer runs it against its predicted state (which
 *   includes writes not yet acknowledged); the index itself never refuses a committed entry.
 * - `apply` commits one entry at its revision (the log's sequence number) and returns the event
 *   with `prevKv`. Revisions only grow.
 * - History: every event with revision > `compactRevision`, contiguous, oldest first. A watch may
 *   start anywhere in it; below it the answer is Expired. `compact(rev)` drops events ≤ rev and
 *   returns, per key, the log sequence below which that key's entries are no longer needed (the
 *   version visible at `rev` and everything after stay, so replayed events keep their `prevKv`).
 * - `range` pages in key order at the current revision; the continue token is the base64url of
 *   the last key returned, so it survives writes in between (the next page starts after that key).
 *   A page also ends early when its values reach MAX_RANGE_BYTES (fewer keys than `limit`, with a
 *   continue token), so a reply always fits in one NATS message.
 *
 * Pure: no I/O, no time. The durable log (log.ts) is what makes it survive a restart.
 */
import { MAX_VALUE_BYTES, type KeyValue, type RangeOptions, type RangeResult, type StoreEvent } from '../../shared/client/store.js';
import { badRequest, expired, statusError, tooLarge } from '../../shared/api/errors.js';
import { prefixEnd, SortedKeys } from './sorted-keys.js';

/** What the durable log holds for one revision: enough to rebuild the key without older entries. */
export interface LogEntry {
  key: string;
  op: 'put' | 'delete';
  /** Empty for deletes. */
  value: string;
  lease: number;
  /** For puts: the key's createRevision (its own revision on create). 0 for deletes. */
  createRevision: number;
  /** For puts: writes since creation. 0 for deletes. */
  version: number;
}

export type WriteRequest =
  | { op: 'create'; key: string; value: string; lease: number }
  | { op: 'update'; key: string; value: string; expectedModRevision: number; lease: number }
  | { op: 'put'; key: string; value: string; lease: number }
  | { op: 'delete'; key: string; expectedModRevision?: number };

/**
 * A page stops early (with a continue token) once its values pass this many characters, so the
 * reply fits one NATS message (max_payload 8 MiB, and JSON escaping can double a value's size).
 */
export const MAX_RANGE_BYTES = 3 * 1024 * 1024;

export function keyNotFound(key: string): Error {
  return statusError('NotFound', `key not found: ${key}`, { name: key });
}

function modifiedConflict(key: string, expected: number, actual: number): Error {
  return statusError('Conflict', `key ${key} has been modified: expected modRevision ${expected}, found ${actual}`, { name: key });
}

/** The CAS rules: the entry to append for `req` at revision `rev`, given the key's current value. */
export function planWrite(req: WriteRequest, current: KeyValue | undefined, rev: number): LogEntry {
  const { key } = req;
  if (req.op === 'delete') {
    if (!current) throw keyNotFound(key);
    if (req.expectedModRevision !== undefined && req.expectedModRevision !== current.modRevision) {
      throw modifiedConflict(key, req.expectedModRevision, current.modRevision);
    }
    return { key, op: 'delete', value: '', lease: 0, createRevision: 0, version: 0 };
  }
  if (Buffer.byteLength(req.value, 'utf8') > MAX_VALUE_BYTES) {
    throw tooLarge(`value for key ${key} is larger than the limit of ${MAX_VALUE_BYTES} bytes`);
  }
  if (req.op === 'create' && current) throw statusError('AlreadyExists', `key already exists: ${key}`, { name: key });
  if (req.op === 'update') {
    if (!current) throw keyNotFound(key);
    if (current.modRevision !== req.expectedModRevision) throw modifiedConflict(key, req.expectedModRevision, current.modRevision);
  }
  return current
    ? { key, op: 'put', value: req.value, lease: req.lease, createRevision: current.createRevision, version: current.version + 1 }
    : { key, op: 'put', value: req.value, lease: req.lease, createRevision: rev, version: 1 };
}

/** The key-value an entry produces at `rev` (undefined for a delete). */
export function entryToKv(entry: LogEntry, rev: number): KeyValue | undefined {
  if (entry.op === 'delete') return undefined;
  return {
    key: entry.key,
    value: entry.value,
    createRevision: entry.createRevision,
    modRevision: rev,
    version: entry.version,
    lease: entry.lease,
  };
}

export function encodeContinue(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeContinue(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (token.length === 0 || encodeContinue(key) !== token) throw badRequest('invalid continue token');
  return key;
}

export class MvccIndex {
  private rev = 0;
  private compacted = 0;
  private readonly kvs = new Map<string, KeyValue>();
  private readonly keys = new SortedKeys();
  /** history[head + i] is the event of revision historyFirst + i. */
  private history: StoreEvent[] = [];
  private head = 0;
  private historyFirst = 1;

  get revision(): number {
    return this.rev;
  }

  get compactRevision(): number {
    return this.compacted;
  }

  get size(): number {
    return this.kvs.size;
  }

  get historyLength(): number {
    return this.history.length - this.head;
  }

  /** Before a replay: history is complete only above the recorded compaction point. */
  startAt(compactRevision: number): void {
    this.compacted = compactRevision;
    this.historyFirst = compactRevision + 1;
  }

  get(key: string): KeyValue | undefined {
    return this.kvs.get(key);
  }

  kvsWithLease(): KeyValue[] {
    return [...this.kvs.values()].filter((kv) => kv.lease !== 0);
  }

  /**
   * Commits `entry` at `rev`. A revision that skips ahead of the history (a log trimmed by
   * someone else) is treated as a compaction point, so watches never see a silent gap.
   */
  apply(entry: LogEntry, rev: number): StoreEvent {
    if (rev <= this.rev) throw new Error(`revision ${rev} is not after ${this.rev}`);
    if (rev > this.compacted && rev !== Math.max(this.rev, this.compacted) + 1) this.forgetHistoryBefore(rev);
    this.rev = rev;
    const prevKv = this.kvs.get(entry.key);
    const kv = entryToKv(entry, rev);
    let event: StoreEvent;
    if (kv) {
      this.kvs.set(entry.key, kv);
      if (!prevKv) this.keys.add(entry.key);
      event = prevKv ? { type: 'PUT', kv, prevKv } : { type: 'PUT', kv };
    } else {
      this.kvs.delete(entry.key);
      this.keys.delete(entry.key);
      const tomb = { key: entry.key, value: '', createRevision: 0, modRevision: rev, version: 0, lease: 0 };
      event = prevKv ? { type: 'DELETE', kv: tomb, prevKv } : { type: 'DELETE', kv: tomb };
    }
    if (rev > this.compacted) this.history.push(event);
    return event;
  }

  /** After a replay: the log's last sequence may lie past the last entry read (trimmed tombstones). */
  advanceTo(lastSeq: number): void {
    if (lastSeq <= this.rev) return;
    this.rev = lastSeq;
    if (this.compacted < lastSeq) this.forgetHistoryBefore(lastSeq + 1);
  }

  private forgetHistoryBefore(rev: number): void {
    this.compacted = rev - 1;
    this.history = [];
    this.head = 0;
    this.historyFirst = rev;
  }

  /** Events with revision ≥ fromRevision, oldest first; Expired when that part of history is compacted. */
  eventsFrom(fromRevision: number): StoreEvent[] {
    if (fromRevision <= this.compacted) throw expired('required revision has been compacted');
    const start = this.head + Math.max(0, fromRevision - this.historyFirst);
    return this.history.slice(start);
  }

  range(prefix: string, opts: RangeOptions = {}): RangeResult {
    let start = prefix;
    let inclusive = true;
    if (opts.continue) {
      const last = decodeContinue(opts.continue);
      if (last >= prefix) {
        start = last;
        inclusive = false;
      }
    }
    const end = prefixEnd(prefix);
    const upto = end === undefined ? this.keys.size : this.keys.rank(end);
    if (opts.countOnly) return { kvs: [], revision: this.rev, remaining: Math.max(0, upto - this.keys.rank(start, !inclusive)) };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const kvs: KeyValue[] = [];
    let bytes = 0;
    for (const key of this.keys.from(start, inclusive)) {
      if (!key.startsWith(prefix) || kvs.length >= limit) break;
      const kv = this.kvs.get(key)!;
      bytes += kv.value.length + key.length + 100;
      if (bytes > MAX_RANGE_BYTES && kvs.length > 0) break;
      kvs.push(kv);
    }
    if (kvs.length === 0) return { kvs, revision: this.rev, remaining: 0 };
    const lastKey = kvs[kvs.length - 1].key;
    const remaining = upto - this.keys.rank(lastKey, true);
    return remaining > 0
      ? { kvs, revision: this.rev, remaining, continue: encodeContinue(lastKey) }
      : { kvs, revision: this.rev, remaining: 0 };
  }

  /**
   * Drops history at and below `rev` (compactRevision < rev ≤ revision). Returns, per key touched
   * in the dropped part, the sequence below which the log may forget that key: the version
   * visible at `rev` stays; a key deleted by then loses its tombstone too.
   */
  compact(rev: number): Map<string, number> {
    const plan = new Map<string, number>();
    if (rev <= this.compacted) return plan;
    if (rev > this.rev) throw badRequest(`required revision ${rev} is a future revision (current ${this.rev})`);
    const stop = this.head + (rev - this.historyFirst) + 1;
    for (let i = this.head; i < stop && i < this.history.length; i++) {
      const e = this.history[i];
      plan.set(e.kv.key, e.type === 'PUT' ? e.kv.modRevision : e.kv.modRevision + 1);
    }
    this.head = Math.min(stop, this.history.length);
    this.historyFirst = rev + 1;
    this.compacted = rev;
    if (this.head > 4096 && this.head * 2 > this.history.length) {
      this.history = this.history.slice(this.head);
      this.head = 0;
    }
    return plan;
  }
}
