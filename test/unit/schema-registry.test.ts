/**
 * The schema registry is complete and consistent: every served kind has a root, every reference
 * resolves, every field is described, and the list merge facts strategic merge patch relies on
 * are the ones Kubernetes 1.32 declares.
 */
import { describe, expect, it } from 'vitest';
import { RESOURCES, servedGroups } from '../../shared/api/resources.js';
import { definition, definitions, rootsMissing, schemaForApiVersion, schemaForKind } from '../../shared/api/schema/registry.js';
import { fieldSchema, isMap, isPrimitiveList, listInfo, patchStrategyAt, shapeAt, definitionAt } from '../../shared/api/schema/merge-keys.js';
import type { ObjectDef, Schema } from '../../shared/api/schema/dsl.js';

function nested(s: Schema): Schema[] {
  if (s.type === 'list') return [s.items, ...nested(s.items)];
  if (s.type === 'map') return [s.values, ...nested(s.values)];
  return [];
}

function allSchemas(d: ObjectDef): { field: string; schema: Schema }[] {
  return Object.entries(d.properties).flatMap(([field, schema]) => [schema, ...nested(schema)].map((s) => ({ field, schema: s })));
}

const pod = (): ObjectDef => schemaForKind('', 'v1', 'Pod')!;
const deployment = (): ObjectDef => schemaForKind('apps', 'v1', 'Deployment')!;

describe('schema registry', () => {
  it('has a root definition, with apiVersion, kind and metadata, for every row of the resource table', () => {
    expect(rootsMissing()).toEqual([]);
    for (const r of RESOURCES) {
      const root = schemaForKind(r.group, r.version, r.kind);
      expect(root, `${r.group}/${r.version}/${r.kind}`).toBeDefined();
      expect(root!.gvk).toContainEqual({ group: r.group, version: r.version, kind: r.kind });
      expect(Object.keys(root!.properties).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
    }
  });

  it('derives a List definition for every served kind', () => {
    for (const r of RESOURCES) {
      const l = schemaForKind(r.group, r.version, r.listKind);
      expect(l, r.listKind).toBeDefined();
      const items = l!.properties.items;
      expect(items?.type).toBe('list');
      expect(items?.type === 'list' && items.items.type === 'ref' && items.items.name).toBe(schemaForKind(r.group, r.version, r.kind)!.name);
      expect(l!.properties.metadata).toMatchObject({ type: 'ref', name: 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' });
    }
  });

  it('uses the real Kubernetes definition names', () => {
    expect(pod().name).toBe('io.k8s.api.core.v1.Pod');
    expect(deployment().name).toBe('io.k8s.api.apps.v1.Deployment');
    expect(schemaForKind('coordination.k8s.io', 'v1', 'Lease')!.name).toBe('io.k8s.api.coordination.v1.Lease');
    expect(schemaForKind('discovery.k8s.io', 'v1', 'EndpointSlice')!.name).toBe('io.k8s.api.discovery.v1.EndpointSlice');
    expect(schemaForKind('autoscaling', 'v1', 'Scale')!.name).toBe('io.k8s.api.autoscaling.v1.Scale');
    expect(schemaForKind('autoscaling', 'v2', 'HorizontalPodAutoscaler')!.name).toBe('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler');
    expect(schemaForKind('autoscaling', 'v1', 'HorizontalPodAutoscaler')!.name).toBe('io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler');
    expect(schemaForKind('', 'v1', 'Binding')!.name).toBe('io.k8s.api.core.v1.Binding');
    expect(schemaForApiVersion('apps/v1', 'ReplicaSet')!.name).toBe('io.k8s.api.apps.v1.ReplicaSet');
    expect(schemaForApiVersion('v1', 'Nope')).toBeUndefined();
    expect(() => definition('io.k8s.api.core.v1.Nope')).toThrow(/no definition/);
  });

  it('resolves every reference', () => {
    const unresolved: string[] = [];
    for (const d of definitions.values()) {
      for (const { field, schema } of allSchemas(d)) {
        if (schema.type === 'ref' && !definitions.has(schema.name)) unresolved.push(`${d.name}.${field} → ${schema.name}`);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('describes every definition and every field in words', () => {
    const bare: string[] = [];
    for (const d of definitions.values()) {
      if (d.description.trim().length < 8) bare.push(d.name);
      for (const [field, s] of Object.entries(d.properties)) if (s.description.trim().length < 8) bare.push(`${d.name}.${field}`);
    }
    expect(bare).toEqual([]);
  });

  it('lists only existing fields as required', () => {
    for (const d of definitions.values()) for (const r of d.required) expect(Object.keys(d.properties), `${d.name} requires ${r}`).toContain(r);
  });

  it('registers DeleteOptions and WatchEvent for every served group version', () => {
    for (const g of servedGroups()) {
      for (const v of g.versions) {
        expect(schemaForKind(g.group, v, 'DeleteOptions')?.name).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
        expect(schemaForKind(g.group, v, 'WatchEvent')?.name).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent');
      }
    }
  });

  it('carries every Kubernetes 1.32 field of the common types, so pruning never drops a legitimate one', () => {
    const fields = (name: string): string[] => Object.keys(definition(name).properties).sort();
    expect(fields('io.k8s.api.core.v1.PodSpec')).toEqual(
      [
        'activeDeadlineSeconds', 'affinity', 'automountServiceAccountToken', 'containers', 'dnsConfig', 'dnsPolicy',
        'enableServiceLinks', 'ephemeralContainers', 'hostAliases', 'hostIPC', 'hostNetwork', 'hostPID', 'hostUsers',
        'hostname', 'imagePullSecrets', 'initContainers', 'nodeName', 'nodeSelector', 'os', 'overhead',
        'preemptionPolicy', 'priority', 'priorityClassName', 'readinessGates', 'resourceClaims', 'resources',
        'restartPolicy', 'runtimeClassName', 'schedulerName', 'schedulingGates', 'securityContext', 'serviceAccount',
        'serviceAccountName', 'setHostnameAsFQDN', 'shareProcessNamespace', 'subdomain', 'terminationGracePeriodSeconds',
        'tolerations', 'topologySpreadConstraints', 'volumes',
      ].sort(),
    );
    expect(fields('io.k8s.api.core.v1.Container')).toEqual(
      [
        'args', 'command', 'env', 'envFrom', 'image', 'imagePullPolicy', 'lifecycle', 'livenessProbe', 'name', 'ports',
        'readinessProbe', 'resizePolicy', 'resources', 'restartPolicy', 'securityContext', 'startupProbe', 'stdin',
        'stdinOnce', 'terminationMessagePath', 'terminationMessagePolicy', 'tty', 'volumeDevices', 'volumeMounts', 'workingDir',
      ].sort(),
    );
    expect(fields('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')).toEqual(
      [
        'annotations', 'creationTimestamp', 'deletionGracePeriodSeconds', 'deletionTimestamp', 'finalizers', 'generateName',
        'generation', 'labels', 'managedFields', 'name', 'namespace', 'ownerReferences', 'resourceVersion', 'selfLink', 'uid',
      ].sort(),
    );
    expect(fields('io.k8s.api.core.v1.Probe')).toEqual(
      ['exec', 'failureThreshold', 'grpc', 'httpGet', 'initialDelaySeconds', 'periodSeconds', 'successThreshold', 'tcpSocket', 'terminationGracePeriodSeconds', 'timeoutSeconds'].sort(),
    );
    // Volume: the name plus all 30 sources Kubernetes 1.32 accepts.
    expect(fields('io.k8s.api.core.v1.Volume')).toHaveLength(31);
    expect(fields('io.k8s.api.core.v1.Volume')).toEqual(expect.arrayContaining(['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim', 'downwardAPI', 'projected', 'nfs', 'image']));
    expect(fields('io.k8s.api.core.v1.ServiceSpec')).toHaveLength(20);
    expect(fields('io.k8s.api.core.v1.NodeStatus')).toHaveLength(13);
  });
});

describe('merge keys', () => {
  it('merges containers, env, volumes, imagePullSecrets by name and ports by containerPort', () => {
    expect(listInfo(pod(), ['spec', 'containers'])).toMatchObject({ mergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] });
    expect(listInfo(pod(), ['spec', 'initContainers'])).toMatchObject({ mergeKey: 'name', patchStrategy: 'merge' });
    expect(listInfo(pod(), ['spec', 'containers', 'ports'])).toMatchObject({
      mergeKey: 'containerPort',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
    });
    expect(listInfo(pod(), ['spec', 'containers', 'env'])).toMatchObject({ mergeKey: 'name', patchStrategy: 'merge' });
    expect(listInfo(pod(), ['spec', 'volumes'])).toMatchObject({ mergeKey: 'name', patchStrategy: 'merge,retainKeys' });
    expect(listInfo(pod(), ['spec', 'imagePullSecrets'])).toMatchObject({ mergeKey: 'name', patchStrategy: 'merge' });
    expect(listInfo(pod(), ['spec', 'containers', 'ports'])!.itemDefinition!.name).toBe('io.k8s.api.core.v1.ContainerPort');
  });

  it('merges volumeMounts by mountPath', () => {
    expect(listInfo(pod(), ['spec', 'containers', 'volumeMounts'])).toMatchObject({ mergeKey: 'mountPath', patchStrategy: 'merge' });
  });

  it('treats lists without a merge key as atomic (tolerations, args, taints, endpoint subsets)', () => {
    const tolerations = listInfo(pod(), ['spec', 'tolerations'])!;
    expect(tolerations.mergeKey).toBeUndefined();
    expect(tolerations.patchStrategy).toBeUndefined();
    expect(tolerations.listType).toBe('atomic');
    expect(listInfo(pod(), ['spec', 'containers', 'args'])).toMatchObject({ listType: 'atomic' });
    expect(listInfo(schemaForKind('', 'v1', 'Node')!, ['spec', 'taints'])).toMatchObject({ listType: 'atomic' });
    expect(listInfo(schemaForKind('', 'v1', 'Endpoints')!, ['subsets'])).toMatchObject({ listType: 'atomic' });
  });

  it('finds lists nested in templates, status and metadata', () => {
    expect(listInfo(deployment(), ['spec', 'template', 'spec', 'containers'])).toMatchObject({ mergeKey: 'name' });
    expect(listInfo(schemaForKind('', 'v1', 'ReplicationController')!, ['spec', 'template', 'spec', 'containers', 'ports'])).toMatchObject({
      mergeKey: 'containerPort',
    });
    expect(listInfo(pod(), ['status', 'conditions'])).toMatchObject({ mergeKey: 'type', patchStrategy: 'merge' });
    expect(listInfo(pod(), ['metadata', 'ownerReferences'])).toMatchObject({ mergeKey: 'uid', patchStrategy: 'merge' });
    expect(listInfo(pod(), ['metadata', 'finalizers'])).toMatchObject({ patchStrategy: 'merge', listType: 'set' });
    expect(listInfo(schemaForKind('', 'v1', 'Service')!, ['spec', 'ports'])).toMatchObject({ mergeKey: 'port', listMapKeys: ['port', 'protocol'] });
    expect(listInfo(schemaForKind('', 'v1', 'Node')!, ['status', 'addresses'])).toMatchObject({ mergeKey: 'type' });
  });

  it('reports retainKeys on the deployment strategy', () => {
    expect(patchStrategyAt(deployment(), ['spec', 'strategy'])).toBe('retainKeys');
    expect(patchStrategyAt(deployment(), ['spec', 'replicas'])).toBeUndefined();
  });

  it('tells maps, primitive lists, objects and scalars apart', () => {
    expect(isMap(pod(), ['metadata', 'labels'])).toBe(true);
    expect(isMap(pod(), ['spec', 'nodeSelector'])).toBe(true);
    expect(isMap(pod(), ['spec', 'containers', 'resources', 'limits'])).toBe(true);
    expect(isMap(pod(), ['spec'])).toBe(false);
    expect(isPrimitiveList(pod(), ['spec', 'containers', 'command'])).toBe(true);
    expect(isPrimitiveList(pod(), ['metadata', 'finalizers'])).toBe(true);
    expect(isPrimitiveList(pod(), ['spec', 'containers'])).toBe(false);
    expect(shapeAt(pod(), [])).toBe('object');
    expect(shapeAt(pod(), ['spec', 'containers', 'livenessProbe'])).toBe('object');
    expect(shapeAt(pod(), ['spec', 'containers', 'image'])).toBe('primitive');
    expect(shapeAt(pod(), ['metadata', 'managedFields', 'fieldsV1'])).toBe('free-form');
    expect(fieldSchema(pod(), ['metadata', 'labels', 'app'])).toMatchObject({ type: 'string' });
    expect(definitionAt(pod(), ['spec', 'containers'])!.name).toBe('io.k8s.api.core.v1.Container');
  });

  it('answers undefined for paths the schema does not know', () => {
    expect(listInfo(pod(), ['spec', 'nope'])).toBeUndefined();
    expect(listInfo(pod(), ['spec', 'containers', 'image', 'deeper'])).toBeUndefined();
    expect(shapeAt(pod(), ['spec', 'Containers'])).toBeUndefined();
    expect(listInfo(pod(), ['spec', 'hostname'])).toBeUndefined();
  });
});
