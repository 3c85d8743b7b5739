import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { configMap, pod } from '../support/builders.js';
import { resourceByPlural, storeKey } from '../../shared/api/resources.js';
import { SharedInformer } from '../../shared/informer/informer.js';
import { LeaderElector } from '../../shared/controller/leader-election.js';
import { realClock } from '../../shared/runtime/clock.js';

const PODS = resourceByPlural('pods');
const CMS = resourceByPlural('configmaps');

describe('informer and leader election against the real api-server over NATS', () => {
  let c: ApiCluster;
  const stops: AbortController[] = [];
  beforeAll(async () => {
    c = await startApiCluster({ historyCapacity: 20 });
  });
  afterAll(async () => {
    for (const s of stops) s.abort();
    await c?.dispose();
  });

  it('keeps a field-selected cache in step, through an api-server restart', async () => {
    const api = c.client('test/informer');
    const informer = new SharedInformer({ api, resource: PODS, fieldSelector: 'spec.nodeName=node-1', clock: realClock });
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: (o) => seen.push(`add:${o.metadata.name}`),
      onDelete: (o) => seen.push(`delete:${o.metadata.name}`),
    });
    await api.create(PODS, 'default', pod('mine', { nodeName: 'node-1' }));
    await api.create(PODS, 'default', pod('theirs', { nodeName: 'node-2' }));
    const stop = new AbortController();
    stops.push(stop);
    void informer.run(stop.signal);
    await informer.waitForSync(stop.signal);
    expect(informer.lister.list().map((p) => p.metadata.name)).toEqual(['mine']);
    await api.create(PODS, 'default', pod('mine-too', { nodeName: 'node-1' }));
    await eventually(() => expect(informer.lister.list().map((p) => p.metadata.name).sort()).toEqual(['mine', 'mine-too']));
    await c.restartApiServer();
    await api.delete(PODS, 'default', 'mine', { gracePeriodSeconds: 0 });
    await eventually(() => expect(informer.lister.list().map((p) => p.metadata.name)).toEqual(['mine-too']), { timeoutMs: 15_000 });
    expect(seen).toEqual(['add:mine', 'add:mine-too', 'delete:mine']);
  });

  it('relists when its resourceVersion fell out of history (410) and ends up exactly right', async () => {
    const api = c.client('test/relist');
    await api.create(CMS, 'default', configMap('stays'));
    await api.create(CMS, 'default', configMap('goes'));
    const informer = new SharedInformer({ api, resource: CMS, namespace: 'default', clock: realClock });
    const stop = new AbortController();
    stops.push(stop);
    void informer.run(stop.signal);
    await informer.waitForSync(stop.signal);
    await c.server.stop();
    // While no api-server runs, the store changes more than the new cache's history will hold.
    const goes = await c.storeClient.get(storeKey(CMS, 'default', 'goes'));
    await c.storeClient.delete(storeKey(CMS, 'default', 'goes'), goes.kv!.modRevision);
    for (let i = 0; i < 30; i++) {
      const obj = { ...configMap(`bulk${i}`), metadata: { name: `bulk${i}`, namespace: 'default', uid: `u${i}` } };
      await c.storeClient.create(storeKey(CMS, 'default', `bulk${i}`), JSON.stringify(obj));
    }
    await c.restartApiServer();
    await eventually(
      () => {
        const names = informer.lister.list().map((o) => o.metadata.name);
        expect(names).toContain('bulk29');
        expect(names).toContain('stays');
        expect(names).not.toContain('goes');
        expect(names).toHaveLength(31);
      },
      { timeoutMs: 20_000 },
    );
  });

  it('elects one leader among two; a graceful stop hands over at once, a dead leader after its lease', async () => {
    const leaders: string[] = [];
    const make = (id: string, release: boolean) => {
      const stop = new AbortController();
      stops.push(stop);
      const e = new LeaderElector(
        { api: c.client(`test/${id}`), namespace: 'kube-system', name: 'test-lock', identity: id, leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300, releaseOnCancel: release },
        { onStartedLeading: () => void leaders.push(id) },
      );
      void e.run(stop.signal);
      return { e, stop };
    };
    const a = make('a', true);
    await eventually(() => expect(leaders).toEqual(['a']));
    const b = make('b', false); // b will die without releasing its lease
    await eventually(() => expect(b.e.leader).toBe('a')); // b has tried, and seen a holding the lease
    expect(b.e.isLeader()).toBe(false);
    const t0 = Date.now();
    a.stop.abort();
    await eventually(() => expect(leaders).toEqual(['a', 'b']));
    expect(Date.now() - t0).toBeLessThan(1500);
    const cc = make('c', true);
    const t1 = Date.now();
    b.stop.abort();
    await eventually(() => expect(leaders).toEqual(['a', 'b', 'c']), { timeoutMs: 10_000 });
    expect(Date.now() - t1).toBeGreaterThanOrEqual(1000);
    expect(cc.e.isLeader()).toBe(true);
    const lease = await c.client('test/read').get(resourceByPlural('leases'), 'kube-system', 'test-lock');
    expect((lease.spec as any).leaseTransitions).toBeGreaterThanOrEqual(2);
  });
});
