import { describe, expect, it } from 'vitest';
import { podInfo } from '../../services/scheduler/pod-info.js';
import { Snapshot } from '../../services/scheduler/snapshot.js';
import { testNode, testPod } from '../support/scheduler-objects.js';

function snapshotWith(...names: string[]): Snapshot {
  const s = new Snapshot();
  for (const n of names) s.setNode(testNode(n));
  return s;
}

describe('Snapshot', () => {
  it('counts an assumed pod at once, and the confirmed pod in its place', () => {
    const s = snapshotWith('node-1');
    const pod = podInfo(testPod('p', { cpu: '1', memory: '1Gi', hostPort: 80, owner: { uid: 'rc' } }));
    s.assume(pod, 'node-1');
    const n = s.nodeInfo('node-1')!;
    expect(n.requested).toEqual({ milliCpu: 1000, memory: 1024 ** 3 });
    expect(n.usedPorts.get('TCP/80')?.get('0.0.0.0')).toBe(1);
    expect(n.owners.get('rc')).toBe(1);
    expect(s.isAssumed('default/p')).toBe(true);

    s.addPod(podInfo(testPod('p', { cpu: '1', memory: '1Gi', hostPort: 80, owner: { uid: 'rc' }, nodeName: 'node-1' })), 'node-1');
    expect(s.isAssumed('default/p')).toBe(false);
    expect(n.pods.size).toBe(1);
    expect(n.requested.milliCpu).toBe(1000);
    s.forget('default/p');
    expect(n.pods.size).toBe(1);
  });

  it('drops an assumption that is forgotten, leaving the node as it was', () => {
    const s = snapshotWith('node-1');
    s.assume(podInfo(testPod('p', { cpu: '1', hostPort: 80 })), 'node-1');
    s.forget('default/p');
    const n = s.nodeInfo('node-1')!;
    expect(n.requested).toEqual({ milliCpu: 0, memory: 0 });
    expect(n.nonZeroRequested).toEqual({ milliCpu: 0, memory: 0 });
    expect(n.usedPorts.size).toBe(0);
    expect(s.nodeOf('default/p')).toBeUndefined();
  });

  it('moves a pod that turns out to be bound elsewhere', () => {
    const s = snapshotWith('node-1', 'node-2');
    s.assume(podInfo(testPod('p', { cpu: '1' })), 'node-1');
    s.addPod(podInfo(testPod('p', { cpu: '1', nodeName: 'node-2' })), 'node-2');
    expect(s.nodeInfo('node-1')!.requested.milliCpu).toBe(0);
    expect(s.nodeInfo('node-2')!.requested.milliCpu).toBe(1000);
    expect(s.nodeOf('default/p')).toBe('node-2');
  });

  it('keeps pods of a node it does not know yet, so the node arrives with its load', () => {
    const s = new Snapshot();
    s.addPod(podInfo(testPod('p', { cpu: '2', nodeName: 'node-9' })), 'node-9');
    expect(s.nodes()).toHaveLength(0);
    s.setNode(testNode('node-9'));
    expect(s.nodes().map((n) => n.name)).toEqual(['node-9']);
    expect(s.nodes()[0].requested.milliCpu).toBe(2000);
    expect(s.nodes()[0].allocatable).toEqual({ milliCpu: 4000, memory: 8 * 1024 ** 3, pods: 110 });
  });

  it('forgets a deleted node but not its pods until they go', () => {
    const s = snapshotWith('node-1', 'node-2');
    s.addPod(podInfo(testPod('p', { nodeName: 'node-1' })), 'node-1');
    s.removeNode('node-1');
    s.removeNode('node-2');
    expect(s.nodes()).toHaveLength(0);
    expect(s.nodeInfo('node-1')?.pods.size).toBe(1);
    expect(s.nodeInfo('node-2')).toBeUndefined();
    expect(s.removePod('default/p')).toBe('node-1');
    expect(s.nodeInfo('node-1')).toBeUndefined();
  });

  it('reads allocatable, falling back to capacity', () => {
    const s = new Snapshot();
    const node = testNode('n', { cpu: '500m', memory: '1Gi', pods: 5 });
    delete node.status!.allocatable;
    s.setNode(node);
    expect(s.nodeInfo('n')!.allocatable).toEqual({ milliCpu: 500, memory: 1024 ** 3, pods: 5 });
  });
});
