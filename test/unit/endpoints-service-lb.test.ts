import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { serviceLoadBalancerController } from '../../services/controller-manager/service-lb.js';
import { startHarness, type Harness } from '../support/controller-harness.js';

const SERVICES = resourceByPlural('services');

let h: Harness | undefined;
afterEach(() => h?.stop());

async function start(): Promise<Harness> {
  h = await startHarness();
  h.run(serviceLoadBalancerController(h.ctx));
  await h.advance(50);
  return h;
}

function lb(name: string, spec: Partial<Service['spec']> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer', selector: { app: name }, clusterIP: '127.64.0.20', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }], ...spec },
  };
}

async function create(svc: Service): Promise<void> {
  await h!.api.create(SERVICES, 'default', svc);
  await h!.advance(50);
}

async function externalIp(name: string): Promise<string | undefined> {
  const svc = await h!.api.get<Service>(SERVICES, 'default', name);
  return svc.status?.loadBalancer?.ingress?.[0]?.ip;
}

describe('service load balancer controller', () => {
  it('gives a LoadBalancer Service the first free address of the range, with the cloud controller’s events', async () => {
    await start();
    await create(lb('kubia-http'));
    const svc = await h!.api.get<Service>(SERVICES, 'default', 'kubia-http');
    expect(svc.status?.loadBalancer?.ingress).toEqual([{ ip: '127.64.192.1', ipMode: 'VIP' }]);
    const events = await h!.events();
    expect(events.map((e) => [e.reason, e.message, e.type, e.source?.component, e.involvedObject.kind])).toEqual([
      ['EnsuringLoadBalancer', 'Ensuring load balancer', 'Normal', 'service-controller', 'Service'],
      ['EnsuredLoadBalancer', 'Ensured load balancer', 'Normal', 'service-controller', 'Service'],
    ]);
  });

  it('keeps the address while the Service changes, writing nothing more', async () => {
    await start();
    await create(lb('kubia-http'));
    let writes = 0;
    h!.api.reactor((call) => {
      if (call.resource === SERVICES && call.verb === 'update') writes++;
    });
    const svc = await h!.api.get<Service>(SERVICES, 'default', 'kubia-http');
    await h!.api.update(SERVICES, { ...svc, metadata: { ...svc.metadata, labels: { changed: 'yes' } } });
    await h!.advance(50);
    expect(await externalIp('kubia-http')).toBe('127.64.192.1');
    expect(writes).toBe(1); // the test's own update
  });

  it('gives each Service its own address and reuses a deleted one’s', async () => {
    await start();
    await create(lb('a'));
    await create(lb('b'));
    expect([await externalIp('a'), await externalIp('b')]).toEqual(['127.64.192.1', '127.64.192.2']);
    await h!.api.delete(SERVICES, 'default', 'a');
    await h!.advance(50);
    await create(lb('c'));
    expect(await externalIp('c')).toBe('127.64.192.1');
  });

  it('honours spec.loadBalancerIP when it is free, and says why when it is not', async () => {
    await start();
    await create(lb('wanted', { loadBalancerIP: '127.64.192.50' }));
    expect(await externalIp('wanted')).toBe('127.64.192.50');
    await create(lb('clash', { loadBalancerIP: '127.64.192.50' }));
    await create(lb('outside', { loadBalancerIP: '10.0.0.1' }));
    expect(await externalIp('clash')).toBeUndefined();
    expect(await externalIp('outside')).toBeUndefined();
    const warnings = (await h!.events('SyncLoadBalancerFailed')).map((e) => [e.involvedObject.name, e.type, e.message]);
    expect(warnings).toEqual([
      ['clash', 'Warning', 'Error syncing load balancer: failed to ensure load balancer: requested IP 127.64.192.50 is already in use by Service default/wanted'],
      ['outside', 'Warning', "Error syncing load balancer: failed to ensure load balancer: requested IP 10.0.0.1 is not in this cluster's load balancer range"],
    ]);
    await h!.api.delete(SERVICES, 'default', 'wanted');
    await h!.advance(50);
    expect(await externalIp('clash')).toBe('127.64.192.50');
  });

  it('clears the address of a Service that stops being a LoadBalancer, and frees it', async () => {
    await start();
    await create(lb('kubia-http'));
    const svc = await h!.api.get<Service>(SERVICES, 'default', 'kubia-http');
    await h!.api.update(SERVICES, { ...svc, spec: { ...svc.spec, type: 'ClusterIP' } });
    await h!.advance(50);
    expect(await externalIp('kubia-http')).toBeUndefined();
    expect((await h!.events()).map((e) => e.reason)).toEqual(['EnsuringLoadBalancer', 'EnsuredLoadBalancer', 'DeletingLoadBalancer', 'DeletedLoadBalancer']);
    await create(lb('next'));
    expect(await externalIp('next')).toBe('127.64.192.1');
  });

  it('keeps an address the status already shows (a restarted controller), and moves the younger of two Services showing one', async () => {
    h = await startHarness();
    const shown = (ip: string) => ({ loadBalancer: { ingress: [{ ip }] } });
    await h.api.create(SERVICES, 'default', { ...lb('old'), status: shown('127.64.192.7') });
    h.clock.advance(1000);
    await h.api.create(SERVICES, 'default', { ...lb('young'), status: shown('127.64.192.7') });
    h.run(serviceLoadBalancerController(h.ctx));
    await h.advance(50);
    expect(await externalIp('old')).toBe('127.64.192.7');
    expect(await externalIp('young')).toBe('127.64.192.1');
  });

  it('leaves Services of another load balancer class and other types alone', async () => {
    await start();
    await create(lb('metallb', { loadBalancerClass: 'metallb.io/metallb' }));
    await create(lb('plain', { type: 'ClusterIP' }));
    expect(await externalIp('metallb')).toBeUndefined();
    expect(await externalIp('plain')).toBeUndefined();
  });
});
