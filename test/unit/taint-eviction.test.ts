import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Taint } from '../../shared/api/core.js';
import { isoTime } from '../../shared/runtime/clock.js';
import { taintEvictionController } from '../../services/controller-manager/taint-eviction.js';
import { nodeLifecycleController } from '../../services/controller-manager/node-lifecycle.js';
import { matchingTolerations, minTolerationSeconds, tolerates } from '../../shared/api/tolerations.js';
import { boundPod, defaultTolerations, NODES, PODS, readyNode, startHarness, type Harness } from '../support/controller-harness.js';

let h: Harness | undefined;
afterEach(() => h?.stop());

const UNREACHABLE = 'node.kubernetes.io/unreachable';

async function start(): Promise<Harness> {
  h = await startHarness();
  await h.api.create(NODES, undefined, readyNode('node-1', h.clock));
  await h.api.create(NODES, undefined, readyNode('node-2', h.clock));
  h.run(taintEvictionController(h.ctx));
  await h.advance(50);
  return h;
}

async function taint(node: string, taints: Taint[]): Promise<void> {
  const n = await h!.node(node);
  await h!.api.update<Node>(NODES, { ...n, spec: { ...n.spec, taints } });
  await h!.advance(50);
}

const unreachable = (timeAdded?: string): Taint => ({ key: UNREACHABLE, effect: 'NoExecute', ...(timeAdded ? { timeAdded } : {}) });
const deleting = async (name: string) => Boolean((await h!.pod(name)).metadata.deletionTimestamp);

describe('taint eviction', () => {
  it('evicts at once the pods that do not tolerate a NoExecute taint, as Kubernetes records it', async () => {
    await start();
    await h!.api.create(PODS, 'default', boundPod('kubia', 'node-1', h!.clock));
    await h!.api.create(PODS, 'default', boundPod('elsewhere', 'node-2', h!.clock));
    await taint('node-1', [unreachable(isoTime(h!.clock))]);
    const pod = await h!.pod('kubia');
    expect(pod.metadata.deletionTimestamp).toBeDefined(); // graceful: stays Terminating until its kubelet confirms
    expect(pod.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    });
    expect(await deleting('elsewhere')).toBe(false);
    const events = await h!.events('TaintManagerEviction');
    expect(events.map((e) => [e.involvedObject.name, e.type, e.message, e.source?.component])).toEqual([
      ['kubia', 'Normal', 'Marking for deletion Pod default/kubia', 'taint-eviction-controller'],
    ]);
  });

  it("evicts at once with kubemu's default 0 s tolerations", async () => {
    await start();
    await h!.api.create(PODS, 'default', boundPod('kubia', 'node-1', h!.clock, { tolerations: defaultTolerations(0) }));
    await taint('node-1', [unreachable(isoTime(h!.clock))]);
    expect(await deleting('kubia')).toBe(true);
  });

  it('keeps pods that tolerate the taint forever, and ignores NoSchedule taints', async () => {
    await start();
    await h!.api.create(PODS, 'default', boundPod('forever', 'node-1', h!.clock, { tolerations: [{ operator: 'Exists' }] }));
    await h!.api.create(PODS, 'default', boundPod('plain', 'node-2', h!.clock));
    await taint('node-1', [unreachable(isoTime(h!.clock))]);
    await taint('node-2', [{ key: UNREACHABLE, effect: 'NoSchedule' }]);
    await h!.advance(600_000, 10_000);
    expect(await deleting('forever')).toBe(false);
    expect(await deleting('plain')).toBe(false);
  });

  it('evicts when tolerationSeconds run out, counted from the taint being added', async () => {
    await start();
    await h!.api.create(PODS, 'default', boundPod('kubia', 'node-1', h!.clock, { tolerations: defaultTolerations(300) }));
    await h!.advance(100_000, 1000);
    const addedAgo = new Date(h!.clock.now() - 100_000).toISOString(); // the taint was added 100 s ago (e.g. before a leader change)
    await taint('node-1', [unreachable(addedAgo)]);
    await h!.advance(199_000, 1000);
    expect(await deleting('kubia')).toBe(false);
    await h!.advance(1500, 100);
    expect(await deleting('kubia')).toBe(true);
  });

  it('gives a pod bound after the taint appeared its full toleration', async () => {
    await start();
    await taint('node-1', [unreachable(isoTime(h!.clock))]);
    await h!.advance(50_000, 1000);
    await h!.api.create(PODS, 'default', boundPod('late', 'node-1', h!.clock, { tolerations: defaultTolerations(60) }));
    await h!.advance(59_000, 1000);
    expect(await deleting('late')).toBe(false);
    await h!.advance(1500, 100);
    expect(await deleting('late')).toBe(true);
  });

  it('cancels a pending eviction when the taint goes away in time', async () => {
    await start();
    await h!.api.create(PODS, 'default', boundPod('kubia', 'node-1', h!.clock, { tolerations: defaultTolerations(300) }));
    await taint('node-1', [unreachable(isoTime(h!.clock))]);
    await h!.advance(10_000, 1000);
    await taint('node-1', []);
    await h!.advance(400_000, 10_000);
    expect(await deleting('kubia')).toBe(false);
    expect((await h!.events('TaintManagerEviction')).map((e) => e.message)).toEqual(['Cancelling deletion of Pod default/kubia']);
  });

  it('leaves pods already being deleted alone', async () => {
    await start();
    await h!.api.create(PODS, 'default', boundPod('kubia', 'node-1', h!.clock));
    await h!.api.delete(PODS, 'default', 'kubia', { gracePeriodSeconds: 60 });
    await taint('node-1', [unreachable(isoTime(h!.clock))]);
    expect((await h!.pod('kubia')).metadata.deletionGracePeriodSeconds).toBe(60);
    expect(await h!.events('TaintManagerEviction')).toEqual([]);
  });
});

describe('node failure end to end (lifecycle + eviction, fake heartbeats)', () => {
  it('a node that stops sending heartbeats loses its pods after the grace period', async () => {
    h = await startHarness();
    await h.api.create(NODES, undefined, readyNode('node-1', h.clock));
    await h.api.create(NODES, undefined, readyNode('node-2', h.clock));
    await h.api.create(PODS, 'default', boundPod('on-1', 'node-1', h.clock, { tolerations: defaultTolerations(0) }));
    await h.api.create(PODS, 'default', boundPod('on-2', 'node-2', h.clock, { tolerations: defaultTolerations(0) }));
    h.run(nodeLifecycleController(h.ctx));
    h.run(taintEvictionController(h.ctx));
    await h.beating(['node-1', 'node-2'], 3000);
    const killedAt = h.clock.now();
    let evictedAt = 0;
    for (let t = 0; t < 10_000 && !evictedAt; t += 100) {
      await h.beating(['node-1'], 100, 100);
      if (await deleting('on-2')) evictedAt = h.clock.now();
    }
    expect(evictedAt - killedAt).toBeGreaterThanOrEqual(4000 - 1000);
    expect(evictedAt - killedAt).toBeLessThanOrEqual(4000 + 200);
    expect(await deleting('on-1')).toBe(false);
  });
});

describe('tolerations (pure)', () => {
  const t: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };

  it('match by key, value, operator and effect as Kubernetes does', () => {
    expect(tolerates({ key: 'k', operator: 'Equal', value: 'v' }, t)).toBe(true);
    expect(tolerates({ key: 'k', value: 'v' }, t)).toBe(true); // operator defaults to Equal
    expect(tolerates({ key: 'k', value: 'w' }, t)).toBe(false);
    expect(tolerates({ key: 'k', operator: 'Exists' }, t)).toBe(true);
    expect(tolerates({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, t)).toBe(false);
    expect(tolerates({ operator: 'Exists' }, t)).toBe(true); // empty key + Exists: everything
    expect(tolerates({ operator: 'Equal', value: 'v' }, t)).toBe(false);
    expect(tolerates({ key: 'k' }, { key: 'k', effect: 'NoSchedule' })).toBe(true); // no value on either side
  });

  it('every taint needs a toleration; the first matching one is used', () => {
    const a: Taint = { key: 'a', effect: 'NoExecute' };
    const b: Taint = { key: 'b', effect: 'NoExecute' };
    expect(matchingTolerations([a, b], [{ key: 'a', operator: 'Exists' }]).allTolerated).toBe(false);
    const r = matchingTolerations([a, b], [{ key: 'a', operator: 'Exists', tolerationSeconds: 5 }, { operator: 'Exists' }]);
    expect(r).toEqual({ allTolerated: true, used: [{ key: 'a', operator: 'Exists', tolerationSeconds: 5 }, { operator: 'Exists' }] });
    expect(matchingTolerations([], []).allTolerated).toBe(true);
  });

  it('the shortest tolerationSeconds wins; none set means forever; ≤ 0 means now', () => {
    expect(minTolerationSeconds([{ tolerationSeconds: 300 }, { tolerationSeconds: 30 }, {}])).toBe(30);
    expect(minTolerationSeconds([{}, {}])).toBe(Infinity);
    expect(minTolerationSeconds([{ tolerationSeconds: 300 }, { tolerationSeconds: -1 }])).toBe(0);
  });
});
