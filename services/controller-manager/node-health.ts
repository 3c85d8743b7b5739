/**
 * What the node lifecycle controller decides about one Node, as pure functions (no I/O, time given):
 *
 * - `probeDeadline`: when a node's silence becomes too long. Heard from since this process started
 *   → last heartbeat + monitor grace. Never heard → judged from what the objects say (the node
 *   Lease's renewTime, the Ready condition's lastHeartbeatTime, else the node's creation) + monitor
 *   grace, but never before `judgingSince + startupGrace`, so a controller-manager that just
 *   started (or just took over) does not declare every node dead before they could be heard.
 * - `unknownConditions`: Ready, MemoryPressure, DiskPressure and PIDPressure set to Unknown as
 *   Kubernetes does (`NodeStatusUnknown`, "Kubelet stopped posting node status."; a condition the
 *   kubelet never posted is added with `NodeStatusNeverUpdated`, "Kubelet never posted node
 *   status."); lastTransitionTime moves only when the status changes, lastHeartbeatTime never.
 * - `controllerTaints`: the taints this controller owns, derived from the node's conditions:
 *   NoExecute `not-ready` (Ready=False) / `unreachable` (Ready=Unknown), mutually exclusive; and
 *   NoSchedule taints by condition (Ready False/Unknown, MemoryPressure, DiskPressure, PIDPressure,
 *   NetworkUnavailable) and `unschedulable` for a cordoned node. Taints of other owners are kept
 *   untouched; a taint that stays keeps its timeAdded; new ones get `now`. A *fresh* NoExecute taint
 *   (not a swap of not-ready ↔ unreachable) is what evicts pods, so it is the one that may be
 *   rate-limited: with `allowFreshNoExecute` false it is left out and reported as deferred.
 */
import type { Lease } from '../../shared/api/apps.js';
import type { Node, NodeCondition, Taint } from '../../shared/api/core.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, sameTaint } from '../../shared/api/tolerations.js';

const CONDITION_TAINTS: Record<string, Partial<Record<NodeCondition['status'], string>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
};

const NO_SCHEDULE_KEYS = new Set([TAINT_UNSCHEDULABLE, ...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m))]);
const NO_EXECUTE_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);
const UNKNOWN_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function condition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

export function readyStatus(node: Node): NodeCondition['status'] | undefined {
  return condition(node, 'Ready')?.status;
}

function parseTime(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

export interface DeadlineInput {
  node: Node;
  lease?: Lease;
  /** Last heartbeat heard by this process, if any. */
  heardAt?: number;
  /** When this controller started judging (its leadership term began). */
  judgingSince: number;
  graceMs: number;
  startupGraceMs: number;
}

/** The instant after which the node counts as silent. */
export function probeDeadline(i: DeadlineInput): number {
  if (i.heardAt !== undefined) return i.heardAt + i.graceMs;
  const evidence = [
    parseTime(i.lease?.spec?.renewTime),
    parseTime(condition(i.node, 'Ready')?.lastHeartbeatTime),
    parseTime(i.node.metadata.creationTimestamp),
  ].filter((t): t is number => t !== undefined);
  const last = evidence.length ? Math.max(...evidence) : i.judgingSince;
  return Math.max(last + i.graceMs, i.judgingSince + i.startupGraceMs);
}

/** The conditions with the Unknown verdict applied, or undefined when they already say so. */
export function unknownConditions(node: Node, nowIso: string): NodeCondition[] | undefined {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of UNKNOWN_TYPES) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp ?? nowIso,
        lastTransitionTime: nowIso,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: nowIso });
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

export interface TaintPlan {
  taints: Taint[];
  changed: boolean;
  /** A fresh NoExecute taint was wanted but left out (rate limit). */
  deferred: boolean;
  /** The plan adds a fresh NoExecute taint (the caller charges it to the rate limiter). */
  freshNoExecute: boolean;
  /** The plan removes every NoExecute taint of ours (the node is back). */
  clearedNoExecute: boolean;
}

function wantedNoSchedule(node: Node): string[] {
  const keys: string[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) keys.push(key);
  }
  if (node.spec?.unschedulable) keys.push(TAINT_UNSCHEDULABLE);
  return keys;
}

function wantedNoExecute(node: Node): string | undefined {
  const status = readyStatus(node);
  return status === 'False' ? TAINT_NOT_READY : status === 'Unknown' ? TAINT_UNREACHABLE : undefined;
}

function ours(t: Taint): boolean {
  return (t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key)) || (t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key));
}

export function controllerTaints(node: Node, nowIso: string, allowFreshNoExecute: boolean): TaintPlan {
  const current = node.spec?.taints ?? [];
  const hadNoExecute = current.some((t) => t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key));
  const wanted: Taint[] = wantedNoSchedule(node).map((key) => ({ key, effect: 'NoSchedule' }));
  const noExecute = wantedNoExecute(node);
  const fresh = noExecute !== undefined && !hadNoExecute;
  const deferred = fresh && !allowFreshNoExecute;
  if (noExecute && !deferred) wanted.push({ key: noExecute, effect: 'NoExecute' });

  const kept = current.filter((t) => !ours(t));
  const managed = wanted.map((w) => current.find((t) => sameTaint(t, w)) ?? { ...w, timeAdded: nowIso });
  const taints = [...kept, ...managed];
  const key = (ts: Taint[]): string => JSON.stringify(ts.map((t) => `${t.key}:${t.effect}`).sort());
  return {
    taints,
    changed: key(taints) !== key(current),
    deferred,
    freshNoExecute: fresh && !deferred,
    clearedNoExecute: hadNoExecute && noExecute === undefined,
  };
}
