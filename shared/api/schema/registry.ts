/**
 * The schema registry: every named definition by its Kubernetes definition name, and the root
 * definition of each kind in the resource table.
 *
 * Invariants (held by test/unit/schema-registry.test.ts):
 * - names are unique and every `ref` resolves;
 * - every row of RESOURCES has a root definition carrying its group/version/kind, and a
 *   `<Kind>List` definition is derived for it here (ListMeta + items), so lists never need
 *   writing by hand;
 * - DeleteOptions and WatchEvent carry one GVK per served group version, as kube-apiserver's
 *   OpenAPI does.
 *
 * Pure data; imports only shared/api modules.
 */
import { RESOURCES, apiVersionOf, servedGroups } from '../resources.js';
import { API_VERSION_DESC, KIND_DESC, LIST_META, gvk, list, obj, ref, string, type GroupVersionKind, type ObjectDef } from './dsl.js';
import { metaDefinitions } from './meta.js';
import { podDefinitions } from './core-pod.js';
import { containerDefinitions } from './core-container.js';
import { probeDefinitions } from './core-probe.js';
import { securityDefinitions } from './core-security.js';
import { schedulingDefinitions } from './core-scheduling.js';
import { volumeDefinitions } from './core-volume.js';
import { legacyVolumeDefinitions } from './core-volume-legacy.js';
import { nodeDefinitions } from './core-node.js';
import { serviceDefinitions } from './core-service.js';
import { objectDefinitions } from './core-objects.js';
import { appsDefinitions } from './apps.js';
import { coordinationDefinitions } from './coordination.js';
import { discoveryDefinitions } from './discovery.js';
import { autoscalingDefinitions } from './autoscaling.js';
import { metricsDefinitions } from './metrics.js';
import { policyDefinitions } from './policy.js';

const handWritten: readonly ObjectDef[] = [
  ...metaDefinitions,
  ...podDefinitions,
  ...containerDefinitions,
  ...probeDefinitions,
  ...securityDefinitions,
  ...schedulingDefinitions,
  ...volumeDefinitions,
  ...legacyVolumeDefinitions,
  ...nodeDefinitions,
  ...serviceDefinitions,
  ...objectDefinitions,
  ...appsDefinitions,
  ...coordinationDefinitions,
  ...discoveryDefinitions,
  ...autoscalingDefinitions,
  ...metricsDefinitions,
  ...policyDefinitions,
];

function gvkKey(g: GroupVersionKind): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

/** The `<Kind>List` definition of a root, as kube-apiserver publishes it. */
function listDefinitionOf(root: ObjectDef, kind: GroupVersionKind, listKind: string, plural: string): ObjectDef {
  return obj(
    `${root.name}List`,
    `A list of ${kind.kind} objects.`,
    {
      apiVersion: string(API_VERSION_DESC),
      kind: string(KIND_DESC),
      metadata: ref(LIST_META, 'Standard list metadata: the collection resourceVersion and the continue token.'),
      items: list(ref(root.name), `The ${plural}.`),
    },
    { required: ['items'], gvk: gvk(kind.group, kind.version, listKind) },
  );
}

/** Shared option kinds are registered once per served group version. */
function withServedVersions(def: ObjectDef): ObjectDef {
  const kind = def.gvk[0]?.kind;
  if (!kind) return def;
  const all = servedGroups().flatMap((g) => g.versions.map((v) => gvk(g.group, v, kind)));
  const seen = new Set(def.gvk.map(gvkKey));
  return { ...def, gvk: [...def.gvk, ...all.filter((g) => !seen.has(gvkKey(g)))] };
}

function build(): { byName: Map<string, ObjectDef>; byKind: Map<string, ObjectDef> } {
  const byName = new Map<string, ObjectDef>();
  const add = (d: ObjectDef): void => {
    if (byName.has(d.name)) throw new Error(`schema: duplicate definition ${d.name}`);
    byName.set(d.name, d);
  };
  for (const d of handWritten) {
    const shared = d.name.endsWith('.DeleteOptions') || d.name.endsWith('.WatchEvent');
    add(shared ? withServedVersions(d) : d);
  }
  const byKind = new Map<string, ObjectDef>();
  for (const d of byName.values()) for (const g of d.gvk) if (!byKind.has(gvkKey(g))) byKind.set(gvkKey(g), d);
  for (const r of RESOURCES) {
    const root = byKind.get(gvkKey(r));
    if (!root) continue; // reported by rootsMissing(); a missing schema must not crash a process at import
    const l = listDefinitionOf(root, r, r.listKind, r.plural);
    if (!byName.has(l.name)) {
      add(l);
      byKind.set(gvkKey(l.gvk[0]!), l);
    }
  }
  return { byName, byKind };
}

const built = build();

/** Every definition, by its Kubernetes definition name (`io.k8s.api.core.v1.PodSpec`). */
export const definitions: ReadonlyMap<string, ObjectDef> = built.byName;

/** The root definition of a kind (or list kind), or undefined when kubemu has no schema for it. */
export function schemaForKind(group: string, version: string, kind: string): ObjectDef | undefined {
  return built.byKind.get(`${group}/${version}/${kind}`);
}

/** Same, from an `apiVersion` string (`apps/v1`, `v1`). */
export function schemaForApiVersion(apiVersion: string, kind: string): ObjectDef | undefined {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? schemaForKind('', apiVersion, kind) : schemaForKind(apiVersion.slice(0, i), apiVersion.slice(i + 1), kind);
}

/** A definition by name; throws for a name no definition has (a bug in the schema files). */
export function definition(name: string): ObjectDef {
  const d = built.byName.get(name);
  if (!d) throw new Error(`schema: no definition named ${name}`);
  return d;
}

/** Rows of the resource table that have no root definition (empty when the registry is complete). */
export function rootsMissing(): string[] {
  return RESOURCES.filter((r) => !schemaForKind(r.group, r.version, r.kind)).map((r) => `${apiVersionOf(r)}/${r.kind}`);
}
