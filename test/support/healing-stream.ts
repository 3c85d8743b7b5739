/**
 * Builders of event-stream messages for healing tests: pods, nodes and replica controllers as the
 * api-server's `/stream` sends them (kind, name, uid, receive time, the object), at times given
 * as offsets in seconds from a fixed start, so a test reads as a timeline.
 */
import type { StreamChange, StreamChangeType } from '../../shared/api/stream.js';
import type { ChaosRecord } from '../../shared/healing/messages.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const secondsStamp = (s: number): string => new Date(Math.floor((T0 + s * 1000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

let rv = 100;

export interface PodState {
  name: string;
  node?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  ready?: boolean;
  /** Seconds (offset) at which deletion was requested. */
  deleting?: number;
  /** RC name that owns it. */
  rc?: string;
  /** Seconds (offset) of creation; default: the message time. */
  created?: number;
  /** Seconds of the Ready condition's transition (for snapshots). */
  readySince?: number;
}

export function pod(s: number, type: StreamChangeType, p: PodState): StreamChange {
  const rcUid = p.rc ? `uid-rc-${p.rc}` : undefined;
  return {
    type,
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: 'default',
    name: p.name,
    uid: `uid-${p.name}`,
    resourceVersion: String(++rv),
    time: at(s),
    object: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        name: p.name,
        namespace: 'default',
        uid: `uid-${p.name}`,
        creationTimestamp: secondsStamp(p.created ?? s),
        ...(p.deleting !== undefined ? { deletionTimestamp: secondsStamp(p.deleting) } : {}),
        ...(p.rc ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: p.rc, uid: rcUid!, controller: true }] } : {}),
      },
      spec: { ...(p.node ? { nodeName: p.node } : {}), containers: [{ name: 'c', image: 'luksa/kubia' }] },
      status: {
        phase: p.phase ?? 'Pending',
        conditions: [
          ...(p.node ? [{ type: 'PodScheduled', status: 'True', lastTransitionTime: secondsStamp(p.created ?? s) }] : []),
          { type: 'Ready', status: p.ready ? 'True' : 'False', lastTransitionTime: secondsStamp(p.readySince ?? s) },
        ],
      },
    },
  };
}

export function node(s: number, name: string, ready: 'True' | 'False' | 'Unknown', type: StreamChangeType = 'MODIFIED', since = s): StreamChange {
  return {
    type,
    kind: 'Node',
    apiVersion: 'v1',
    name,
    uid: `uid-${name}`,
    resourceVersion: String(++rv),
    time: at(s),
    object: {
      kind: 'Node',
      apiVersion: 'v1',
      metadata: { name, uid: `uid-${name}` },
      status: { conditions: [{ type: 'Ready', status: ready, lastTransitionTime: secondsStamp(since) }] },
    },
  };
}

export function rc(s: number, name: string, desired: number, ready: number, replicas = desired, type: StreamChangeType = 'MODIFIED'): StreamChange {
  return {
    type,
    kind: 'ReplicationController',
    apiVersion: 'v1',
    namespace: 'default',
    name,
    uid: `uid-rc-${name}`,
    resourceVersion: String(++rv),
    time: at(s),
    object: {
      kind: 'ReplicationController',
      apiVersion: 'v1',
      metadata: { name, namespace: 'default', uid: `uid-rc-${name}` },
      spec: { replicas: desired },
      status: { replicas, readyReplicas: ready },
    },
  };
}

export function chaos(s: number, action: ChaosRecord['action'], target: string, extra: Partial<ChaosRecord> = {}): ChaosRecord {
  return { time: at(s), action, target, by: 'cli', ...extra };
}

/**
 * A 3-node cluster with rc kubia (3 replicas, one per node) and a bare pod on node-2, all Ready
 * at offset 0; node-2 killed at 10 s: NotReady at 14.1 s, its pods evicted at 14.2 s, the
 * replacement created at 14.3 s on node-3, Running at 15 s, Ready at 16 s; the rc back at 3/3
 * Ready at 16 s; `kubemu start node-2` at 30 s, node-2 Ready at 32 s.
 */
export function killAndHeal(): { messages: StreamChange[]; journal: ChaosRecord[] } {
  const messages = [
    node(-60, 'node-1', 'True', 'ADDED'),
    node(-60, 'node-2', 'True', 'ADDED'),
    node(-60, 'node-3', 'True', 'ADDED'),
    rc(-30, 'kubia', 3, 0, 0, 'ADDED'),
    pod(-29, 'ADDED', { name: 'kubia-a', rc: 'kubia' }),
    pod(-29, 'ADDED', { name: 'kubia-b', rc: 'kubia' }),
    pod(-29, 'ADDED', { name: 'kubia-c', rc: 'kubia' }),
    pod(-28, 'ADDED', { name: 'bare' }),
    pod(-28.5, 'MODIFIED', { name: 'kubia-a', rc: 'kubia', node: 'node-1', created: -29 }),
    pod(-28.5, 'MODIFIED', { name: 'kubia-b', rc: 'kubia', node: 'node-2', created: -29 }),
    pod(-28.5, 'MODIFIED', { name: 'kubia-c', rc: 'kubia', node: 'node-3', created: -29 }),
    pod(-27.5, 'MODIFIED', { name: 'bare', node: 'node-2', created: -28 }),
    ...['kubia-a', 'kubia-b', 'kubia-c'].map((n, i) => pod(-25, 'MODIFIED', { name: n, rc: 'kubia', node: `node-${i + 1}`, phase: 'Running', ready: true, created: -29 })),
    pod(-25, 'MODIFIED', { name: 'bare', node: 'node-2', phase: 'Running', ready: true, created: -28 }),
    rc(-25, 'kubia', 3, 3),
    node(14.1, 'node-2', 'Unknown'),
    pod(14.2, 'MODIFIED', { name: 'kubia-b', rc: 'kubia', node: 'node-2', phase: 'Running', ready: false, deleting: 14.2, created: -29 }),
    pod(14.2, 'MODIFIED', { name: 'bare', node: 'node-2', phase: 'Running', ready: false, deleting: 14.2, created: -28 }),
    rc(14.25, 'kubia', 3, 2, 2),
    pod(14.3, 'ADDED', { name: 'kubia-d', rc: 'kubia' }),
    rc(14.3, 'kubia', 3, 2, 3),
    pod(14.35, 'MODIFIED', { name: 'kubia-d', rc: 'kubia', node: 'node-3', created: 14.3 }),
    pod(15, 'MODIFIED', { name: 'kubia-d', rc: 'kubia', node: 'node-3', phase: 'Running', created: 14.3 }),
    pod(16, 'MODIFIED', { name: 'kubia-d', rc: 'kubia', node: 'node-3', phase: 'Running', ready: true, created: 14.3 }),
    rc(16, 'kubia', 3, 3),
    node(32, 'node-2', 'True'),
    pod(32.5, 'DELETED', { name: 'kubia-b', rc: 'kubia', node: 'node-2', deleting: 14.2, created: -29 }),
    pod(32.5, 'DELETED', { name: 'bare', node: 'node-2', deleting: 14.2, created: -28 }),
  ];
  const journal = [chaos(10, 'kill', 'node-2', { nodes: ['node-2'] }), chaos(30, 'start', 'node-2', { nodes: ['node-2'] })];
  return { messages, journal };
}
