/**
 * REST paths of the Kubernetes API, built from the resource table (clients build them; the
 * api-server parses them with the same rules).
 *
 * `/api/v1/namespaces/{ns}/pods/{name}/status`, `/apis/apps/v1/deployments`, …
 *
 * Imports only ./resources.
 */
import type { ResourceInfo } from './resources.js';

export function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** Path of a collection (`name` omitted) or of one object, optionally of its subresource. */
export function resourcePath(r: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(r.group, r.version);
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
