/**
 * What the store benchmark drives: a `StoreTarget` is one store (kubemu, or etcd on some disk)
 * seen through its client, doing exactly the writes Kubernetes does — an unconditional put and a
 * compare-and-swap update on the key's modRevision — plus how to watch it from another process.
 *
 * Values are ~1 KB JSON objects shaped like a Kubernetes ConfigMap; each carries the
 * `process.hrtime.bigint()` reading taken just before its write started (annotation `bench/t`), so
 * a watcher in another process on the same machine measures put-start → event-received on the
 * same monotonic clock. Both stores carry the same bytes.
 */

import type { EtcdProtocol } from './etcd-client.js';

export type WatcherSpec = { kind: 'kubemu'; natsUrl: string } | { kind: 'etcd'; url: string; protocol: EtcdProtocol };

export interface StoreTarget {
  /** Row label in the report, e.g. `kubemu`, `etcd-tmpfs`. */
  readonly name: string;
  /** Processes that do the store's work, by name, for CPU accounting (kubemu: store, nats; etcd: etcd). */
  readonly serverGroups: Record<string, number[]>;
  readonly watcher: WatcherSpec;
  /** Create-or-overwrite; resolves with the write's revision (the key's new modRevision). */
  put(key: string, value: string): Promise<number>;
  /** Writes only if the key's modRevision is `expectedModRevision`; resolves with the new one. */
  update(key: string, value: string, expectedModRevision: number): Promise<number>;
  /** One round trip to the store that writes nothing: the floor under every operation. */
  ping(): Promise<void>;
  /** kubemu only: one bare append of `value` to a JetStream stream, the store's own durable step. */
  logAppend?(value: string): Promise<void>;
  close(): Promise<void>;
}

export const VALUE_BYTES = 1024;
const STAMP = '"bench/t":"';
const STAMP_RE = /"bench\/t":"(\d+)"/;

function build(name: string, t: string, pad: string): string {
  return (
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":${JSON.stringify(name)},"namespace":"bench",` +
    `"labels":{"app":"bench","tier":"store"},"annotations":{${STAMP}${t}"}},"data":{"payload":"${pad}"}}`
  );
}

const padCache = new Map<number, string>();

/** A ~1 KB object for `name`, stamped with `t` (hrtime ns); the length only varies with the name and stamp. */
export function objectValue(name: string, t: bigint): string {
  const stamp = t.toString();
  const base = build(name, stamp, '').length;
  const want = Math.max(0, VALUE_BYTES - base);
  let pad = padCache.get(want);
  if (pad === undefined) {
    pad = 'x'.repeat(want);
    padCache.set(want, pad);
  }
  return build(name, stamp, pad);
}

/** The write-start stamp carried by a value, or undefined when it has none. */
export function stampOf(value: string): bigint | undefined {
  const m = STAMP_RE.exec(value);
  return m ? BigInt(m[1]) : undefined;
}
