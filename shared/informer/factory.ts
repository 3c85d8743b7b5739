/**
 * The informer factory: one shared informer per (resource, namespace, label selector, field
 * selector), however many controllers ask for it, so a process lists and watches each stream once.
 *
 * Selectors are compared in canonical form (`b=1,a=2` and `a=2, b=1` share an informer). Index
 * functions requested by several callers are merged into the shared informer (a name is bound to
 * one function). `start(signal)` runs every informer created so far, and any created later is
 * started at once while the factory runs; `run(signal)` does the same and resolves when all have
 * stopped, which makes the factory a manager runnable (it needs no leadership: caches stay warm
 * on standby replicas). `waitForSync` waits for every informer started so far.
 */
import { setMaxListeners } from 'node:events';
import type { ApiClient } from '../client/api.js';
import type { KubeObject } from '../api/meta.js';
import type { ResourceInfo } from '../api/resources.js';
import { realClock, type Clock } from '../runtime/clock.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import { parseLabelSelector } from '../selectors/labels.js';
import { parseFieldSelector } from '../selectors/fields.js';
import type { IndexFunc } from './indexer.js';
import type { BackoffOptions } from './reflector.js';
import { SharedInformer } from './informer.js';

export interface InformerRequest<T extends KubeObject = KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, IndexFunc<T>>;
}

export interface InformerFactoryOptions {
  api: ApiClient;
  clock?: Clock;
  log?: Logger;
  backoff?: BackoffOptions;
  resyncMs?: number;
}

export class InformerFactory {
  readonly name = 'informers';
  readonly needLeaderElection = false;
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly runs: Promise<void>[] = [];
  private signal?: AbortSignal;

  constructor(private readonly opts: InformerFactoryOptions) {}

  informerFor<T extends KubeObject = KubeObject>(resource: ResourceInfo, req: InformerRequest<T> = {}): SharedInformer<T> {
    const namespace = resource.namespaced ? req.namespace || undefined : undefined;
    const labelSelector = parseLabelSelector(req.labelSelector).toString() || undefined;
    const fieldSelector = parseFieldSelector(req.fieldSelector).toString() || undefined;
    const key = [resource.group, resource.version, resource.plural, namespace ?? '', labelSelector ?? '', fieldSelector ?? ''].join('|');
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer<T>({
        api: this.opts.api,
        clock: this.opts.clock ?? realClock,
        log: this.opts.log ?? silentLogger(),
        backoff: this.opts.backoff,
        resyncMs: this.opts.resyncMs,
        resource,
        namespace,
        labelSelector,
        fieldSelector,
      });
      this.informers.set(key, informer as unknown as SharedInformer<KubeObject>);
      if (this.signal && !this.signal.aborted) this.launch(informer as unknown as SharedInformer<KubeObject>, this.signal);
    }
    if (req.indexers) informer.addIndexers(req.indexers);
    return informer;
  }

  /** Starts every informer not yet running; later ones start as they are created. */
  start(signal: AbortSignal): void {
    // Every informer's reflector listens on this one signal: more than ten is by design, not a leak.
    setMaxListeners(0, signal);
    this.signal = signal;
    for (const informer of this.informers.values()) if (!informer.isStarted) this.launch(informer, signal);
  }

  /** `start`, then resolve when the signal has aborted and every informer has stopped (the manager runnable form). */
  async run(signal: AbortSignal): Promise<void> {
    this.start(signal);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await Promise.all(this.runs);
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].filter((i) => i.isStarted).map((i) => i.waitForSync(signal)));
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => !i.isStarted || i.hasSynced());
  }

  private launch(informer: SharedInformer<KubeObject>, signal: AbortSignal): void {
    const log = this.opts.log ?? silentLogger();
    this.runs.push(informer.run(signal).catch((err: unknown) => log.error({ err, resource: informer.resource.plural }, 'informer stopped with an error')));
  }
}
