/**
 * What the benchmark needs from an etcd client, and the two it can use (targets.ts picks one):
 *
 * - `grpc` (default): etcd's native protocol, the one kube-apiserver speaks (./etcd-grpc.ts);
 * - `http`: etcd's HTTP/JSON gateway (./etcd-http.ts), for comparison — each request then also
 *   costs etcd a JSON decode and a loopback gRPC call to itself.
 *
 * Both are dependency-free and cost the client about what kubemu's NATS client does; the
 * `etcd3` npm package (grpc-js) was not used because its client CPU (≈440 µs per put measured
 * here) would make a 2-core benchmark measure the client rather than etcd.
 */
export type EtcdProtocol = 'grpc' | 'http';

export interface EtcdClient {
  /** Create-or-overwrite; resolves with the revision of the write. */
  put(key: string, value: string): Promise<number>;
  /** `if mod_revision(key) == r then put`; a Conflict StatusError when the compare fails. */
  update(key: string, value: string, expectedModRevision: number): Promise<number>;
  /** A serializable (local, no consensus) range of one absent key: a round trip that writes nothing. */
  ping(): Promise<void>;
  /** Watches every key under `prefix` from now (with prev_kv, as Kubernetes asks); `onValues` gets each response's PUT values. */
  watch(prefix: string, onValues: (values: string[]) => void): Promise<{ close(): void }>;
  close(): void;
}

/** The smallest key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix, 'utf8');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}
