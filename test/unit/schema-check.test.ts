/**
 * The decoder check behaves like kube-apiserver's JSON decoder: well-formed manifests pass
 * untouched, wrong types are reported with Go's paths and wording, unknown fields are listed and
 * pruned, free-form content is kept, nulls dropped, and the custom scalars (IntOrString,
 * Quantity, Time, MicroTime, base64 bytes) accept and refuse what Kubernetes does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../shared/api/errors.js';
import { schemaForApiVersion, schemaForKind } from '../../shared/api/schema/registry.js';
import {
  checkObject,
  decodeFailure,
  formatTypeError,
  primaryTypeError,
  typeErrorMessage,
  unknownFieldMessage,
  unknownFieldWarnings,
  type CheckResult,
} from '../../shared/api/schema/check.js';
import { obj, ref, string, preserveUnknown, type ObjectDef } from '../../shared/api/schema/dsl.js';

const pod = (): ObjectDef => schemaForKind('', 'v1', 'Pod')!;

/** kubia-manual.yaml from the study notes, with every field a real cluster would add on top. */
function kubiaManual(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'kubia-manual',
      namespace: 'default',
      uid: '5c1b3d2e-0000-4000-8000-000000000001',
      resourceVersion: '42',
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { creation_method: 'manual', env: 'prod' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1"}\n' },
      managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"kubia"}': { '.': {} } } } } }],
    },
    spec: {
      containers: [
        {
          image: 'luksa/kubia',
          name: 'kubia',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: 134217728 }, limits: { cpu: 1, memory: '128Mi' } },
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }],
          livenessProbe: { httpGet: { path: '/', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 15, periodSeconds: 10 },
          readinessProbe: { tcpSocket: { port: 'http' } },
          volumeMounts: [{ name: 'data', mountPath: '/var/data' }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'Always',
        },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: 'node-1',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:05Z' }],
      hostIP: '127.0.1.1',
      hostIPs: [{ ip: '127.0.1.1' }],
      podIP: '127.1.0.5',
      podIPs: [{ ip: '127.1.0.5' }],
      startTime: '2024-05-01T10:00:01Z',
      containerStatuses: [
        {
          name: 'kubia',
          state: { running: { startedAt: '2024-05-01T10:00:03Z' } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'luksa/kubia:latest',
          imageID: 'kubemu://luksa/kubia',
          containerID: 'kubemu://abc',
          started: true,
        },
      ],
      qosClass: 'Burstable',
    },
  };
}

function messageOf(r: CheckResult, kind = 'Pod', apiVersion = 'v1'): string {
  return formatTypeError(kind, apiVersion, primaryTypeError(r.typeErrors)!);
}

describe('checkObject: well-formed objects', () => {
  it('passes a full kubia-manual pod through untouched', () => {
    const input = kubiaManual();
    const withoutNulls = structuredClone(input);
    delete ((withoutNulls.status as { conditions: Record<string, unknown>[] }).conditions[0] as Record<string, unknown>).lastProbeTime;
    const r = checkObject(pod(), input, { unknownFields: 'Strict' });
    expect(r.typeErrors).toEqual([]);
    expect(r.unknown).toEqual([]);
    expect(r.value).toEqual(withoutNulls);
    expect(decodeFailure('Pod', 'v1', r, 'Strict')).toBeUndefined();
  });

  it('parses every kprobe sample manifest clean (js-yaml CORE_SCHEMA)', () => {
    const dir = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));
    // `*-unknown-field.yaml` carries an unknown field on purpose (the strict-validation e2e test).
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.includes('unknown-field'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const docs = yaml.loadAll(readFileSync(path.join(dir, f), 'utf8'), undefined, { schema: yaml.CORE_SCHEMA }) as Record<string, unknown>[];
      for (const doc of docs) {
        const root = schemaForApiVersion(String(doc.apiVersion), String(doc.kind));
        expect(root, `${f}: ${String(doc.apiVersion)}/${String(doc.kind)}`).toBeDefined();
        const r = checkObject(root!, doc, { unknownFields: 'Strict' });
        expect({ file: f, unknown: r.unknown, typeErrors: r.typeErrors }).toEqual({ file: f, unknown: [], typeErrors: [] });
        expect(r.value).toEqual(doc);
      }
    }
  });

  it('keeps free-form content (managedFields.fieldsV1) whole and does not mutate its input', () => {
    const input = kubiaManual();
    const before = structuredClone(input);
    const r = checkObject(pod(), input);
    const meta = (r.value as { metadata: { managedFields: { fieldsV1: unknown }[] } }).metadata;
    expect(meta.managedFields[0]!.fieldsV1).toEqual({ 'f:spec': { 'f:containers': { 'k:{"name":"kubia"}': { '.': {} } } } });
    expect(input).toEqual(before);
    expect(r.value).not.toBe(input);
  });
});

describe('checkObject: type errors', () => {
  it('reports a string where containerPort needs an int32, in kube-apiserver words', () => {
    const input = kubiaManual();
    (input.spec as any).containers[0].ports[0].containerPort = '8080';
    const r = checkObject(pod(), input);
    expect(r.typeErrors).toEqual([
      {
        path: 'spec.containers[0].ports[0].containerPort',
        expected: 'int32',
        got: 'string',
        struct: 'ContainerPort',
        field: 'spec.containers.ports.containerPort',
      },
    ]);
    expect(messageOf(r)).toBe(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    );
    const failure = decodeFailure('Pod', 'v1', r, 'Ignore');
    expect(isStatusError(failure, 'BadRequest')).toBe(true);
    expect(failure!.code).toBe(400);
  });

  it('names the Go struct and type of objects, lists and maps of the wrong kind', () => {
    expect(messageOf(checkObject(pod(), { spec: 'x' }))).toMatch(/cannot unmarshal string into Go struct field Pod\.spec of type v1\.PodSpec$/);
    expect(messageOf(checkObject(pod(), { spec: { containers: {} } }))).toMatch(
      /cannot unmarshal object into Go struct field PodSpec\.spec\.containers of type \[\]v1\.Container$/,
    );
    expect(messageOf(checkObject(pod(), { spec: { containers: ['kubia'] } }))).toMatch(
      /cannot unmarshal string into Go struct field PodSpec\.spec\.containers of type v1\.Container$/,
    );
    expect(messageOf(checkObject(pod(), { metadata: { labels: { app: 1 } } }))).toMatch(
      /cannot unmarshal number into Go struct field ObjectMeta\.metadata\.labels of type string$/,
    );
    expect(messageOf(checkObject(pod(), { metadata: { labels: ['a'] } }))).toMatch(
      /cannot unmarshal array into Go struct field ObjectMeta\.metadata\.labels of type map\[string\]string$/,
    );
    expect(messageOf(checkObject(pod(), { spec: { containers: [{ name: 'a', command: ['sh', 1] }] } }))).toMatch(
      /cannot unmarshal number into Go struct field Container\.spec\.containers\.command of type string$/,
    );
    expect(messageOf(checkObject(pod(), { spec: { containers: [{ name: 'a', resources: { limits: [] } }] } }))).toMatch(
      /of type v1\.ResourceList$/,
    );
    expect(messageOf(checkObject(pod(), { spec: { hostNetwork: 'yes' } }))).toMatch(/cannot unmarshal string into Go struct field PodSpec\.spec\.hostNetwork of type bool$/);
  });

  it('refuses non-integers and out-of-range numbers where Go wants an integer', () => {
    const rs = schemaForKind('apps', 'v1', 'Deployment')!;
    const r = checkObject(rs, { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1.5 } });
    expect(r.typeErrors[0]).toMatchObject({ path: 'spec.replicas', got: 'number 1.5', expected: 'int32' });
    expect(messageOf(r, 'Deployment', 'apps/v1')).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    expect(checkObject(rs, { spec: { replicas: 3000000000 } }).typeErrors[0]).toMatchObject({ got: 'number 3000000000', expected: 'int32' });
    expect(checkObject(pod(), { spec: { terminationGracePeriodSeconds: 3000000000 } }).typeErrors).toEqual([]);
  });

  it('reports errors at several depths with full paths, and drops the bad values', () => {
    const dep = schemaForKind('apps', 'v1', 'Deployment')!;
    const r = checkObject(dep, {
      spec: {
        selector: { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'a', operator: 'In', values: [true] }] },
        template: { spec: { containers: [{ name: 'x', image: 'i' }, { name: 'y', livenessProbe: { httpGet: { port: 8080, httpHeaders: [{ name: 'a', value: 2 }] } } }] } },
      },
    });
    expect(r.typeErrors.map((e) => [e.path, e.struct, e.field])).toEqual([
      ['spec.selector.matchExpressions[0].values[0]', 'LabelSelectorRequirement', 'spec.selector.matchExpressions.values'],
      ['spec.template.spec.containers[1].livenessProbe.httpGet.httpHeaders[0].value', 'HTTPHeader', 'spec.template.spec.containers.livenessProbe.httpGet.httpHeaders.value'],
    ]);
    const value = r.value as any;
    expect(value.spec.selector.matchExpressions[0].values).toEqual([]);
    expect(value.spec.template.spec.containers[1].livenessProbe.httpGet.httpHeaders[0]).toEqual({ name: 'a' });
  });

  it('reports a root that is not an object as a Go value error', () => {
    const r = checkObject(pod(), [1, 2]);
    expect(typeErrorMessage(r.typeErrors[0]!)).toBe('json: cannot unmarshal array into Go value of type v1.Pod');
  });

  it('reports the error that stops Go first: custom decoders win over earlier plain type errors', () => {
    const r = checkObject(pod(), { metadata: { labels: { a: 1 } }, spec: { containers: [{ name: 'a', ports: [], livenessProbe: { tcpSocket: { port: true } } }] } });
    expect(r.typeErrors).toHaveLength(2);
    expect(primaryTypeError(r.typeErrors)).toMatchObject({ path: 'spec.containers[0].livenessProbe.tcpSocket.port', expected: 'int32', got: 'bool' });
  });
});

describe('checkObject: unknown fields', () => {
  const withUnknown = (): Record<string, unknown> => {
    const input = kubiaManual();
    input.extra = 1;
    (input.spec as any).foo = 'x';
    (input.spec as any).containers[0].bar = { deep: true };
    (input.spec as any).containers[0].livenessProbe.httpGet.initialDelaySeconds = 5;
    (input.metadata as any).Labels = {};
    return input;
  };
  const expected = [
    'metadata.Labels',
    'spec.containers[0].livenessProbe.httpGet.initialDelaySeconds',
    'spec.containers[0].bar',
    'spec.foo',
    'extra',
  ];

  it('lists unknown fields under Strict with the strict decoder paths, and prunes them', () => {
    const r = checkObject(pod(), withUnknown(), { unknownFields: 'Strict' });
    expect(r.unknown).toEqual(expected);
    expect(r.typeErrors).toEqual([]);
    const value = r.value as any;
    expect(value.extra).toBeUndefined();
    expect(value.spec.foo).toBeUndefined();
    expect(value.spec.containers[0].bar).toBeUndefined();
    expect(value.spec.containers[0].livenessProbe.httpGet).toEqual({ path: '/', port: 8080, scheme: 'HTTP' });
    expect(value.metadata.Labels).toBeUndefined();
    expect(value.spec.containers[0].image).toBe('luksa/kubia');
  });

  it("words strict decoding failures as kube-apiserver does", () => {
    expect(unknownFieldMessage(['spec.foo', 'spec.bar'])).toBe('strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
    expect(unknownFieldWarnings(['spec.foo'])).toEqual(['unknown field "spec.foo"']);
    const r = checkObject(pod(), withUnknown(), { unknownFields: 'Strict' });
    const failure = decodeFailure('Pod', 'v1', r, 'Strict');
    expect(failure?.code).toBe(400);
    expect(failure?.message).toBe(
      `Pod in version "v1" cannot be handled as a Pod: strict decoding error: ${expected.map((p) => `unknown field "${p}"`).join(', ')}`,
    );
  });

  it('collects but does not fail under Warn, and neither collects nor fails under Ignore (pruning either way)', () => {
    const warn = checkObject(pod(), withUnknown(), { unknownFields: 'Warn' });
    expect(warn.unknown).toEqual(expected);
    expect(decodeFailure('Pod', 'v1', warn, 'Warn')).toBeUndefined();
    const ignore = checkObject(pod(), withUnknown(), { unknownFields: 'Ignore' });
    expect(ignore.unknown).toEqual([]);
    expect((ignore.value as any).spec.foo).toBeUndefined();
  });

  it('always knows apiVersion, kind and metadata at the root', () => {
    const bare = obj('test.Bare', 'A definition without type or object metadata.', { spec: string('Some spec.') });
    const defs = new Map([[bare.name, bare]]);
    const r = checkObject(bare, { apiVersion: 'x/v1', kind: 'Bare', metadata: { name: 'a' }, spec: 's', other: 1 }, { unknownFields: 'Strict' }, defs);
    expect(r.unknown).toEqual(['other']);
    expect(r.value).toEqual({ apiVersion: 'x/v1', kind: 'Bare', metadata: { name: 'a' }, spec: 's' });
  });

  it('keeps preserveUnknown content whole, unknown keys included', () => {
    const inner = obj('test.Inner', 'Inner object.', { known: string('Known field.') });
    const outer = obj('test.Outer', 'Outer object.', { raw: preserveUnknown('Anything.'), inner: ref('test.Inner', 'An inner object.') });
    const defs = new Map([
      [inner.name, inner],
      [outer.name, outer],
    ]);
    const r = checkObject(outer, { raw: { any: [1, { x: null }], more: 'y' }, inner: { known: 'k', unknown: 2 } }, { unknownFields: 'Strict' }, defs);
    expect(r.value).toEqual({ raw: { any: [1, { x: null }], more: 'y' }, inner: { known: 'k' } });
    expect(r.unknown).toEqual(['inner.unknown']);
  });

  it('spells map keys as .key in unknown paths', () => {
    const item = obj('test.Item', 'An item.', { a: string('A field.') });
    const holder = obj('test.Holder', 'Has a map of items.', { byName: { type: 'map', values: ref('test.Item'), description: 'Items by name.' } });
    const defs = new Map([
      [item.name, item],
      [holder.name, holder],
    ]);
    expect(checkObject(holder, { byName: { first: { a: 'x', b: 1 } } }, {}, defs).unknown).toEqual(['byName.first.b']);
  });
});

describe('checkObject: nulls', () => {
  it('drops null fields, and gives null list items and map values their zero value', () => {
    const r = checkObject(pod(), {
      metadata: { name: 'a', labels: { keep: 'x', empty: null }, annotations: null },
      spec: { nodeName: null, containers: [{ name: 'a', args: ['x', null], ports: [null] }] },
    });
    expect(r.typeErrors).toEqual([]);
    expect(r.value).toEqual({
      metadata: { name: 'a', labels: { keep: 'x', empty: '' } },
      spec: { containers: [{ name: 'a', args: ['x', ''], ports: [{}] }] },
    });
  });
});

describe('checkObject: scalars with their own decoders', () => {
  const svc = (): ObjectDef => schemaForKind('', 'v1', 'Service')!;
  const container = (extra: Record<string, unknown>): unknown => ({ spec: { containers: [{ name: 'a', ...extra }] } });

  it('accepts an int or a string for IntOrString, and refuses fractions and other kinds', () => {
    const ok = checkObject(svc(), { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 81, targetPort: 'http' }] } });
    expect(ok.typeErrors).toEqual([]);
    const dep = schemaForKind('apps', 'v1', 'Deployment')!;
    expect(checkObject(dep, { spec: { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } } } }).typeErrors).toEqual([]);
    const bad = checkObject(svc(), { spec: { ports: [{ port: 80, targetPort: 80.5 }] } });
    expect(messageOf(bad, 'Service')).toBe(
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number 80.5 into Go struct field ServicePort.spec.ports.targetPort of type int32',
    );
    expect(checkObject(svc(), { spec: { ports: [{ port: 80, targetPort: { n: 1 } }] } }).typeErrors[0]).toMatchObject({ got: 'object', expected: 'int32' });
  });

  it('accepts quantities as strings or numbers and refuses malformed ones with Quantity’s message', () => {
    const ok = checkObject(pod(), container({ resources: { limits: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': 1e9 }, requests: { cpu: 0.25, memory: ' 64Mi ', x: '1e3', y: '-1.5E-2' } } }));
    expect(ok.typeErrors).toEqual([]);
    const bad = checkObject(pod(), container({ resources: { limits: { cpu: 'lots' } } }));
    expect(bad.typeErrors[0]).toMatchObject({ path: 'spec.containers[0].resources.limits.cpu', expected: 'resource.Quantity' });
    expect(messageOf(bad)).toBe(
      "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
    expect(typeErrorMessage(checkObject(pod(), container({ resources: { limits: { cpu: '1Zi' } } })).typeErrors[0]!)).toMatch(/^quantities must match/);
    expect(typeErrorMessage(checkObject(pod(), container({ resources: { limits: { memory: '1iK' } } })).typeErrors[0]!)).toBe("unable to parse quantity's suffix");
    expect(typeErrorMessage(checkObject(pod(), container({ resources: { limits: { memory: '1.2.3' } } })).typeErrors[0]!)).toMatch(/^quantities must match/);
    expect(typeErrorMessage(checkObject(pod(), container({ resources: { limits: { memory: '' } } })).typeErrors[0]!)).toMatch(/^quantities must match/);
    expect(typeErrorMessage(checkObject(pod(), container({ resources: { limits: { memory: '5e' } } })).typeErrors[0]!)).toBe("unable to parse quantity's suffix");
    expect(checkObject(pod(), container({ resources: { limits: { cpu: true } } })).typeErrors).toHaveLength(1);
  });

  it('parses Time as RFC 3339 and reports Go time.Parse errors', () => {
    const at = (t: unknown): CheckResult => checkObject(pod(), { metadata: { creationTimestamp: t } });
    expect(at('2024-05-01T10:00:00Z').typeErrors).toEqual([]);
    expect(at('2024-05-01T10:00:00.123+02:00').typeErrors).toEqual([]);
    expect(typeErrorMessage(at('yesterday').typeErrors[0]!)).toBe(
      'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    );
    expect(typeErrorMessage(at('2024-05-01 10:00:00Z').typeErrors[0]!)).toBe(
      'parsing time "2024-05-01 10:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 10:00:00Z" as "T"',
    );
    expect(typeErrorMessage(at('2024-13-01T10:00:00Z').typeErrors[0]!)).toBe('parsing time "2024-13-01T10:00:00Z": month out of range');
    expect(typeErrorMessage(at('2023-02-29T10:00:00Z').typeErrors[0]!)).toBe('parsing time "2023-02-29T10:00:00Z": day out of range');
    expect(typeErrorMessage(at('2024-05-01T10:00:00Zjunk').typeErrors[0]!)).toBe('parsing time "2024-05-01T10:00:00Zjunk": extra text: "junk"');
    expect(typeErrorMessage(at(1714557600).typeErrors[0]!)).toBe(
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string',
    );
  });

  it('requires exactly six fractional digits for MicroTime (Event.eventTime, Lease times)', () => {
    const ev = schemaForKind('', 'v1', 'Event')!;
    expect(checkObject(ev, { eventTime: '2024-05-01T10:00:00.123456Z' }).typeErrors).toEqual([]);
    expect(typeErrorMessage(checkObject(ev, { eventTime: '2024-05-01T10:00:00Z' }).typeErrors[0]!)).toBe(
      'parsing time "2024-05-01T10:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
    );
    const lease = schemaForKind('coordination.k8s.io', 'v1', 'Lease')!;
    expect(checkObject(lease, { spec: { renewTime: '2024-05-01T10:00:00.123Z' } }).typeErrors).toHaveLength(1);
    expect(checkObject(lease, { spec: { holderIdentity: 'node-1', renewTime: '2024-05-01T10:00:00.000000Z', leaseDurationSeconds: 40 } }).typeErrors).toEqual([]);
  });

  it('decodes Secret and ConfigMap binary data as padded base64', () => {
    const secret = schemaForKind('', 'v1', 'Secret')!;
    expect(checkObject(secret, { data: { a: 'aGVsbG8=', b: 'aGk=', c: '', d: 'aGVs\nbG8h' }, stringData: { plain: 'text' } }).typeErrors).toEqual([]);
    expect(typeErrorMessage(checkObject(secret, { data: { a: 'not base64!' } }).typeErrors[0]!)).toBe('illegal base64 data at input byte 3');
    expect(typeErrorMessage(checkObject(secret, { data: { a: 'abc' } }).typeErrors[0]!)).toBe('illegal base64 data at input byte 0');
    expect(checkObject(secret, { data: { a: 5 } }).typeErrors[0]).toMatchObject({ expected: '[]uint8', got: 'number' });
    const cm = schemaForKind('', 'v1', 'ConfigMap')!;
    expect(checkObject(cm, { binaryData: { bin: 'AAEC' }, data: { k: 'v' } }).typeErrors).toEqual([]);
  });
});
