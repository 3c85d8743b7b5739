import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../../shared/api/apps.js';
import type { Endpoints, Service } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { endpointSliceMirroringController } from '../../services/controller-manager/endpointslice-mirroring.js';
import { startHarness, type Harness } from '../support/controller-harness.js';

const SERVICES = resourceByPlural('services');
const ENDPOINTS = resourceByPlural('endpoints');
const SLICES = resourceByPlural('endpointslices');

let h: Harness | undefined;
afterEach(() => h?.stop());

async function start(): Promise<Harness> {
  h = await startHarness();
  h.run(endpointSliceMirroringController(h.ctx));
  await h.advance(50);
  return h;
}

function service(name: string, selector?: Record<string, string>): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ...(selector ? { selector } : {}), clusterIP: '127.64.0.30', ports: [{ port: 80, protocol: 'TCP' }] } };
}

function endpoints(name: string, ready: string[], notReady: string[] = [], labels?: Record<string, string>): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
    subsets: [{ addresses: ready.map((ip) => ({ ip })), ...(notReady.length ? { notReadyAddresses: notReady.map((ip) => ({ ip })) } : {}), ports: [{ port: 5432 }] }],
  };
}

async function create(r: typeof SERVICES, obj: Service | Endpoints): Promise<void> {
  await h!.api.create(r, 'default', obj);
  await h!.advance(50);
}

async function slices(name: string): Promise<EndpointSlice[]> {
  return (await h!.api.list<EndpointSlice>(SLICES, 'default', { labelSelector: `kubernetes.io/service-name=${name}` })).items;
}

describe('endpointslice mirroring', () => {
  it('mirrors the Endpoints users write for a Service without a selector into a slice kube-proxy can read', async () => {
    await start();
    await create(SERVICES, service('external-service'));
    await create(ENDPOINTS, endpoints('external-service', ['127.9.0.1', '127.9.0.2'], ['127.9.0.3'], { team: 'db' }));
    const [s, ...more] = await slices('external-service');
    expect(more).toEqual([]);
    const ep = await h!.api.get<Endpoints>(ENDPOINTS, 'default', 'external-service');
    expect(s.metadata.labels).toEqual({ team: 'db', 'kubernetes.io/service-name': 'external-service', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Endpoints', name: 'external-service', uid: ep.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(s.ports).toEqual([{ name: '', port: 5432, protocol: 'TCP' }]);
    expect(s.endpoints.map((e) => [e.addresses[0], e.conditions?.ready])).toEqual([
      ['127.9.0.1', true],
      ['127.9.0.2', true],
      ['127.9.0.3', false],
    ]);
  });

  it('follows changes of the Endpoints and removes the slices with them', async () => {
    await start();
    await create(SERVICES, service('external-service'));
    await create(ENDPOINTS, endpoints('external-service', ['127.9.0.1']));
    const ep = await h!.api.get<Endpoints>(ENDPOINTS, 'default', 'external-service');
    await h!.api.update(ENDPOINTS, { ...ep, subsets: endpoints('x', ['127.9.0.1', '127.9.0.4']).subsets });
    await h!.advance(50);
    expect((await slices('external-service')).flatMap((s) => s.endpoints.map((e) => e.addresses[0]))).toEqual(['127.9.0.1', '127.9.0.4']);
    await h!.api.delete(ENDPOINTS, 'default', 'external-service');
    await h!.advance(50);
    expect(await slices('external-service')).toEqual([]);
  });

  it('leaves Endpoints of Services with a selector, Endpoints marked skip-mirror and Endpoints without a Service alone', async () => {
    await start();
    await create(SERVICES, service('selected', { app: 'kubia' }));
    await create(ENDPOINTS, endpoints('selected', ['127.9.0.1']));
    await create(SERVICES, service('kubernetes-like'));
    await create(ENDPOINTS, endpoints('kubernetes-like', ['127.9.0.2'], [], { 'endpointslice.kubernetes.io/skip-mirror': 'true' }));
    await create(ENDPOINTS, endpoints('lonely', ['127.9.0.3']));
    expect([...(await slices('selected')), ...(await slices('kubernetes-like')), ...(await slices('lonely'))]).toEqual([]);
  });
});
