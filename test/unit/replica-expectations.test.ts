import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { EventRecorder } from '../../shared/client/event-recorder.js';
import { SharedInformer } from '../../shared/informer/informer.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { Expectations, EXPECTATIONS_TIMEOUT_MS } from '../../services/controller-manager/replicas/expectations.js';
import { ReplicaManager } from '../../services/controller-manager/replicas/replica-manager.js';
import { rcAdapter } from '../../services/controller-manager/replicas/rc-adapter.js';
import type { ReplicaOwner } from '../../services/controller-manager/replicas/replica-owner.js';
import { FakeApi } from '../support/fake-api.js';
import { rc } from '../support/builders.js';
import { settle } from '../support/settle.js';

const RCS = resourceByPlural('replicationcontrollers');
const PODS = resourceByPlural('pods');

describe('expectations', () => {
  it('are satisfied once every expected creation and deletion has been observed', () => {
    const e = new Expectations(new FakeClock());
    expect(e.satisfied('default/kubia', 'u1')).toBe(true);
    e.expectCreations('default/kubia', 'u1', 2);
    expect(e.satisfied('default/kubia', 'u1')).toBe(false);
    e.creationObserved('default/kubia');
    e.creationObserved('default/kubia');
    expect(e.satisfied('default/kubia', 'u1')).toBe(true);
    e.expectDeletions('default/kubia', 'u1', ['default/a', 'default/b']);
    e.deletionObserved('default/kubia', 'default/a');
    e.deletionObserved('default/kubia', 'default/a');
    expect(e.satisfied('default/kubia', 'u1')).toBe(false);
    e.deletionObserved('default/kubia', 'default/b');
    expect(e.satisfied('default/kubia', 'u1')).toBe(true);
  });

  it('time out after five minutes, and do not hold a new owner of the same name', () => {
    const clock = new FakeClock();
    const e = new Expectations(clock);
    e.expectCreations('default/kubia', 'u1', 3);
    expect(e.pendingFor('default/kubia')).toBe(EXPECTATIONS_TIMEOUT_MS);
    clock.advance(EXPECTATIONS_TIMEOUT_MS + 1);
    expect(e.satisfied('default/kubia', 'u1')).toBe(true);
    e.expectCreations('default/kubia', 'u1', 3);
    expect(e.satisfied('default/kubia', 'u2')).toBe(true);
  });
});

describe('replica manager with a lagging cache', () => {
  let abort: AbortController | undefined;
  afterEach(() => abort?.abort());

  it('does not repeat a burst of creates before its informer shows them', async () => {
    const clock = new FakeClock();
    const api = new FakeApi(clock);
    const link = api.connect(); // what the informers see; the manager writes through `api` directly
    const owners = new SharedInformer<ReplicaOwner>({ api: link, resource: RCS, clock });
    const pods = new SharedInformer<Pod>({ api: link, resource: PODS, clock });
    const manager = new ReplicaManager({
      adapter: rcAdapter,
      api,
      owners,
      pods,
      recorder: new EventRecorder({ api, clock, source: { component: 'replication-controller' } }),
      clock,
    });
    abort = new AbortController();
    await api.create(RCS, 'default', rc('kubia', 3));
    void owners.run(abort.signal);
    void pods.run(abort.signal);
    await Promise.all([owners.waitForSync(), pods.waitForSync()]);

    link.down = true; // the watch stops delivering: the cache will not show the new pods
    await manager.reconcile('default/kubia');
    await manager.reconcile('default/kubia');
    expect((await api.list(PODS, 'default')).items).toHaveLength(3);
    expect(manager.expectations.satisfied('default/kubia', owners.lister.get('default/kubia')?.metadata.uid)).toBe(false);

    link.down = false; // the informer relists and sees the three pods
    for (let i = 0; i < 50 && pods.lister.list().length < 3; i++) {
      clock.advance(100);
      await settle();
    }
    expect(pods.lister.list()).toHaveLength(3);
    expect(manager.expectations.satisfied('default/kubia', owners.lister.get('default/kubia')?.metadata.uid)).toBe(true);
    await manager.reconcile('default/kubia');
    expect((await api.list(PODS, 'default')).items).toHaveLength(3);
  });
});
