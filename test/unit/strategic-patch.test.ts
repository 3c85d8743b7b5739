/**
 * Strategic merge patch behaves as kube-apiserver applies it: maps merge, lists merge on their
 * merge key (or as a union of scalars) or are replaced, and the directives kubectl sends
 * ($patch, $retainKeys, $setElementOrder, $deleteFromPrimitiveList) do what they do in
 * Kubernetes. The patch bodies are the ones kubectl sends (research/kubectl-protocol.md §5).
 */
import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../shared/api/errors.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceFor } from '../../shared/api/resources.js';
import { schemaForKind } from '../../shared/api/schema/registry.js';
import { obj, preserveUnknown, string, type ObjectDef } from '../../shared/api/schema/dsl.js';
import { applyStrategicPatch, strategicMergePatch } from '../../services/api-server/patch/strategic.js';

type Json = any;

const POD = schemaForKind('', 'v1', 'Pod')!;
const DEPLOYMENT = schemaForKind('apps', 'v1', 'Deployment')!;
const SERVICE = schemaForKind('', 'v1', 'Service')!;
const CONFIGMAP = schemaForKind('', 'v1', 'ConfigMap')!;

function kubiaManual(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kubia-manual', namespace: 'default', labels: { creation_method: 'manual' }, annotations: { note: 'x' } },
    spec: {
      containers: [
        {
          name: 'kubia',
          image: 'luksa/kubia',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          volumeMounts: [{ name: 'data', mountPath: '/var/data' }],
          args: ['--one', '--two'],
        },
        { name: 'sidecar', image: 'busybox', args: ['sleep', '3600'] },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      restartPolicy: 'Always',
    },
  };
}

function deployment(): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'kubia', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'kubia' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia:v1' }] } },
    },
  };
}

function names(list: Json[]): string[] {
  return list.map((i) => i.name);
}

function badRequestOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isStatusError(err, 'BadRequest')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a BadRequest');
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('strategic merge patch: maps and plain fields', () => {
  it('merges maps recursively and deletes keys set to null', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { metadata: { labels: { env: 'prod', creation_method: null }, annotations: { extra: 'y' } } });
    expect(out.metadata.labels).toEqual({ env: 'prod' });
    expect(out.metadata.annotations).toEqual({ note: 'x', extra: 'y' });
    expect(out.spec).toEqual(kubiaManual().spec);
  });

  it('drops a null for a key the original does not have instead of storing it', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { spec: { nodeSelector: { disk: null, zone: 'a' }, hostname: null } });
    expect(out.spec.nodeSelector).toEqual({ zone: 'a' });
    expect('hostname' in out.spec).toBe(false);
  });

  it('refuses a patch that is not a JSON object with a 400', () => {
    for (const p of [[{ op: 'add' }], 'x', 3, null]) expect(badRequestOf(() => strategicMergePatch(POD, kubiaManual(), p))).toContain('must be a JSON object');
  });

  it('never mutates the original or the patch', () => {
    const original = deepFreeze(kubiaManual());
    const patch = deepFreeze({ metadata: { labels: { $patch: 'replace', a: '1' } }, spec: { containers: [{ name: 'kubia', image: 'v2', env: [{ name: 'A', $patch: 'delete' }] }] } });
    const out: Json = strategicMergePatch(POD, original, patch);
    expect(out.spec.containers[0].env).toEqual([{ name: 'B', value: '2' }]);
    expect(original).toEqual(kubiaManual());
    expect(patch.spec.containers[0].env[0]).toEqual({ name: 'A', $patch: 'delete' });
    expect(patch.metadata.labels).toEqual({ $patch: 'replace', a: '1' });
  });

  it('uses plain JSON merge patch where the schema knows nothing (free-form and unknown fields)', () => {
    const root: ObjectDef = obj('test.Blob', 'A test kind.', { name: string('n'), blob: preserveUnknown('free') });
    const out: Json = strategicMergePatch(root, { name: 'a', blob: { keep: 1, gone: 2, list: [1, 2] }, extra: { x: [1] } }, { blob: { gone: null, list: [3], $patch: 'kept-as-data' }, extra: { x: [2], y: null } });
    expect(out).toEqual({ name: 'a', blob: { keep: 1, list: [3], $patch: 'kept-as-data' }, extra: { x: [2] } });
  });
});

describe('strategic merge patch: lists merged by key', () => {
  it('merges containers by name, as `kubectl set image` sends it', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { spec: { containers: [{ image: 'luksa/kubia:v2', name: 'kubia' }] } });
    expect(names(out.spec.containers)).toEqual(['kubia', 'sidecar']);
    expect(out.spec.containers[0]).toEqual({ ...kubiaManual().spec.containers[0], image: 'luksa/kubia:v2' });
    expect(out.spec.containers[1]).toEqual(kubiaManual().spec.containers[1]);
  });

  it('puts an item the patch adds before the items it does not name, as Kubernetes orders it', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { spec: { containers: [{ name: 'extra', image: 'nginx' }] } });
    expect(names(out.spec.containers)).toEqual(['extra', 'kubia', 'sidecar']);
    expect(out.spec.containers[0]).toEqual({ name: 'extra', image: 'nginx' });
  });

  it('keeps the patch order for the items it names and the server order for the others', () => {
    const original = { spec: { containers: [{ name: 'a' }, { name: 'b', image: 'b' }, { name: 'c' }] } };
    const out: Json = strategicMergePatch(POD, original, { spec: { containers: [{ name: 'c', image: 'c' }, { name: 'a', image: 'a' }] } });
    expect(out.spec.containers).toEqual([{ name: 'b', image: 'b' }, { name: 'c', image: 'c' }, { name: 'a', image: 'a' }]);
  });

  it('refuses a list item without its merge key with a 400 naming the key', () => {
    const msg = badRequestOf(() => strategicMergePatch(POD, kubiaManual(), { spec: { containers: [{ image: 'luksa/kubia:v2' }] } }));
    expect(msg).toContain('spec.containers');
    expect(msg).toContain('merge key "name"');
    expect(badRequestOf(() => strategicMergePatch(POD, kubiaManual(), { spec: { containers: ['kubia'] } }))).toContain('objects merged by "name"');
  });

  it('merges env by name: changes one, adds one, deletes one with $patch: delete', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), {
      spec: { containers: [{ name: 'kubia', env: [{ name: 'B', value: '22' }, { name: 'C', value: '3' }, { name: 'A', $patch: 'delete' }] }] },
    });
    expect(out.spec.containers[0].env).toEqual([
      { name: 'B', value: '22' },
      { name: 'C', value: '3' },
    ]);
  });

  it('merges nested volumeMounts by mountPath inside the container merged by name', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), {
      spec: { containers: [{ name: 'kubia', volumeMounts: [{ mountPath: '/var/data', readOnly: true }, { name: 'cfg', mountPath: '/etc/cfg' }] }] },
    });
    expect(out.spec.containers[0].volumeMounts).toEqual([
      { name: 'data', mountPath: '/var/data', readOnly: true },
      { name: 'cfg', mountPath: '/etc/cfg' },
    ]);
    expect(out.spec.containers[0].image).toBe('luksa/kubia');
  });

  it('merges service ports by port', () => {
    const svc = { spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }], selector: { app: 'kubia' } } };
    const out: Json = strategicMergePatch(SERVICE, svc, { spec: { ports: [{ port: 443, targetPort: 9443 }] } });
    expect(out.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 9443 }]);
  });

  it('applies the exact `kubectl apply` patch: $setElementOrder, a new port and $patch: delete of the old one', () => {
    const lastApplied =
      '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"env":"prod"},"name":"kubia-manual","namespace":"default"},"spec":{"containers":[{"image":"luksa/kubia","name":"kubia","ports":[{"containerPort":8081,"protocol":"TCP"}]}]}}\n';
    const body = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied }, labels: { env: 'prod' } },
      spec: {
        '$setElementOrder/containers': [{ name: 'kubia' }],
        containers: [
          {
            '$setElementOrder/ports': [{ containerPort: 8081 }],
            name: 'kubia',
            ports: [{ containerPort: 8081, protocol: 'TCP' }, { $patch: 'delete', containerPort: 8080 }],
          },
        ],
      },
    };
    const original = { ...kubiaManual(), spec: { containers: [{ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } };
    const out: Json = strategicMergePatch(POD, original, body);
    expect(out.metadata.labels).toEqual({ creation_method: 'manual', env: 'prod' });
    expect(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(lastApplied);
    expect(out.spec.containers).toEqual([{ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8081, protocol: 'TCP' }] }]);
    expect(JSON.stringify(out)).not.toContain('$');
  });

  it('replaces lists without a merge strategy: tolerations (atomic) and args', () => {
    const t = { key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' };
    const out: Json = strategicMergePatch(POD, kubiaManual(), { spec: { tolerations: [t], containers: [{ name: 'kubia', args: ['--three'] }] } });
    expect(out.spec.tolerations).toEqual([t]);
    expect(out.spec.containers[0].args).toEqual(['--three']);
    const marked: Json = strategicMergePatch(POD, kubiaManual(), { spec: { tolerations: [{ $patch: 'merge', ...t }, { $patch: 'replace' }, { $patch: 'merge' }] } });
    expect(marked.spec.tolerations).toEqual([t]);
  });

  it('treats an empty patch list for a merged list as no change', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { spec: { containers: [] } });
    expect(out.spec.containers).toEqual(kubiaManual().spec.containers);
  });
});

describe('strategic merge patch: lists of scalars', () => {
  it('unions finalizers (patch strategy merge) without duplicates', () => {
    const original = { metadata: { name: 'cm', finalizers: ['example.com/a', 'example.com/b'] } };
    const out: Json = strategicMergePatch(CONFIGMAP, original, { metadata: { finalizers: ['example.com/b', 'example.com/c'] } });
    expect(out.metadata.finalizers).toEqual(['example.com/a', 'example.com/b', 'example.com/c']);
  });

  it('removes values with $deleteFromPrimitiveList and leaves a missing list missing', () => {
    const original = { metadata: { name: 'cm', finalizers: ['example.com/a', 'example.com/b', 'example.com/c'] } };
    const out: Json = strategicMergePatch(CONFIGMAP, original, { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/b', 'example.com/zzz'] } });
    expect(out.metadata.finalizers).toEqual(['example.com/a', 'example.com/c']);
    const none: Json = strategicMergePatch(CONFIGMAP, { metadata: { name: 'cm' } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a'] } });
    expect('finalizers' in none.metadata).toBe(false);
    expect(badRequestOf(() => strategicMergePatch(CONFIGMAP, original, { metadata: { '$deleteFromPrimitiveList/finalizers': 'example.com/a' } }))).toContain('must be a list');
  });

  it('orders a scalar list by $setElementOrder', () => {
    const original = { metadata: { name: 'cm', finalizers: ['a.io/1', 'a.io/2', 'a.io/3'] } };
    const out: Json = strategicMergePatch(CONFIGMAP, original, { metadata: { '$setElementOrder/finalizers': ['a.io/3', 'a.io/1', 'a.io/2'] } });
    expect(out.metadata.finalizers).toEqual(['a.io/3', 'a.io/1', 'a.io/2']);
  });
});

describe('strategic merge patch: $setElementOrder', () => {
  const three = () => ({ spec: { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }] } });

  it('sets the final order of a merged list without changing its items', () => {
    const out: Json = strategicMergePatch(POD, three(), { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } });
    expect(out.spec.containers).toEqual([{ name: 'c', image: 'c' }, { name: 'a', image: 'a' }, { name: 'b', image: 'b' }]);
  });

  it('places a new item where the order says', () => {
    const out: Json = strategicMergePatch(POD, three(), {
      spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'n' }, { name: 'b' }, { name: 'c' }], containers: [{ name: 'n', image: 'n' }] },
    });
    expect(names(out.spec.containers)).toEqual(['a', 'n', 'b', 'c']);
  });

  it('keeps items the order does not name in their server place relative to the named ones', () => {
    const original = { spec: { containers: ['a', 'b', 'x', 'c', 'd'].map((name) => ({ name })) } };
    const out: Json = strategicMergePatch(POD, original, { spec: { '$setElementOrder/containers': ['b', 'a', 'd', 'c'].map((name) => ({ name })) } });
    expect(names(out.spec.containers)).toEqual(['b', 'a', 'x', 'd', 'c']);
    const last = { spec: { containers: ['a', 'b', 'c', 'x'].map((name) => ({ name })) } };
    const out2: Json = strategicMergePatch(POD, last, { spec: { '$setElementOrder/containers': ['c', 'b', 'a'].map((name) => ({ name })) } });
    expect(names(out2.spec.containers)).toEqual(['c', 'b', 'a', 'x']);
  });

  it('ignores names in the order that the list does not have, and drops deleted items', () => {
    const out: Json = strategicMergePatch(POD, three(), {
      spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'ghost' }, { name: 'a' }], containers: [{ name: 'b', $patch: 'delete' }] },
    });
    expect(names(out.spec.containers)).toEqual(['c', 'a']);
  });

  it('refuses a patch list whose order disagrees with the directive', () => {
    const msg = badRequestOf(() =>
      strategicMergePatch(POD, three(), { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }], containers: [{ name: 'c', image: 'x' }, { name: 'a', image: 'y' }] } }),
    );
    expect(msg).toContain('$setElementOrder/containers');
    expect(badRequestOf(() => strategicMergePatch(POD, three(), { spec: { '$setElementOrder/containers': [{ image: 'a' }] } }))).toContain('merge key "name"');
    expect(badRequestOf(() => strategicMergePatch(POD, three(), { spec: { '$setElementOrder/restartPolicy': ['x'] } }))).toContain('not a list');
  });
});

describe('strategic merge patch: $retainKeys', () => {
  it('switches a deployment strategy from RollingUpdate to Recreate, clearing rollingUpdate', () => {
    const out: Json = strategicMergePatch(DEPLOYMENT, deployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    const implicit: Json = strategicMergePatch(DEPLOYMENT, deployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    expect(implicit.spec.strategy).toEqual({ type: 'Recreate' });
    expect(implicit.spec.replicas).toBe(3);
  });

  it('merges a plain patch of the strategy without the directive (rollingUpdate stays)', () => {
    const out: Json = strategicMergePatch(DEPLOYMENT, deployment(), { spec: { strategy: { type: 'Recreate' } } });
    expect(out.spec.strategy).toEqual({ type: 'Recreate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  });

  it('switches a volume source inside the volumes list', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { spec: { volumes: [{ $retainKeys: ['configMap', 'name'], name: 'data', configMap: { name: 'cfg' } }] } });
    expect(out.spec.volumes).toEqual([{ name: 'data', configMap: { name: 'cfg' } }]);
  });

  it('refuses a patch key the list does not retain, and a malformed list', () => {
    expect(badRequestOf(() => strategicMergePatch(DEPLOYMENT, deployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }))).toContain(
      '"rollingUpdate"',
    );
    expect(badRequestOf(() => strategicMergePatch(DEPLOYMENT, deployment(), { spec: { strategy: { $retainKeys: 'type' } } }))).toContain('$retainKeys');
  });
});

describe('strategic merge patch: $patch directives', () => {
  it('replaces a map with $patch: replace', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { metadata: { labels: { $patch: 'replace', app: 'kubia' } } });
    expect(out.metadata.labels).toEqual({ app: 'kubia' });
  });

  it('replaces a whole merged list with a $patch: replace item', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { spec: { containers: [{ name: 'only', image: 'nginx' }, { $patch: 'replace' }] } });
    expect(out.spec.containers).toEqual([{ name: 'only', image: 'nginx' }]);
  });

  it('empties a map with $patch: delete, and adds nothing where there was no map', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { metadata: { annotations: { $patch: 'delete' } }, spec: { nodeSelector: { $patch: 'delete' } } });
    expect(out.metadata.annotations).toEqual({});
    expect('nodeSelector' in out.spec).toBe(false);
  });

  it('deletes every item with the key from a merged list', () => {
    const original = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'a', image: 'dup' }] } };
    const out: Json = strategicMergePatch(POD, original, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } });
    expect(out.spec.containers).toEqual([{ name: 'b' }]);
  });

  it('accepts $patch: merge on a map and on a list item as the default behaviour', () => {
    const out: Json = strategicMergePatch(POD, kubiaManual(), { metadata: { labels: { $patch: 'merge', x: '1' } }, spec: { containers: [{ name: 'kubia', image: 'v3', $patch: 'merge' }] } });
    expect(out.metadata.labels).toEqual({ creation_method: 'manual', x: '1' });
    expect(out.spec.containers[0].image).toBe('v3');
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 8080, protocol: 'TCP' }]);
  });

  it('applies directives inside a value the original does not have yet instead of storing them', () => {
    const original = { spec: { containers: [{ name: 'kubia', image: 'i' }] } };
    const out: Json = strategicMergePatch(POD, original, {
      spec: {
        containers: [
          {
            name: 'extra',
            '$setElementOrder/ports': [{ containerPort: 2 }, { containerPort: 1 }],
            ports: [{ containerPort: 2 }, { containerPort: 1 }],
            env: [{ name: 'X', $patch: 'delete' }, { name: 'Y', value: '1' }],
            resources: { $patch: 'replace', limits: { cpu: '1' } },
          },
        ],
      },
    });
    expect(out.spec.containers[0]).toEqual({ name: 'extra', ports: [{ containerPort: 2 }, { containerPort: 1 }], env: [{ name: 'Y', value: '1' }], resources: { limits: { cpu: '1' } } });
    expect(JSON.stringify(out)).not.toContain('$');
  });

  it('refuses unknown directives with a 400 that says where', () => {
    expect(badRequestOf(() => strategicMergePatch(POD, kubiaManual(), { spec: { $patch: 'frobnicate' } }))).toMatch(/spec: unknown \$patch directive "frobnicate"/);
    expect(badRequestOf(() => strategicMergePatch(POD, kubiaManual(), { spec: { containers: [{ name: 'kubia', $patch: 'nope' }] } }))).toContain('"nope"');
    expect(badRequestOf(() => strategicMergePatch(POD, kubiaManual(), { metadata: { $frob: 1 } }))).toContain('unknown directive "$frob"');
  });
});

describe('applyStrategicPatch', () => {
  it('uses the schema of the resource kind', () => {
    const out: Json = applyStrategicPatch(resourceFor('', 'v1', 'pods')!, kubiaManual() as KubeObject, { spec: { containers: [{ name: 'kubia', image: 'v9' }] } });
    expect(names(out.spec.containers)).toEqual(['kubia', 'sidecar']);
  });

  it('falls back to JSON merge patch for a kind without a schema', () => {
    const r = { ...resourceFor('', 'v1', 'pods')!, group: 'example.com', kind: 'Widget' };
    const out: Json = applyStrategicPatch(r, { spec: { items: [{ name: 'a' }, { name: 'b' }], keep: 1 } } as unknown as KubeObject, { spec: { items: [{ name: 'c' }] } });
    expect(out.spec).toEqual({ items: [{ name: 'c' }], keep: 1 });
    expect(badRequestOf(() => applyStrategicPatch(r, {} as KubeObject, []))).toContain('JSON object');
  });
});
