import { describe, expect, it } from 'vitest';
import type { Service } from '../../shared/api/core.js';
import type { EndpointSlice } from '../../shared/api/apps.js';
import { computeRules, type ProxyRules } from '../../services/kube-proxy/rules.js';

function svc(name: string, spec: Partial<Service['spec']>, status?: Service['status'], namespace = 'default'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
    ...(status ? { status } : {}),
  };
}

type Ep = EndpointSlice['endpoints'][number];
function ep(ip: string, ready: boolean | undefined, extra: Partial<Ep> = {}): Ep {
  return { addresses: [ip], ...(ready === undefined ? {} : { conditions: { ready } }), ...extra };
}

function slice(service: string, endpoints: Ep[], ports: EndpointSlice['ports'] = [{ name: '', port: 8080, protocol: 'TCP' }], name = `${service}-abcde`): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

const rules = (services: Service[], slices: EndpointSlice[]): ProxyRules => computeRules({ services, slices, nodeName: 'node-1', nodeIp: '127.1.0.1' });
const ids = (r: ProxyRules): string[] => r.frontends.map((f) => `${f.kind} ${f.id} → ${f.backends.map((b) => `${b.ip}:${b.port}`).join(',')}`);

describe('kube-proxy rules', () => {
  it('serves a ClusterIP port from the ready endpoints of its slices, sorted by address', () => {
    const r = rules(
      [svc('kubia', { clusterIP: '127.64.0.11' })],
      [slice('kubia', [ep('127.128.2.3', true), ep('127.128.1.10', true), ep('127.128.1.9', false)])],
    );
    expect(ids(r)).toEqual(['ClusterIP 127.64.0.11:80 → 127.128.1.10:8080,127.128.2.3:8080']);
    expect(r.frontends[0]).toMatchObject({ shared: true, service: 'default/kubia', portName: '' });
  });

  it('treats an endpoint without a ready condition as ready, as the API defines', () => {
    const r = rules([svc('kubia', { clusterIP: '127.64.0.11' })], [slice('kubia', [ep('127.128.1.2', undefined)])]);
    expect(r.frontends[0].backends).toEqual([{ ip: '127.128.1.2', port: 8080 }]);
  });

  it('keeps a frontend without backends, so the proxier knows to refuse it', () => {
    const r = rules([svc('kubia', { clusterIP: '127.64.0.11' })], [slice('kubia', [ep('127.128.1.2', false)])]);
    expect(ids(r)).toEqual(['ClusterIP 127.64.0.11:80 → ']);
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const terminating = ep('127.128.1.2', false, { conditions: { ready: false, serving: true, terminating: true } });
    const notServing = ep('127.128.1.3', false, { conditions: { ready: false, serving: false, terminating: true } });
    const r = rules([svc('kubia', { clusterIP: '127.64.0.11' })], [slice('kubia', [terminating, notServing])]);
    expect(r.frontends[0].backends.map((b) => b.ip)).toEqual(['127.128.1.2']);
  });

  it('merges the slices of a service and counts an address listed twice once (a ready entry wins)', () => {
    const r = rules(
      [svc('kubia', { clusterIP: '127.64.0.11' })],
      [slice('kubia', [ep('127.128.1.2', false), ep('127.128.1.3', true)], undefined, 'kubia-a'), slice('kubia', [ep('127.128.1.2', true)], undefined, 'kubia-b')],
    );
    expect(r.frontends[0].backends.map((b) => b.ip)).toEqual(['127.128.1.2', '127.128.1.3']);
  });

  it('matches slice ports by the service port name, so each port gets its own target', () => {
    const service = svc('web', {
      clusterIP: '127.64.0.12',
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
      ],
    });
    const s = slice('web', [ep('127.128.1.2', true)], [
      { name: 'https', port: 8443, protocol: 'TCP' },
      { name: 'http', port: 8080, protocol: 'TCP' },
    ]);
    expect(ids(rules([service], [s]))).toEqual(['ClusterIP 127.64.0.12:80 → 127.128.1.2:8080', 'ClusterIP 127.64.0.12:443 → 127.128.1.2:8443']);
  });

  it('ignores slices of other services, other namespaces and non-IPv4 address types', () => {
    const other = slice('other', [ep('127.128.1.5', true)]);
    const elsewhere = { ...slice('kubia', [ep('127.128.1.6', true)]), metadata: { name: 'x', namespace: 'prod', labels: { 'kubernetes.io/service-name': 'kubia' } } };
    const fqdn: EndpointSlice = { ...slice('kubia', [ep('example.com', true)]), addressType: 'FQDN' };
    const r = rules([svc('kubia', { clusterIP: '127.64.0.11' })], [other, elsewhere, fqdn]);
    expect(r.frontends[0].backends).toEqual([]);
  });

  it('serves a LoadBalancer service on its ingress IP, its cluster IP and this node’s NodePort', () => {
    const service = svc(
      'kubia-http',
      { type: 'LoadBalancer', clusterIP: '127.64.0.20', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30123 }] },
      { loadBalancer: { ingress: [{ ip: '127.64.192.1' }] } },
    );
    const r = rules([service], [slice('kubia-http', [ep('127.128.1.2', true)])]);
    expect(r.frontends.map((f) => [f.kind, f.id, f.shared])).toEqual([
      ['NodePort', '127.1.0.1:30123', false],
      ['ClusterIP', '127.64.0.20:80', true],
      ['LoadBalancer', '127.64.192.1:80', true],
    ]);
  });

  it('gives a pending LoadBalancer no ingress frontend until the address is assigned', () => {
    const service = svc('lb', { type: 'LoadBalancer', clusterIP: '127.64.0.20', ports: [{ port: 80, protocol: 'TCP', nodePort: 30124 }] });
    expect(rules([service], []).frontends.map((f) => f.kind)).toEqual(['NodePort', 'ClusterIP']);
  });

  it('serves externalIPs like cluster IPs', () => {
    const r = rules([svc('kubia', { clusterIP: '127.64.0.11', externalIPs: ['127.77.0.1'] })], [slice('kubia', [ep('127.128.1.2', true)])]);
    expect(r.frontends.map((f) => `${f.kind} ${f.id}`)).toEqual(['ClusterIP 127.64.0.11:80', 'ExternalIP 127.77.0.1:80']);
  });

  it('limits NodePort backends to this node’s pods with externalTrafficPolicy Local, not the shared addresses', () => {
    const service = svc('local', { type: 'NodePort', clusterIP: '127.64.0.21', externalTrafficPolicy: 'Local', ports: [{ port: 80, protocol: 'TCP', nodePort: 30200 }] });
    const s = slice('local', [ep('127.128.1.2', true, { nodeName: 'node-1' }), ep('127.128.2.2', true, { nodeName: 'node-2' })], [{ name: '', port: 80, protocol: 'TCP' }]);
    const byKind = Object.fromEntries(rules([service], [s]).frontends.map((f) => [f.kind, f.backends.map((b) => b.ip)]));
    expect(byKind).toEqual({ NodePort: ['127.128.1.2'], ClusterIP: ['127.128.1.2', '127.128.2.2'] });
  });

  it('gives headless and ExternalName services no frontend', () => {
    const r = rules([svc('headless', { clusterIP: 'None' }), svc('ext', { type: 'ExternalName', externalName: 'example.com' })], []);
    expect(r.frontends).toEqual([]);
  });

  it('proxies only TCP and reports the UDP port it skipped', () => {
    const dns = svc('kube-dns', {
      clusterIP: '127.64.0.10',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    }, undefined, 'kube-system');
    const r = rules([dns], []);
    expect(r.frontends.map((f) => f.id)).toEqual(['127.64.0.10:53']);
    expect(r.skipped).toEqual([{ service: 'kube-system/kube-dns', what: '53/UDP', reason: 'only TCP is proxied' }]);
  });

  it('gives an address claimed by two services to the first by namespace/name and reports the other', () => {
    const r = rules([svc('b', { clusterIP: '127.64.0.30', externalIPs: ['127.64.0.31'] }), svc('a', { clusterIP: '127.64.0.31' })], []);
    expect(r.frontends.find((f) => f.id === '127.64.0.31:80')?.service).toBe('default/a');
    expect(r.skipped).toEqual([{ service: 'default/b', what: 'ExternalIP 127.64.0.31:80', reason: 'already served for default/a' }]);
  });

  it('sets the ClientIP affinity timeout from sessionAffinityConfig, 10800 s by default', () => {
    const r = rules([svc('a', { clusterIP: '127.64.0.40', sessionAffinity: 'ClientIP' }), svc('b', { clusterIP: '127.64.0.41', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), svc('c', { clusterIP: '127.64.0.42' })], []);
    expect(r.frontends.map((f) => f.affinityTimeoutMs)).toEqual([10_800_000, 60_000, undefined]);
  });

  it('lists every address any slice holds, ready or not, as the endpoints that still exist', () => {
    const r = rules([], [slice('kubia', [ep('127.128.1.2', true), ep('127.128.1.3', false)])]);
    expect([...r.endpointIps].sort()).toEqual(['127.128.1.2', '127.128.1.3']);
  });
});
