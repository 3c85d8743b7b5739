/**
 * The reflector: keeps a sink in step with one resource (in one namespace or all, optionally
 * filtered by label / field selectors) through an `ApiClient`, with Kubernetes' list-then-watch:
 *
 * 1. List (in pages of `pageSize`), hand the whole state to `sink.replace(items, rv)`.
 * 2. Watch from the list's resourceVersion; each ADDED / MODIFIED / DELETED goes to the sink and
 *    advances the last resourceVersion seen; a BOOKMARK only advances it.
 * 3. When the watch ends with 410 (reason Expired or Gone, as `onError`, as a rejected `watch()`
 *    or as an ERROR event), history we need is gone: relist at once (with back-off only if the
 *    watch after a relist expires again before any event: no hot loop against a confused server),
 *    and let the sink's replace reconcile the cache (objects that vanished meanwhile become deletes).
 * 4. Any other watch or list failure: back off (exponential, `initialMs` doubling to `maxMs`, reset
 *    by any success), then re-watch from the last resourceVersion seen, so nothing is missed or
 *    replayed twice; a failed list is retried the same way.
 *
 * `run(signal)` resolves once the signal aborts and the open watch is stopped. Time goes through the
 * injected Clock. The reflector never throws out of `run`: errors are logged and retried.
 */
import type { ApiClient, ApiWatch } from '../client/api.js';
import type { KubeObject, WatchEvent } from '../api/meta.js';
import type { ResourceInfo } from '../api/resources.js';
import { fromStatus, isStatusError, type Status } from '../api/errors.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';

export interface ReflectorSink<T extends KubeObject> {
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export interface ReflectorOptions {
  api: ApiClient;
  resource: ResourceInfo;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock: Clock;
  log: Logger;
  backoff?: BackoffOptions;
  /** Items per list request (0 = one request). Default 500, as client-go's pager. */
  pageSize?: number;
}

type WatchEnd = { kind: 'stopped' } | { kind: 'expired'; err: Error } | { kind: 'failed'; err: Error };

function isTooOld(err: unknown): boolean {
  return isStatusError(err, 'Expired') || isStatusError(err, 'Gone') || (isStatusError(err) && err.code === 410);
}

export class Reflector<T extends KubeObject> {
  private rv = '';
  private failures = 0;
  /** Expired watches in a row with no event in between: a second one in a row backs off. */
  private expiredStreak = 0;

  constructor(
    private readonly opts: ReflectorOptions,
    private readonly sink: ReflectorSink<T>,
  ) {}

  /** The last resourceVersion seen (from a list, an event or a bookmark); '' before the first list. */
  get lastResourceVersion(): string {
    return this.rv;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { log } = this.opts;
    let needList = true;
    while (!signal.aborted) {
      if (needList) {
        try {
          await this.listAndReplace();
          needList = false;
          this.failures = 0;
        } catch (err) {
          if (signal.aborted) break;
          log.warn({ err: (err as Error).message }, 'list failed; backing off');
          await this.backoff(signal);
          continue;
        }
      }
      const end = await this.watch(signal);
      if (end.kind === 'stopped') break;
      if (end.kind === 'expired') {
        log.info({ rv: this.rv, reason: end.err.message }, 'watch history expired; relisting');
        needList = true;
        if (++this.expiredStreak > 1) await this.backoff(signal);
      } else {
        log.warn({ rv: this.rv, err: end.err.message }, 'watch failed; re-watching after back-off');
        await this.backoff(signal);
      }
    }
  }

  private async listAndReplace(): Promise<void> {
    const { api, resource, namespace, labelSelector, fieldSelector } = this.opts;
    const pageSize = this.opts.pageSize ?? 500;
    const items: T[] = [];
    let rv = '';
    let cont: string | undefined;
    do {
      const page = await api.list<T>(resource, namespace, { labelSelector, fieldSelector, limit: pageSize || undefined, continue: cont });
      if (!cont) rv = page.metadata.resourceVersion ?? '';
      items.push(...page.items);
      cont = page.metadata.continue || undefined;
    } while (cont);
    this.rv = rv;
    this.sink.replace(items, rv);
  }

  private watch(signal: AbortSignal): Promise<WatchEnd> {
    const { api, resource, namespace, labelSelector, fieldSelector } = this.opts;
    return new Promise<WatchEnd>((resolve) => {
      let ended = false;
      let handle: ApiWatch | undefined;
      const finish = (end: WatchEnd): void => {
        if (ended) return;
        ended = true;
        signal.removeEventListener('abort', onAbort);
        handle?.stop().catch(() => undefined);
        resolve(end);
      };
      const fail = (err: Error): void => finish(isTooOld(err) ? { kind: 'expired', err } : { kind: 'failed', err });
      const onAbort = (): void => finish({ kind: 'stopped' });
      signal.addEventListener('abort', onAbort, { once: true });
      const onEvent = (ev: WatchEvent<T>): void => {
        if (ended) return;
        if (ev.type === 'ERROR') return fail(fromStatus(ev.object as unknown as Status));
        this.failures = 0;
        this.expiredStreak = 0;
        const rv = ev.object?.metadata?.resourceVersion;
        if (ev.type === 'ADDED') this.sink.add(ev.object);
        else if (ev.type === 'MODIFIED') this.sink.update(ev.object);
        else if (ev.type === 'DELETED') this.sink.delete(ev.object);
        if (rv) this.rv = rv;
      };
      api
        .watch<T>(resource, namespace, { resourceVersion: this.rv, labelSelector, fieldSelector, allowWatchBookmarks: true }, { onEvent, onError: fail })
        .then(
          (h) => {
            handle = h;
            if (ended) h.stop().catch(() => undefined);
          },
          (err: Error) => fail(err),
        );
      if (signal.aborted) onAbort();
    });
  }

  private async backoff(signal: AbortSignal): Promise<void> {
    const initial = this.opts.backoff?.initialMs ?? 800;
    const max = this.opts.backoff?.maxMs ?? 30_000;
    const ms = Math.min(max, initial * 2 ** this.failures);
    this.failures++;
    await this.opts.clock.sleep(ms, signal).catch(() => undefined);
  }
}
