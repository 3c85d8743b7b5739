/**
 * Recording Kubernetes Events from a component (Scheduled, Pulled, Created, Started, Killing,
 * NodeNotReady, …), as client-go's event recorder does for core/v1 Events:
 *
 * - one Event per distinct (object, type, reason, message, source) — repeats within the
 *   aggregation window (10 min) bump `count` and `lastTimestamp` on the same Event instead of
 *   creating new ones, which is what `kubectl describe` and `kubectl get events` show;
 * - events about cluster-scoped objects (Nodes) live in the `default` namespace;
 * - `record` never blocks or throws: writes happen in the background, in order per event, and a
 *   failure is logged (an Event that expired meanwhile is simply created again). `flush()` waits for
 *   everything recorded so far (tests, shutdown).
 */
import { isStatusError } from '../api/errors.js';
import type { Event, ObjectReference } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import { resourceByPlural } from '../api/resources.js';
import { isoTime, type Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { ApiClient } from './api.js';

const EVENTS = resourceByPlural('events');

export interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorderOptions {
  api: ApiClient;
  source: EventSource;
  clock: Clock;
  log?: Logger;
  aggregateWindowMs?: number;
  /** Most distinct events remembered for aggregation (oldest forgotten first). */
  cacheSize?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  lastMs: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly chains = new Map<string, Promise<void>>();
  private all: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly opts: EventRecorderOptions) {}

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, extra: { fieldPath?: string } = {}): void {
    const ref: ObjectReference = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
      ...(extra.fieldPath ? { fieldPath: extra.fieldPath } : {}),
    };
    const { component, host } = this.opts.source;
    const key = JSON.stringify([component, host, ref.kind, ref.namespace, ref.name, ref.uid, ref.fieldPath, type, reason, message]);
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.write(key, ref, type, reason, message)).catch((err: unknown) => {
      this.opts.log?.warn({ err, reason, object: `${ref.kind}/${ref.namespace ?? ''}/${ref.name}` }, 'could not record event');
    });
    this.chains.set(key, next);
    this.all = Promise.all([this.all, next]).then(() => undefined);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** Resolves when every event recorded so far has been written (or has failed). */
  flush(): Promise<void> {
    return this.all;
  }

  private async write(key: string, ref: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const { api, clock, source } = this.opts;
    const now = clock.now();
    const stamp = isoTime(clock);
    const s = this.seen.get(key);
    if (s && now - s.lastMs < (this.opts.aggregateWindowMs ?? 600_000)) {
      try {
        await api.patch(EVENTS, s.namespace, s.name, 'merge', { count: s.count + 1, lastTimestamp: stamp });
        s.count++;
        s.lastMs = now;
        return;
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
      }
    }
    const namespace = ref.namespace || 'default';
    const name = `${ref.name}.${(now * 1000 + (this.seq++ % 1000)).toString(16)}`;
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    await api.create(EVENTS, namespace, event);
    this.seen.delete(key);
    this.seen.set(key, { name, namespace, count: 1, lastMs: now });
    const limit = this.opts.cacheSize ?? 4096;
    if (this.seen.size > limit) this.seen.delete(this.seen.keys().next().value as string);
  }
}
