/**
 * One client's connection to the fake api-server (test/support/fake-api.ts): the same store, seen
 * through a link that a test can cut. While `down`, every call fails with 503 ServiceUnavailable
 * and the connection's open watches end with that error, as when a component loses the bus; the
 * store itself (and other connections) carry on. Setting `down = false` restores the link; watches
 * are not re-opened by themselves (that is the informer's job).
 */
import type { ApiClient, ApiRequest, ApiResponse, ApiWatch, DeleteOptions, ListOptions, PatchType, WatchHandlers, WatchOptions } from '../../shared/client/api.js';
import type { KubeList, KubeObject } from '../../shared/api/meta.js';
import type { ResourceInfo } from '../../shared/api/resources.js';
import { serviceUnavailable, type Status } from '../../shared/api/errors.js';

export class FakeConnection implements ApiClient {
  private isDown = false;
  private readonly open = new Set<{ watch: ApiWatch; onError(err: Error): void }>();

  constructor(private readonly api: ApiClient) {}

  get down(): boolean {
    return this.isDown;
  }

  set down(value: boolean) {
    this.isDown = value;
    if (!value) return;
    for (const w of [...this.open]) {
      this.open.delete(w);
      void w.watch.stop();
      w.onError(serviceUnavailable('connection to the api-server lost'));
    }
  }

  private async via<T>(fn: () => Promise<T>): Promise<T> {
    if (this.isDown) throw serviceUnavailable('connection to the api-server lost');
    const result = await fn();
    if (this.isDown) throw serviceUnavailable('connection to the api-server lost');
    return result;
  }

  get<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string, sub?: string): Promise<T> {
    return this.via(() => this.api.get<T>(r, ns, name, sub));
  }

  list<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, opts?: ListOptions): Promise<KubeList<T>> {
    return this.via(() => this.api.list<T>(r, ns, opts));
  }

  create<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, obj: unknown, sub?: string, name?: string): Promise<T> {
    return this.via(() => this.api.create<T>(r, ns, obj, sub, name));
  }

  update<T extends KubeObject = KubeObject>(r: ResourceInfo, obj: T, sub?: string): Promise<T> {
    return this.via(() => this.api.update<T>(r, obj, sub));
  }

  patch<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string, type: PatchType, patch: unknown, sub?: string): Promise<T> {
    return this.via(() => this.api.patch<T>(r, ns, name, type, patch, sub));
  }

  delete(r: ResourceInfo, ns: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | Status> {
    return this.via(() => this.api.delete(r, ns, name, opts));
  }

  async watch<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, opts: WatchOptions, handlers: WatchHandlers<T>): Promise<ApiWatch> {
    let stopped = false;
    const entry = { watch: { stop: async () => void (stopped = true) } as ApiWatch, onError: (err: Error) => handlers.onError(err) };
    // Registered before the inner watch exists: its first events may arrive before it is returned.
    this.open.add(entry);
    let inner: ApiWatch;
    try {
      inner = await this.via(() =>
        this.api.watch<T>(r, ns, opts, {
          onEvent: (e) => this.open.has(entry) && handlers.onEvent(e),
          onError: (err) => {
            if (this.open.delete(entry)) handlers.onError(err);
          },
        }),
      );
    } catch (err) {
      this.open.delete(entry);
      throw err;
    }
    if (stopped) await inner.stop();
    entry.watch = inner;
    return {
      stop: async () => {
        this.open.delete(entry);
        await inner.stop();
      },
    };
  }

  request(req: ApiRequest): Promise<ApiResponse> {
    return this.via(() => this.api.request(req));
  }

  async close(): Promise<void> {
    for (const w of [...this.open]) await w.watch.stop();
    this.open.clear();
  }
}
