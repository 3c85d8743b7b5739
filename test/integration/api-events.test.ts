import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { pod } from '../support/builders.js';
import { EventRecorder } from '../../shared/client/event-recorder.js';
import { realClock } from '../../shared/runtime/clock.js';

describe('events: recorded by components, aggregated, listed, expired', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster({ eventTtlSeconds: 2 });
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('aggregates repeats into one Event with a count, and keeps distinct ones apart', async () => {
    const p = (await c.http('POST', '/api/v1/namespaces/default/pods', pod('kubia-manual'))).json;
    const rec = new EventRecorder({ api: c.client('test/kubelet'), source: { component: 'kubelet', host: 'node-1' }, clock: realClock });
    rec.record(p, 'Warning', 'BackOff', 'Back-off restarting failed container kubia in pod kubia-manual_default(x)');
    rec.record(p, 'Warning', 'BackOff', 'Back-off restarting failed container kubia in pod kubia-manual_default(x)');
    rec.record(p, 'Warning', 'BackOff', 'Back-off restarting failed container kubia in pod kubia-manual_default(x)');
    rec.record(p, 'Normal', 'Pulled', 'Container image "luksa/kubia" already present on machine', { fieldPath: 'spec.containers{kubia}' });
    await rec.flush();
    const sel = encodeURIComponent(`involvedObject.name=kubia-manual,involvedObject.namespace=default,involvedObject.uid=${p.metadata.uid}`);
    const list = await c.http('GET', `/api/v1/namespaces/default/events?fieldSelector=${sel}`);
    const byReason = Object.fromEntries(list.json.items.map((e: any) => [e.reason, e]));
    expect(Object.keys(byReason).sort()).toEqual(['BackOff', 'Pulled']);
    expect(byReason.BackOff).toMatchObject({ count: 3, type: 'Warning', source: { component: 'kubelet', host: 'node-1' }, involvedObject: { kind: 'Pod', name: 'kubia-manual', uid: p.metadata.uid } });
    expect(byReason.Pulled.involvedObject.fieldPath).toBe('spec.containers{kubia}');
    expect(byReason.BackOff.metadata.name).toMatch(/^kubia-manual\.[0-9a-f]+$/);
  });

  it('puts events about cluster-scoped objects in default', async () => {
    const node = (await c.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-9' } })).json;
    const rec = new EventRecorder({ api: c.client('test/nlc'), source: { component: 'node-controller' }, clock: realClock });
    rec.record(node, 'Normal', 'NodeNotReady', 'Node node-9 status is now: NodeNotReady');
    await rec.flush();
    const sel = encodeURIComponent(`involvedObject.kind=Node,involvedObject.name=node-9,involvedObject.namespace=`);
    const list = await c.http('GET', `/api/v1/events?fieldSelector=${sel}`);
    expect(list.json.items.map((e: any) => [e.metadata.namespace, e.reason])).toEqual([['default', 'NodeNotReady']]);
  });

  it('expires events after the event TTL through a store lease', async () => {
    const p = (await c.http('GET', '/api/v1/namespaces/default/pods/kubia-manual')).json;
    const rec = new EventRecorder({ api: c.client('test/ttl'), source: { component: 'ttl-test' }, clock: realClock });
    rec.record(p, 'Normal', 'Expiring', 'soon gone');
    await rec.flush();
    const sel = encodeURIComponent('reason=Expiring');
    expect((await c.http('GET', `/api/v1/namespaces/default/events?fieldSelector=${sel}`)).json.items).toHaveLength(1);
    await eventually(async () => expect((await c.http('GET', `/api/v1/namespaces/default/events?fieldSelector=${sel}`)).json.items).toHaveLength(0), { timeoutMs: 15_000 });
  });
});
