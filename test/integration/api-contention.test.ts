/**
 * Writes without preconditions never answer 409 however much they contend: status patches and
 * deletes of the same pods at once, as the kubelet and a controller do during a scale-down. The
 * api-server retries a lost compare-and-swap after catching its cache up with the store (the
 * registry's `catchUp`), as kube-apiserver's GuaranteedUpdate re-reads etcd.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { pod } from '../support/builders.js';

const PODS = '/api/v1/namespaces/default/pods';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

describe('contending writes without preconditions', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster();
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('status patches racing each other and a delete: every patch 200 (or 404 once gone), every delete 200', async () => {
    const names = Array.from({ length: 15 }, (_, i) => `race-${i}`);
    for (const n of names) expect((await c.http('POST', PODS, pod(n))).status).toBe(201);
    const patches = names.flatMap((n) =>
      Array.from({ length: 6 }, (_, k) => c.http('PATCH', `${PODS}/${n}/status`, { status: { message: `m${k}`, phase: 'Pending' } }, MERGE)),
    );
    const deletes = names.map((n) => c.http('DELETE', `${PODS}/${n}?gracePeriodSeconds=0`));
    const labels = names.map((n) => c.http('PATCH', `${PODS}/${n}`, { metadata: { labels: { touched: 'yes' } } }, MERGE));
    const patched = await Promise.all([...patches, ...labels]);
    const deleted = await Promise.all(deletes);
    expect(patched.map((r) => r.status).filter((s) => s !== 200 && s !== 404)).toEqual([]);
    expect(deleted.map((r) => r.status)).toEqual(names.map(() => 200));
    const left = await c.http('GET', PODS);
    expect(left.json.items.filter((p: { metadata: { name: string } }) => p.metadata.name.startsWith('race-'))).toEqual([]);
  });
});
