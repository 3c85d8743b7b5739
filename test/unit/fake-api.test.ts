import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { StatusError } from '../../shared/api/errors.js';
import type { Pod, ConfigMap, ReplicationController } from '../../shared/api/core.js';
import type { KubeObject, WatchEvent } from '../../shared/api/meta.js';
import { FakeApi } from '../support/fake-api.js';
import { settle } from '../support/settle.js';

const PODS = resourceByPlural('pods');
const CMS = resourceByPlural('configmaps');
const RCS = resourceByPlural('replicationcontrollers');
const NODES = resourceByPlural('nodes');

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `${(err as StatusError).reason}: ${(err as Error).message}`;
  }
  return 'no error';
}

function pod(name: string, labels: Record<string, string> = {}, nodeName?: string): Pod {
  return { metadata: { name, labels }, spec: { containers: [{ name: 'c' }], nodeName } };
}

function rc(name: string, replicas = 1): ReplicationController {
  return { metadata: { name }, spec: { replicas, selector: { app: name } } };
}

describe('FakeApi create / get', () => {
  it('stamps uid, creationTimestamp, generation and a growing global resourceVersion', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const fake = new FakeApi(clock);
    const a = await fake.create(PODS, 'default', pod('a'));
    const b = await fake.create(CMS, 'default', { metadata: { name: 'b' } });
    expect(a).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', generation: 1, creationTimestamp: '2026-01-02T03:04:05Z' } });
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(await fake.get(PODS, 'default', 'a')).toEqual(a);
  });

  it('generates names, and rejects duplicates, set resourceVersions, namespace mismatches and missing names', async () => {
    const fake = new FakeApi();
    const g = await fake.create(PODS, 'default', { metadata: { generateName: 'kubia-' }, spec: { containers: [] } });
    expect(g.metadata.name).toMatch(/^kubia-[a-z0-9]{5}$/);
    await fake.create(PODS, 'default', pod('a'));
    expect(await reason(fake.create(PODS, 'default', pod('a')))).toBe('AlreadyExists: pods "a" already exists');
    expect(await reason(fake.create(PODS, 'default', { ...pod('x'), metadata: { name: 'x', resourceVersion: '5' } }))).toMatch(/^BadRequest/);
    expect(await reason(fake.create(PODS, 'default', { ...pod('y'), metadata: { name: 'y', namespace: 'other' } }))).toMatch(/^BadRequest: the namespace/);
    expect(await reason(fake.create(PODS, 'default', { metadata: {}, spec: {} }))).toMatch(/^Invalid: Pod "" is invalid: metadata.name/);
    expect(await reason(fake.get(PODS, 'default', 'nope'))).toBe('NotFound: pods "nope" not found');
    const node = await fake.create(NODES, undefined, { metadata: { name: 'n1', namespace: 'ignored' } });
    expect(node.metadata.namespace).toBeUndefined();
  });
});

describe('FakeApi update / patch', () => {
  it('rejects a stale resourceVersion with Conflict and accepts an unconditional update', async () => {
    const fake = new FakeApi();
    const v1 = await fake.create<ConfigMap>(CMS, 'default', { metadata: { name: 'c' }, data: { a: '1' } });
    const v2 = await fake.update(CMS, { ...v1, data: { a: '2' } });
    expect(await reason(fake.update(CMS, { ...v1, data: { a: '3' } }))).toMatch(/^Conflict: Operation cannot be fulfilled on configmaps "c": the object has been modified/);
    const v3 = await fake.update(CMS, { ...v2, metadata: { ...v2.metadata, resourceVersion: undefined }, data: { a: '4' } });
    expect(v3.data).toEqual({ a: '4' });
    expect(v3.metadata.uid).toBe(v1.metadata.uid);
  });

  it('does not write or bump anything for a no-op update', async () => {
    const fake = new FakeApi();
    const v1 = await fake.create(CMS, 'default', { metadata: { name: 'c', labels: { a: 'b' } }, data: { x: 'y' } });
    const same = await fake.update(CMS, structuredClone(v1));
    expect(same.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
    expect(fake.resourceVersion).toBe(Number(v1.metadata.resourceVersion));
  });

  it('writes status only through the status subresource, and bumps generation on spec changes only', async () => {
    const fake = new FakeApi();
    const v1 = await fake.create<ReplicationController>(RCS, 'default', rc('r'));
    const withStatus = await fake.update<ReplicationController>(RCS, { ...v1, status: { replicas: 1 } }, 'status');
    expect(withStatus.status).toEqual({ replicas: 1 });
    expect(withStatus.metadata.generation).toBe(1);
    const ignored = await fake.update<ReplicationController>(RCS, { ...withStatus, status: { replicas: 9 }, metadata: { ...withStatus.metadata, labels: { l: '1' } } });
    expect(ignored.status).toEqual({ replicas: 1 });
    expect(ignored.metadata.generation).toBe(1);
    const scaled = await fake.update<ReplicationController>(RCS, { ...ignored, spec: { ...ignored.spec, replicas: 3 } });
    expect(scaled.metadata.generation).toBe(2);
  });

  it('applies merge and JSON patches, and reads and writes the scale subresource', async () => {
    const fake = new FakeApi();
    await fake.create<ReplicationController>(RCS, 'default', rc('r', 2));
    const merged = await fake.patch<ReplicationController>(RCS, 'default', 'r', 'merge', { metadata: { labels: { a: 'b' } }, spec: { selector: null } });
    expect(merged.metadata.labels).toEqual({ a: 'b' });
    expect(merged.spec.selector).toBeUndefined();
    const json = await fake.patch<ReplicationController>(RCS, 'default', 'r', 'json', [{ op: 'replace', path: '/spec/replicas', value: 5 }]);
    expect(json.spec.replicas).toBe(5);
    expect(await fake.get(RCS, 'default', 'r', 'scale')).toMatchObject({ kind: 'Scale', spec: { replicas: 5 } });
    await fake.patch(RCS, 'default', 'r', 'merge', { spec: { replicas: 1 } }, 'scale');
    expect((await fake.get<ReplicationController>(RCS, 'default', 'r')).spec.replicas).toBe(1);
  });
});

describe('FakeApi delete', () => {
  it('deletes an unscheduled pod at once but a bound pod gracefully, until deleted with grace 0', async () => {
    const fake = new FakeApi();
    await fake.create(PODS, 'default', pod('pending'));
    await fake.delete(PODS, 'default', 'pending');
    expect(await reason(fake.get(PODS, 'default', 'pending'))).toMatch(/^NotFound/);

    await fake.create(PODS, 'default', pod('bound', {}, 'node-1'));
    const terminating = await fake.delete(PODS, 'default', 'bound');
    expect((terminating as KubeObject).metadata).toMatchObject({ deletionGracePeriodSeconds: 30 });
    expect((await fake.get(PODS, 'default', 'bound')).metadata.deletionTimestamp).toBeDefined();
    await fake.delete(PODS, 'default', 'bound', { gracePeriodSeconds: 0 });
    expect(await reason(fake.get(PODS, 'default', 'bound'))).toMatch(/^NotFound/);
  });

  it('keeps an object with finalizers until they are removed, and honours preconditions', async () => {
    const fake = new FakeApi();
    const c = await fake.create(CMS, 'default', { metadata: { name: 'c', finalizers: ['example.com/hold'] } });
    expect(await reason(fake.delete(CMS, 'default', 'c', { preconditions: { uid: 'other' } }))).toMatch(/^Conflict: .*Precondition failed: UID/);
    await fake.delete(CMS, 'default', 'c');
    const deleting = await fake.get(CMS, 'default', 'c');
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    await fake.update(CMS, { ...deleting, metadata: { ...deleting.metadata, finalizers: [] } });
    expect(await reason(fake.get(CMS, 'default', 'c'))).toMatch(/^NotFound/);
    expect(c.metadata.uid).toBeDefined();
  });

  it('adds the foregroundDeletion / orphan finalizer for those propagation policies', async () => {
    const fake = new FakeApi();
    await fake.create(RCS, 'default', rc('fg'));
    await fake.create(RCS, 'default', rc('or'));
    await fake.delete(RCS, 'default', 'fg', { propagationPolicy: 'Foreground' });
    await fake.delete(RCS, 'default', 'or', { propagationPolicy: 'Orphan' });
    expect((await fake.get(RCS, 'default', 'fg')).metadata.finalizers).toEqual(['foregroundDeletion']);
    expect((await fake.get(RCS, 'default', 'or')).metadata.finalizers).toEqual(['orphan']);
  });

  it('binds a pod once, through the binding subresource', async () => {
    const fake = new FakeApi();
    await fake.create(PODS, 'default', pod('p'));
    await fake.create(PODS, 'default', { kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-1' } }, 'binding', 'p');
    expect((await fake.get<Pod>(PODS, 'default', 'p')).spec.nodeName).toBe('node-1');
    const again = fake.create(PODS, 'default', { metadata: { name: 'p' }, target: { name: 'node-2' } }, 'binding', 'p');
    expect(await reason(again)).toMatch(/^Conflict: .*already assigned to node "node-1"/);
  });
});

describe('FakeApi list / watch', () => {
  it('lists with label and field selectors and pages with limit / continue', async () => {
    const fake = new FakeApi();
    for (const n of ['a', 'b', 'c']) await fake.create(PODS, 'default', pod(n, { app: n === 'c' ? 'db' : 'web' }, n === 'a' ? 'node-1' : undefined));
    await fake.create(PODS, 'other', pod('d', { app: 'web' }));
    expect((await fake.list(PODS, 'default', { labelSelector: 'app=web' })).items.map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect((await fake.list(PODS, undefined, { labelSelector: 'app=web' })).items).toHaveLength(3);
    expect((await fake.list(PODS, 'default', { fieldSelector: 'spec.nodeName=' })).items.map((p) => p.metadata.name)).toEqual(['b', 'c']);
    expect(await reason(fake.list(PODS, 'default', { fieldSelector: 'spec.bogus=x' }))).toBe('BadRequest: field label not supported: spec.bogus');
    const page1 = await fake.list(PODS, undefined, { limit: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.metadata.remainingItemCount).toBe(2);
    const page2 = await fake.list(PODS, undefined, { limit: 2, continue: page1.metadata.continue });
    expect([...page1.items, ...page2.items].map((p) => p.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(page2.metadata.continue).toBeUndefined();
    expect(page1.metadata.resourceVersion).toBe(String(fake.resourceVersion));
  });

  it('starts a watch without a version with the current state, and from a version with what followed', async () => {
    const fake = new FakeApi();
    const a = await fake.create(PODS, 'default', pod('a'));
    await fake.create(PODS, 'default', pod('b'));
    const fromNow: WatchEvent[] = [];
    const fromA: WatchEvent[] = [];
    await fake.watch(PODS, 'default', {}, { onEvent: (e) => fromNow.push(e), onError: () => undefined });
    await fake.watch(PODS, 'default', { resourceVersion: a.metadata.resourceVersion }, { onEvent: (e) => fromA.push(e), onError: () => undefined });
    await fake.delete(PODS, 'default', 'a');
    await settle();
    expect(fromNow.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b', 'DELETED a']);
    expect(fromA.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a']);
    expect(fromA[1].object.metadata.resourceVersion).toBe(String(fake.resourceVersion));
  });

  it('turns updates entering or leaving a filtered watch into ADDED and DELETED', async () => {
    const fake = new FakeApi();
    const events: string[] = [];
    await fake.watch(PODS, 'default', { labelSelector: 'app=web' }, { onEvent: (e) => events.push(`${e.type} ${e.object.metadata.labels?.app}`), onError: () => undefined });
    const p = await fake.create(PODS, 'default', pod('p', { app: 'db' }));
    const web = await fake.update(PODS, { ...p, metadata: { ...p.metadata, labels: { app: 'web' } } });
    const web2 = await fake.update(PODS, { ...web, metadata: { ...web.metadata, annotations: { x: 'y' } } });
    await fake.update(PODS, { ...web2, metadata: { ...web2.metadata, labels: { app: 'db' } } });
    await settle();
    expect(events).toEqual(['ADDED web', 'MODIFIED web', 'DELETED web']);
  });

  it('answers a watch from a compacted version with 410 Expired, and sends bookmarks when allowed', async () => {
    const fake = new FakeApi();
    const a = await fake.create(PODS, 'default', pod('a'));
    await fake.create(PODS, 'default', pod('b'));
    fake.compact();
    let error: StatusError | undefined;
    await fake.watch(PODS, 'default', { resourceVersion: a.metadata.resourceVersion }, { onEvent: () => undefined, onError: (e) => (error = e as StatusError) });
    await settle();
    expect(error?.reason).toBe('Expired');
    expect(error?.code).toBe(410);
    const events: WatchEvent[] = [];
    await fake.watch(PODS, 'default', { resourceVersion: String(fake.resourceVersion), allowWatchBookmarks: true }, { onEvent: (e) => events.push(e), onError: () => undefined });
    fake.sendBookmarks();
    await settle();
    expect(events).toEqual([expect.objectContaining({ type: 'BOOKMARK', object: expect.objectContaining({ metadata: { resourceVersion: String(fake.resourceVersion) } }) })]);
  });

  it('routes REST requests to the same operations', async () => {
    const fake = new FakeApi();
    const created = await fake.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { metadata: { name: 'c' }, data: { a: '1' } } });
    expect(created.code).toBe(201);
    const got = await fake.request({ method: 'GET', path: '/api/v1/namespaces/default/configmaps/c' });
    expect((got.body as ConfigMap).data).toEqual({ a: '1' });
    await fake.request({ method: 'PATCH', path: '/api/v1/namespaces/default/configmaps/c', contentType: 'application/merge-patch+json', body: '{"data":{"a":"2"}}' });
    const list = await fake.request({ method: 'GET', path: '/api/v1/configmaps', query: { labelSelector: '' } });
    expect((list.body as { items: ConfigMap[] }).items[0].data).toEqual({ a: '2' });
    expect(await reason(fake.request({ method: 'GET', path: '/apis/nope/v1/things' }))).toMatch(/^NotFound/);
  });
});
