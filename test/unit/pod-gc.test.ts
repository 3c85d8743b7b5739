import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../shared/api/core.js';
import { PodGc } from '../../services/controller-manager/pod-gc.js';
import { boundPod, NODES, PODS, readyNode, startHarness, type Harness } from '../support/controller-harness.js';

let h: Harness | undefined;
afterEach(() => h?.stop());

async function start(opts: { threshold?: number; quarantineMs?: number } = {}): Promise<{ h: Harness; gc: PodGc }> {
  h = await startHarness();
  const gc = new PodGc({
    api: h.api,
    pods: h.ctx.pods(),
    nodes: h.ctx.nodes(),
    clock: h.clock,
    periodMs: 1000,
    terminatedThreshold: opts.threshold ?? 12_500,
    quarantineMs: opts.quarantineMs ?? 0,
  });
  await h.api.create(NODES, undefined, readyNode('node-1', h.clock));
  return { h, gc };
}

const names = async (): Promise<string[]> => (await h!.api.list<Pod>(PODS, 'default')).items.map((p) => p.metadata.name ?? '').sort();

describe('pod GC', () => {
  it('force-deletes pods bound to a node that no longer exists, failing them first', async () => {
    const { h, gc } = await start();
    await h.api.create(PODS, 'default', boundPod('kept', 'node-1', h.clock));
    await h.api.create(PODS, 'default', boundPod('orphan', 'node-gone', h.clock));
    await h.api.create(PODS, 'default', boundPod('stuck', 'node-gone', h.clock));
    await h.api.delete(PODS, 'default', 'stuck'); // Terminating, and its kubelet will never confirm
    const updates: Pod[] = [];
    h.api.reactor((call) => void (call.verb === 'update' && call.subresource === 'status' && updates.push(call.body as Pod)));
    h.run(gc);
    await h.advance(100);
    expect(await names()).toEqual(['kept']);
    const orphan = updates.find((p) => p.metadata.name === 'orphan');
    expect(orphan?.status?.phase).toBe('Failed');
    expect(orphan?.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
  });

  it('acts at once when a node is deleted, and not while the API still has the node', async () => {
    const { h, gc } = await start();
    await h.api.create(PODS, 'default', boundPod('kubia', 'node-1', h.clock));
    h.run(gc);
    await h.advance(100);
    const gets: string[] = [];
    h.api.reactor((call) => void (call.verb === 'get' && call.resource.plural === 'nodes' && gets.push(call.name ?? '')));
    await h.api.delete(NODES, undefined, 'node-1');
    await h.advance(20, 10); // well within the 1 s period
    expect(await names()).toEqual([]);
    expect(gets).toEqual(['node-1']); // confirmed with the API before deleting

    // When the API cannot confirm that the node is gone, its pods stay.
    h.api.reactor((call) => {
      if (call.verb === 'get' && call.resource.plural === 'nodes') throw new Error('api-server unavailable');
    });
    await h.api.create(PODS, 'default', boundPod('unsure', 'node-2', h.clock));
    await h.advance(3000);
    expect(await names()).toEqual(['unsure']);
  });

  it('waits out the quarantine before treating a missing node as gone', async () => {
    const { h, gc } = await start({ quarantineMs: 40_000 });
    await h.api.create(PODS, 'default', boundPod('kubia', 'node-gone', h.clock));
    h.run(gc);
    await h.advance(39_000, 500);
    expect(await names()).toEqual(['kubia']);
    await h.advance(2000, 500);
    expect(await names()).toEqual([]);
  });

  it('removes the oldest terminated pods beyond the threshold', async () => {
    const { h, gc } = await start({ threshold: 2 });
    for (const [i, phase] of (['Succeeded', 'Failed', 'Running', 'Succeeded', 'Failed'] as const).entries()) {
      await h.api.create(PODS, 'default', { ...boundPod(`p${i}`, 'node-1', h.clock, { phase }) });
      await h.advance(1000, 1000);
    }
    h.run(gc);
    await h.advance(100);
    expect(await names()).toEqual(['p2', 'p3', 'p4']);
  });

  it('force-deletes terminating pods on a NotReady node marked out-of-service, and unbound terminating pods', async () => {
    const { h, gc } = await start();
    await h.api.create(PODS, 'default', boundPod('kubia', 'node-1', h.clock));
    await h.api.delete(PODS, 'default', 'kubia');
    const n = await h.api.get<Node>(NODES, undefined, 'node-1');
    const conditions = n.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' as const } : c));
    await h.api.update(NODES, { ...n, status: { ...n.status, conditions } }, 'status');
    h.run(gc);
    await h.advance(100);
    expect(await names()).toEqual(['kubia']); // NotReady alone is not enough
    const m = await h.api.get<Node>(NODES, undefined, 'node-1');
    await h.api.update(NODES, { ...m, spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } });
    await h.advance(1100);
    expect(await names()).toEqual([]);
  });
});
