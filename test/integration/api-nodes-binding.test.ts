import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { pod } from '../support/builders.js';

const PODS = '/api/v1/namespaces/default/pods';

describe('api-server: binding, eviction, node IPAM, default tolerations', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster({ defaultTolerationSeconds: 0 });
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('binds a pod to a node once, with PodScheduled, and only through binding', async () => {
    await c.http('POST', PODS, pod('b1'));
    const bind = await c.http('POST', `${PODS}/b1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } });
    expect(bind.status).toBe(201);
    expect(bind.json).toMatchObject({ kind: 'Status', status: 'Success' });
    const p = (await c.http('GET', `${PODS}/b1`)).json;
    expect(p.spec.nodeName).toBe('node-1');
    expect(p.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
    const again = await c.http('POST', `${PODS}/b1/binding`, { metadata: { name: 'b1' }, target: { kind: 'Node', name: 'node-2' } });
    expect(again.status).toBe(409);
    expect(again.json.message).toContain('is already assigned to node "node-1"');
    await c.http('POST', PODS, pod('b2'));
    const cur = (await c.http('GET', `${PODS}/b2`)).json;
    const put = await c.http('PUT', `${PODS}/b2`, { ...cur, spec: { ...cur.spec, nodeName: 'node-1' } });
    expect(put.status).toBe(422);
    expect((await c.http('POST', `${PODS}/b2/binding`, { target: { kind: 'Pod', name: 'x' } })).status).toBe(400);
  });

  it('evicts a pod through the eviction subresource (graceful on a node)', async () => {
    const r = await c.http('POST', `${PODS}/b1/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'b1' } });
    expect(r.status).toBe(201);
    expect((await c.http('GET', `${PODS}/b1`)).json.metadata.deletionTimestamp).toBeDefined();
  });

  it('gives nodes a pod CIDR by their index, or the lowest free one, and keeps it', async () => {
    const n3 = (await c.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-3' } })).json;
    expect(n3.spec).toMatchObject({ podCIDR: '127.128.3.0/24', podCIDRs: ['127.128.3.0/24'] });
    const odd = (await c.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker' } })).json;
    expect(odd.spec.podCIDR).toBe('127.128.1.0/24');
    const clash = (await c.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } })).json;
    expect(clash.spec.podCIDR).toBe('127.128.2.0/24');
    const change = await c.http('PATCH', '/api/v1/nodes/node-3', { spec: { podCIDR: '127.128.9.0/24' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(change.status).toBe(422);
    const label = await c.http('PATCH', '/api/v1/nodes/node-3', { metadata: { labels: { disk: 'ssd' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(label.json.spec.podCIDR).toBe('127.128.3.0/24');
  });

  it('adds the not-ready/unreachable tolerations with the configured seconds', async () => {
    const p = (await c.http('POST', PODS, pod('tol'))).json;
    expect(p.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
    ]);
  });
});
