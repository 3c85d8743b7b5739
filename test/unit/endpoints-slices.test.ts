import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../../shared/api/apps.js';
import type { Pod, Service } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { isoTime } from '../../shared/runtime/clock.js';
import { EndpointSliceReconciler, endpointSliceController } from '../../services/controller-manager/endpointslices.js';
import { planSlices } from '../../services/controller-manager/endpointslice-writer.js';
import type { KubeObject } from '../../shared/api/meta.js';
import type { ApiClient } from '../../shared/client/api.js';
import { SharedInformer } from '../../shared/informer/informer.js';
import { PODS, startHarness, type Harness } from '../support/controller-harness.js';
import { kubiaService } from '../support/builders.js';

const SERVICES = resourceByPlural('services');
const SLICES = resourceByPlural('endpointslices');
const MANAGED = { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };

let h: Harness | undefined;
afterEach(() => h?.stop());

async function start(): Promise<Harness> {
  h = await startHarness();
  h.run(endpointSliceController(h.ctx));
  await h.advance(50);
  return h;
}


function pod(name: string, ip: string, o: { ready?: boolean; node?: string; ports?: { name: string; containerPort: number }[] } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'kubia' } },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'kubia', image: 'luksa/kubia', ...(o.ports ? { ports: o.ports } : {}) }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: isoTime(h!.clock) }] },
  };
}

async function create(obj: Service | Pod): Promise<void> {
  await h!.api.create(obj.kind === 'Service' ? SERVICES : PODS, 'default', obj);
  await h!.advance(50);
}

async function slices(service = 'kubia'): Promise<EndpointSlice[]> {
  const list = await h!.api.list<EndpointSlice>(SLICES, 'default', { labelSelector: `kubernetes.io/service-name=${service}` });
  return list.items;
}

const addresses = (ss: EndpointSlice[]): string[] => ss.flatMap((s) => s.endpoints.map((e) => e.addresses[0])).sort();

describe('endpointslice controller', () => {
  it('creates a slice for a Service with the labels, owner, ports and endpoint conditions Kubernetes sets', async () => {
    await start();
    await create(kubiaService('kubia', {}, { app: 'kubia', tier: 'web' }));
    await create(pod('kubia-a', '127.128.1.2'));
    await create(pod('kubia-b', '127.128.2.2', { node: 'node-2', ready: false }));
    const [s, ...more] = await slices();
    expect(more).toEqual([]);
    const svc = await h!.api.get<Service>(SERVICES, 'default', 'kubia');
    const a = await h!.pod('kubia-a');
    expect(s.metadata.name).toMatch(/^kubia-[a-z0-9]{5}$/);
    expect(s.metadata.labels).toEqual({ app: 'kubia', tier: 'web', 'kubernetes.io/service-name': 'kubia', ...MANAGED });
    expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'kubia', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);
    expect(s.endpoints).toEqual([
      { addresses: ['127.128.1.2'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'kubia-a', uid: a.metadata.uid } },
      expect.objectContaining({ addresses: ['127.128.2.2'], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'node-2' }),
    ]);
  });

  it('keeps an empty placeholder slice for a Service without endpoints', async () => {
    await start();
    await create(kubiaService('kubia'));
    const ss = await slices();
    expect(ss.map((s) => [s.ports, s.endpoints])).toEqual([[[], []]]);
    await create(pod('kubia-a', '127.128.1.2'));
    const after = await slices();
    expect(after.map((s) => s.metadata.name)).toEqual(ss.map((s) => s.metadata.name)); // the placeholder became the slice
    expect(addresses(after)).toEqual(['127.128.1.2']);
  });

  it('keeps a terminating pod as not ready, serving while it is still Ready, and terminating', async () => {
    await start();
    await create(kubiaService('kubia'));
    await create(pod('kubia-a', '127.128.1.2'));
    await h!.api.delete(PODS, 'default', 'kubia-a');
    await h!.advance(50);
    const [s] = await slices();
    expect(s.endpoints[0].conditions).toEqual({ ready: false, serving: true, terminating: true });
  });

  it('follows readiness, relabelling and deletion of pods', async () => {
    await start();
    await create(kubiaService('kubia'));
    await create(pod('kubia-a', '127.128.1.2'));
    await create(pod('kubia-b', '127.128.1.3'));
    const b = await h!.pod('kubia-b');
    await h!.api.update(PODS, { ...b, metadata: { ...b.metadata, labels: { app: 'gone' } } });
    await h!.advance(50);
    expect(addresses(await slices())).toEqual(['127.128.1.2']);
    await h!.api.delete(PODS, 'default', 'kubia-a', { gracePeriodSeconds: 0 });
    await h!.advance(50);
    const ss = await slices();
    expect(ss).toHaveLength(1);
    expect(ss[0].endpoints).toEqual([]);
  });

  it('puts pods that resolve a named port differently into separate slices', async () => {
    await start();
    await create(kubiaService('kubia', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }));
    await create(pod('v1', '127.128.1.2', { ports: [{ name: 'http', containerPort: 8080 }] }));
    await create(pod('v2', '127.128.1.3', { ports: [{ name: 'http', containerPort: 9090 }] }));
    const ss = await slices();
    expect(ss.map((s) => [s.ports?.[0].port, s.endpoints.map((e) => e.addresses[0])]).sort()).toEqual([
      [8080, ['127.128.1.2']],
      [9090, ['127.128.1.3']],
    ]);
  });

  it('does not write again for a Service until the slice cache shows its last writes', async () => {
    h = await startHarness();
    const abort = new AbortController();
    const informer = <T extends KubeObject>(api: ApiClient, plural: string, labelSelector?: string) =>
      new SharedInformer<T>({ api, clock: h!.clock, resource: resourceByPlural(plural), labelSelector });
    const services = informer<Service>(h.api, 'services');
    const pods = informer<Pod>(h.api, 'pods');
    const link = h.api.connect();
    const slicesSeen = informer<EndpointSlice>(link, 'endpointslices', 'endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io');
    for (const i of [services, pods, slicesSeen]) void i.run(abort.signal);
    const r = new EndpointSliceReconciler({ api: h.api, services, pods, slices: slicesSeen });
    try {
      await h.api.create(SERVICES, 'default', kubiaService('kubia'));
      await h.api.create(PODS, 'default', pod('kubia-a', '127.128.1.2'));
      await h.advance(50);
      link.down = true; // the slice cache stops hearing anything
      await r.reconcile('default/kubia');
      expect(await slices()).toHaveLength(1);
      expect(await r.reconcile('default/kubia')).toEqual({ requeueAfterMs: 1000 });
      expect(await slices()).toHaveLength(1);
      link.down = false;
      await h.advance(5000, 100); // the informer relists after its back-off
      expect(slicesSeen.lister.list()).toHaveLength(1);
      expect(await r.reconcile('default/kubia')).toBeUndefined();
      expect(await slices()).toHaveLength(1);
    } finally {
      abort.abort();
    }
  });

  it('deletes its slices with the Service and leaves slices it does not manage alone', async () => {
    await start();
    await h!.api.create(SLICES, 'default', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubia-manual', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubia' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.5.5.5'] }],
    });
    await create(kubiaService('kubia'));
    await create(pod('kubia-a', '127.128.1.2'));
    expect(addresses(await slices())).toEqual(['127.128.1.2', '127.5.5.5']);
    await h!.api.delete(SERVICES, 'default', 'kubia');
    await h!.advance(50);
    expect((await slices()).map((s) => s.metadata.name)).toEqual(['kubia-manual']);
  });

  it("leaves a Service without a selector to its user's slices", async () => {
    await start();
    const s = kubiaService('external');
    delete s.spec.selector;
    await create(s);
    expect(await slices('external')).toEqual([]);
  });

  it('does not write when the slice already says what the pods say', async () => {
    await start();
    await create(kubiaService('kubia'));
    await create(pod('kubia-a', '127.128.1.2'));
    let writes = 0;
    h!.api.reactor((call) => {
      if (call.resource === SLICES && call.verb !== 'get' && call.verb !== 'list' && call.verb !== 'watch') writes++;
    });
    const a = await h!.pod('kubia-a');
    await h!.api.update(PODS, { ...a, metadata: { ...a.metadata, annotations: { note: 'unrelated' } } });
    await h!.advance(50);
    expect(writes).toBe(0);
  });
});

describe('endpoint slice planning', () => {
  const port = [{ name: '', port: 8080, protocol: 'TCP' }];
  const ep = (i: number) => ({ addresses: [`127.128.${i >> 8}.${i & 255}`], conditions: { ready: true } });
  const existing = (name: string, eps: number[]): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default' },
    addressType: 'IPv4',
    endpoints: eps.map(ep),
    ports: port,
  });
  const want = (eps: number[]) => new Map([['/8080/TCP/', { ports: port, endpoints: eps.map(ep) }]]);

  it('puts at most 100 endpoints in a slice', () => {
    const plan = planSlices([], want(Array.from({ length: 250 }, (_, i) => i + 1)));
    expect(plan.keep.map((p) => p.endpoints.length)).toEqual([100, 100, 50]);
  });

  it('keeps endpoints where they are and fills free room before making a slice', () => {
    const plan = planSlices([existing('a', [1, 2, 3]), existing('b', [4])], want([1, 3, 4, 5, 6]), 3);
    expect(plan.keep.map((p) => [p.existing?.metadata.name, p.endpoints.map((e) => e.addresses[0])])).toEqual([
      ['a', ['127.128.0.1', '127.128.0.3', '127.128.0.5']],
      ['b', ['127.128.0.4', '127.128.0.6']],
    ]);
    expect(plan.remove).toEqual([]);
  });

  it('deletes slices that end up empty, and keeps one as the placeholder when nothing is left', () => {
    const some = planSlices([existing('a', [1]), existing('b', [2])], want([2]));
    expect(some.keep.map((p) => p.existing?.metadata.name)).toEqual(['b']);
    expect(some.remove.map((s) => s.metadata.name)).toEqual(['a']);
    const none = planSlices([existing('a', [1]), existing('b', [2])], new Map());
    expect(none.keep).toEqual([{ existing: expect.objectContaining({ metadata: { name: 'a', namespace: 'default' } }), ports: [], endpoints: [] }]);
    expect(none.remove.map((s) => s.metadata.name)).toEqual(['b']);
  });
});
