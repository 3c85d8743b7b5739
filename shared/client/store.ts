/**
 * The contract of the etcd-like store, as its clients (the api-server, tests, benchmarks) see it.
 *
 * Semantics are etcd's as Kubernetes uses them:
 * - one global revision, +1 for every change (create, update, delete); a key's `modRevision` is the
 *   revision of its last change and is what the api-server publishes as `metadata.resourceVersion`;
 * - `create` only if absent (AlreadyExists otherwise); `update` / `delete` with an expected
 *   modRevision (Conflict otherwise; NotFound when the key is absent);
 * - `range` by prefix in key order, with `limit` and an opaque `continue` token;
 * - `watch` a prefix from a revision (inclusive): every change, in revision order, no gaps, no
 *   duplicates, with the previous value; a revision at or below the compaction point fails with
 *   reason `Expired` ("required revision has been compacted");
 * - leases with a TTL: keys attached to a lease are deleted through the normal write path when it
 *   expires or is revoked, so watchers see the DELETE events.
 *
 * Errors are `StatusError`s (shared/api/errors) with reasons AlreadyExists, Conflict, NotFound,
 * Expired, RequestEntityTooLarge, BadRequest, ServiceUnavailable, Timeout.
 */

export interface KeyValue {
  key: string;
  /** The stored bytes as text (kubemu stores JSON). Empty for DELETE events. */
  value: string;
  createRevision: number;
  modRevision: number;
  /** Writes since creation: 1 right after create. */
  version: number;
  /** Lease the key is attached to; 0 when none. */
  lease: number;
}

export interface StoreEvent {
  type: 'PUT' | 'DELETE';
  /** For DELETE: the key, `modRevision` = the deletion's revision, empty value. */
  kv: KeyValue;
  /** The value before this change (absent on create). */
  prevKv?: KeyValue;
}

export interface RangeOptions {
  /** At most this many keys (0 or absent = all). */
  limit?: number;
  /** Token from a previous RangeResult: continue after its last key, at the current revision. */
  continue?: string;
  /** Only count the keys (kvs empty). */
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** The store's revision when the range was read. */
  revision: number;
  /** Keys matching the prefix after this page (0 when complete). */
  remaining: number;
  /** Present when `remaining > 0`. */
  continue?: string;
}

export interface WriteOptions {
  lease?: number;
}

export interface StoreStatus {
  revision: number;
  compactRevision: number;
  keys: number;
  /** Oldest revision a watch can start from (compactRevision + 1). */
  oldestWatchRevision: number;
  leases: number;
}

export interface WatchHandler {
  /** Batches of events, in order. Called again only after the previous call returned. */
  onEvents(events: StoreEvent[], revision: number): void;
  /** Periodic progress: nothing under the prefix changed up to `revision`. */
  onProgress?(revision: number): void;
  /** The watch can no longer continue (e.g. Expired after compaction); it is closed. */
  onError(err: Error): void;
}

export interface StoreWatch {
  readonly id: string;
  /** Last revision delivered (or progressed) to the handler. */
  readonly revision: number;
  cancel(): Promise<void>;
}

export interface StoreClient {
  get(key: string): Promise<{ kv: KeyValue | null; revision: number }>;
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult>;
  create(key: string, value: string, opts?: WriteOptions): Promise<KeyValue>;
  update(key: string, value: string, expectedModRevision: number, opts?: WriteOptions): Promise<KeyValue>;
  /** Unconditional write (create or overwrite). */
  put(key: string, value: string, opts?: WriteOptions): Promise<KeyValue>;
  /** Deletes; with `expectedModRevision`, only if unchanged. Returns the deletion revision and the old value. */
  delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prevKv: KeyValue }>;
  /**
   * Watches every key under `prefix`, starting at `fromRevision` (inclusive; 0 = only changes after now).
   * Resolves once the store accepted the watch; rejects with Expired when `fromRevision` is compacted.
   */
  watch(prefix: string, fromRevision: number, handler: WatchHandler): Promise<StoreWatch>;
  /** Discards history at and below `revision`; later watches from there fail with Expired. */
  compact(revision: number): Promise<{ compactRevision: number }>;
  status(): Promise<StoreStatus>;
  leaseGrant(ttlSeconds: number): Promise<{ id: number; ttl: number }>;
  leaseKeepAlive(id: number): Promise<{ ttl: number }>;
  leaseRevoke(id: number): Promise<void>;
  leaseTimeToLive(id: number): Promise<{ id: number; ttl: number; grantedTtl: number; keys: string[] }>;
  close(): Promise<void>;
}

/** The most a single value may hold: etcd's request limit, which Kubernetes users know. */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;
