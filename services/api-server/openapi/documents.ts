/**
 * The OpenAPI v3 documents kube-apiserver serves, built from the resource table and the schema
 * registry: one document per served group-version (`api/v1`, `apis/apps/v1`, …) and the root
 * index (`/openapi/v3`) pointing at each with a `?hash=` that changes exactly when the document
 * does.
 *
 * A group-version document holds the paths of its resources (./operations.ts) and, under
 * `components.schemas`, every definition those paths reach — kinds, lists, subresource kinds such
 * as autoscaling/v1 Scale, DeleteOptions — followed through references to the leaves, with the
 * apimachinery scalar definitions (Time, Quantity, IntOrString, …). Keys are sorted, so the bytes
 * (and the hash, a SHA-512 as kube-openapi computes its ETags) are the same on every build.
 *
 * Built once per process and kept serialised; nothing here depends on request or time.
 */
import { createHash } from 'node:crypto';
import { servedGroups } from '../../../shared/api/resources.js';
import { definitions } from '../../../shared/api/schema/registry.js';
import { refName, referencedNames, scalarDefinitions, toOpenApiDefinition, type OpenApiSchema } from './schema-objects.js';
import { pathsForGroupVersion, type OpenApiPathItem } from './operations.js';

export interface OpenApiDocument {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, OpenApiPathItem>;
  components: { schemas: Record<string, OpenApiSchema> };
}

export interface GroupVersionDocument {
  /** The root index key and URL tail: `api/v1`, `apis/apps/v1`. */
  key: string;
  group: string;
  version: string;
  /** The document, serialised once. */
  body: string;
  /** Uppercase hex SHA-512 of `body`. */
  hash: string;
}

export interface OpenApiDocuments {
  /** The serialised root index: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`. */
  root: string;
  rootHash: string;
  byKey: ReadonlyMap<string, GroupVersionDocument>;
}

export function groupVersionKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function digest(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function collectRefs(item: unknown, into: Set<string>): void {
  if (Array.isArray(item)) {
    for (const x of item) collectRefs(x, into);
  } else if (item && typeof item === 'object') {
    const ref = (item as { $ref?: unknown }).$ref;
    const name = typeof ref === 'string' ? refName(ref) : undefined;
    if (name) into.add(name);
    for (const v of Object.values(item)) collectRefs(v, into);
  }
}

/** Every definition reachable from `start`, converted; throws on a name no definition has (a schema bug). */
function reachableSchemas(start: Iterable<string>): Record<string, OpenApiSchema> {
  const scalars = scalarDefinitions();
  const out = new Map<string, OpenApiSchema>();
  const pending = [...start];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (out.has(name)) continue;
    const def = definitions.get(name);
    const schema = def ? toOpenApiDefinition(def) : scalars.get(name);
    if (!schema) throw new Error(`openapi: no definition named ${name}`);
    out.set(name, schema);
    for (const next of referencedNames(schema)) if (!out.has(next)) pending.push(next);
  }
  return sortedRecord(out);
}

/** The OpenAPI v3 document of one group-version. */
export function buildGroupVersionDocument(group: string, version: string): OpenApiDocument {
  const paths = pathsForGroupVersion(group, version);
  const roots = new Set<string>();
  collectRefs(paths, roots);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: sortedRecord(Object.entries(paths)),
    components: { schemas: reachableSchemas(roots) },
  };
}

/** Every served group-version's document and the root index over them. */
export function buildOpenApiDocuments(): OpenApiDocuments {
  const byKey = new Map<string, GroupVersionDocument>();
  for (const g of servedGroups()) {
    for (const version of g.versions) {
      const key = groupVersionKey(g.group, version);
      const body = JSON.stringify(buildGroupVersionDocument(g.group, version));
      byKey.set(key, { key, group: g.group, version, body, hash: digest(body) });
    }
  }
  const index = { paths: Object.fromEntries([...byKey.values()].map((d) => [d.key, { serverRelativeURL: serverRelativeUrl(d) }])) };
  const root = JSON.stringify(index);
  return { root, rootHash: digest(root), byKey };
}

/** Where a group-version document is fetched, with the hash that makes the URL immutable. */
export function serverRelativeUrl(d: Pick<GroupVersionDocument, 'key' | 'hash'>): string {
  return `/openapi/v3/${d.key}?hash=${d.hash}`;
}
