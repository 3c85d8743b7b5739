import { describe, expect, it } from 'vitest';
import { printerFor, hasPrinter } from '../../services/api-server/table/columns/index.js';
import { RESOURCES, resourceByPlural } from '../../shared/api/resources.js';
import { FakeClock } from '../../shared/runtime/clock.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const clock = new FakeClock(NOW);
const meta = (name: string, extra: any = {}): any => ({ name, namespace: 'default', creationTimestamp: ago(5 * 60_000), ...extra });

function row(plural: string, obj: any): unknown[] {
  return printerFor(resourceByPlural(plural)).row(obj, clock);
}
function headers(plural: string): string[] {
  return printerFor(resourceByPlural(plural)).columns.map((c) => (c.priority ? `${c.name}*` : c.name));
}

describe('every kind has columns', () => {
  it('gives every row of the resource table its own printer, cells matching its columns', () => {
    for (const r of RESOURCES) {
      expect(hasPrinter(r), r.plural).toBe(true);
      const p = printerFor(r);
      const cells = p.row({ metadata: meta('x') } as any, clock);
      expect(cells.length, r.plural).toBe(p.columns.length);
      for (const c of p.columns) expect(c.description, `${r.plural} ${c.name}`).not.toBe('');
    }
  });

  it('prints Name and Age for a kind without a printer', () => {
    const p = printerFor({ group: 'example.com', plural: 'widgets' });
    expect(p.columns.map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(p.row({ metadata: meta('w') } as any, clock)).toEqual(['w', '5m']);
  });
});

describe('nodes', () => {
  const node = (extra: any = {}): any => ({
    metadata: meta('node-1', { namespace: undefined, labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } }),
    spec: {},
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '127.0.1.1' }, { type: 'Hostname', address: 'node-1' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'kubemu', kernelVersion: '6.1.0', containerRuntimeVersion: 'kubemu://process' },
    },
    ...extra,
  });

  it('prints status, sorted roles, age, version and the wide node info', () => {
    expect(headers('nodes')).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
    expect(row('nodes', node())).toEqual(['node-1', 'Ready', 'control-plane,worker', '5m', 'v1.32.0', '127.0.1.1', '<none>', 'kubemu', '6.1.0', 'kubemu://process']);
  });

  it('reads NotReady for a False or Unknown Ready condition, Unknown without one, and adds SchedulingDisabled', () => {
    const n = node();
    n.status.conditions[0].status = 'Unknown';
    expect(row('nodes', n)[1]).toBe('NotReady');
    n.status.conditions = [];
    n.spec.unschedulable = true;
    expect(row('nodes', n)[1]).toBe('Unknown,SchedulingDisabled');
  });

  it('prints <none> roles and <unknown> node info when absent', () => {
    expect(row('nodes', { metadata: meta('bare') })).toEqual(['bare', 'Unknown', '<none>', '5m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });
});

describe('namespaces and leases', () => {
  it('prints the namespace phase', () => {
    expect(headers('namespaces')).toEqual(['Name', 'Status', 'Age']);
    expect(row('namespaces', { metadata: meta('default'), status: { phase: 'Active' } })).toEqual(['default', 'Active', '5m']);
    expect(row('namespaces', { metadata: meta('gone'), status: { phase: 'Terminating' } })[1]).toBe('Terminating');
  });

  it('prints the lease holder (empty when free)', () => {
    expect(headers('leases')).toEqual(['Name', 'Holder', 'Age']);
    expect(row('leases', { metadata: meta('node-1'), spec: { holderIdentity: 'node-1' } })).toEqual(['node-1', 'node-1', '5m']);
    expect(row('leases', { metadata: meta('free'), spec: {} })[1]).toBe('');
  });
});

describe('services', () => {
  const svc = (spec: any, status: any = {}): any => ({ metadata: meta('kubia-http'), spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { run: 'kubia', app: 'x' }, ...spec }, status });

  it('has the real columns', () => {
    expect(headers('services')).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
  });

  it('prints a ClusterIP service with <none> external IP and a sorted selector', () => {
    expect(row('services', svc({ type: 'ClusterIP', ports: [{ port: 443, protocol: 'TCP' }] }))).toEqual(['kubia-http', 'ClusterIP', '10.96.0.10', '<none>', '443/TCP', '5m', 'app=x,run=kubia']);
  });

  it('prints node ports and several ports', () => {
    const s = svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30123, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }, { port: 53, nodePort: 30053, protocol: 'UDP' }] });
    expect(row('services', s)[4]).toBe('80:30123/TCP,443/TCP,53:30053/UDP');
  });

  it('prints <pending> for a LoadBalancer without ingress, then its sorted addresses and external IPs', () => {
    expect(row('services', svc({ type: 'LoadBalancer', ports: [{ port: 8080, nodePort: 30125, protocol: 'TCP' }] }))[3]).toBe('<pending>');
    expect(row('services', svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '127.0.5.2' }, { hostname: 'lb.example' }, { ip: '127.0.5.1' }] } }))[3]).toBe('127.0.5.1,127.0.5.2,lb.example');
    expect(row('services', svc({ type: 'LoadBalancer', externalIPs: ['1.2.3.4'] }, { loadBalancer: { ingress: [{ ip: '127.0.5.2' }] } }))[3]).toBe('127.0.5.2,1.2.3.4');
  });

  it('prints ExternalName targets, external IPs, headless services and port-less services', () => {
    expect(row('services', svc({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: undefined, clusterIPs: undefined }))).toEqual(['kubia-http', 'ExternalName', '<none>', 'db.example.com', '<none>', '5m', 'app=x,run=kubia']);
    expect(row('services', svc({ type: 'ClusterIP', externalIPs: ['1.2.3.4', '5.6.7.8'] }))[3]).toBe('1.2.3.4,5.6.7.8');
    expect(row('services', svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: undefined }))).toEqual(['kubia-http', 'ClusterIP', 'None', '<none>', '<none>', '5m', '<none>']);
  });
});

describe('endpoints and endpointslices', () => {
  it('prints ip:port pairs, then + N more... after three', () => {
    const subsets = [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 8080 }, { port: 8443 }] }];
    expect(row('endpoints', { metadata: meta('kubia'), subsets })).toEqual(['kubia', '10.0.0.1:8080,10.0.0.2:8080,10.0.0.1:8443 + 1 more...', '5m']);
    expect(row('endpoints', { metadata: meta('kubia'), subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 8080 }] }] })[1]).toBe('10.0.0.1:8080');
  });

  it('prints bare IPs for port-less subsets, brackets IPv6, and <none> without subsets', () => {
    expect(row('endpoints', { metadata: meta('h'), subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] })[1]).toBe('10.0.0.1');
    expect(row('endpoints', { metadata: meta('v6'), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] })[1]).toBe('[fd00::1]:80');
    expect(row('endpoints', { metadata: meta('none') })[1]).toBe('<none>');
  });

  it('prints an endpoint slice: address type, ports, addresses', () => {
    expect(headers('endpointslices')).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    const slice = {
      metadata: meta('kubia-abcde'),
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'any' }],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
    };
    expect(row('endpointslices', slice)).toEqual(['kubia-abcde', 'IPv4', '8080,any', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '5m']);
    expect(row('endpointslices', { metadata: meta('empty'), addressType: 'IPv4', endpoints: [] })).toEqual(['empty', 'IPv4', '<unset>', '<unset>', '5m']);
  });
});

describe('workloads', () => {
  const template = { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }, { name: 'sidecar', image: 'busybox' }] } };

  it('prints a replication controller with numbers and its selector map', () => {
    expect(headers('replicationcontrollers')).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const rc = { metadata: meta('kubia'), spec: { replicas: 3, selector: { app: 'kubia' }, template }, status: { replicas: 3, readyReplicas: 2 } };
    expect(row('replicationcontrollers', rc)).toEqual(['kubia', 3, 3, 2, '5m', 'kubia,sidecar', 'luksa/kubia,busybox', 'app=kubia']);
    expect(row('replicationcontrollers', { metadata: meta('new'), spec: {} })).toEqual(['new', 1, 0, 0, '5m', '', '', '<none>']);
  });

  it('prints a replica set with its label selector', () => {
    const rs = {
      metadata: meta('kubia-7d9f'),
      spec: { replicas: 2, selector: { matchLabels: { app: 'kubia' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }, template },
      status: { replicas: 2, readyReplicas: 2 },
    };
    expect(row('replicasets', rs)).toEqual(['kubia-7d9f', 2, 2, 2, '5m', 'kubia,sidecar', 'luksa/kubia,busybox', 'app=kubia,env in (dev,prod)']);
    expect(row('replicasets', { metadata: meta('bad'), spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } } })[7]).toBe('<error>');
  });

  it('prints a deployment: ready/desired, up-to-date, available', () => {
    expect(headers('deployments')).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const d = { metadata: meta('x'), spec: { replicas: 3, selector: { matchLabels: { app: 'x' } }, template }, status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 } };
    expect(row('deployments', d)).toEqual(['x', '2/3', 3, 2, '5m', 'kubia,sidecar', 'luksa/kubia,busybox', 'app=x']);
    expect(row('deployments', { metadata: meta('fresh'), spec: {} })).toEqual(['fresh', '0/1', 0, 0, '5m', '', '', '']);
  });
});

describe('events', () => {
  const ev = (extra: any = {}): any => ({
    metadata: meta('kubia.17a2b'),
    involvedObject: { kind: 'Pod', name: 'kubia', namespace: 'default', fieldPath: 'spec.containers{kubia}' },
    reason: 'Pulled',
    message: 'Successfully pulled image "luksa/kubia"\n',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: ago(10 * 60_000),
    lastTimestamp: ago(30_000),
    count: 3,
    type: 'Normal',
    ...extra,
  });

  it('has the real column order, wide columns in the middle', () => {
    expect(headers('events')).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  });

  it('prints last seen, type, reason, kind/name, trimmed message and the wide cells', () => {
    expect(row('events', ev())).toEqual(['30s', 'Normal', 'Pulled', 'pod/kubia', 'spec.containers{kubia}', 'kubelet, node-1', 'Successfully pulled image "luksa/kubia"', '10m', 3, 'kubia.17a2b']);
  });

  it('falls back to eventTime, to first seen, and to a count of 1', () => {
    const e = ev({ firstTimestamp: null, lastTimestamp: null, count: undefined, eventTime: ago(90_000), source: {}, reportingComponent: 'default-scheduler', reportingInstance: '' });
    const cells = row('events', e);
    expect([cells[0], cells[5], cells[7], cells[8]]).toEqual(['90s', 'default-scheduler', '90s', 1]);
  });

  it('takes last seen and count from a series', () => {
    const cells = row('events', ev({ series: { count: 7, lastObservedTime: ago(4000) } }));
    expect([cells[0], cells[8]]).toEqual(['4s', 7]);
  });

  it('prints <unknown> without any time and the bare kind without a name', () => {
    const cells = row('events', { metadata: meta('e'), involvedObject: { kind: 'Node' } });
    expect([cells[0], cells[3], cells[7]]).toEqual(['<unknown>', 'node', '<unknown>']);
  });
});

describe('configmaps, secrets, serviceaccounts', () => {
  it('counts configmap keys of data and binaryData', () => {
    expect(headers('configmaps')).toEqual(['Name', 'Data', 'Age']);
    expect(row('configmaps', { metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })).toEqual(['cfg', 3, '5m']);
    expect(row('configmaps', { metadata: meta('empty') })).toEqual(['empty', 0, '5m']);
  });

  it('prints a secret type and key count (stringData included)', () => {
    expect(headers('secrets')).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(row('secrets', { metadata: meta('s'), type: 'Opaque', data: { a: 'MQ==' }, stringData: { a: '1', b: '2' } })).toEqual(['s', 'Opaque', 2, '5m']);
  });

  it('counts service account secrets', () => {
    expect(headers('serviceaccounts')).toEqual(['Name', 'Secrets', 'Age']);
    expect(row('serviceaccounts', { metadata: meta('default') })).toEqual(['default', 0, '5m']);
    expect(row('serviceaccounts', { metadata: meta('builder'), secrets: [{ name: 'a' }] })).toEqual(['builder', 1, '5m']);
  });
});
