import { describe, expect, it } from 'vitest';
import { fitErrorMessage, failedSchedulingMessage, reasonHistogram } from '../../services/scheduler/fit-error.js';
import { findNode } from '../../services/scheduler/find-node.js';
import { podInfo } from '../../services/scheduler/pod-info.js';
import { DEFAULT_PLUGINS } from '../../services/scheduler/plugins/index.js';
import type { FilterFailure } from '../../services/scheduler/plugins/types.js';
import { testNode, testNodeInfo, testPod } from '../support/scheduler-objects.js';

const cpu: FilterFailure = { code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient cpu'] };
const selector: FilterFailure = { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match Pod's node affinity/selector"] };

describe('FailedScheduling message', () => {
  it('is Kubernetes\' message, word for word, for the classic mix of reasons', () => {
    const msg = failedSchedulingMessage(podInfo(testPod('p')), 3, [cpu, selector, selector]);
    expect(msg).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('counts every reason of every node and sorts as Go sorts strings', () => {
    const both: FilterFailure = { code: 'Unschedulable', reasons: ['Insufficient cpu', 'Insufficient memory'] };
    const many = Array.from({ length: 10 }, () => ({ code: 'UnschedulableAndUnresolvable' as const, reasons: ['node(s) were unschedulable'] }));
    expect(reasonHistogram([both, cpu, ...many])).toEqual(['1 Insufficient memory', '10 node(s) were unschedulable', '2 Insufficient cpu']);
  });

  it('says no victims were found for nodes where evicting pods could have helped', () => {
    const ports: FilterFailure = { code: 'Unschedulable', reasons: ["node(s) didn't have free ports for the requested pod ports"] };
    const taint: FilterFailure = { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'] };
    expect(failedSchedulingMessage(podInfo(testPod('p')), 2, [ports, taint])).toBe(
      "0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. " +
        'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
  });

  it('reports a pod that may not preempt', () => {
    const pod = podInfo(testPod('p', { preemptionPolicy: 'Never' }));
    expect(failedSchedulingMessage(pod, 1, [cpu])).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('says there are no nodes when there are none', () => {
    expect(failedSchedulingMessage(podInfo(testPod('p')), 0, [])).toBe('no nodes available to schedule pods');
    expect(fitErrorMessage(0, [])).toBe('0/0 nodes are available:');
  });
});

describe('findNode', () => {
  it('explains, per node, why a pod fits nowhere', () => {
    const nodes = [
      testNodeInfo(testNode('node-1', { cpu: '1', labels: { disk: 'ssd' } })),
      testNodeInfo(testNode('node-2')),
      testNodeInfo(testNode('node-3')),
    ];
    const d = findNode(podInfo(testPod('big', { cpu: '2', nodeSelector: { disk: 'ssd' } })), nodes, DEFAULT_PLUGINS);
    expect(d).toMatchObject({
      fit: false,
      message:
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    });
    if (!d.fit) expect([...d.failures.keys()]).toEqual(['node-1', 'node-2', 'node-3']);
    expect(findNode(podInfo(testPod('small', { cpu: '1', nodeSelector: { disk: 'ssd' } })), nodes, DEFAULT_PLUGINS)).toMatchObject({ fit: true, nodeName: 'node-1' });
  });

  it('stops at the first failing filter of a node (taints before readiness before resources)', () => {
    const down = testNode('node-1', { ready: 'Unknown', cpu: '1', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] });
    const notReady = testNode('node-2', { ready: false, cpu: '1' });
    const small = testNode('node-3', { cpu: '1' });
    const d = findNode(podInfo(testPod('p', { cpu: '2' })), [down, notReady, small].map((n) => testNodeInfo(n)), DEFAULT_PLUGINS);
    expect(d.fit).toBe(false);
    if (d.fit) return;
    expect(d.message).toBe(
      '0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were not ready. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    expect(d.failures.get('node-1')?.reasons).toEqual(['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  });

  it('picks the single feasible node without scoring', () => {
    const nodes = [testNodeInfo(testNode('a', { cpu: '1' })), testNodeInfo(testNode('b', { cpu: '8' }))];
    expect(findNode(podInfo(testPod('p', { cpu: '2' })), nodes, DEFAULT_PLUGINS)).toEqual({ fit: true, nodeName: 'b', feasibleNodes: 1 });
  });

  it('picks the best score, breaking ties at random', () => {
    const nodes = ['a', 'b', 'c'].map((n) => testNodeInfo(testNode(n)));
    const pod = podInfo(testPod('p'));
    const picks = new Set<string>();
    for (const r of [0, 0.3, 0.6, 0.99]) {
      const d = findNode(pod, nodes, DEFAULT_PLUGINS, () => r);
      if (d.fit) picks.add(d.nodeName);
    }
    expect(picks.size).toBeGreaterThan(1);
    const loaded = testNodeInfo(testNode('a'), [testPod('x', { cpu: '3', nodeName: 'a' })]);
    const d = findNode(pod, [loaded, nodes[1]], DEFAULT_PLUGINS, () => 0);
    expect(d).toMatchObject({ fit: true, nodeName: 'b' });
  });
});
