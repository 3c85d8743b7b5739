import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../shared/api/core.js';
import { subjects } from '../../shared/nats/subjects.js';
import { EVENTS, NODES, startKubeletHarness, type KubeletHarness } from '../support/kubelet-harness.js';

let h: KubeletHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function node(h: KubeletHarness): Promise<Node> {
  return h.api.get<Node>(NODES, undefined, 'node-1');
}

describe('kubelet node agent', () => {
  it('registers the Node as a real kubelet does: labels, capacity, conditions, addresses, nodeInfo', async () => {
    h = await startKubeletHarness();
    const n = await node(h);
    expect(n.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'node-1',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'node.kubernetes.io/instance-type': 'kubemu',
      disk: 'ssd',
    });
    expect(n.spec?.podCIDR).toBe('127.128.1.0/24');
    expect(n.status?.capacity).toMatchObject({ cpu: '2', memory: '4194304Ki', pods: '110', 'ephemeral-storage': '104857600Ki' });
    expect(n.status?.allocatable).toEqual(n.status?.capacity);
    expect(n.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    expect(n.status?.conditions?.[3].message).toBe('kubelet is posting ready status');
    expect(n.status?.addresses).toEqual([
      { type: 'InternalIP', address: '127.1.0.1' },
      { type: 'Hostname', address: 'node-1' },
    ]);
    expect(n.status?.nodeInfo).toMatchObject({ kubeletVersion: 'v1.32.0', containerRuntimeVersion: 'kubemu://simulated', operatingSystem: 'linux', architecture: 'amd64' });
    expect(n.status?.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    const events = await h.api.list<any>(EVENTS, 'default');
    expect(events.items.map((e: any) => e.reason)).toEqual(
      expect.arrayContaining(['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeAllocatableEnforced', 'NodeReady']),
    );
    expect(h.kubelet.health()).toMatchObject({ ready: true, podCIDR: '127.128.1.0/24' });
  });

  it('publishes { node, sentAt, seq } heartbeats on the node’s subject every interval', async () => {
    h = await startKubeletHarness();
    const before = h.heartbeats.length;
    await h.tick(3000, 100);
    const beats = h.heartbeats.slice(before);
    expect(beats.length).toBe(3);
    expect(beats.every((b) => b.subject === subjects.node.heartbeat('node-1'))).toBe(true);
    const seqs = beats.map((b) => b.body.seq);
    expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
    expect(beats[0].body).toEqual({ node: 'node-1', sentAt: expect.any(Number), seq: seqs[0] });
  });

  it('reports Ready=True again at once when the lifecycle controller marked the node Unknown', async () => {
    h = await startKubeletHarness();
    const n = await node(h);
    const unknown = n.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c));
    await h.api.patch(NODES, undefined, 'node-1', 'merge', { status: { conditions: unknown } }, 'status');
    await h.tick(200);
    const after = await node(h);
    expect(after.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    await h.kubelet.recorder.flush();
    const events = await h.api.list<any>(EVENTS, 'default');
    expect(events.items.find((e: any) => e.reason === 'NodeReady')?.count).toBe(2);
  });

  it('writes the status at least every report period, with a fresh heartbeat time', async () => {
    h = await startKubeletHarness();
    const t0 = (await node(h)).status!.conditions![3].lastHeartbeatTime;
    await h.tick(10_100, 500);
    const t1 = (await node(h)).status!.conditions![3];
    expect(t1.lastHeartbeatTime).not.toBe(t0);
    expect(t1.lastTransitionTime).toBe(t0);
  });

  it('registers the Node again when it is deleted under a live kubelet', async () => {
    h = await startKubeletHarness();
    await h.api.delete(NODES, undefined, 'node-1');
    await h.tick(200);
    const again = await node(h);
    expect(again.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });
});
