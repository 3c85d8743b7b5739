/**
 * Every NATS subject kubemu uses is built here, and only here.
 *
 * All subjects start with `kubemu.`. Names that come from users (node names may contain dots) are
 * made safe as single tokens by `token()`, so a name can never add or remove a subject level or
 * smuggle a wildcard. Routing is by subject wherever a process only cares about part of the traffic
 * (a kubelet hears its own node's requests, never another node's).
 */

const ROOT = 'kubemu';

/** A user-supplied name as exactly one subject token (injective; plain names stay readable). */
export function token(name: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(name)) return name;
  return `~${Buffer.from(name, 'utf8').toString('base64url')}`;
}

export const subjects = {
  store: {
    /** Request/reply operations of the store service: range, txn, compact, lease.*, watch.* */
    rpc: (op: string): string => `${ROOT}.store.rpc.${op}`,
    /** Where the store pushes one watch's events (chosen by the watching client). */
    watchDelivery: (clientId: string, watchId: string): string => `${ROOT}.store.watch.${token(clientId)}.${token(watchId)}`,
    /** Published by a store process when it starts serving, so watchers re-establish at once. */
    hello: (): string => `${ROOT}.store.hello`,
  },
  /** The durable log of the store, in JetStream: one subject per key (holder of that key's versions). */
  storeLog: {
    stream: 'KUBEMU_STORE',
    all: (): string => `${ROOT}.log.>`,
    key: (key: string): string => `${ROOT}.log.${Buffer.from(key, 'utf8').toString('base64url') || '_'}`,
    metaBucket: 'kubemu-store-meta',
  },
  api: {
    /** Kubernetes API operations for in-cluster components (one queue group over all api-servers). */
    rpc: (): string => `${ROOT}.api.rpc`,
    /** Watch control for in-cluster components: create / keepalive / cancel. */
    watchControl: (op: string): string => `${ROOT}.api.watch.${op}`,
    /** Where the api-server pushes one component watch's events. */
    watchDelivery: (clientId: string, watchId: string): string => `${ROOT}.api.events.${token(clientId)}.${token(watchId)}`,
    /** Published by an api-server when it starts serving, so component watches re-establish at once. */
    hello: (): string => `${ROOT}.api.hello`,
  },
  node: {
    heartbeat: (node: string): string => `${ROOT}.node.${token(node)}.heartbeat`,
    allHeartbeats: (): string => `${ROOT}.node.*.heartbeat`,
    /** A kubelet's resource-usage summary of its node (kubectl top, the HPA), every few seconds. */
    metrics: (node: string): string => `${ROOT}.node.${token(node)}.metrics`,
    allMetrics: (): string => `${ROOT}.node.*.metrics`,
    /** Operations a kubelet serves for its node: logs, exec, portforward, … */
    kubelet: (node: string, op: string): string => `${ROOT}.node.${token(node)}.kubelet.${op}`,
    /** Raw byte streams between the api-server and a kubelet (exec, port-forward, log follow). */
    stream: (node: string, streamId: string, direction: 'up' | 'down'): string =>
      `${ROOT}.node.${token(node)}.stream.${token(streamId)}.${direction}`,
  },
  /** Scratch stream of the benchmarks (bench/store.ts measures a bare JetStream append on it); never used by a cluster. */
  bench: {
    floorStream: 'KUBEMU_BENCH_FLOOR',
    floor: (): string => `${ROOT}.bench.floor`,
  },
  /** Control of a running component by the CLI (partition, health, …). */
  control: (component: string, op: string): string => `${ROOT}.ctl.${token(component)}.${op}`,
};
