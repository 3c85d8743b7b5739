import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../shared/api/apps.js';
import type { Node } from '../../shared/api/core.js';
import { NodeLeases } from '../../services/controller-manager/node-leases.js';
import { LEASES, NODES, readyNode, startHarness, type Harness } from '../support/controller-harness.js';

let h: Harness | undefined;
afterEach(() => h?.stop());

async function start(nodes: string[], opts: { renewIntervalMs?: number; writesPerSecond?: number } = {}): Promise<Harness> {
  h = await startHarness();
  for (const n of nodes) await h.api.create(NODES, undefined, readyNode(n, h.clock));
  const leases = new NodeLeases({
    api: h.api,
    nodes: h.ctx.nodes(),
    leases: h.ctx.nodeLeases(),
    heartbeats: h.heartbeats,
    clock: h.clock,
    leaseDurationSeconds: 4,
    renewIntervalMs: opts.renewIntervalMs ?? 1000,
    writesPerSecond: opts.writesPerSecond ?? 0,
    tickMs: 500,
  });
  h.run(leases);
  await h.advance(50);
  return h;
}

const lease = (name: string) => h!.api.get<Lease>(LEASES, 'kube-node-lease', name);

describe('node leases', () => {
  it('mirrors heartbeats into kube-node-lease Leases shaped as a kubelet writes them', async () => {
    await start(['node-1']);
    h!.beat('node-1');
    const heardAt = h!.clock.now();
    await h!.advance(600);
    const l = await lease('node-1');
    const node = await h!.api.get<Node>(NODES, undefined, 'node-1');
    expect(l.spec).toEqual({ holderIdentity: 'node-1', leaseDurationSeconds: 4, renewTime: new Date(heardAt).toISOString().replace('Z', '000Z') });
    expect(l.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: node.metadata.uid }]);
  });

  it('renews at most once per renew interval however often heartbeats come, and stops when they stop', async () => {
    await start(['node-1'], { renewIntervalMs: 2000 });
    let writes = 0;
    h!.api.reactor((call) => void (call.resource.plural === 'leases' && (call.verb === 'update' || call.verb === 'create') && writes++));
    await h!.beating(['node-1'], 10_000, 250);
    expect(writes).toBeGreaterThanOrEqual(4);
    expect(writes).toBeLessThanOrEqual(6);
    const renewed = Date.parse((await lease('node-1')).spec.renewTime!);
    await h!.advance(10_000);
    expect(Date.parse((await lease('node-1')).spec.renewTime!)).toBe(renewed);
  });

  it('spreads writes over ticks when many nodes are due, most stale first', async () => {
    const nodes = Array.from({ length: 30 }, (_, i) => `node-${i + 1}`);
    await start(nodes, { writesPerSecond: 10 });
    let writes = 0;
    h!.api.reactor((call) => void (call.resource.plural === 'leases' && call.verb === 'create' && writes++));
    h!.beat(...nodes);
    await h!.advance(600, 50);
    expect(writes).toBe(10); // the first second's budget
    await h!.advance(2000, 50);
    expect(writes).toBe(30);
  });

  it('creates no lease for an unknown node and deletes the lease of a deleted node', async () => {
    await start(['node-1']);
    h!.beat('node-1', 'ghost');
    await h!.advance(600);
    expect((await h!.api.list(LEASES, 'kube-node-lease')).items.map((l) => l.metadata.name)).toEqual(['node-1']);
    await h!.api.delete(NODES, undefined, 'node-1');
    await h!.advance(600);
    expect((await h!.api.list(LEASES, 'kube-node-lease')).items).toEqual([]);
  });
});
