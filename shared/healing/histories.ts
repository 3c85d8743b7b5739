/**
 * The first pass of the healing timeline: the stream's changes replayed into one history per
 * object that takes part in healing — for each pod when it was created, bound to a node, Running,
 * Ready, marked for deletion and gone (and its controller); for each node its Ready transitions;
 * for each ReplicationController, ReplicaSet and Deployment its desired and ready replicas over time.
 *
 * Times are the stream's receive times (`time`), to the millisecond, for every transition seen
 * happen. A transition that had already happened when the object was first seen — the stream was
 * asked for the current objects (`resourceVersion=0`), as the dashboard does — takes the object's
 * own timestamp instead (condition transition times, deletionTimestamp, creationTimestamp: whole
 * seconds). A pod first seen as ADDED within a second and a half of its creationTimestamp is new:
 * what its first message shows happened then.
 *
 * Pure (type imports only; see ./messages.ts): the dashboard runs it in the browser.
 */
import type { KubeObject } from '../api/meta.js';
import { isChange, timeOf, type StreamChange, type StreamMessage } from './messages.js';

export type ReadyStatus = 'True' | 'False' | 'Unknown';

export interface PodHistory {
  uid: string;
  namespace: string;
  name: string;
  /** The controller that owns it (`controller: true` owner reference). */
  owner?: { kind: string; name: string; uid: string };
  createdAt: number;
  node?: string;
  scheduledAt?: number;
  runningAt?: number;
  readyAt?: number;
  /** deletionTimestamp set (an eviction, a scale-down). */
  deletingAt?: number;
  /** Gone from the API. */
  deletedAt?: number;
}

export interface NodeTransition {
  at: number;
  ready: ReadyStatus;
}

export interface ControllerSample {
  at: number;
  desired: number;
  ready: number;
  replicas: number;
}

export interface ControllerHistory {
  kind: string;
  namespace: string;
  name: string;
  samples: ControllerSample[];
  deletedAt?: number;
}

export interface Histories {
  pods: Map<string, PodHistory>;
  /** Node name → its Ready transitions, oldest first (only changes). */
  nodes: Map<string, NodeTransition[]>;
  /** `Kind/namespace/name` → history. */
  controllers: Map<string, ControllerHistory>;
  /** The first and last message times. */
  from?: number;
  to?: number;
}

export const CONTROLLER_KINDS: readonly string[] = ['ReplicationController', 'ReplicaSet', 'Deployment'];

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(asObj).filter((x): x is Obj => x !== undefined) : []);
const asNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const asStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const stamp = (v: unknown): number | undefined => {
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

function condition(o: KubeObject, type: string): Obj | undefined {
  return asList(asObj(o.status)?.conditions).find((c) => c.type === type);
}

/** When something already true at first sight became true, by the object's own stamp. */
const firstSight = (own: number | undefined, fallback: number): number => Math.min(own ?? fallback, fallback);

function podStep(o: KubeObject): { node?: string; running: boolean; ready: boolean; deleting?: number } {
  const status = asObj(o.status);
  const node = asStr(asObj(o.spec)?.nodeName);
  return {
    ...(node ? { node } : {}),
    running: status?.phase === 'Running',
    ready: condition(o, 'Ready')?.status === 'True',
    ...(o.metadata?.deletionTimestamp ? { deleting: stamp(o.metadata.deletionTimestamp) ?? Number.NaN } : {}),
  };
}

function runningStamp(o: KubeObject): number | undefined {
  const starts = asList(asObj(o.status)?.containerStatuses).map((cs) => stamp(asObj(asObj(cs.state)?.running)?.startedAt));
  const known = starts.filter((s): s is number => s !== undefined);
  return known.length ? Math.max(...known) : stamp(asObj(o.status)?.startTime);
}

function applyPod(h: Histories, m: StreamChange, t: number): void {
  const o = m.object;
  const key = m.uid || o?.metadata?.uid || `${m.namespace ?? ''}/${m.name}`;
  let p = h.pods.get(key);
  const created = stamp(o?.metadata?.creationTimestamp);
  const fresh = p !== undefined || (m.type === 'ADDED' && (created === undefined || t - created < 1500));
  if (!p) {
    p = { uid: key, namespace: m.namespace ?? '', name: m.name, createdAt: fresh ? t : firstSight(created, t) };
    h.pods.set(key, p);
  }
  if (m.type === 'DELETED') p.deletedAt ??= t;
  if (!o) return;
  const ref = (o.metadata?.ownerReferences ?? []).find((r) => r.controller);
  if (ref && !p.owner) p.owner = { kind: ref.kind, name: ref.name, uid: ref.uid };
  const s = podStep(o);
  if (s.node && p.scheduledAt === undefined) {
    p.node = s.node;
    p.scheduledAt = fresh ? t : firstSight(stamp(condition(o, 'PodScheduled')?.lastTransitionTime), t);
  }
  if (s.running && p.runningAt === undefined) p.runningAt = fresh ? t : firstSight(runningStamp(o), t);
  if (s.ready && p.readyAt === undefined) p.readyAt = fresh ? t : firstSight(stamp(condition(o, 'Ready')?.lastTransitionTime), t);
  if (s.deleting !== undefined && p.deletingAt === undefined) p.deletingAt = fresh ? t : firstSight(Number.isNaN(s.deleting) ? undefined : s.deleting, t);
}

function applyNode(h: Histories, m: StreamChange, t: number): void {
  if (m.type === 'DELETED' || !m.object) return;
  const cond = condition(m.object, 'Ready');
  const ready = (cond?.status === 'True' || cond?.status === 'False' ? cond.status : 'Unknown') as ReadyStatus;
  const list = h.nodes.get(m.name);
  if (!list) {
    h.nodes.set(m.name, [{ at: firstSight(stamp(cond?.lastTransitionTime), t), ready }]);
    return;
  }
  if (list[list.length - 1]!.ready !== ready) list.push({ at: t, ready });
}

function applyController(h: Histories, m: StreamChange, t: number): void {
  const key = `${m.kind}/${m.namespace ?? ''}/${m.name}`;
  let c = h.controllers.get(key);
  if (!c) {
    c = { kind: m.kind, namespace: m.namespace ?? '', name: m.name, samples: [] };
    h.controllers.set(key, c);
  }
  if (m.type === 'DELETED') {
    c.deletedAt = t;
    return;
  }
  delete c.deletedAt;
  const o = m.object;
  if (!o) return;
  const spec = asObj(o.spec);
  const status = asObj(o.status);
  const sample: ControllerSample = {
    at: t,
    desired: asNum(spec?.replicas) ?? 1,
    ready: asNum(status?.readyReplicas) ?? 0,
    replicas: asNum(status?.replicas) ?? 0,
  };
  const last = c.samples[c.samples.length - 1];
  if (!last || last.desired !== sample.desired || last.ready !== sample.ready || last.replicas !== sample.replicas) c.samples.push(sample);
}

/** Replays the messages (in stream order; those that are not changes, or have no time, are skipped). */
export function replay(messages: Iterable<StreamMessage>): Histories {
  const h: Histories = { pods: new Map(), nodes: new Map(), controllers: new Map() };
  for (const m of messages) {
    if (!isChange(m)) continue;
    const t = timeOf(m.time);
    if (Number.isNaN(t)) continue;
    h.from = Math.min(h.from ?? t, t);
    h.to = Math.max(h.to ?? t, t);
    if (m.kind === 'Pod') applyPod(h, m, t);
    else if (m.kind === 'Node') applyNode(h, m, t);
    else if (CONTROLLER_KINDS.includes(m.kind)) applyController(h, m, t);
  }
  return h;
}

/** A controller's state at `t` (its last sample at or before `t`); undefined before its first. */
export function controllerAt(c: ControllerHistory, t: number): ControllerSample | undefined {
  let found: ControllerSample | undefined;
  for (const s of c.samples) {
    if (s.at > t) break;
    found = s;
  }
  return found;
}

/** At its desired state: as many replicas as wanted, all of them Ready. */
export function satisfied(s: ControllerSample): boolean {
  return s.ready >= s.desired && s.replicas === s.desired;
}
