/**
 * One open watch of the fake api-server (test/support/fake-api.ts): filters the store's changes
 * for its resource, namespace and selectors, and delivers them in order on microtasks, as a
 * stream from a real server would arrive.
 *
 * Filtering follows the watch cache: a change is ADDED / MODIFIED / DELETED as seen through the
 * selectors, so an update that moves an object out of the selection is a DELETED (of the previous
 * state, stamped with the change's resourceVersion) and one that moves it in is an ADDED. After an
 * error (or `end()`), nothing more is delivered; queued events still arrive before the error.
 */
import type { WatchHandlers } from '../../shared/client/api.js';
import type { KubeObject, WatchEvent } from '../../shared/api/meta.js';
import type { ResourceInfo } from '../../shared/api/resources.js';
import type { Selector } from '../../shared/selectors/labels.js';
import { matchesFields, type FieldSelector } from '../../shared/selectors/fields.js';

export interface Change {
  rv: number;
  r: ResourceInfo;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  old?: KubeObject;
}

type Item = { event: WatchEvent } | { error: Error };

export function sameResource(a: ResourceInfo, b: ResourceInfo): boolean {
  return a.group === b.group && a.plural === b.plural;
}

export class FakeWatchStream {
  private readonly queue: Item[] = [];
  private scheduled = false;
  private stopped = false;
  private closed = false;

  constructor(
    readonly r: ResourceInfo,
    readonly namespace: string | undefined,
    private readonly labels: Selector,
    private readonly fields: FieldSelector,
    readonly bookmarks: boolean,
    private readonly handlers: WatchHandlers<KubeObject>,
    /** Called once when the stream stops taking new changes. */
    private readonly onClose: () => void,
  ) {}

  inScope(o: KubeObject | undefined): boolean {
    if (!o || (this.namespace && o.metadata.namespace !== this.namespace)) return false;
    return this.labels.matches(o.metadata.labels) && matchesFields(this.r.plural, o, this.fields);
  }

  deliver(c: Change): void {
    if (!sameResource(this.r, c.r)) return;
    const now = c.type !== 'DELETED' && this.inScope(c.object);
    const before = c.type === 'DELETED' ? this.inScope(c.object) : c.type === 'MODIFIED' && this.inScope(c.old);
    if (now) this.send({ type: before ? 'MODIFIED' : 'ADDED', object: structuredClone(c.object) });
    else if (before) {
      const gone = structuredClone(c.type === 'DELETED' ? c.object : (c.old as KubeObject));
      gone.metadata.resourceVersion = String(c.rv);
      this.send({ type: 'DELETED', object: gone });
    }
  }

  send(event: WatchEvent): void {
    this.push({ event });
  }

  /** Ends the stream with an error, delivered to `onError` after what is queued. */
  fail(error: Error): void {
    this.push({ error });
    this.close();
  }

  /** Ends the stream silently after what is queued (as a server closing it after an ERROR event). */
  end(): void {
    this.close();
  }

  /** The client stops watching: nothing more is delivered, not even what is queued. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private push(item: Item): void {
    if (this.stopped || this.closed) return;
    this.queue.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      while (this.queue.length && !this.stopped) {
        const next = this.queue.shift() as Item;
        if ('error' in next) {
          this.stopped = true;
          this.handlers.onError(next.error);
        } else this.handlers.onEvent(next.event);
      }
    });
  }
}
