/**
 * The dashboard's state and words, without a browser: the model built from stream messages
 * (initial replay, live changes, repeats, deletes, 410 reset), the looks of pods and nodes (status
 * words and tones), and the event log's lines and order.
 */
import { describe, expect, it } from 'vitest';
import type { StreamChange, StreamMessage } from '../../shared/api/stream.js';
import { ClusterModel, UNSCHEDULED } from '../../services/api-server/web/model.js';
import { controllerLook, nodeLook, podLook } from '../../services/api-server/web/looks.js';
import { addEntries, eventEntry, LOG_LIMIT, nodeEntry, type LogEntry } from '../../services/api-server/web/log-entries.js';

let rv = 100;
const T = '2026-11-25T10:00:00.000Z';

function change(type: StreamChange['type'], object: any): StreamChange {
  rv += 1;
  const kind = object.kind as string;
  return { type, kind, apiVersion: object.apiVersion ?? 'v1', namespace: object.metadata.namespace, name: object.metadata.name, uid: object.metadata.uid ?? `uid-${object.metadata.name}`, resourceVersion: String(rv), time: T, object };
}

function node(name: string, ready: 'True' | 'False' | 'Unknown', extra: any = {}): any {
  return {
    kind: 'Node',
    metadata: { name },
    spec: extra.spec ?? {},
    status: { conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'NodeStatusUnknown', message: ready === 'True' ? 'kubelet is posting ready status' : 'Kubelet stopped posting node status.' }], addresses: [{ type: 'InternalIP', address: '127.1.0.2' }] },
  };
}

function pod(name: string, opts: { node?: string; phase?: string; ready?: boolean; waiting?: string; terminated?: any; deleting?: boolean; restarts?: number; ip?: string; ns?: string } = {}): any {
  const state = opts.waiting ? { waiting: { reason: opts.waiting } } : opts.terminated ? { terminated: opts.terminated } : opts.phase === 'Running' ? { running: {} } : undefined;
  return {
    kind: 'Pod',
    metadata: { name, namespace: opts.ns ?? 'default', uid: `uid-${name}`, ...(opts.deleting ? { deletionTimestamp: T } : {}) },
    spec: { nodeName: opts.node, containers: [{ name: 'c', image: 'luksa/kubia' }] },
    status: {
      phase: opts.phase ?? 'Pending',
      podIP: opts.ip,
      conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }],
      containerStatuses: state ? [{ name: 'c', ready: !!opts.ready, restartCount: opts.restarts ?? 0, image: 'luksa/kubia', imageID: '', state }] : [],
    },
  };
}

const caughtUp = (): StreamMessage => ({ type: 'BOOKMARK', resourceVersion: String(rv), time: T, caughtUp: true });

describe('the dashboard model', () => {
  it('takes the replay as state without log lines, then logs a node that turns NotReady and back', () => {
    const m = new ClusterModel();
    expect(m.apply(change('ADDED', node('node-1', 'True')))).toEqual([]);
    expect(m.apply(change('ADDED', node('node-2', 'True')))).toEqual([]);
    expect(m.apply(caughtUp())).toEqual([]);
    expect(m.caughtUp).toBe(true);
    const down = m.apply(change('MODIFIED', node('node-2', 'Unknown')));
    expect(down).toEqual([{ time: T, tone: 'bad', subject: 'Node node-2', text: 'NotReady (status unknown) — Kubelet stopped posting node status.' }]);
    expect(m.apply(change('MODIFIED', node('node-2', 'Unknown')))).toEqual([]); // a heartbeat-like update is not news
    expect(m.apply(change('MODIFIED', node('node-2', 'True')))[0]).toMatchObject({ tone: 'ok', text: 'Ready' });
    expect(m.apply(change('ADDED', node('node-3', 'True')))[0]).toMatchObject({ subject: 'Node node-3', text: 'registered, Ready' });
    expect(m.nodeNames()).toEqual(['node-1', 'node-2', 'node-3']);
  });

  it('puts pods on their nodes in natural order, and pods with no known node in the unscheduled lane', () => {
    const m = new ClusterModel();
    for (const n of ['node-10', 'node-2']) m.apply(change('ADDED', node(n, 'True')));
    m.apply(change('ADDED', pod('b', { node: 'node-2' })));
    m.apply(change('ADDED', pod('a-10', { node: 'node-2' })));
    m.apply(change('ADDED', pod('a-9', { node: 'node-2' })));
    m.apply(change('ADDED', pod('pending')));
    m.apply(change('ADDED', pod('lost', { node: 'node-7' })));
    const lanes = m.podsByNode();
    expect(m.nodeNames()).toEqual(['node-2', 'node-10']);
    expect(lanes.get('node-2')!.map((p) => p.metadata.name)).toEqual(['a-9', 'a-10', 'b']);
    expect(lanes.get('node-10')).toEqual([]);
    expect(lanes.get(UNSCHEDULED)!.map((p) => p.metadata.name)).toEqual(['lost', 'pending']);
  });

  it('ignores a change it has already seen (an overlapping replay) and forgets deleted objects', () => {
    const m = new ClusterModel();
    const running = change('MODIFIED', pod('p', { node: 'node-1', phase: 'Running', ready: true }));
    const older = { ...change('MODIFIED', pod('p', { node: 'node-1', phase: 'Pending' })), resourceVersion: String(Number(running.resourceVersion) - 1) };
    m.apply(running);
    m.apply(older);
    expect(m.pods.get('default/p')!.status!.phase).toBe('Running');
    m.apply(change('DELETED', pod('p', { node: 'node-1', phase: 'Running' })));
    expect(m.pods.size).toBe(0);
    m.apply(change('ADDED', pod('p', { node: 'node-3' }))); // the same name again: a new pod
    expect(m.pods.get('default/p')!.spec.nodeName).toBe('node-3');
  });

  it('remembers the newest version from changes and bookmarks, and forgets everything on reset', () => {
    const m = new ClusterModel();
    m.apply(change('ADDED', node('node-1', 'True')));
    m.apply({ type: 'BOOKMARK', resourceVersion: '9000', time: T });
    expect(m.resourceVersion).toBe('9000');
    m.apply({ type: 'BOOKMARK', resourceVersion: '50', time: T });
    expect(m.resourceVersion).toBe('9000');
    m.partitioned.add('node-1');
    m.reset();
    expect([m.nodes.size, m.resourceVersion, m.caughtUp]).toEqual([0, undefined, false]);
  });

  it('keeps controllers and turns Kubernetes Events into log lines', () => {
    const m = new ClusterModel();
    m.apply(change('ADDED', { kind: 'ReplicationController', metadata: { name: 'kubia', namespace: 'default' }, spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 2 } }));
    expect([...m.controllers.values()].map(controllerLook)).toMatchObject([{ kind: 'ReplicationController', name: 'kubia', text: '2/3 ready', tone: 'progress' }]);
    const ev = { kind: 'Event', metadata: { name: 'kubia.1', namespace: 'default', uid: 'e1' }, involvedObject: { kind: 'Pod', name: 'kubia-x', namespace: 'default' }, reason: 'Killing', message: 'Stopping container kubia', type: 'Normal', count: 2, lastTimestamp: '2026-11-25T09:59:58Z' };
    expect(m.apply(change('ADDED', ev))).toEqual([{ time: '2026-11-25T09:59:58Z', tone: 'info', subject: 'Pod kubia-x', text: 'Killing: Stopping container kubia (×2)', key: 'e1#2' }]);
  });
});

describe('how pods and nodes look', () => {
  it('says what kubectl says and colours by phase and readiness', () => {
    expect(podLook(pod('a', { phase: 'Running', ready: true, ip: '127.128.1.2', restarts: 2 }))).toEqual({ status: 'Running', ready: '1/1', restarts: 2, ip: '127.128.1.2', tone: 'ok' });
    expect(podLook(pod('b', { phase: 'Running', ready: false }))).toMatchObject({ status: 'Running', ready: '0/1', tone: 'progress' });
    expect(podLook(pod('c', { waiting: 'ContainerCreating' }))).toMatchObject({ status: 'ContainerCreating', tone: 'progress' });
    expect(podLook(pod('d'))).toMatchObject({ status: 'Pending', tone: 'progress', ip: '' });
    expect(podLook(pod('e', { phase: 'Running', waiting: 'CrashLoopBackOff' }))).toMatchObject({ status: 'CrashLoopBackOff', tone: 'failing' });
    expect(podLook(pod('f', { waiting: 'ErrImagePull' }))).toMatchObject({ tone: 'failing' });
    expect(podLook(pod('g', { phase: 'Failed', terminated: { exitCode: 1, reason: 'Error' } }))).toMatchObject({ status: 'Error', tone: 'failing' });
    expect(podLook(pod('h', { phase: 'Running', ready: true, deleting: true }))).toMatchObject({ status: 'Terminating', tone: 'gone' });
    expect(podLook(pod('i', { phase: 'Succeeded', terminated: { exitCode: 0, reason: 'Completed' } }))).toMatchObject({ status: 'Completed', tone: 'done' });
    expect(podLook(pod('j', { phase: 'Failed', terminated: { exitCode: 0, signal: 9 } }))).toMatchObject({ status: 'Signal:9', tone: 'failing' });
  });

  it('shows a node Ready, NotReady with its reason and taints, or partitioned', () => {
    expect(nodeLook(node('n', 'True'))).toEqual({ status: 'Ready', tone: 'ok', detail: '', address: '127.1.0.2' });
    const taints = [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    ];
    expect(nodeLook(node('n', 'Unknown', { spec: { taints } }))).toMatchObject({ status: 'NotReady', tone: 'failing', detail: 'NodeStatusUnknown · tainted unreachable' });
    expect(nodeLook(node('n', 'Unknown'), true)).toMatchObject({ status: 'partitioned', tone: 'gone' });
    expect(nodeLook(node('n', 'True', { spec: { unschedulable: true } }))).toMatchObject({ status: 'Ready,SchedulingDisabled' });
  });
});

describe('the event log', () => {
  const line = (time: string, text: string, key?: string): LogEntry => ({ time, tone: 'info', subject: 's', text, ...(key ? { key } : {}) });

  it('puts live lines on top in arrival order, whatever their clocks say', () => {
    let log = addEntries([], [line('2026-11-25T10:00:01.500Z', 'node went NotReady')]);
    log = addEntries(log, [line('2026-11-25T10:00:01Z', 'event stamped to the second')]);
    expect(log.map((l) => l.text)).toEqual(['event stamped to the second', 'node went NotReady']);
  });

  it('orders a replay by time, skips lines it already has, and keeps the newest LOG_LIMIT', () => {
    let log = addEntries([], [line('2026-11-25T10:00:02Z', 'b', 'k2')], true);
    log = addEntries(log, [line('2026-11-25T10:00:01Z', 'a', 'k1')], true);
    log = addEntries(log, [line('2026-11-25T10:00:03Z', 'c', 'k3'), line('2026-11-25T10:00:02Z', 'b again', 'k2')], true);
    expect(log.map((l) => l.text)).toEqual(['c', 'b', 'a']);
    for (let i = 0; i < LOG_LIMIT + 5; i++) log = addEntries(log, [line(T, `live ${i}`)]);
    expect(log).toHaveLength(LOG_LIMIT);
    expect(log[0]!.text).toBe(`live ${LOG_LIMIT + 4}`);
  });

  it('says nothing about a node whose Ready condition did not change', () => {
    expect(nodeEntry(node('n', 'True'), node('n', 'True'), T)).toBeUndefined();
    expect(nodeEntry(node('n', 'True'), undefined, T)).toMatchObject({ tone: 'bad', text: 'removed from the cluster' });
    expect(eventEntry({ kind: 'Event', metadata: { name: 'x', creationTimestamp: T }, involvedObject: { kind: 'Node', name: 'node-2' }, reason: 'NodeNotReady', type: 'Warning' } as any, 'later')).toMatchObject({ time: T, tone: 'warning', subject: 'Node node-2', text: 'NodeNotReady: ' });
  });
});
