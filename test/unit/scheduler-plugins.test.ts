import { describe, expect, it } from 'vitest';
import type { NodeSelectorTerm, Pod } from '../../shared/api/core.js';
import { podInfo, podRequests, DEFAULT_MEMORY_REQUEST } from '../../services/scheduler/pod-info.js';
import { nodeAffinityFilter, nodeAffinityScore, matchesRequirement } from '../../services/scheduler/plugins/node-affinity.js';
import { nodePortsFilter } from '../../services/scheduler/plugins/node-ports.js';
import { nodeNameFilter, nodeReadyFilter, nodeUnschedulableFilter } from '../../services/scheduler/plugins/node-state.js';
import { ownerSpreadScore } from '../../services/scheduler/plugins/owner-spread.js';
import { balancedAllocationScore, leastAllocatedScore, resourcesFitFilter } from '../../services/scheduler/plugins/resources-fit.js';
import { taintTolerationFilter, taintTolerationScore } from '../../services/scheduler/plugins/taint-toleration.js';
import { tolerates as toleratesTaint } from '../../shared/api/tolerations.js';
import type { ScorePlugin } from '../../services/scheduler/plugins/types.js';
import type { NodeInfo } from '../../services/scheduler/snapshot.js';
import { testNode, testNodeInfo, testPod } from '../support/scheduler-objects.js';

const info = podInfo;

function scores(plugin: ScorePlugin, pod: Pod, nodes: NodeInfo[]): number[] {
  const s = nodes.map((n) => plugin.score(info(pod), n));
  plugin.normalize?.(s);
  return s;
}

function affinity(...terms: NodeSelectorTerm[]): Pod['spec']['affinity'] {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

describe('pod requests', () => {
  it('sums containers, takes init containers as peaks, adds overhead and falls back to limits', () => {
    const pod = testPod('p');
    pod.spec.containers = [
      { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      { name: 'b', resources: { limits: { cpu: '0.2', memory: '64Mi' } } },
    ];
    pod.spec.initContainers = [{ name: 'init', resources: { requests: { cpu: '1', memory: '1Mi' } } }];
    (pod.spec as { overhead?: Record<string, string> }).overhead = { cpu: '10m' };
    expect(podRequests(pod)).toEqual({ milliCpu: 1010, memory: 128 * 1024 * 1024 });
  });

  it('counts a container without requests as 100m / 200Mi for scoring only', () => {
    const pod = testPod('p');
    pod.spec.containers.push({ name: 'sidecar', resources: { requests: { cpu: '50m' } } });
    expect(podRequests(pod)).toEqual({ milliCpu: 50, memory: 0 });
    expect(podRequests(pod, true)).toEqual({ milliCpu: 150, memory: 2 * DEFAULT_MEMORY_REQUEST });
  });
});

describe('node state filters', () => {
  it('refuses a cordoned node unless the pod tolerates the unschedulable taint', () => {
    const cordoned = testNodeInfo(testNode('n', { unschedulable: true }));
    expect(nodeUnschedulableFilter.filter(info(testPod('p')), cordoned)).toEqual({
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) were unschedulable'],
    });
    const tolerant = testPod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(nodeUnschedulableFilter.filter(info(tolerant), cordoned)).toBeUndefined();
    expect(nodeUnschedulableFilter.filter(info(testPod('p')), testNodeInfo(testNode('n')))).toBeUndefined();
  });

  it('matches a pod that names a node only to that node', () => {
    const pod = info(testPod('p', { nodeName: 'node-2' }));
    expect(nodeNameFilter.filter(pod, testNodeInfo(testNode('node-2')))).toBeUndefined();
    expect(nodeNameFilter.filter(pod, testNodeInfo(testNode('node-1')))?.reasons).toEqual(["node(s) didn't match the requested node name"]);
    expect(nodeNameFilter.filter(info(testPod('q')), testNodeInfo(testNode('node-1')))).toBeUndefined();
  });

  it('refuses nodes whose Ready condition is not True', () => {
    const pod = info(testPod('p'));
    expect(nodeReadyFilter.filter(pod, testNodeInfo(testNode('n')))).toBeUndefined();
    expect(nodeReadyFilter.filter(pod, testNodeInfo(testNode('n', { ready: false })))?.reasons).toEqual(['node(s) were not ready']);
    expect(nodeReadyFilter.filter(pod, testNodeInfo(testNode('n', { ready: 'Unknown' })))?.code).toBe('UnschedulableAndUnresolvable');
    const noConditions = testNode('n');
    delete noConditions.status?.conditions;
    expect(nodeReadyFilter.filter(pod, testNodeInfo(noConditions))).toBeDefined();
  });
});

describe('TaintToleration', () => {
  it('matches tolerations by effect, key, operator and value', () => {
    const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };
    expect(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', value: 'gpu' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'cpu' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
    expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true);
  });

  it('fails a node on its first untolerated NoSchedule/NoExecute taint, with its key and value', () => {
    const node = testNodeInfo(
      testNode('n', {
        taints: [
          { key: 'soft', effect: 'PreferNoSchedule' },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
          { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
        ],
      }),
    );
    expect(taintTolerationFilter.filter(info(testPod('p')), node)).toEqual({
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'],
    });
    const tolerant = testPod('p', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }] });
    expect(taintTolerationFilter.filter(info(tolerant), node)?.reasons).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
    const all = testPod('p', { tolerations: [{ operator: 'Exists' }] });
    expect(taintTolerationFilter.filter(info(all), node)).toBeUndefined();
  });

  it('prefers nodes with fewer untolerated PreferNoSchedule taints', () => {
    const clean = testNodeInfo(testNode('a'));
    const one = testNodeInfo(testNode('b', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }));
    const two = testNodeInfo(testNode('c', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'y', effect: 'PreferNoSchedule' }] }));
    expect(scores(taintTolerationScore, testPod('p'), [clean, one, two])).toEqual([100, 50, 0]);
    const tolerant = testPod('p', { tolerations: [{ key: 'y', operator: 'Exists', effect: 'PreferNoSchedule' }] });
    expect(scores(taintTolerationScore, tolerant, [clean, one, two])).toEqual([100, 0, 0]);
  });
});

describe('NodeAffinity', () => {
  const node = testNodeInfo(testNode('node-2', { labels: { disk: 'ssd', gpu: 'true', cores: '8' } }));
  const fits = (pod: Pod): boolean => nodeAffinityFilter.filter(info(pod), node) === undefined;

  it('requires every nodeSelector label', () => {
    expect(fits(testPod('p', { nodeSelector: { disk: 'ssd' } }))).toBe(true);
    expect(fits(testPod('p', { nodeSelector: { disk: 'ssd', gpu: 'true' } }))).toBe(true);
    expect(fits(testPod('p', { nodeSelector: { disk: 'hdd' } }))).toBe(false);
    expect(nodeAffinityFilter.filter(info(testPod('p', { nodeSelector: { zone: 'a' } })), node)).toEqual({
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match Pod's node affinity/selector"],
    });
  });

  it('ORs terms and ANDs the expressions of a term', () => {
    const ssd = { key: 'disk', operator: 'In' as const, values: ['ssd', 'nvme'] };
    const noGpu = { key: 'gpu', operator: 'DoesNotExist' as const };
    expect(fits(testPod('p', { affinity: affinity({ matchExpressions: [ssd] }) }))).toBe(true);
    expect(fits(testPod('p', { affinity: affinity({ matchExpressions: [ssd, noGpu] }) }))).toBe(false);
    expect(fits(testPod('p', { affinity: affinity({ matchExpressions: [ssd, noGpu] }, { matchExpressions: [ssd] }) }))).toBe(true);
    expect(fits(testPod('p', { affinity: affinity({}) }))).toBe(false);
    expect(fits(testPod('p', { affinity: affinity() }))).toBe(false);
  });

  it('needs nodeSelector and affinity both', () => {
    const pod = testPod('p', { nodeSelector: { disk: 'hdd' }, affinity: affinity({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }) });
    expect(fits(pod)).toBe(false);
  });

  it('implements every operator, Gt/Lt on integers only', () => {
    expect(matchesRequirement({ key: 'k', operator: 'In', values: ['a'] }, 'a')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'In', values: ['a'] }, undefined)).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'NotIn', values: ['a'] }, 'b')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'NotIn', values: ['a'] }, undefined)).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'NotIn', values: ['a'] }, 'a')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Exists' }, '')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'DoesNotExist' }, '')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['4'] }, '8')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['8'] }, '8')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Lt', values: ['10'] }, '8')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'Lt', values: ['10'] }, 'eight')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['1', '2'] }, '8')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['1'] }, undefined)).toBe(false);
  });

  it('matches fields on metadata.name only', () => {
    const byName = (values: string[], operator: 'In' | 'NotIn' = 'In'): Pod =>
      testPod('p', { affinity: affinity({ matchFields: [{ key: 'metadata.name', operator, values }] }) });
    expect(fits(byName(['node-2']))).toBe(true);
    expect(fits(byName(['node-1']))).toBe(false);
    expect(fits(byName(['node-2'], 'NotIn'))).toBe(false);
    expect(fits(testPod('p', { affinity: affinity({ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['x'] }] }) }))).toBe(false);
  });

  it('scores preferred terms by weight, normalized to 100', () => {
    const pod = testPod('p');
    pod.spec.affinity = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
          { weight: 10, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } },
        ],
      },
    };
    const plain = testNodeInfo(testNode('a'));
    const ssd = testNodeInfo(testNode('b', { labels: { disk: 'ssd' } }));
    expect(scores(nodeAffinityScore, pod, [node, ssd, plain])).toEqual([100, 75, 0]);
    expect(scores(nodeAffinityScore, testPod('q'), [node, plain])).toEqual([0, 0]);
  });
});

describe('NodePorts', () => {
  const holder = testPod('holder', { hostPort: 8080, nodeName: 'n' });
  const node = testNodeInfo(testNode('n'), [holder]);
  const fits = (pod: Pod, n = node): boolean => nodePortsFilter.filter(info(pod), n) === undefined;

  it('refuses a host port already taken, resolvably', () => {
    expect(nodePortsFilter.filter(info(testPod('p', { hostPort: 8080 })), node)).toEqual({
      code: 'Unschedulable',
      reasons: ["node(s) didn't have free ports for the requested pod ports"],
    });
    expect(fits(testPod('p', { hostPort: 8081 }))).toBe(true);
    expect(fits(testPod('p'))).toBe(true);
  });

  it('lets different host IPs share a port, but 0.0.0.0 clashes with every IP', () => {
    const onIp = testNodeInfo(testNode('n'), [testPod('h', { hostPort: 80, hostIP: '127.1.0.1', nodeName: 'n' })]);
    expect(fits(testPod('p', { hostPort: 80, hostIP: '127.1.0.2' }), onIp)).toBe(true);
    expect(fits(testPod('p', { hostPort: 80, hostIP: '127.1.0.1' }), onIp)).toBe(false);
    expect(fits(testPod('p', { hostPort: 80 }), onIp)).toBe(false);
    expect(fits(testPod('p', { hostPort: 8080, hostIP: '127.1.0.9' }))).toBe(false);
  });

  it('treats protocols separately', () => {
    const udp = testPod('p', { hostPort: 8080 });
    udp.spec.containers[0].ports![0].protocol = 'UDP';
    expect(fits(udp)).toBe(true);
  });
});

describe('NodeResourcesFit', () => {
  const busy = testPod('busy', { cpu: '3', memory: '6Gi', nodeName: 'n' });
  const node = testNodeInfo(testNode('n', { cpu: '4', memory: '8Gi', pods: 3 }), [busy]);

  it('fits requests into allocatable minus what is already requested', () => {
    expect(resourcesFitFilter.filter(info(testPod('p', { cpu: '1', memory: '2Gi' })), node)).toBeUndefined();
    expect(resourcesFitFilter.filter(info(testPod('p', { cpu: '1001m' })), node)).toEqual({ code: 'Unschedulable', reasons: ['Insufficient cpu'] });
    expect(resourcesFitFilter.filter(info(testPod('p', { cpu: '2', memory: '3Gi' })), node)).toEqual({
      code: 'Unschedulable',
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    });
  });

  it('calls a request larger than the whole node unresolvable', () => {
    expect(resourcesFitFilter.filter(info(testPod('p', { cpu: '5' })), node)).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient cpu'] });
    expect(resourcesFitFilter.filter(info(testPod('p', { memory: '9Gi' })), node)?.code).toBe('UnschedulableAndUnresolvable');
  });

  it('enforces the pod count, even for pods that request nothing', () => {
    const full = testNodeInfo(testNode('n', { pods: 2 }), [testPod('a', { nodeName: 'n' }), testPod('b', { nodeName: 'n' })]);
    expect(resourcesFitFilter.filter(info(testPod('p')), full)).toEqual({ code: 'Unschedulable', reasons: ['Too many pods'] });
    expect(resourcesFitFilter.filter(info(testPod('p')), node)).toBeUndefined();
  });

  it('scores emptier nodes higher (least allocated)', () => {
    const empty = testNodeInfo(testNode('a', { cpu: '4', memory: '8Gi' }));
    const pod = testPod('p', { cpu: '1', memory: '2Gi' });
    // empty: cpu (4-1)/4 = 75, memory (8-2)/8 = 75 → 75; busy: (4-4)/4 = 0, (8-8)/8 = 0 → 0
    expect(scores(leastAllocatedScore, pod, [empty, node])).toEqual([75, 0]);
    // a pod without requests counts as 100m / 200Mi
    expect(scores(leastAllocatedScore, testPod('q'), [empty])[0]).toBe(Math.floor((Math.floor((3900 * 100) / 4000) + Math.floor(((8192 - 200) * 100) / 8192)) / 2));
  });

  it('scores nodes whose cpu and memory would be used evenly higher (balanced allocation)', () => {
    const node4x8 = testNodeInfo(testNode('a', { cpu: '4', memory: '8Gi' }));
    expect(scores(balancedAllocationScore, testPod('p', { cpu: '2', memory: '4Gi' }), [node4x8])).toEqual([100]);
    // cpu 100 %, memory 25 % → 1 − 0.75 / 2 = 0.625
    expect(scores(balancedAllocationScore, testPod('p', { cpu: '4', memory: '2Gi' }), [node4x8])).toEqual([62]);
  });
});

describe('OwnerSpread', () => {
  it('prefers nodes holding fewer pods of the same controller', () => {
    const owner = { uid: 'rc-1' };
    const a = testNodeInfo(testNode('a'), [testPod('r1', { owner, nodeName: 'a' }), testPod('r2', { owner, nodeName: 'a' })]);
    const b = testNodeInfo(testNode('b'), [testPod('r3', { owner, nodeName: 'b' }), testPod('x', { owner: { uid: 'other' }, nodeName: 'b' })]);
    const c = testNodeInfo(testNode('c'));
    expect(scores(ownerSpreadScore, testPod('r4', { owner }), [a, b, c])).toEqual([0, 50, 100]);
    expect(scores(ownerSpreadScore, testPod('free'), [a, b, c])).toEqual([100, 100, 100]);
  });
});
