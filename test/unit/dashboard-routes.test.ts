/**
 * The api-server's side of the dashboard, without a server: service proxy paths and the choice of
 * endpoint, the buttons' request bodies, the dashboard's cluster Service, and where the files are
 * looked for from sources and from the build.
 */
import { describe, expect, it } from 'vitest';
import { parseProxyPath, proxyTarget } from '../../services/api-server/service-proxy.js';
import { parseControlRequest } from '../../services/api-server/web-control.js';
import { defaultWebDirs } from '../../services/api-server/web-server.js';
import { dashboardEndpoints, dashboardService, isDashboardService } from '../../services/api-server/dashboard-service.js';
import { isStatusError } from '../../shared/api/errors.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const svc = (ports: object[]): any => ({ kind: 'Service', metadata: { name: 'kubia', namespace: 'default' }, spec: { ports } });
const eps = (subsets: object[]): any => ({ kind: 'Endpoints', metadata: { name: 'kubia', namespace: 'default' }, subsets });

describe('service proxy paths', () => {
  it('reads [scheme:]name[:port] and the path below /proxy, as kubectl cluster-info writes them', () => {
    expect(parseProxyPath('/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy')).toEqual({ namespace: 'kube-system', scheme: '', name: 'kube-dns', port: 'dns', rest: undefined });
    expect(parseProxyPath('/api/v1/namespaces/default/services/kubia/proxy/')).toEqual({ namespace: 'default', scheme: '', name: 'kubia', port: '', rest: '/' });
    expect(parseProxyPath('/api/v1/namespaces/default/services/https:kubia:443/proxy/a/b')).toEqual({ namespace: 'default', scheme: 'https', name: 'kubia', port: '443', rest: '/a/b' });
    expect(parseProxyPath('/api/v1/namespaces/default/services/kubia%3A8080/proxy/x')).toMatchObject({ name: 'kubia', port: '8080', rest: '/x' });
  });

  it('leaves every other path to the API', () => {
    for (const p of ['/api/v1/namespaces/default/services/kubia', '/api/v1/namespaces/default/services/kubia/status', '/api/v1/namespaces/default/pods/x/proxy/', '/api/v1/namespaces/default/services/a:b:c:d/proxy/']) {
      expect(parseProxyPath(p)).toBeUndefined();
    }
  });
});

describe('the endpoint a proxied request goes to', () => {
  const ports = [
    { name: 'http', port: 80, targetPort: 8080 },
    { name: 'admin', port: 9000, targetPort: 9090 },
  ];
  const endpoints = eps([
    { addresses: [{ ip: '127.128.1.2' }, { ip: '127.128.2.2' }], notReadyAddresses: [{ ip: '127.128.3.2' }], ports: [{ name: 'http', port: 8080 }, { name: 'admin', port: 9090 }] },
  ]);

  it('picks among the ready addresses on the port of the same name, by name or number, the first port by default', () => {
    expect(proxyTarget(svc(ports), endpoints, 'http', () => 1)).toEqual({ ip: '127.128.2.2', port: 8080 });
    expect(proxyTarget(svc(ports), endpoints, '9000', () => 0)).toEqual({ ip: '127.128.1.2', port: 9090 });
    expect(proxyTarget(svc(ports), endpoints, '', () => 0)).toEqual({ ip: '127.128.1.2', port: 8080 });
  });

  it('takes the one unnamed port of a single-port service', () => {
    expect(proxyTarget(svc([{ port: 80 }]), eps([{ addresses: [{ ip: '127.128.1.5' }], ports: [{ port: 8080 }] }]), '')).toEqual({ ip: '127.128.1.5', port: 8080 });
  });

  it('refuses an unknown port (400) and a service with no ready endpoint (503, in kube-apiserver’s words)', () => {
    const bad = thrown(() => proxyTarget(svc(ports), endpoints, 'metrics'));
    expect(isStatusError(bad, 'BadRequest')).toBe(true);
    const none = thrown(() => proxyTarget(svc(ports), eps([{ notReadyAddresses: [{ ip: '127.128.3.2' }], ports: [{ name: 'http', port: 8080 }] }]), 'http'));
    expect(isStatusError(none, 'ServiceUnavailable')).toBe(true);
    expect((none as Error).message).toBe('no endpoints available for service "kubia"');
    expect(isStatusError(thrown(() => proxyTarget(svc(ports), undefined, 'http')), 'ServiceUnavailable')).toBe(true);
  });
});

describe("the dashboard buttons' request body", () => {
  it('takes a target and an optional positive forMs', () => {
    expect(parseControlRequest('{"target":"node-2"}')).toEqual({ target: 'node-2' });
    expect(parseControlRequest('{"target":"scheduler","forMs":30000,"extra":1}')).toEqual({ target: 'scheduler', forMs: 30000 });
  });

  it('refuses anything else with a 400 that names the field', () => {
    const cases: [string, RegExp][] = [
      ['not json', /must be JSON/],
      ['[1]', /JSON object/],
      ['{}', /^target:/],
      ['{"target":"../../etc"}', /^target:/],
      ['{"target":"node-2","forMs":-1}', /^forMs:/],
      ['{"target":"node-2","forMs":"30s"}', /^forMs:/],
    ];
    for (const [body, message] of cases) {
      const err = thrown(() => parseControlRequest(body));
      expect(isStatusError(err, 'BadRequest'), body).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
  });
});

describe("the dashboard's cluster Service", () => {
  it('is a cluster service kubectl cluster-info names "Dashboard", on a port named http, whose endpoint is the api-server', () => {
    const s = dashboardService(6443) as any;
    expect(s.metadata).toMatchObject({ namespace: 'kube-system', name: 'kubemu-dashboard', labels: { 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'Dashboard' } });
    expect(s.spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 6443 }]);
    expect(s.spec.selector).toBeUndefined();
    expect((dashboardEndpoints('127.0.0.1', 6443) as any).subsets).toEqual([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: 6443, protocol: 'TCP' }] }]);
    expect([isDashboardService('kube-system', 'kubemu-dashboard'), isDashboardService('default', 'kubemu-dashboard')]).toEqual([true, false]);
  });
});

describe("where the dashboard's files are", () => {
  it('pages from the sources, scripts and shared modules from dist, whether run from sources or built', () => {
    const fromSource = defaultWebDirs('file:///repo/services/api-server/web-server.ts');
    const fromDist = defaultWebDirs('file:///repo/dist/services/api-server/web-server.js');
    const want = { pages: '/repo/services/api-server/web', scripts: '/repo/dist/services/api-server/web', lib: '/repo/dist/shared' };
    expect(fromSource).toEqual(want);
    expect(fromDist).toEqual(want);
  });
});
