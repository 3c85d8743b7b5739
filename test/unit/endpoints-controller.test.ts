import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoints, Pod, Service } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { isoTime } from '../../shared/runtime/clock.js';
import { endpointsController } from '../../services/controller-manager/endpoints.js';
import { PODS, startHarness, type Harness } from '../support/controller-harness.js';
import { kubiaService } from '../support/builders.js';

const SERVICES = resourceByPlural('services');
const ENDPOINTS = resourceByPlural('endpoints');

let h: Harness | undefined;
afterEach(() => h?.stop());

async function start(): Promise<Harness> {
  h = await startHarness();
  h.run(endpointsController(h.ctx));
  await h.advance(50);
  return h;
}


interface PodOpts {
  ip?: string;
  ready?: boolean;
  node?: string;
  labels?: Record<string, string>;
  phase?: 'Running' | 'Succeeded' | 'Failed' | 'Pending';
  ports?: { name: string; containerPort: number; protocol?: string }[];
  hostname?: string;
  subdomain?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const now = isoTime(h!.clock);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: o.labels ?? { app: 'kubia' } },
    spec: {
      nodeName: o.node ?? 'node-1',
      containers: [{ name: 'kubia', image: 'luksa/kubia', ...(o.ports ? { ports: o.ports } : {}) }],
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? '127.128.1.2', podIPs: [{ ip: o.ip ?? '127.128.1.2' }] }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: now }],
    },
  };
}

async function create(obj: Service | Pod): Promise<void> {
  await h!.api.create(obj.kind === 'Service' ? SERVICES : PODS, 'default', obj);
  await h!.advance(50);
}

async function endpoints(name = 'kubia'): Promise<Endpoints> {
  return h!.api.get<Endpoints>(ENDPOINTS, 'default', name);
}

async function setReady(name: string, ready: boolean): Promise<void> {
  const p = await h!.pod(name);
  p.status!.conditions = [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: isoTime(h!.clock) }];
  await h!.api.update(PODS, p, 'status');
  await h!.advance(50);
}

const ips = (list: { ip: string }[] | undefined): string[] => (list ?? []).map((a) => a.ip);

describe('endpoints controller', () => {
  it("lists the ready pods a Service selects, with node, pod reference and the target port", async () => {
    await start();
    await create(pod('kubia-b', { ip: '127.128.2.2', node: 'node-2' }));
    await create(pod('kubia-a', { ip: '127.128.1.10' }));
    await create(pod('other', { ip: '127.128.1.3', labels: { app: 'other' } }));
    await create(kubiaService('kubia', {}, { app: 'kubia' }));
    const ep = await endpoints();
    const uid = (await h!.pod('kubia-a')).metadata.uid;
    expect(ep.metadata.labels).toEqual({ app: 'kubia' });
    expect(ep.subsets).toHaveLength(1);
    expect(ep.subsets![0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(ep.subsets![0].addresses![0]).toEqual({ ip: '127.128.1.10', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'kubia-a', uid } });
    expect(ips(ep.subsets![0].addresses)).toEqual(['127.128.1.10', '127.128.2.2']);
    expect(ep.subsets![0].notReadyAddresses).toBeUndefined();
  });

  it('keeps not-ready pods apart and drops pods without an IP, finished or being deleted', async () => {
    await start();
    await create(kubiaService('kubia'));
    await create(pod('ready', { ip: '127.128.1.2' }));
    await create(pod('starting', { ip: '127.128.1.3', ready: false }));
    await create(pod('no-ip', { ip: '', ready: false, phase: 'Pending' }));
    await create(pod('done', { ip: '127.128.1.5', phase: 'Succeeded', ready: false }));
    await create(pod('going', { ip: '127.128.1.6' }));
    await h!.api.delete(PODS, 'default', 'going');
    await h!.advance(50);
    expect((await h!.pod('going')).metadata.deletionTimestamp).toBeDefined();
    const ep = await endpoints();
    expect(ips(ep.subsets![0].addresses)).toEqual(['127.128.1.2']);
    expect(ips(ep.subsets![0].notReadyAddresses)).toEqual(['127.128.1.3']);
  });

  it('moves a pod between addresses and notReadyAddresses as its readiness changes (a NotReady node marks its pods Ready=False)', async () => {
    await start();
    await create(kubiaService('kubia'));
    await create(pod('kubia-a', { ip: '127.128.1.2' }));
    await create(pod('kubia-b', { ip: '127.128.2.2', node: 'node-2' }));
    await setReady('kubia-b', false);
    let ep = await endpoints();
    expect(ips(ep.subsets![0].addresses)).toEqual(['127.128.1.2']);
    expect(ips(ep.subsets![0].notReadyAddresses)).toEqual(['127.128.2.2']);
    await setReady('kubia-b', true);
    ep = await endpoints();
    expect(ips(ep.subsets![0].addresses)).toEqual(['127.128.1.2', '127.128.2.2']);
  });

  it('drops a pod whose labels stop matching, and takes in one that starts to', async () => {
    await start();
    await create(kubiaService('kubia'));
    await create(pod('kubia-a', { ip: '127.128.1.2' }));
    await create(pod('loner', { ip: '127.128.1.3', labels: { app: 'none' } }));
    const a = await h!.pod('kubia-a');
    await h!.api.update(PODS, { ...a, metadata: { ...a.metadata, labels: { app: 'foo' } } });
    const l = await h!.pod('loner');
    await h!.api.update(PODS, { ...l, metadata: { ...l.metadata, labels: { app: 'kubia' } } });
    await h!.advance(50);
    expect(ips((await endpoints()).subsets![0].addresses)).toEqual(['127.128.1.3']);
  });

  it('resolves a named targetPort against each pod’s container ports, leaving out pods without it', async () => {
    await start();
    await create(kubiaService('kubia', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }));
    await create(pod('a', { ip: '127.128.1.2', ports: [{ name: 'http', containerPort: 8080 }] }));
    await create(pod('b', { ip: '127.128.1.3', ports: [{ name: 'http', containerPort: 9090 }] }));
    await create(pod('c', { ip: '127.128.1.4', ports: [{ name: 'web', containerPort: 8080 }] }));
    await create(pod('d', { ip: '127.128.1.5', ports: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }));
    const subsets = (await endpoints()).subsets ?? [];
    expect(subsets.map((s) => [ips(s.addresses), s.ports])).toEqual([
      [['127.128.1.2'], [{ name: 'http', port: 8080, protocol: 'TCP' }]],
      [['127.128.1.3'], [{ name: 'http', port: 9090, protocol: 'TCP' }]],
    ]);
  });

  it('lists every pod as an address with publishNotReadyAddresses', async () => {
    await start();
    await create(kubiaService('kubia', { publishNotReadyAddresses: true }));
    await create(pod('a', { ip: '127.128.1.2', ready: false }));
    const ep = await endpoints();
    expect(ips(ep.subsets![0].addresses)).toEqual(['127.128.1.2']);
    expect(ep.subsets![0].notReadyAddresses).toBeUndefined();
  });

  it('marks headless Services and lists addresses without ports when they have none, with pod hostnames', async () => {
    await start();
    await create(kubiaService('db', { clusterIP: 'None', ports: [] }));
    await create(pod('db-0', { ip: '127.128.1.2', hostname: 'db-0', subdomain: 'db' }));
    const ep = await endpoints('db');
    expect(ep.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' });
    expect(ep.subsets).toEqual([{ addresses: [expect.objectContaining({ ip: '127.128.1.2', hostname: 'db-0' })] }]);
  });

  it('writes an empty Endpoints for a Service that selects nothing yet', async () => {
    await start();
    await create(kubiaService('kubia'));
    expect((await endpoints()).subsets).toEqual([]);
  });

  it("leaves Services without a selector and the user's Endpoints alone", async () => {
    await start();
    await h!.api.create(ENDPOINTS, 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external', namespace: 'default' }, subsets: [{ addresses: [{ ip: '127.5.5.5' }], ports: [{ port: 80 }] }] });
    const s = kubiaService('external');
    delete s.spec.selector;
    await create(s);
    expect(ips((await endpoints('external')).subsets![0].addresses)).toEqual(['127.5.5.5']);
  });

  it('deletes the Endpoints with their Service and puts back Endpoints someone deleted', async () => {
    await start();
    await create(kubiaService('kubia'));
    await create(pod('a', { ip: '127.128.1.2' }));
    await h!.api.delete(ENDPOINTS, 'default', 'kubia');
    await h!.advance(50);
    expect(ips((await endpoints()).subsets![0].addresses)).toEqual(['127.128.1.2']);
    await h!.api.delete(SERVICES, 'default', 'kubia');
    await h!.advance(50);
    await expect(endpoints()).rejects.toMatchObject({ status: { reason: 'NotFound' } });
  });

  it('does not write when the Endpoints already say what the pods say', async () => {
    await start();
    await create(kubiaService('kubia'));
    await create(pod('a', { ip: '127.128.1.2' }));
    let writes = 0;
    h!.api.reactor((call) => {
      if (call.resource === ENDPOINTS && (call.verb === 'update' || call.verb === 'create')) writes++;
    });
    const a = await h!.pod('a');
    await h!.api.update(PODS, { ...a, metadata: { ...a.metadata, annotations: { note: 'unrelated' } } });
    await h!.advance(50);
    expect(writes).toBe(0);
  });
});
