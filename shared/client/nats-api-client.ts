/**
 * `ApiClient` over NATS: what every in-cluster component uses to talk to the api-server.
 *
 * Requests are `ApiRequest`s on `subjects.api.rpc()`; a non-2xx answer is thrown as the same
 * StatusError kubectl would have seen. Watches ride the push channel (./watch-channel.ts): they
 * resume by themselves from the last resourceVersion after a gap, an api-server restart or a NATS
 * reconnect; only a 410 (too old) reaches `onError`, and the caller (the reflector) relists. A
 * watch asked for without a resourceVersion lists first and replays the list as ADDED events —
 * exactly what an HTTP watch without resourceVersion gives.
 */
import { fromStatus, type Status } from '../api/errors.js';
import type { KubeList, KubeObject, WatchEvent } from '../api/meta.js';
import { resourcePath } from '../api/paths.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Bus } from '../nats/connection.js';
import { subjects } from '../nats/subjects.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import {
  PATCH_CONTENT_TYPES,
  type ApiClient,
  type ApiRequest,
  type ApiResponse,
  type ApiWatch,
  type DeleteOptions,
  type ListOptions,
  type PatchType,
  type WatchHandlers,
  type WatchOptions,
} from './api.js';
import { WatchChannelClient } from './watch-channel.js';

export interface NatsApiClientOptions {
  /** Names this client in logs and in the api-server's view (e.g. `kubelet/node-1`). */
  userAgent: string;
  clock: Clock;
  log?: Logger;
  timeoutMs?: number;
}

function query(o: Record<string, string | number | boolean | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = String(v);
  return out;
}

export class NatsApiClient implements ApiClient {
  private readonly channel: WatchChannelClient<WatchEvent>;

  constructor(
    private readonly bus: Bus,
    private readonly opts: NatsApiClientOptions,
  ) {
    const clientId = `${opts.userAgent.replace(/[^A-Za-z0-9_-]/g, '_')}-${Math.random().toString(36).slice(2, 8)}`;
    this.channel = new WatchChannelClient<WatchEvent>({
      bus,
      clock: opts.clock,
      log: opts.log,
      requestTimeoutMs: opts.timeoutMs,
      revisionOf: (e) => Number(e.object?.metadata?.resourceVersion ?? 0),
      subjects: {
        create: subjects.api.watchControl('create'),
        keepalive: subjects.api.watchControl('keepalive'),
        cancel: subjects.api.watchControl('cancel'),
        hello: subjects.api.hello(),
        deliver: (localId) => subjects.api.watchDelivery(clientId, localId),
      },
    });
  }

  async request(req: ApiRequest): Promise<ApiResponse> {
    const res = await this.bus.request<ApiResponse>(subjects.api.rpc(), { ...req, userAgent: this.opts.userAgent }, { timeoutMs: this.opts.timeoutMs });
    if (res.code >= 300) throw fromStatus(res.body as Status);
    return res;
  }

  async get<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string, subresource?: string): Promise<T> {
    return (await this.request({ method: 'GET', path: resourcePath(r, ns, name, subresource) })).body as T;
  }

  async list<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, o: ListOptions = {}): Promise<KubeList<T>> {
    const q = query({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue, resourceVersion: o.resourceVersion });
    return (await this.request({ method: 'GET', path: resourcePath(r, ns), query: q })).body as KubeList<T>;
  }

  async create<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, obj: unknown, subresource?: string, name?: string): Promise<T> {
    const path = subresource ? resourcePath(r, ns, name, subresource) : resourcePath(r, ns);
    return (await this.request({ method: 'POST', path, body: obj, contentType: 'application/json' })).body as T;
  }

  async update<T extends KubeObject = KubeObject>(r: ResourceInfo, obj: T, subresource?: string): Promise<T> {
    const path = resourcePath(r, obj.metadata.namespace, obj.metadata.name, subresource);
    return (await this.request({ method: 'PUT', path, body: obj, contentType: 'application/json' })).body as T;
  }

  async patch<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string, type: PatchType, patch: unknown, subresource?: string): Promise<T> {
    const path = resourcePath(r, ns, name, subresource);
    return (await this.request({ method: 'PATCH', path, body: patch, contentType: PATCH_CONTENT_TYPES[type] })).body as T;
  }

  async delete(r: ResourceInfo, ns: string | undefined, name: string, o: DeleteOptions = {}): Promise<KubeObject | Status> {
    return (await this.request({ method: 'DELETE', path: resourcePath(r, ns, name), body: o, contentType: 'application/json' })).body as KubeObject;
  }

  async watch<T extends KubeObject = KubeObject>(r: ResourceInfo, ns: string | undefined, o: WatchOptions, h: WatchHandlers<T>): Promise<ApiWatch> {
    let rv = o.resourceVersion;
    if (!rv || rv === '0') {
      const list = await this.list<T>(r, ns, { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector });
      for (const item of list.items) h.onEvent({ type: 'ADDED', object: { ...item, apiVersion: list.apiVersion, kind: r.kind } as T });
      rv = list.metadata.resourceVersion ?? '0';
    }
    const params = { path: resourcePath(r, ns), query: query({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector }) };
    const w = await this.channel.open(params, Number(rv) + 1, {
      onEvents: (events) => {
        for (const e of events) h.onEvent(e as WatchEvent<T>);
      },
      onProgress: (rev) => {
        if (o.allowWatchBookmarks) h.onEvent({ type: 'BOOKMARK', object: { kind: r.kind, metadata: { resourceVersion: String(rev) } } as T });
      },
      onError: (err) => h.onError(err),
    });
    return { stop: () => w.cancel() };
  }

  async close(): Promise<void> {
    await this.channel.close();
  }
}
