import { describe, expect, it } from 'vitest';
import type { Pod, PodPhase } from '../../shared/api/core.js';
import { comparePodsForDeletion, deletionCost, podsToDelete, rankForDeletion } from '../../services/controller-manager/replicas/pod-ranking.js';
import { isPodActive, isPodAvailable } from '../../services/controller-manager/replicas/pod-state.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

function pod(name: string, o: { node?: string; phase?: PodPhase; readyFor?: number; created?: number; restarts?: number; cost?: string; deleting?: boolean } = {}): Pod {
  const conditions = o.readyFor !== undefined ? [{ type: 'Ready', status: 'True' as const, lastTransitionTime: ago(o.readyFor) }] : [{ type: 'Ready', status: 'False' as const }];
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: o.created !== undefined ? ago(o.created) : ago(3_600_000),
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
      ...(o.deleting ? { deletionTimestamp: ago(0) } : {}),
    },
    spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running', conditions, containerStatuses: [{ name: 'c', ready: true, restartCount: o.restarts ?? 0, image: '', imageID: '' }] },
  };
}

const order = (pods: Pod[], related: Pod[] = []): string[] => rankForDeletion(pods, related, NOW).map((p) => p.metadata.name ?? '');

describe('pod ranking for scale-down', () => {
  it('deletes unassigned before assigned, then Pending before Unknown before Running', () => {
    const pods = [pod('running', { node: 'n1', readyFor: 1000 }), pod('unknown', { node: 'n1', phase: 'Unknown' }), pod('pending', { node: 'n1', phase: 'Pending' }), pod('unassigned', { phase: 'Pending' })];
    expect(order(pods)).toEqual(['unassigned', 'pending', 'unknown', 'running']);
  });

  it('deletes not-ready before ready, and honours the pod-deletion-cost annotation before readiness time', () => {
    expect(order([pod('ready', { node: 'n1', readyFor: 60_000 }), pod('not-ready', { node: 'n1' })])).toEqual(['not-ready', 'ready']);
    const cheap = pod('cheap', { node: 'n1', readyFor: 1000, cost: '-5' });
    const dear = pod('dear', { node: 'n1', readyFor: 1000, cost: '100' });
    const plain = pod('plain', { node: 'n1', readyFor: 1000 });
    expect(order([dear, plain, cheap])).toEqual(['cheap', 'plain', 'dear']);
    expect(deletionCost(pod('bad', { cost: 'lots' }))).toBe(0);
  });

  it('deletes pods on nodes crowded with related pods first', () => {
    const a = pod('alone', { node: 'n1', readyFor: 60_000 });
    const b1 = pod('crowded-1', { node: 'n2', readyFor: 60_000 });
    const b2 = pod('crowded-2', { node: 'n2', readyFor: 60_000 });
    expect(order([a, b1, b2], [a, b1, b2]).slice(0, 2).sort()).toEqual(['crowded-1', 'crowded-2']);
  });

  it('deletes the recently ready first, comparing in powers of two (ties broken by uid)', () => {
    const fresh = pod('fresh', { node: 'n1', readyFor: 10_000 });
    const old = pod('old', { node: 'n1', readyFor: 3_600_000 });
    expect(order([old, fresh])).toEqual(['fresh', 'old']);
    // 300 s and 310 s ago land in the same power-of-two bucket: neither is "newer", the uid decides.
    const a = pod('a', { node: 'n1', readyFor: 300_000 });
    const b = pod('b', { node: 'n1', readyFor: 310_000 });
    expect(comparePodsForDeletion({ pod: b, rank: 0 }, { pod: a, rank: 0 }, NOW)).toBeGreaterThan(0);
  });

  it('deletes pods with more restarts first, then the newer ones', () => {
    expect(order([pod('steady', { node: 'n1' }), pod('crashy', { node: 'n1', restarts: 4 })])).toEqual(['crashy', 'steady']);
    expect(order([pod('older', { node: 'n1', created: 7_200_000 }), pod('newer', { node: 'n1', created: 1000 })])).toEqual(['newer', 'older']);
  });

  it('picks exactly the number asked for', () => {
    const pods = [pod('a', { node: 'n1', readyFor: 1000 }), pod('b', { node: 'n1' }), pod('c')];
    expect(podsToDelete(pods, [], 2, NOW).map((p) => p.metadata.name)).toEqual(['c', 'b']);
    expect(podsToDelete(pods, [], 5, NOW)).toHaveLength(3);
  });
});

describe('pod state', () => {
  it('counts neither terminating nor finished pods as active', () => {
    expect(isPodActive(pod('p'))).toBe(true);
    expect(isPodActive(pod('p', { deleting: true }))).toBe(false);
    expect(isPodActive(pod('p', { phase: 'Succeeded' }))).toBe(false);
    expect(isPodActive(pod('p', { phase: 'Failed' }))).toBe(false);
  });

  it('makes a pod available only once it has been ready for longer than minReadySeconds', () => {
    expect(isPodAvailable(pod('p', { readyFor: 5000 }), 0, NOW)).toBe(true);
    expect(isPodAvailable(pod('p', { readyFor: 5000 }), 10, NOW)).toBe(false);
    expect(isPodAvailable(pod('p', { readyFor: 10_001 }), 10, NOW)).toBe(true);
    expect(isPodAvailable(pod('p'), 0, NOW)).toBe(false);
  });
});
