import { describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { buildPodStatus, canonicalJson, podPhase, type ContainerView } from '../../services/kubelet/status.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:00:05Z';

function pod(restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always', status?: Pod['status']): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: { containers: [{ name: 'a', image: 'luksa/kubia' }], restartPolicy },
    ...(status ? { status } : {}),
  };
}

const running = (name = 'a', extra: Partial<ContainerView> = {}): ContainerView => ({
  name,
  image: 'luksa/kubia',
  state: { state: 'running', startedAt: T0 },
  restartCount: 0,
  ready: true,
  started: true,
  ...extra,
});
const exited = (code: number, extra: Partial<ContainerView> = {}): ContainerView => ({
  name: 'a',
  image: 'luksa/kubia',
  state: { state: 'terminated', exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: T0, finishedAt: T1 },
  restartCount: 0,
  ready: false,
  started: false,
  ...extra,
});
const notStarted = (name = 'a'): ContainerView => ({ name, image: 'luksa/kubia', restartCount: 0, ready: false, started: false });

describe('pod phase (the kubelet’s getPhase)', () => {
  it('is Pending while a container has never started, Running once all run', () => {
    expect(podPhase(pod(), [], [notStarted()])).toBe('Pending');
    expect(podPhase(pod(), [], [running(), notStarted('b')])).toBe('Pending');
    expect(podPhase(pod(), [], [running()])).toBe('Running');
  });

  it('stays Running for restartPolicy Always while a container crash-loops', () => {
    const waiting = exited(1, { waiting: { reason: 'CrashLoopBackOff' } });
    expect(podPhase(pod('Always'), [], [waiting])).toBe('Running');
    expect(podPhase(pod('OnFailure'), [], [waiting])).toBe('Running');
  });

  it('ends Succeeded when all exit 0 (not Always), Failed when one failed under Never', () => {
    expect(podPhase(pod('Never'), [], [exited(0)])).toBe('Succeeded');
    expect(podPhase(pod('OnFailure'), [], [exited(0)])).toBe('Succeeded');
    expect(podPhase(pod('Never'), [], [exited(2)])).toBe('Failed');
    expect(podPhase(pod('Always'), [], [exited(0)])).toBe('Running');
  });

  it('is Pending while init containers run, Failed when one fails under Never', () => {
    expect(podPhase(pod(), [running('init')], [notStarted()])).toBe('Pending');
    expect(podPhase(pod('Never'), [exited(1, { name: 'init' })], [notStarted()])).toBe('Failed');
    expect(podPhase(pod('Always'), [exited(1, { name: 'init' })], [notStarted()])).toBe('Pending');
  });
});

describe('buildPodStatus', () => {
  const base = { hostIP: '127.1.0.1', podIP: '127.128.1.2', startTime: T0, sandboxReady: true, initContainers: [] };

  it('reports a running pod with IPs, conditions in kubectl order, and container state', () => {
    const scheduled = { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: T0 };
    const s = buildPodStatus({ ...base, pod: pod('Always', { phase: 'Pending', qosClass: 'BestEffort', conditions: [scheduled] }), containers: [running()] }, T1);
    expect(s.phase).toBe('Running');
    expect(s.qosClass).toBe('BestEffort');
    expect(s.hostIPs).toEqual([{ ip: '127.1.0.1' }]);
    expect(s.podIPs).toEqual([{ ip: '127.128.1.2' }]);
    expect(s.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
    expect(s.containerStatuses).toEqual([
      { name: 'a', state: { running: { startedAt: T0 } }, lastState: {}, ready: true, restartCount: 0, image: 'luksa/kubia', imageID: '', started: true },
    ]);
  });

  it('keeps a condition’s transition time until its status changes', () => {
    const first = buildPodStatus({ ...base, pod: pod(), containers: [running('a', { ready: false })] }, T0);
    const ready0 = first.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready0).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a]', lastTransitionTime: T0 });
    const same = buildPodStatus({ ...base, pod: pod('Always', first), containers: [running('a', { ready: false })] }, T1);
    expect(same.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe(T0);
    const flipped = buildPodStatus({ ...base, pod: pod('Always', first), containers: [running()] }, T1);
    expect(flipped.conditions!.find((c) => c.type === 'Ready')).toEqual({ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: T1 });
    expect(flipped.conditions!.find((c) => c.type === 'PodReadyToStartContainers')!.lastTransitionTime).toBe(T0);
  });

  it('shows a kubelet waiting reason over the runtime state, with the last run as lastState', () => {
    const s = buildPodStatus(
      { ...base, pod: pod(), containers: [exited(1, { restartCount: 3, containerID: 'simulated://u/a/3', waiting: { reason: 'CrashLoopBackOff', message: 'back-off 4s restarting failed container=a pod=p_default(u)' } })] },
      T1,
    );
    expect(s.containerStatuses![0].state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 4s restarting failed container=a pod=p_default(u)' } });
    expect(s.containerStatuses![0].lastState).toEqual({
      terminated: { exitCode: 1, reason: 'Error', startedAt: T0, finishedAt: T1, containerID: 'simulated://u/a/3' },
    });
    expect(s.containerStatuses![0].restartCount).toBe(3);
  });

  it('shows ContainerCreating before a start, and PodInitializing behind init containers', () => {
    const s = buildPodStatus({ ...base, pod: pod(), containers: [notStarted()] }, T1);
    expect(s.containerStatuses![0].state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    const i = buildPodStatus({ ...base, pod: pod(), initContainers: [running('init', { ready: false })], containers: [notStarted()] }, T1);
    expect(i.containerStatuses![0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(i.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init]' });
  });

  it('marks a finished pod not ready with reason PodCompleted and drops the pod IP when there is none', () => {
    const s = buildPodStatus({ ...base, podIP: undefined, pod: pod('Never', { podIP: '127.128.1.9' }), containers: [exited(0)] }, T1);
    expect(s.phase).toBe('Succeeded');
    expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(s.podIP).toBeUndefined();
  });

  it('compares statuses regardless of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: 2 } })).toBe(canonicalJson({ a: { c: 2, d: [1, { x: 2, y: 1 }] }, b: 1 }));
  });
});
