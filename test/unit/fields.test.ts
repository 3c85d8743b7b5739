import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../shared/api/errors.js';
import {
  escapeFieldValue,
  fieldValue,
  matchesFields,
  parseFieldSelector,
  supportedFields,
  validateFieldSelector,
} from '../../shared/selectors/fields.js';

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isStatusError(err, 'BadRequest')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a BadRequest');
}

const pod = {
  metadata: { name: 'kubia-1', namespace: 'default' },
  spec: { nodeName: 'node-1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', containers: [] },
  status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] },
};
const pending = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] }, status: { phase: 'Pending' } };

describe('parseFieldSelector', () => {
  it('parses =, == and != terms joined by commas, in canonical order', () => {
    const s = parseFieldSelector('status.phase!=Failed,metadata.name==a,spec.nodeName=n1');
    expect(s.requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a' },
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    expect(s.toString()).toBe('metadata.name=a,spec.nodeName=n1,status.phase!=Failed');
  });

  it('splits at the first operator and skips empty terms', () => {
    expect(parseFieldSelector('a!=b').requirements[0]).toEqual({ field: 'a', operator: '!=', value: 'b' });
    expect(parseFieldSelector('a==b').requirements[0].value).toBe('b');
    expect(parseFieldSelector(',a=b,,').requirements).toHaveLength(1);
    expect(parseFieldSelector('').empty).toBe(true);
  });

  it('unescapes \\, \\= and \\\\ in values and escapes them back in toString', () => {
    const s = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d,reason=x');
    expect(s.requirements[0].value).toBe('a,b=c\\d');
    expect(s.requirements).toHaveLength(2);
    expect(s.toString()).toBe('metadata.name=a\\,b\\=c\\\\d,reason=x');
    expect(escapeFieldValue('a,b=c\\')).toBe('a\\,b\\=c\\\\');
  });

  it('rejects terms without operator, bad escapes and bare special characters', () => {
    expect(badRequestMessage(() => parseFieldSelector('a=b,oops'))).toBe("invalid selector: 'a=b,oops'; can't understand 'oops'");
    expect(badRequestMessage(() => parseFieldSelector('a=b\\x'))).toMatch(/invalid escape sequence: \\x/);
    expect(badRequestMessage(() => parseFieldSelector('a=b\\'))).toMatch(/invalid escape sequence/);
    expect(badRequestMessage(() => parseFieldSelector('a=b=c'))).toMatch(/unescaped character in value: =/);
  });

  it('pins the value of an equality term', () => {
    const s = parseFieldSelector('spec.nodeName=node-1,status.phase!=Failed');
    expect(s.requiresExactMatch('spec.nodeName')).toBe('node-1');
    expect(s.requiresExactMatch('status.phase')).toBeUndefined();
  });
});

describe('matchesFields', () => {
  it('matches metadata.name and metadata.namespace for any kind', () => {
    expect(matchesFields('configmaps', { metadata: { name: 'c', namespace: 'ns' } }, 'metadata.name=c,metadata.namespace=ns')).toBe(true);
    expect(matchesFields('nodes', { metadata: { name: 'n1' } }, 'metadata.namespace=')).toBe(true);
    expect(matchesFields('leases', { metadata: { name: 'l' } }, 'metadata.name!=l')).toBe(false);
  });

  it('matches pod fields, with missing values comparing as ""', () => {
    expect(matchesFields('pods', pod, 'spec.nodeName=node-1,status.phase=Running')).toBe(true);
    expect(matchesFields('pods', pod, 'spec.nodeName=')).toBe(false);
    expect(matchesFields('pods', pending, 'spec.nodeName=')).toBe(true);
    expect(matchesFields('pods', pending, 'spec.nodeName!=')).toBe(false);
    expect(matchesFields('pods', pod, 'status.podIP=10.0.0.5,spec.hostNetwork=false')).toBe(true);
    expect(matchesFields('pods', pod, 'spec.restartPolicy=Always,spec.schedulerName=default-scheduler')).toBe(true);
    expect(matchesFields('pods', pod, 'spec.serviceAccountName=default,status.nominatedNodeName=')).toBe(true);
  });

  it('matches event fields, taking source from source.component', () => {
    const ev = {
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'kubia-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec.containers{c}' },
      reason: 'Scheduled',
      type: 'Normal',
      source: { component: 'default-scheduler' },
      reportingComponent: 'default-scheduler',
    };
    const sel =
      'involvedObject.kind=Pod,involvedObject.name=kubia-1,involvedObject.namespace=default,involvedObject.uid=u1,' +
      'involvedObject.apiVersion=v1,involvedObject.resourceVersion=7,involvedObject.fieldPath=spec.containers{c},' +
      'reason=Scheduled,type=Normal,source=default-scheduler,reportingComponent=default-scheduler';
    expect(matchesFields('events', ev, sel)).toBe(true);
    expect(matchesFields('events', ev, 'type=Warning')).toBe(false);
  });

  it('prints booleans and counts as Kubernetes does', () => {
    expect(fieldValue('nodes', { metadata: { name: 'n' } }, 'spec.unschedulable')).toBe('false');
    expect(matchesFields('nodes', { metadata: { name: 'n' }, spec: { unschedulable: true } }, 'spec.unschedulable=true')).toBe(true);
    expect(matchesFields('replicasets', { metadata: { name: 'r' }, status: { replicas: 3 } }, 'status.replicas=3')).toBe(true);
    expect(matchesFields('replicationcontrollers', { metadata: { name: 'r' } }, 'status.replicas=0')).toBe(true);
    expect(matchesFields('namespaces', { metadata: { name: 'x' }, status: { phase: 'Terminating' } }, 'status.phase=Terminating')).toBe(true);
    expect(matchesFields('secrets', { metadata: { name: 's' }, type: 'Opaque' }, 'type=Opaque')).toBe(true);
  });

  it('matches everything with an empty selector', () => {
    expect(matchesFields('pods', pod, '')).toBe(true);
    expect(matchesFields('pods', pod, undefined)).toBe(true);
  });
});

describe('validateFieldSelector', () => {
  it('says "field label not supported" for a field the kind does not have', () => {
    expect(badRequestMessage(() => validateFieldSelector('configmaps', 'spec.nodeName=x'))).toBe('field label not supported: spec.nodeName');
    expect(badRequestMessage(() => validateFieldSelector('pods', 'status.hostIP=x'))).toBe('field label not supported: status.hostIP');
    expect(badRequestMessage(() => matchesFields('nodes', { metadata: {} }, 'type=x'))).toBe('field label not supported: type');
  });

  it('accepts every supported field and returns the parsed selector', () => {
    for (const plural of ['pods', 'events', 'nodes', 'namespaces', 'secrets', 'replicationcontrollers', 'replicasets', 'services']) {
      const sel = supportedFields(plural).map((f) => `${f}=x`).join(',');
      expect(validateFieldSelector(plural, sel).requirements.length).toBe(supportedFields(plural).length);
    }
    expect(supportedFields('services')).toEqual(['metadata.name', 'metadata.namespace']);
  });
});
