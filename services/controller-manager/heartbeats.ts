/**
 * Node heartbeats as the controller-manager hears them.
 *
 * Every kubelet publishes `{ node, sentAt, seq }` on `subjects.node.heartbeat(node)` at the
 * profile's `heartbeatIntervalMs` (the agreed shape; `sentAt` is the kubelet's clock, `seq` counts
 * up from 1 per kubelet start). The tracker keeps, per node, the last time *this process* heard
 * one, on its own injected clock: liveness is judged against the judge's clock, never the sender's,
 * so clock skew between machines cannot make a node look alive or dead.
 *
 * The tracker runs on every replica, leading or not (it needs no leadership and writes nothing):
 * a standby that takes over already knows which nodes are alive. It remembers when it started, so
 * the node lifecycle controller can tell "never heard since I started" from "stopped talking".
 * Malformed messages are ignored (a bad sender must not crash the judge).
 */
import type { Bus, BusSubscription } from '../../shared/nats/connection.js';
import { subjects } from '../../shared/nats/subjects.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Runnable } from '../../shared/controller/manager.js';

/** What a kubelet publishes on `subjects.node.heartbeat(node)`. */
export interface Heartbeat {
  node: string;
  sentAt: number;
  seq: number;
}

export interface HeardFrom {
  /** When this process heard the last heartbeat (its clock). */
  at: number;
  seq: number;
  sentAt: number;
}

export type HeartbeatListener = (node: string, heard: HeardFrom) => void;

export class HeartbeatTracker {
  readonly startedAt: number;
  private readonly heard = new Map<string, HeardFrom>();
  private readonly listeners = new Set<HeartbeatListener>();

  constructor(private readonly clock: Clock) {
    this.startedAt = clock.now();
  }

  /** Records one heartbeat; returns false (and records nothing) for a malformed one. */
  record(hb: unknown): boolean {
    if (!isHeartbeat(hb)) return false;
    const heard: HeardFrom = { at: this.clock.now(), seq: hb.seq, sentAt: hb.sentAt };
    this.heard.set(hb.node, heard);
    for (const l of this.listeners) l(hb.node, heard);
    return true;
  }

  /** When this process last heard from `node`, or undefined if never since it started. */
  lastHeard(node: string): number | undefined {
    return this.heard.get(node)?.at;
  }

  get(node: string): HeardFrom | undefined {
    return this.heard.get(node);
  }

  /** Every node heard from since start, with its last heartbeat. */
  entries(): [string, HeardFrom][] {
    return [...this.heard.entries()];
  }

  /** Forget a node (deleted from the cluster). */
  forget(node: string): void {
    this.heard.delete(node);
  }

  onHeartbeat(listener: HeartbeatListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function isHeartbeat(v: unknown): v is Heartbeat {
  if (typeof v !== 'object' || v === null) return false;
  const hb = v as Record<string, unknown>;
  return typeof hb.node === 'string' && hb.node !== '' && typeof hb.seq === 'number' && typeof hb.sentAt === 'number';
}

/** The tracker fed from the bus, as a manager runnable that needs no leadership. */
export function heartbeatFeed(bus: Bus, tracker: HeartbeatTracker, log?: Logger): Runnable {
  return {
    name: 'heartbeats',
    needLeaderElection: false,
    async run(signal) {
      let dropped = 0;
      const sub: BusSubscription = bus.subscribe(subjects.node.allHeartbeats(), (body) => {
        if (!tracker.record(body) && dropped++ % 100 === 0) log?.warn({ body }, 'ignoring a malformed heartbeat');
      });
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      sub.unsubscribe();
    },
  };
}
