/**
 * The API as a transport-neutral application: `handle(ApiRequest) → ApiResponse` for everything
 * that answers once, `watch(ApiRequest, sink)` for watches. The HTTP server and the NATS adapter are
 * thin shells around it, so kubectl and in-cluster components get identical behaviour.
 *
 * Every failure becomes a Kubernetes Status response; nothing a client sends can throw past here.
 */
import { unknownPath, methodNotAllowed } from '../../shared/api/errors.js';
import type { ApiRequest, ApiResponse } from '../../shared/client/api.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { ResourceInfo } from '../../shared/api/resources.js';
import type { Registry } from './registry/registry.js';
import type { WatchCache } from './watch-cache.js';
import { parsePath, type Route } from './routes.js';
import { errorResponse, isWatchRequest, ok, watchOptions } from './request.js';
import { handleResource, defaultPatchers, type PatchApplier, type ResourceTarget, type SubresourceHandler } from './resource-handler.js';
import { startWatch, type ActiveWatch, type WatchSink } from './watch.js';
import { AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.js';
import { createOpenApiHandler } from './openapi/handler.js';
import { answerAsTable, checkTableRequest } from './table/serve.js';

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kubemu',
  gitCommit: 'kubemu',
  gitTreeState: 'clean',
  buildDate: '2026-11-25T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface ApiDeps {
  registry: Registry;
  cache: WatchCache;
  clock: Clock;
  log: Logger;
  /** host:port clients reach us at (legacy discovery reports it). */
  serverAddress: string;
  bookmarkIntervalMs?: number;
  /** Extra readiness condition for /readyz (e.g. system objects in place). */
  ready?: () => boolean;
}

/** Answers every request on a resource that is computed rather than stored (metrics.k8s.io). */
export type ResourceProvider = (req: ApiRequest, target: ResourceTarget) => Promise<ApiResponse>;

export interface Api {
  handle(req: ApiRequest): Promise<ApiResponse>;
  isWatch(req: ApiRequest): boolean;
  /** Starts a watch; throws a StatusError (answer it as an error) before anything is streamed. */
  watch(req: ApiRequest, sink: WatchSink): Promise<ActiveWatch>;
  /** Lets modules add subresources (`pods/log`, `deployments/scale`, …) and patch formats. */
  registerSubresource(key: string, handler: SubresourceHandler): void;
  registerPatch(mediaType: string, applier: PatchApplier): void;
  /** Lets a module serve a whole resource of the table that is not stored (verbs still checked by it). */
  registerProvider(resource: ResourceInfo, provider: ResourceProvider): void;
}

export function createApi(deps: ApiDeps): Api {
  const subresources = new Map<string, SubresourceHandler>();
  const providers = new Map<ResourceInfo, ResourceProvider>();
  const patchers = defaultPatchers();
  const resourceDeps = { registry: deps.registry, cache: deps.cache, clock: deps.clock, subresources, patchers };
  const openapi = createOpenApiHandler({ clock: deps.clock, version: VERSION_INFO.gitVersion });

  async function dispatch(req: ApiRequest, route: Route): Promise<ApiResponse> {
    switch (route.type) {
      case 'version':
        return ok(VERSION_INFO);
      case 'health':
        if (route.check === 'readyz' && (!deps.cache.isReady || deps.ready?.() === false)) {
          return { code: 500, body: 'not ready: the watch cache or the system objects are not in place yet', contentType: 'text/plain' };
        }
        return { code: 200, body: 'ok', contentType: 'text/plain' };
      case 'discovery':
        if (req.method !== 'GET') throw methodNotAllowed();
        if (route.what === 'api' || route.what === 'apis') {
          if (wantsAggregated(req.accept)) return { code: 200, body: aggregatedDiscovery(route.what === 'api'), contentType: AGGREGATED_CONTENT_TYPE };
          return ok(route.what === 'api' ? apiVersions(deps.serverAddress) : apiGroupList());
        }
        if (route.what === 'group') return ok(apiGroupDoc(route.group!) ?? {});
        return ok(apiResourceList(route.group ?? '', route.version!));
      case 'openapi':
        return openapi.handle(req, route.path);
      case 'resource': {
        const provider = providers.get(route.resource);
        return answerAsTable(req, provider ? await provider(req, route) : await handleResource(resourceDeps, req, route), deps.clock);
      }
      default:
        throw unknownPath();
    }
  }

  return {
    async handle(req) {
      try {
        return await dispatch(req, parsePath(req.path));
      } catch (err) {
        const res = errorResponse(err);
        if (res.code >= 500) deps.log.error({ err, method: req.method, path: req.path }, 'request failed');
        return res;
      }
    },
    isWatch(req) {
      return isWatchRequest(req) && parsePath(req.path).type === 'resource';
    },
    async watch(req, sink) {
      const route = parsePath(req.path);
      checkTableRequest(req);
      if (route.type !== 'resource' || route.subresource !== undefined) throw unknownPath();
      if (!route.resource.verbs.includes('watch')) throw methodNotAllowed();
      const opts = watchOptions(req);
      // The deprecated single-object watch (`…/pods/x?watch=true`) is a watch on metadata.name.
      if (route.name !== undefined) opts.fieldSelector = [opts.fieldSelector, `metadata.name=${route.name}`].filter(Boolean).join(',');
      return startWatch({ cache: deps.cache, registry: deps.registry, clock: deps.clock, bookmarkIntervalMs: deps.bookmarkIntervalMs }, route.resource, route.namespace, opts, sink);
    },
    registerSubresource(key, handler) {
      subresources.set(key, handler);
    },
    registerPatch(mediaType, applier) {
      patchers.set(mediaType, applier);
    },
    registerProvider(resource, provider) {
      providers.set(resource, provider);
    },
  };
}
