import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../shared/api/core.js';
import { isoTime, realClock } from '../../shared/runtime/clock.js';
import { conflict, MODIFIED_CONFLICT } from '../../shared/api/errors.js';
import { nodeLifecycleController } from '../../services/controller-manager/node-lifecycle.js';
import { controllerTaints, probeDeadline, unknownConditions } from '../../services/controller-manager/node-health.js';
import { EvictionLimiter } from '../../services/controller-manager/eviction-limiter.js';
import { boundPod, NODES, PODS, readyNode, startHarness, type Harness } from '../support/controller-harness.js';

let h: Harness | undefined;
afterEach(() => h?.stop());

const cond = (n: Node, type: string) => n.status?.conditions?.find((c) => c.type === type);
const taintKeys = (n: Node) => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

async function cluster(nodes: string[], profile = {}): Promise<Harness> {
  h = await startHarness({ profile });
  for (const n of nodes) await h.api.create(NODES, undefined, readyNode(n, h.clock));
  h.beat(...nodes);
  h.run(nodeLifecycleController(h.ctx));
  await h.advance(50);
  return h;
}

async function setReady(name: string, status: 'True' | 'False'): Promise<void> {
  const node = await h!.node(name);
  const now = isoTime(h!.clock);
  const conditions = node.status!.conditions!.map((c) =>
    c.type === 'Ready' ? { ...c, status, reason: status === 'True' ? 'KubeletReady' : 'KubeletNotReady', lastHeartbeatTime: now, lastTransitionTime: now } : { ...c, lastHeartbeatTime: now },
  );
  await h!.api.update(NODES, { ...node, status: { ...node.status, conditions } }, 'status');
}

describe('node lifecycle: heartbeats and the Ready condition', () => {
  it('keeps a node that keeps sending heartbeats Ready and untainted', async () => {
    await cluster(['node-1']);
    await h!.beating(['node-1'], 20_000);
    const node = await h!.node('node-1');
    expect(cond(node, 'Ready')?.status).toBe('True');
    expect(node.spec?.taints ?? []).toEqual([]);
    expect(await h!.events('NodeNotReady')).toEqual([]);
  });

  it('marks a silent node Unknown after the grace period, as Kubernetes words it', async () => {
    await cluster(['node-1', 'node-2']);
    await h!.beating(['node-1', 'node-2'], 3000);
    const lastBeat = h!.clock.now() - 1000;
    await h!.beating(['node-1'], 2900); // node-2 silent for 3.9 s: within the 4 s grace
    expect(cond(await h!.node('node-2'), 'Ready')?.status).toBe('True');
    await h!.beating(['node-1'], 300);
    const node = await h!.node('node-2');
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      expect(cond(node, type)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    }
    const ready = cond(node, 'Ready')!;
    expect(Date.parse(ready.lastTransitionTime!) - lastBeat).toBeGreaterThanOrEqual(4000 - 1000); // isoTime drops ms
    expect(ready.lastHeartbeatTime).toBe('2026-01-01T00:00:00Z'); // the kubelet's last post, untouched
    expect(taintKeys(node)).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    expect(node.spec!.taints!.every((t) => t.timeAdded)).toBe(true);
    expect(cond(await h!.node('node-1'), 'Ready')?.status).toBe('True');
    const events = await h!.events('NodeNotReady');
    expect(events.map((e) => [e.involvedObject.name, e.message, e.source?.component])).toEqual([['node-2', 'Node node-2 status is now: NodeNotReady', 'node-controller']]);
  });

  it('marks the pods of an unreachable node not ready, with a NodeNotReady warning each', async () => {
    await cluster(['node-1']);
    await h!.api.create(PODS, 'default', boundPod('kubia-a', 'node-1', h!.clock));
    await h!.api.create(PODS, 'default', boundPod('kubia-b', 'node-1', h!.clock));
    await h!.advance(5000);
    for (const name of ['kubia-a', 'kubia-b']) {
      const pod = await h!.pod(name);
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
      expect(pod.status?.conditions?.find((c) => c.type === 'ContainersReady')?.status).toBe('True');
    }
    const warnings = await h!.events('NodeNotReady');
    expect(warnings.filter((e) => e.involvedObject.kind === 'Pod').map((e) => [e.involvedObject.name, e.type, e.message]).sort()).toEqual([
      ['kubia-a', 'Warning', 'Node is not ready'],
      ['kubia-b', 'Warning', 'Node is not ready'],
    ]);
    // A pod bound to the node while it is unreachable is marked too.
    await h!.api.create(PODS, 'default', boundPod('kubia-c', 'node-1', h!.clock));
    await h!.advance(200);
    expect((await h!.pod('kubia-c')).status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  });

  it('counts a status posted by the kubelet as a sign of life', async () => {
    await cluster(['node-1']);
    for (let i = 0; i < 4; i++) {
      await h!.advance(3000);
      await setReady('node-1', 'True'); // no bus heartbeats, but the kubelet posts status
    }
    await h!.advance(3000);
    expect(cond(await h!.node('node-1'), 'Ready')?.status).toBe('True');
    await h!.advance(1500);
    expect(cond(await h!.node('node-1'), 'Ready')?.status).toBe('Unknown');
  });

  it('gives the not-ready taints to a node whose kubelet reports Ready=False, and marks its pods once', async () => {
    await cluster(['node-1']);
    await h!.api.create(PODS, 'default', boundPod('kubia', 'node-1', h!.clock));
    await h!.beating(['node-1'], 1000);
    await setReady('node-1', 'False');
    await h!.beating(['node-1'], 1000);
    const node = await h!.node('node-1');
    expect(cond(node, 'Ready')?.status).toBe('False');
    expect(taintKeys(node)).toEqual(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
    expect((await h!.pod('kubia')).status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect((await h!.events('NodeNotReady')).map((e) => e.involvedObject.kind).sort()).toEqual(['Node', 'Pod']);
  });

  it('swaps not-ready for unreachable when a NotReady node also goes silent', async () => {
    await cluster(['node-1']);
    await setReady('node-1', 'False');
    await h!.beating(['node-1'], 1000);
    expect(taintKeys(await h!.node('node-1'))).toContain('node.kubernetes.io/not-ready:NoExecute');
    await h!.advance(5000);
    expect(taintKeys(await h!.node('node-1'))).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  });

  it('removes its taints and records NodeReady when the kubelet reports Ready again, keeping other taints', async () => {
    await cluster(['node-1']);
    const n = await h!.node('node-1');
    await h!.api.update(NODES, { ...n, spec: { ...n.spec, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } });
    await h!.advance(5000);
    expect(taintKeys(await h!.node('node-1'))).toEqual(['dedicated:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    h!.beat('node-1');
    await setReady('node-1', 'True');
    await h!.beating(['node-1'], 1000);
    const node = await h!.node('node-1');
    expect(cond(node, 'Ready')?.status).toBe('True');
    expect(taintKeys(node)).toEqual(['dedicated:NoSchedule']);
    expect((await h!.events('NodeReady')).map((e) => e.message)).toEqual(['Node node-1 status is now: NodeReady']);
  });

  it('records RegisteredNode for each node it starts watching and RemovingNode when one is deleted', async () => {
    await cluster(['node-1', 'node-2']);
    await h!.api.delete(NODES, undefined, 'node-2');
    await h!.advance(100);
    expect((await h!.events('RegisteredNode')).map((e) => e.message).sort()).toEqual([
      'Node node-1 event: Registered Node node-1 in Controller',
      'Node node-2 event: Registered Node node-2 in Controller',
    ]);
    expect((await h!.events('RemovingNode')).map((e) => e.message)).toEqual(['Node node-2 event: Removing Node node-2 from Controller']);
  });

  it('adds the unschedulable taint to a cordoned node and the pressure taints by condition', async () => {
    await cluster(['node-1']);
    const n = await h!.node('node-1');
    await h!.api.update(NODES, { ...n, spec: { ...n.spec, unschedulable: true } });
    const m = await h!.node('node-1');
    const conditions = m.status!.conditions!.map((c) => (c.type === 'MemoryPressure' ? { ...c, status: 'True' as const } : c));
    await h!.api.update(NODES, { ...m, status: { ...m.status, conditions } }, 'status');
    await h!.beating(['node-1'], 500);
    expect(taintKeys(await h!.node('node-1'))).toEqual(['node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
  });
});

describe('node lifecycle: startup grace and leader changes', () => {
  it('does not condemn a node it has never heard from before the startup grace', async () => {
    h = await startHarness({ profile: { nodeStartupGraceMs: 60_000 } });
    const stale = readyNode('node-1', h.clock);
    await h.advance(3_600_000, 60_000); // the node's status is an hour old when the controller starts
    await h.api.create(NODES, undefined, stale);
    h.run(nodeLifecycleController(h.ctx));
    await h.advance(59_000, 500);
    expect(cond(await h.node('node-1'), 'Ready')?.status).toBe('True');
    await h.advance(1500, 100);
    expect(cond(await h.node('node-1'), 'Ready')?.status).toBe('Unknown');
  });

  it('judges a node heard from before it became leader by that heartbeat, not the startup grace', async () => {
    h = await startHarness({ profile: { nodeStartupGraceMs: 60_000 } });
    await h.api.create(NODES, undefined, readyNode('node-1', h.clock));
    h.beat('node-1'); // heard while standing by
    await h.advance(1000);
    h.run(nodeLifecycleController(h.ctx)); // takes over
    await h.advance(2900);
    expect(cond(await h.node('node-1'), 'Ready')?.status).toBe('True');
    await h.advance(300);
    expect(cond(await h.node('node-1'), 'Ready')?.status).toBe('Unknown');
  });

  it('never posted status: conditions added as NodeStatusNeverUpdated after the startup grace', async () => {
    h = await startHarness();
    await h.api.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-9' } });
    h.run(nodeLifecycleController(h.ctx));
    await h.advance(4100);
    const ready = cond(await h.node('node-9'), 'Ready');
    expect(ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
  });
});

describe('node lifecycle: conflicts', () => {
  it('retries a write that lost a race without spending its eviction token', async () => {
    await cluster(['node-1'], { nodeEvictionRate: 0.1 });
    const lost = new Set<string>();
    h!.api.reactor((call) => {
      const write = call.subresource ?? 'spec';
      if (call.resource.plural === 'nodes' && call.verb === 'update' && !lost.has(write)) {
        lost.add(write); // the first status write and the first taint write both lose to a concurrent writer
        throw conflict('nodes', 'node-1', MODIFIED_CONFLICT);
      }
    });
    await h!.advance(4500);
    expect([...lost].sort()).toEqual(['spec', 'status']);
    expect(cond(await h!.node('node-1'), 'Ready')?.status).toBe('Unknown');
    expect(taintKeys(await h!.node('node-1'))).toContain('node.kubernetes.io/unreachable:NoExecute');
  });
});

describe('node lifecycle: eviction rate', () => {
  it('gives fresh NoExecute taints at the configured rate, NoSchedule taints at once', async () => {
    await cluster(['node-1', 'node-2'], { nodeEvictionRate: 0.5 });
    await h!.advance(4200);
    const noExecute = async () => (await Promise.all(['node-1', 'node-2'].map((n) => h!.node(n)))).filter((n) => taintKeys(n).some((k) => k.endsWith(':NoExecute'))).length;
    const noSchedule = async () => (await Promise.all(['node-1', 'node-2'].map((n) => h!.node(n)))).filter((n) => taintKeys(n).some((k) => k.endsWith(':NoSchedule'))).length;
    expect(await noExecute()).toBe(1);
    expect(await noSchedule()).toBe(2);
    await h!.advance(1500);
    expect(await noExecute()).toBe(1);
    await h!.advance(700);
    expect(await noExecute()).toBe(2);
  });
});

describe('node health (pure)', () => {
  const base = { judgingSince: 100_000, graceMs: 4000, startupGraceMs: 60_000 };
  const node = (hb?: string): Node => ({ metadata: { name: 'n', creationTimestamp: '1970-01-01T00:00:10Z' }, status: hb ? { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: hb }] } : {} });

  it('a heard heartbeat decides alone', () => {
    expect(probeDeadline({ ...base, node: node(), heardAt: 99_000 })).toBe(103_000);
  });

  it('without one, the freshest object evidence counts, never before the startup grace', () => {
    expect(probeDeadline({ ...base, node: node('1970-01-01T00:01:30Z') })).toBe(160_000);
    expect(probeDeadline({ ...base, node: node('1970-01-01T00:03:00Z') })).toBe(184_000);
    const lease = { metadata: {}, spec: { renewTime: '1970-01-01T00:03:10.500000Z' } };
    expect(probeDeadline({ ...base, node: node('1970-01-01T00:03:00Z'), lease })).toBe(194_500);
  });

  it('unknownConditions changes nothing twice and keeps lastHeartbeatTime', () => {
    const n = readyNode('n', { ...realClock, now: () => 0 });
    const once = unknownConditions(n, '2026-01-01T00:00:00Z')!;
    expect(once.find((c) => c.type === 'Ready')?.lastHeartbeatTime).toBe('1970-01-01T00:00:00Z');
    expect(unknownConditions({ ...n, status: { conditions: once } }, '2026-01-01T00:00:09Z')).toBeUndefined();
  });

  it('controllerTaints keeps timeAdded of a taint that stays and defers a fresh NoExecute when asked', () => {
    const n: Node = {
      metadata: { name: 'n' },
      spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: 'then' }] },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    };
    const plan = controllerTaints(n, 'now', false);
    expect(plan).toMatchObject({ deferred: true, changed: false, freshNoExecute: false });
    expect(plan.taints).toEqual([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: 'then' }]);
    const now = controllerTaints(n, 'now', true);
    expect(now.taints).toContainEqual({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'now' });
    expect(now.freshNoExecute).toBe(true);
  });

  it('the eviction limiter starts full and refills at its rate; 0 is unlimited', () => {
    let t = 0;
    const clock = { now: () => t } as never;
    const l = new EvictionLimiter(clock, 0.1);
    expect(l.tryTake()).toEqual({ ok: true });
    expect(l.tryTake()).toEqual({ ok: false, retryAfterMs: 10_000 });
    t = 10_000;
    expect(l.tryTake()).toEqual({ ok: true });
    const free = new EvictionLimiter(clock, 0);
    expect([free.tryTake(), free.tryTake()]).toEqual([{ ok: true }, { ok: true }]);
  });
});
