import { describe, expect, it } from 'vitest';
import { podCells } from '../../services/api-server/table/columns/pod-status.js';
import { podPrinter } from '../../services/api-server/table/columns/pods.js';
import { FakeClock } from '../../shared/runtime/clock.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const clock = (): FakeClock => new FakeClock(NOW);

function pod(status: any = {}, spec: any = {}, meta: any = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kubia', namespace: 'default', creationTimestamp: ago(90_000), ...meta },
    spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }], ...spec },
    status,
  };
}

const running = (extra: any = {}): any => ({ name: 'kubia', ready: true, restartCount: 0, image: 'luksa/kubia', imageID: '', state: { running: { startedAt: ago(60_000) } }, ...extra });
const waiting = (reason: string, extra: any = {}): any => ({ name: 'kubia', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason } }, ...extra });
const terminated = (t: any, extra: any = {}): any => ({ name: 'kubia', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: t }, ...extra });

describe('pod STATUS', () => {
  it('is the phase of a plain pod (Pending before any container status)', () => {
    expect(podCells(pod({ phase: 'Pending' }), clock()).status).toBe('Pending');
    expect(podCells(pod({ phase: 'Running', containerStatuses: [running()] }), clock()).status).toBe('Running');
  });

  it('prefers status.reason over the phase (Evicted)', () => {
    expect(podCells(pod({ phase: 'Failed', reason: 'Evicted' }), clock()).status).toBe('Evicted');
  });

  it('shows the waiting reason of a container: ContainerCreating, ErrImagePull, ImagePullBackOff, CrashLoopBackOff', () => {
    for (const reason of ['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff', 'CrashLoopBackOff']) {
      expect(podCells(pod({ phase: reason === 'CrashLoopBackOff' ? 'Running' : 'Pending', containerStatuses: [waiting(reason)] }), clock()).status).toBe(reason);
    }
  });

  it('shows the terminated reason (Completed, Error), else ExitCode:N or Signal:N', () => {
    expect(podCells(pod({ phase: 'Succeeded', containerStatuses: [terminated({ exitCode: 0, reason: 'Completed' })] }), clock()).status).toBe('Completed');
    expect(podCells(pod({ phase: 'Failed', containerStatuses: [terminated({ exitCode: 1, reason: 'Error' })] }), clock()).status).toBe('Error');
    expect(podCells(pod({ phase: 'Failed', containerStatuses: [terminated({ exitCode: 2 })] }), clock()).status).toBe('ExitCode:2');
    expect(podCells(pod({ phase: 'Failed', containerStatuses: [terminated({ exitCode: 137, signal: 9 })] }), clock()).status).toBe('Signal:9');
  });

  it('lets the first container in spec order win (statuses are walked from the last)', () => {
    const p = pod(
      { phase: 'Pending', containerStatuses: [waiting('ErrImagePull', { name: 'a' }), waiting('ContainerCreating', { name: 'b' })] },
      { containers: [{ name: 'a' }, { name: 'b' }] },
    );
    expect(podCells(p, clock()).status).toBe('ErrImagePull');
  });

  it('reads Running (or NotReady) when one container completed and another still runs', () => {
    const statuses = [running({ name: 'main' }), terminated({ exitCode: 0, reason: 'Completed' }, { name: 'job' })];
    const spec = { containers: [{ name: 'main' }, { name: 'job' }] };
    expect(podCells(pod({ phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'True' }] }, spec), clock()).status).toBe('Running');
    expect(podCells(pod({ phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'False' }] }, spec), clock()).status).toBe('NotReady');
  });

  it('shows init progress: Init:0/2, Init:1/2, Init:<waiting reason>, Init:<terminated reason>, Init:ExitCode:N', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
    const done = terminated({ exitCode: 0, reason: 'Completed' }, { name: 'i1' });
    const apps = [waiting('PodInitializing')];
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [waiting('PodInitializing', { name: 'i1' })], containerStatuses: apps }, spec), clock()).status).toBe('Init:0/2');
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [{ ...running({ name: 'i1' }), ready: false }] }, spec), clock()).status).toBe('Init:0/2');
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [done, running({ name: 'i2', ready: false })], containerStatuses: apps }, spec), clock()).status).toBe('Init:1/2');
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [waiting('CrashLoopBackOff', { name: 'i1' })] }, spec), clock()).status).toBe('Init:CrashLoopBackOff');
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [terminated({ exitCode: 1, reason: 'Error' }, { name: 'i1' })] }, spec), clock()).status).toBe('Init:Error');
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [terminated({ exitCode: 3 }, { name: 'i1' })] }, spec), clock()).status).toBe('Init:ExitCode:3');
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [terminated({ exitCode: 137, signal: 9 }, { name: 'i1' })] }, spec), clock()).status).toBe('Init:Signal:9');
  });

  it('moves on to the app containers once every init container finished', () => {
    const spec = { initContainers: [{ name: 'i1' }] };
    const p = pod({ phase: 'Running', initContainerStatuses: [terminated({ exitCode: 0, reason: 'Completed' }, { name: 'i1' })], containerStatuses: [running()] }, spec);
    expect(podCells(p, clock())).toEqual({ ready: '1/1', status: 'Running', restarts: '0' });
  });

  it('is Terminating while a deletion timestamp is set, unless the phase is terminal', () => {
    expect(podCells(pod({ phase: 'Running', containerStatuses: [running()] }, {}, { deletionTimestamp: ago(1000) }), clock()).status).toBe('Terminating');
    expect(podCells(pod({ phase: 'Succeeded', containerStatuses: [terminated({ exitCode: 0, reason: 'Completed' })] }, {}, { deletionTimestamp: ago(1000) }), clock()).status).toBe('Completed');
  });

  it('is Unknown for a deleted pod of a lost node, and NodeLost before deletion', () => {
    expect(podCells(pod({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: ago(1000) }), clock()).status).toBe('Unknown');
    expect(podCells(pod({ phase: 'Running', reason: 'NodeLost' }), clock()).status).toBe('NodeLost');
  });

  it('is SchedulingGated when the PodScheduled condition says so', () => {
    expect(podCells(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), clock()).status).toBe('SchedulingGated');
  });
});

describe('pod READY', () => {
  it('counts ready running containers over all containers', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    expect(podCells(pod({ phase: 'Running', containerStatuses: [running({ name: 'a' }), running({ name: 'b' })] }, spec), clock()).ready).toBe('2/2');
    expect(podCells(pod({ phase: 'Running', containerStatuses: [running({ name: 'a' }), running({ name: 'b', ready: false })] }, spec), clock()).ready).toBe('1/2');
    expect(podCells(pod({ phase: 'Pending' }, spec), clock()).ready).toBe('0/2');
  });

  it('counts started sidecars (restartPolicy Always init containers) in both numbers', () => {
    const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] };
    const p = pod({ phase: 'Running', initContainerStatuses: [running({ name: 'proxy', started: true })], containerStatuses: [running()], conditions: [{ type: 'Initialized', status: 'True' }] }, spec);
    expect(podCells(p, clock())).toMatchObject({ ready: '2/2', status: 'Running' });
  });
});

describe('pod RESTARTS', () => {
  it('is the plain count without a last termination time', () => {
    expect(podCells(pod({ phase: 'Running', containerStatuses: [running({ restartCount: 0 })] }), clock()).restarts).toBe('0');
    expect(podCells(pod({ phase: 'Running', containerStatuses: [running({ restartCount: 2 })] }), clock()).restarts).toBe('2');
  });

  it('adds how long ago the newest termination was', () => {
    const statuses = [
      running({ name: 'a', restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * 60_000) } } }),
      running({ name: 'b', restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(40 * 60_000) } } }),
    ];
    expect(podCells(pod({ phase: 'Running', containerStatuses: statuses }, { containers: [{ name: 'a' }, { name: 'b' }] }), clock()).restarts).toBe('4 (5m ago)');
  });

  it('counts init container restarts only while initialising', () => {
    const spec = { initContainers: [{ name: 'i1' }] };
    const failing = terminated({ exitCode: 1, reason: 'Error' }, { name: 'i1', restartCount: 4, lastState: { terminated: { exitCode: 1, finishedAt: ago(30_000) } } });
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [failing] }, spec), clock()).restarts).toBe('4 (30s ago)');
    const finished = terminated({ exitCode: 0, reason: 'Completed' }, { name: 'i1', restartCount: 4 });
    expect(podCells(pod({ phase: 'Running', initContainerStatuses: [finished], containerStatuses: [running()] }, spec), clock()).restarts).toBe('0');
  });
});

describe('pod row', () => {
  it('prints every cell, wide ones included, with <none> for what is not set', () => {
    const p = pod({ phase: 'Pending' });
    expect(podPrinter.row(p, clock())).toEqual(['kubia', '0/1', 'Pending', '0', '90s', '<none>', '<none>', '<none>', '<none>']);
    const bound = pod({ phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], containerStatuses: [running()] }, { nodeName: 'node-1' });
    expect(podPrinter.row(bound, clock())).toEqual(['kubia', '1/1', 'Running', '0', '90s', '10.244.1.5', 'node-1', '<none>', '<none>']);
  });

  it('counts readiness gates that are True', () => {
    const p = pod({ phase: 'Running', conditions: [{ type: 'example.com/lb', status: 'True' }] }, { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] });
    expect(podPrinter.row(p, clock())[8]).toBe('1/2');
  });

  it('has the real printer columns, the last four only with -o wide', () => {
    expect(podPrinter.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
      ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
    ]);
    expect(podPrinter.columns[0]).toMatchObject({ type: 'string', format: 'name' });
    for (const c of podPrinter.columns) expect(c.description).not.toBe('');
  });

  it('marks finished pods with a Completed row condition', () => {
    expect(podPrinter.conditions?.(pod({ phase: 'Succeeded' }))).toEqual([expect.objectContaining({ type: 'Completed', status: 'True', reason: 'Succeeded' })]);
    expect(podPrinter.conditions?.(pod({ phase: 'Running' }))).toBeUndefined();
  });
});
