import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { expired, serviceUnavailable } from '../../shared/api/errors.js';
import type { Pod } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { SharedInformer, type EventHandler } from '../../shared/informer/informer.js';
import { InformerFactory } from '../../shared/informer/factory.js';
import { Indexer } from '../../shared/informer/indexer.js';
import { FakeApi } from '../support/fake-api.js';
import { advance, settle } from '../support/settle.js';

const PODS = resourceByPlural('pods');
const CONFIGMAPS = resourceByPlural('configmaps');

function pod(name: string, labels: Record<string, string> = {}, nodeName?: string, namespace = 'default'): Pod {
  return { metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', image: 'kubia' }], nodeName } };
}

interface Recorded {
  type: 'add' | 'update' | 'delete';
  name: string;
  rv?: string;
  initial?: boolean;
  oldRv?: string;
}

function recorder(): { events: Recorded[]; handler: EventHandler<Pod> } {
  const events: Recorded[] = [];
  return {
    events,
    handler: {
      onAdd: (o, initial) => events.push({ type: 'add', name: o.metadata.name ?? '', rv: o.metadata.resourceVersion, initial }),
      onUpdate: (old, o) => events.push({ type: 'update', name: o.metadata.name ?? '', rv: o.metadata.resourceVersion, oldRv: old.metadata.resourceVersion }),
      onDelete: (o) => events.push({ type: 'delete', name: o.metadata.name ?? '', rv: o.metadata.resourceVersion }),
    },
  };
}

let abort: AbortController;
afterEach(() => abort?.abort());

function setup(opts: { labelSelector?: string; fieldSelector?: string; namespace?: string } = {}) {
  const clock = new FakeClock();
  const fake = new FakeApi(clock);
  const conn = fake.connect();
  let lists = 0;
  fake.reactor((c) => {
    if (c.verb === 'list') lists++;
  });
  const informer = new SharedInformer<Pod>({
    api: conn,
    resource: PODS,
    clock,
    backoff: { initialMs: 100, maxMs: 1000 },
    indexers: { byNode: (p) => (p.spec.nodeName ? [p.spec.nodeName] : []) },
    ...opts,
  });
  const rec = recorder();
  informer.addEventHandler(rec.handler);
  abort = new AbortController();
  return { clock, fake, conn, informer, rec, lists: () => lists, start: () => informer.run(abort.signal) };
}

describe('SharedInformer', () => {
  it('syncs the initial list into the cache and announces it as initial adds', async () => {
    const { fake, informer, rec, start } = setup();
    await fake.create(PODS, 'default', pod('a'));
    await fake.create(PODS, 'default', pod('b'));
    expect(informer.hasSynced()).toBe(false);
    const running = start();
    await informer.waitForSync(abort.signal);
    expect(informer.hasSynced()).toBe(true);
    expect(informer.lister.list().map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
    expect(informer.lister.get('default/a')?.metadata.name).toBe('a');
    expect(rec.events).toEqual([
      expect.objectContaining({ type: 'add', name: 'a', initial: true }),
      expect.objectContaining({ type: 'add', name: 'b', initial: true }),
    ]);
    abort.abort();
    await running;
  });

  it('calls onAdd, onUpdate(old, new) and onDelete for watched changes, cache first', async () => {
    const { fake, informer, rec, start } = setup();
    void start();
    await informer.waitForSync(abort.signal);
    const seenInCache: (string | undefined)[] = [];
    informer.addEventHandler({ onUpdate: (_o, n) => seenInCache.push(informer.lister.get('default/a')?.metadata.resourceVersion === n.metadata.resourceVersion ? 'fresh' : 'stale') });
    const created = await fake.create(PODS, 'default', pod('a'));
    await settle();
    const updated = await fake.update(PODS, { ...created, metadata: { ...created.metadata, labels: { v: '2' } } });
    await settle();
    await fake.delete(PODS, 'default', 'a');
    await settle();
    expect(rec.events).toEqual([
      { type: 'add', name: 'a', rv: created.metadata.resourceVersion, initial: false },
      { type: 'update', name: 'a', rv: updated.metadata.resourceVersion, oldRv: created.metadata.resourceVersion },
      expect.objectContaining({ type: 'delete', name: 'a' }),
    ]);
    expect(seenInCache).toEqual(['fresh']);
    expect(informer.lister.get('default/a')).toBeUndefined();
  });

  it('relists on Expired and emits deletes for objects that vanished while disconnected', async () => {
    const { fake, conn, clock, informer, rec, lists, start } = setup();
    await fake.create(PODS, 'default', pod('gone'));
    const kept = await fake.create(PODS, 'default', pod('kept'));
    await fake.create(PODS, 'default', pod('same'));
    void start();
    await informer.waitForSync(abort.signal);
    await settle();
    rec.events.length = 0;

    conn.down = true;
    await settle();
    await fake.delete(PODS, 'default', 'gone');
    const changed = await fake.update(PODS, { ...kept, metadata: { ...kept.metadata, labels: { x: 'y' } } });
    await fake.create(PODS, 'default', pod('new'));
    fake.compact();
    conn.down = false;
    await advance(clock, 200);

    expect(lists()).toBe(2);
    expect(rec.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'delete', name: 'gone' }),
        expect.objectContaining({ type: 'update', name: 'kept', rv: changed.metadata.resourceVersion }),
        expect.objectContaining({ type: 'add', name: 'new', initial: false }),
      ]),
    );
    expect(rec.events).toHaveLength(3);
    expect(informer.lister.list().map((p) => p.metadata.name).sort()).toEqual(['kept', 'new', 'same']);
  });

  it('relists when the watch delivers a 410 ERROR event', async () => {
    const { fake, informer, lists, start } = setup();
    void start();
    await informer.waitForSync(abort.signal);
    await fake.create(PODS, 'default', pod('a'));
    await settle();
    fake.expireWatches(true);
    await settle();
    expect(lists()).toBe(2);
    expect(informer.lister.get('default/a')).toBeDefined();
    expect(fake.openWatches(PODS)).toBe(1);
  });

  it('backs off instead of hot-looping when every watch after a relist expires at once', async () => {
    const { fake, clock, informer, lists, start } = setup();
    fake.reactor((c) => {
      if (c.verb === 'watch' && lists() > 1) throw expired('too old resource version');
    });
    void start();
    await informer.waitForSync(abort.signal);
    await settle();
    fake.expireWatches();
    await settle();
    expect(lists()).toBe(2);
    await settle();
    expect(lists()).toBe(2);
    await advance(clock, 100);
    expect(lists()).toBe(3);
  });

  it('resumes from the last resourceVersion after a watch error, without relisting', async () => {
    const { fake, clock, informer, rec, lists, start } = setup();
    await fake.create(PODS, 'default', pod('a'));
    void start();
    await informer.waitForSync(abort.signal);
    await settle(); // the watch is open
    fake.failWatches(serviceUnavailable('bus hiccup'));
    await settle();
    await fake.create(PODS, 'default', pod('b'));
    expect(informer.lister.get('default/b')).toBeUndefined();
    await advance(clock, 100);
    expect(informer.lister.get('default/b')).toBeDefined();
    expect(lists()).toBe(1);
    expect(rec.events.filter((e) => e.name === 'b')).toEqual([expect.objectContaining({ type: 'add', initial: false })]);
    expect(informer.lastResourceVersion).toBe(String(fake.resourceVersion));
  });

  it('backs off and retries a failed list', async () => {
    const { fake, clock, informer, lists, start } = setup();
    let failures = 2;
    fake.reactor((c) => {
      if (c.verb === 'list' && failures-- > 0) throw serviceUnavailable('api-server starting');
    });
    void start();
    await settle();
    expect(informer.hasSynced()).toBe(false);
    await advance(clock, 100);
    expect(informer.hasSynced()).toBe(false);
    await advance(clock, 200);
    expect(informer.hasSynced()).toBe(true);
    expect(lists()).toBe(3);
  });

  it('advances its resourceVersion on bookmarks', async () => {
    const { fake, informer, start } = setup();
    void start();
    await informer.waitForSync(abort.signal);
    await fake.create(CONFIGMAPS, 'default', { metadata: { name: 'cm' } });
    await settle();
    const before = informer.lastResourceVersion;
    fake.sendBookmarks();
    await settle();
    expect(Number(informer.lastResourceVersion)).toBeGreaterThan(Number(before));
    expect(informer.lastResourceVersion).toBe(String(fake.resourceVersion));
  });

  it('keeps custom and namespace indexes in step with the cache', async () => {
    const { fake, informer, start } = setup();
    void start();
    await informer.waitForSync(abort.signal);
    const a = await fake.create<Pod>(PODS, 'default', pod('a', {}, 'n1'));
    await fake.create(PODS, 'other', pod('b', { app: 'x' }, 'n1', 'other'));
    await settle();
    expect(informer.lister.byIndex('byNode', 'n1').map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
    expect(informer.lister.listNamespace('other').map((p) => p.metadata.name)).toEqual(['b']);
    expect(informer.lister.list('app=x').map((p) => p.metadata.name)).toEqual(['b']);
    await fake.update(PODS, { ...a, spec: { ...a.spec, nodeName: 'n2' } });
    await settle();
    expect(informer.lister.byIndex('byNode', 'n1').map((p) => p.metadata.name)).toEqual(['b']);
    expect(informer.lister.byIndex('byNode', 'n2').map((p) => p.metadata.name)).toEqual(['a']);
    expect(() => informer.lister.byIndex('nope', 'x')).toThrow(/does not exist/);
  });

  it('with a label selector, sees objects leave and enter the selection as deletes and adds', async () => {
    const { fake, informer, rec, start } = setup({ labelSelector: 'app=web' });
    const p = await fake.create(PODS, 'default', pod('a', { app: 'web' }));
    void start();
    await informer.waitForSync(abort.signal);
    const out = await fake.update(PODS, { ...p, metadata: { ...p.metadata, labels: { app: 'db' } } });
    await settle();
    expect(informer.lister.get('default/a')).toBeUndefined();
    await fake.update(PODS, { ...out, metadata: { ...out.metadata, labels: { app: 'web' } } });
    await settle();
    expect(rec.events.map((e) => e.type)).toEqual(['add', 'delete', 'add']);
  });

  it('replays the cache to a handler added late, and survives a throwing handler', async () => {
    const { fake, informer, start } = setup();
    await fake.create(PODS, 'default', pod('a'));
    void start();
    await informer.waitForSync(abort.signal);
    informer.addEventHandler({ onAdd: () => { throw new Error('buggy handler'); } });
    const late = recorder();
    const reg = informer.addEventHandler(late.handler);
    expect(late.events).toEqual([expect.objectContaining({ type: 'add', name: 'a', initial: true })]);
    await fake.create(PODS, 'default', pod('b'));
    await settle();
    expect(late.events.map((e) => e.name)).toEqual(['a', 'b']);
    reg.remove();
    await fake.create(PODS, 'default', pod('c'));
    await settle();
    expect(late.events).toHaveLength(2);
  });

  it('hands out frozen objects so callers cannot corrupt the cache', async () => {
    const { fake, informer, start } = setup();
    await fake.create(PODS, 'default', pod('a'));
    void start();
    await informer.waitForSync(abort.signal);
    const cached = informer.lister.get('default/a') as Pod;
    expect(() => {
      (cached.metadata as { name?: string }).name = 'evil';
    }).toThrow(TypeError);
    const copy = structuredClone(cached);
    copy.metadata.name = 'fine';
    expect(informer.lister.get('default/a')?.metadata.name).toBe('a');
  });

  it('re-announces every object on resync when asked to', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    await fake.create(PODS, 'default', pod('a'));
    const informer = new SharedInformer<Pod>({ api: fake, resource: PODS, clock, resyncMs: 1000 });
    const rec = recorder();
    informer.addEventHandler(rec.handler);
    abort = new AbortController();
    void informer.run(abort.signal);
    await informer.waitForSync(abort.signal);
    await advance(clock, 1000, 250);
    expect(rec.events.map((e) => e.type)).toEqual(['add', 'update']);
  });

  it('waitForSync rejects when its signal aborts first', async () => {
    const { informer } = setup();
    const ctl = new AbortController();
    const waiting = informer.waitForSync(ctl.signal);
    ctl.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });
});

describe('Indexer', () => {
  it('rejects rebinding an index name to another function and indexes existing objects', () => {
    const idx = new Indexer<KubeObject>();
    idx.upsert({ metadata: { name: 'a', namespace: 'ns', labels: { app: 'x' } } });
    idx.addIndexers({ byApp: (o) => [o.metadata.labels?.app ?? ''] });
    expect(idx.byIndex('byApp', 'x')).toHaveLength(1);
    expect(() => idx.addIndexers({ byApp: () => [] })).toThrow(/already exists/);
    idx.delete('ns/a');
    expect(idx.indexValues('byApp')).toEqual([]);
  });
});

describe('InformerFactory', () => {
  it('shares one informer per resource, namespace and canonical selectors, and starts late ones', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    await fake.create(PODS, 'default', pod('a', { app: 'x', tier: 'web' }));
    const factory = new InformerFactory({ api: fake, clock });
    const one = factory.informerFor<Pod>(PODS, { labelSelector: 'tier=web,app=x' });
    const two = factory.informerFor<Pod>(PODS, { labelSelector: 'app=x, tier=web', indexers: { byNode: (p: Pod) => [p.spec.nodeName ?? ''] } });
    expect(two).toBe(one);
    expect(factory.informerFor(PODS)).not.toBe(one);
    expect(factory.informerFor(PODS, { namespace: 'default' })).not.toBe(factory.informerFor(PODS));
    expect(factory.informerFor(resourceByPlural('nodes'), { namespace: 'ignored' })).toBe(factory.informerFor(resourceByPlural('nodes')));

    abort = new AbortController();
    const running = factory.run(abort.signal);
    await factory.waitForSync(abort.signal);
    expect(one.lister.byIndex('byNode', '')).toHaveLength(1);
    const late = factory.informerFor(CONFIGMAPS);
    await late.waitForSync(abort.signal);
    expect(factory.hasSynced()).toBe(true);
    abort.abort();
    await running;
    expect(fake.openWatches()).toBe(0);
  });
});
