/**
 * The contract between in-cluster components and the api-server: an HTTP-shaped request carried
 * over NATS, and the typed `ApiClient` every component (informers, controllers, kubelet, scheduler)
 * programs against.
 *
 * The api-server answers HTTP and NATS with the same handler: an `ApiRequest` is what an HTTP
 * request becomes once read (method, path, query, content type, body), so components get exactly
 * the semantics kubectl gets: same paths, same Status errors, same watch events.
 *
 * Watches over NATS: the component asks the api-server to push a watch's events to a subject it
 * chose; events arrive numbered, and a gap, an api-server restart or a lost keepalive re-creates
 * the watch from the last resourceVersion seen (see ./watch-channel.ts).
 */
import type { KubeList, KubeObject, WatchEvent } from '../api/meta.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Status } from '../api/errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: HttpMethod;
  /** URL path, e.g. `/api/v1/namespaces/default/pods/kubia`. */
  path: string;
  query?: Record<string, string | string[]>;
  /** Media type of `body` (`application/json` when absent). */
  contentType?: string;
  accept?: string;
  /** A parsed JSON value, or raw text (YAML, patches) as sent over HTTP. */
  body?: unknown;
  /** Who is asking (a component name); used in logs and `managedFields`. */
  userAgent?: string;
}

export interface ApiResponse {
  code: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this resourceVersion; absent → the current state as ADDED events, then changes. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface WatchHandlers<T extends KubeObject = KubeObject> {
  onEvent(event: WatchEvent<T>): void;
  /** The watch ended with an error it cannot recover from by itself (e.g. 410 Expired). */
  onError(err: Error): void;
}

export interface ApiWatch {
  stop(): Promise<void>;
}

export interface ApiClient {
  get<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, name: string, subresource?: string): Promise<T>;
  list<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, opts?: ListOptions): Promise<KubeList<T>>;
  create<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, obj: unknown, subresource?: string, name?: string): Promise<T>;
  /** PUT of the whole object (or of its `status` / `scale` subresource). */
  update<T extends KubeObject = KubeObject>(r: ResourceInfo, obj: T, subresource?: string): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    r: ResourceInfo,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    subresource?: string,
  ): Promise<T>;
  delete(r: ResourceInfo, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | Status>;
  watch<T extends KubeObject = KubeObject>(
    r: ResourceInfo,
    namespace: string | undefined,
    opts: WatchOptions,
    handlers: WatchHandlers<T>,
  ): Promise<ApiWatch>;
  /** Any request, for what the typed methods do not cover. Non-2xx answers throw StatusError. */
  request(req: ApiRequest): Promise<ApiResponse>;
  close(): Promise<void>;
}
