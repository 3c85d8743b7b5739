/**
 * URL path → what is being asked for, by the rules of the Kubernetes REST API:
 *
 *   /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
 *   /apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
 *
 * `/api/v1/namespaces/{name}` is the namespace object itself (with `/status`, `/finalize`).
 * Discovery and health paths are recognised here too, so the dispatcher has one switch.
 * An unknown group, version or resource is a `notFound` result, never an exception.
 */
import { resourceFor, servedGroups, type ResourceInfo } from '../../shared/api/resources.js';

export type Route =
  | { type: 'resource'; resource: ResourceInfo; namespace?: string; name?: string; subresource?: string }
  | { type: 'discovery'; what: 'api' | 'apis' | 'group' | 'groupVersion'; group?: string; version?: string }
  | { type: 'version' }
  | { type: 'health'; check: 'healthz' | 'livez' | 'readyz' }
  | { type: 'openapi'; path: string }
  | { type: 'other'; path: string }
  | { type: 'notFound' };

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parsePath(path: string): Route {
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeSegment);
  if (parts.length === 0) return { type: 'other', path };
  const [head] = parts;
  if (head === 'version' && parts.length === 1) return { type: 'version' };
  if ((head === 'healthz' || head === 'livez' || head === 'readyz') && parts.length >= 1) return { type: 'health', check: head };
  if (head === 'openapi') return { type: 'openapi', path: '/' + parts.join('/') };

  let group: string;
  let rest: string[];
  if (head === 'api') {
    if (parts.length === 1) return { type: 'discovery', what: 'api' };
    group = '';
    rest = parts.slice(1);
  } else if (head === 'apis') {
    if (parts.length === 1) return { type: 'discovery', what: 'apis' };
    group = parts[1];
    if (!servedGroups().some((g) => g.group === group)) return { type: 'notFound' };
    if (parts.length === 2) return { type: 'discovery', what: 'group', group };
    rest = parts.slice(2);
  } else {
    return { type: 'other', path };
  }

  const version = rest[0];
  if (!servedGroups().some((g) => g.group === group && g.versions.includes(version))) return { type: 'notFound' };
  if (rest.length === 1) return { type: 'discovery', what: 'groupVersion', group, version };

  let namespace: string | undefined;
  let tail = rest.slice(1);
  // /namespaces/{ns}/{resource}… is a namespaced path; /namespaces[/{name}[/sub]] is the Namespace kind.
  const namespaceSubresource = group === '' && tail.length === 3 && (tail[2] === 'status' || tail[2] === 'finalize');
  if (tail[0] === 'namespaces' && tail.length >= 3 && !namespaceSubresource) {
    namespace = tail[1];
    tail = tail.slice(2);
  }
  const [plural, name, subresource, ...extra] = tail;
  const resource = resourceFor(group, version, plural);
  if (!resource || extra.length > 0) return { type: 'notFound' };
  if (namespace !== undefined && !resource.namespaced) return { type: 'notFound' };
  if (subresource !== undefined && !resource.subresources.some((s) => s.name === subresource)) return { type: 'notFound' };
  if (namespace === '' || name === '') return { type: 'notFound' };
  return { type: 'resource', resource, namespace, name, subresource };
}
