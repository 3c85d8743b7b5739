/**
 * The healing timeline: from the event stream's messages and the chaos journal, each failure and
 * how the cluster healed it — killed (or partitioned) → NotReady detected → pods evicted →
 * replacements created → scheduled → Running → Ready → every controller at its desired replicas —
 * with the time of each step, and whether every ReplicationController, ReplicaSet and Deployment
 * is at its desired replicas at the end. `kubemu report`, `kubemu chaos` and the dashboard use it.
 *
 * Failures: one per node reached by a `kill`, `partition` or `restart` record (`nodes`, else the
 * target when it is a node the stream knows), one per component killed (`scheduler`: only killed →
 * started again), and one per node that turned NotReady with no record to explain it (`docker
 * compose kill`, a crash: it begins when NotReady was seen). A failure ends (`restoredAt`) with the
 * next `start` (after a kill) or `heal` (after a partition, or when its `forMs` ran out).
 *
 * Steps over pods: the pods on the node when it failed are the ones that count; each evicted pod
 * with a controller needs one replacement — a pod of the same controller created after the failure
 * began, not given to an earlier failure (failures take replacements in the order they began).
 * A pod step's time is when the last of them got there (`done` of `of` until then). Healing time:
 * until the last replacement is Ready; with nothing to replace, until the node is Ready again; for
 * a component, until it was started again.
 *
 * Pure and deterministic (type imports only, see ./messages.ts): the dashboard runs it in the
 * browser on what it has received, `now` only bounds what is still open.
 */
import { controllerAt, replay, satisfied, type Histories, type NodeTransition, type PodHistory } from './histories.js';
import { timeOf, type ChaosRecord, type StreamMessage } from './messages.js';

export type StepKey = 'failed' | 'notReady' | 'evicted' | 'created' | 'scheduled' | 'running' | 'ready' | 'controllers' | 'restored' | 'nodeReady';

export interface TimelineStep {
  key: StepKey;
  label: string;
  /** Epoch ms; absent while it has not happened. */
  at?: number;
  /** Since the failure began. */
  offsetMs?: number;
  /** Pod steps: how many pods are there, of how many. */
  done?: number;
  of?: number;
}

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
  node?: string;
  /** `ReplicationController/kubia`. */
  owner?: string;
}

export type FailureCause = 'kill' | 'partition' | 'restart' | 'unplanned';

export interface Failure {
  id: string;
  /** What failed: a node, or a component (`scheduler`). */
  target: string;
  node?: string;
  cause: FailureCause;
  /** Who made it (`cli`, `chaos`, `dashboard`, …); absent for unplanned ones. */
  by?: string;
  at: number;
  /** When kubemu brought it back (start, heal, the partition's end). */
  restoredAt?: number;
  steps: TimelineStep[];
  /** Pods on the node when it failed. */
  podsAtFailure: PodRef[];
  evicted: PodRef[];
  replacements: PodRef[];
  /** Evicted pods no controller replaces. */
  unowned: PodRef[];
  healed: boolean;
  healedAt?: number;
  healingMs?: number;
  /** What `healedAt` is: `replacements Ready`, `node Ready again`, `started again`. */
  healedBy?: string;
}

export interface ControllerStatus {
  kind: string;
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  ok: boolean;
  /** Since when it has been at its desired state (when ok). */
  okSince?: number;
}

export interface HealingReport {
  failures: Failure[];
  controllers: ControllerStatus[];
  allControllersOk: boolean;
  /** The first and last message times. */
  from?: number;
  to?: number;
}

const CAUSE_LABEL: Record<FailureCause, string> = { kill: 'killed', partition: 'partitioned', restart: 'restarted', unplanned: 'failed (no kubemu action recorded)' };

interface Planned {
  target: string;
  node?: string;
  cause: FailureCause;
  by?: string;
  at: number;
  forMs?: number;
}

const podRef = (p: PodHistory): PodRef => ({
  namespace: p.namespace,
  name: p.name,
  uid: p.uid,
  ...(p.node ? { node: p.node } : {}),
  ...(p.owner ? { owner: `${p.owner.kind}/${p.owner.name}` } : {}),
});

/** The failures the journal names, one per node (or component). */
function plannedFailures(chaos: readonly ChaosRecord[], h: Histories): Planned[] {
  const out: Planned[] = [];
  for (const r of chaos) {
    if (r.action !== 'kill' && r.action !== 'partition' && r.action !== 'restart') continue;
    const at = timeOf(r.time);
    if (Number.isNaN(at)) continue;
    const nodes = r.nodes?.length ? r.nodes : h.nodes.has(r.target) ? [r.target] : [];
    const base = { cause: r.action, by: r.by, at, ...(r.forMs ? { forMs: r.forMs } : {}) };
    if (nodes.length) for (const node of nodes) out.push({ ...base, target: node, node });
    else if (r.action !== 'partition') out.push({ ...base, target: r.target });
  }
  return out;
}

/** NotReady transitions that no planned failure of the same node explains. */
function unplannedFailures(planned: Planned[], h: Histories): Planned[] {
  const out: Planned[] = [];
  for (const [node, transitions] of h.nodes) {
    let readySince: number | undefined;
    for (const t of transitions) {
      if (t.ready === 'True') {
        readySince = t.at;
        continue;
      }
      if (readySince === undefined) continue; // never Ready yet: a node starting, not failing
      const since = readySince;
      if (!planned.some((p) => p.node === node && p.at >= since && p.at <= t.at)) out.push({ target: node, node, cause: 'unplanned', at: t.at });
      readySince = undefined;
    }
  }
  return out;
}

function restoredAt(f: Planned, chaos: readonly ChaosRecord[]): number | undefined {
  const ends = f.cause === 'partition' ? ['heal'] : f.cause === 'kill' ? ['start', 'restart'] : [];
  let end = f.cause === 'partition' && f.forMs ? f.at + f.forMs : undefined;
  for (const r of chaos) {
    const t = timeOf(r.time);
    if (!ends.includes(r.action) || !(t >= f.at) || (end !== undefined && t >= end)) continue;
    if (r.target === f.target || (f.node !== undefined && r.nodes?.includes(f.node))) end = t;
  }
  return end;
}

const firstAfter = (ts: NodeTransition[], after: number, want: (r: NodeTransition['ready']) => boolean): number | undefined =>
  ts.find((t) => t.at >= after && want(t.ready))?.at;

/** The last of `times` when every one is there, and how many are. */
function allOf(times: (number | undefined)[]): { at?: number; done: number; of: number } {
  const known = times.filter((t): t is number => t !== undefined);
  return { done: known.length, of: times.length, ...(known.length === times.length && times.length > 0 ? { at: Math.max(...known) } : {}) };
}

/** The first instant from `from` on at which every controller that exists is at its desired state. */
function controllersOkFrom(h: Histories, from: number): number | undefined {
  const live = [...h.controllers.values()];
  const instants = [from, ...live.flatMap((c) => c.samples.map((s) => s.at).filter((t) => t > from))].sort((a, b) => a - b);
  for (const t of instants) {
    const ok = live.every((c) => {
      if (c.deletedAt !== undefined && c.deletedAt <= t) return true;
      const s = controllerAt(c, t);
      return s === undefined || satisfied(s);
    });
    if (ok) return t;
  }
  return undefined;
}

function podSteps(f: Planned, h: Histories, assigned: Set<string>, nextSameNode: number) {
  const onNode = [...h.pods.values()].filter(
    (p) => p.node === f.node && (p.scheduledAt ?? p.createdAt) <= f.at && !((p.deletingAt ?? p.deletedAt ?? Infinity) < f.at),
  );
  const evictedAt = (p: PodHistory): number | undefined => {
    const t = p.deletingAt ?? p.deletedAt;
    return t !== undefined && t >= f.at && t < nextSameNode ? t : undefined;
  };
  const evicted = onNode.filter((p) => evictedAt(p) !== undefined);
  const replacements: PodHistory[] = [];
  const wanted = new Map<string, number>();
  for (const p of evicted) if (p.owner) wanted.set(p.owner.uid, (wanted.get(p.owner.uid) ?? 0) + 1);
  for (const [owner, n] of wanted) {
    const candidates = [...h.pods.values()]
      .filter((p) => p.owner?.uid === owner && p.createdAt >= f.at && !assigned.has(p.uid) && !onNode.includes(p))
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, n);
    for (const p of candidates) {
      assigned.add(p.uid);
      replacements.push(p);
    }
  }
  const owned = evicted.filter((p) => p.owner).length;
  const pad = (ts: (number | undefined)[]): (number | undefined)[] => [...ts, ...Array<undefined>(Math.max(0, owned - ts.length)).fill(undefined)];
  return {
    onNode,
    evicted,
    replacements,
    evictedStep: allOf(onNode.map(evictedAt)),
    created: allOf(pad(replacements.map((p) => p.createdAt))),
    scheduled: allOf(pad(replacements.map((p) => p.scheduledAt))),
    running: allOf(pad(replacements.map((p) => p.runningAt))),
    ready: allOf(pad(replacements.map((p) => p.readyAt))),
  };
}

function step(f: Planned, key: StepKey, label: string, at: number | undefined, count?: { done: number; of: number }): TimelineStep {
  return { key, label, ...(at !== undefined ? { at, offsetMs: at - f.at } : {}), ...(count ? { done: count.done, of: count.of } : {}) };
}

function buildFailure(f: Planned, h: Histories, chaos: readonly ChaosRecord[], assigned: Set<string>, nextSameNode: number): Failure {
  const restored = restoredAt(f, chaos);
  const steps: TimelineStep[] = [step(f, 'failed', CAUSE_LABEL[f.cause], f.at)];
  const base = { id: `${f.target}@${new Date(f.at).toISOString()}`, target: f.target, cause: f.cause, ...(f.by ? { by: f.by } : {}), at: f.at };
  if (f.node === undefined) {
    if (restored !== undefined) steps.push(step(f, 'restored', 'started again', restored));
    const ok = restored !== undefined ? controllersOkFrom(h, restored) : undefined;
    steps.push(step(f, 'controllers', 'controllers at desired replicas', ok));
    const healed = restored !== undefined;
    return {
      ...base,
      ...(restored !== undefined ? { restoredAt: restored } : {}),
      steps,
      podsAtFailure: [],
      evicted: [],
      replacements: [],
      unowned: [],
      healed,
      ...(healed ? { healedAt: restored, healingMs: restored - f.at, healedBy: 'started again' } : {}),
    };
  }
  const transitions = h.nodes.get(f.node) ?? [];
  const notReady = firstAfter(transitions, f.at, (r) => r !== 'True');
  const back = notReady !== undefined ? firstAfter(transitions, notReady, (r) => r === 'True') : undefined;
  const pods = podSteps(f, h, assigned, nextSameNode);
  steps.push(step(f, 'notReady', 'NotReady detected', notReady));
  steps.push(step(f, 'evicted', 'pods evicted', pods.evictedStep.at, pods.evictedStep));
  steps.push(step(f, 'created', 'replacements created', pods.created.at, pods.created));
  steps.push(step(f, 'scheduled', 'replacements scheduled', pods.scheduled.at, pods.scheduled));
  steps.push(step(f, 'running', 'replacements Running', pods.running.at, pods.running));
  steps.push(step(f, 'ready', 'replacements Ready', pods.ready.at, pods.ready));
  const okFrom = pods.ready.at ?? (pods.created.of === 0 ? (back ?? notReady) : undefined);
  steps.push(step(f, 'controllers', 'controllers at desired replicas', okFrom !== undefined ? controllersOkFrom(h, okFrom) : undefined));
  if (restored !== undefined) steps.push(step(f, 'restored', f.cause === 'partition' ? 'partition healed' : 'started again', restored));
  steps.push(step(f, 'nodeReady', 'node Ready again', back));
  const healedAt = pods.created.of > 0 ? pods.ready.at : back;
  return {
    ...base,
    node: f.node,
    ...(restored !== undefined ? { restoredAt: restored } : {}),
    steps,
    podsAtFailure: pods.onNode.map(podRef),
    evicted: pods.evicted.map(podRef),
    replacements: pods.replacements.map(podRef),
    unowned: pods.evicted.filter((p) => !p.owner).map(podRef),
    healed: healedAt !== undefined,
    ...(healedAt !== undefined ? { healedAt, healingMs: healedAt - f.at, healedBy: pods.created.of > 0 ? 'replacements Ready' : 'node Ready again' } : {}),
  };
}

function controllerStatuses(h: Histories): ControllerStatus[] {
  const out: ControllerStatus[] = [];
  for (const c of h.controllers.values()) {
    const last = c.samples[c.samples.length - 1];
    if (c.deletedAt !== undefined || !last) continue;
    const ok = satisfied(last);
    let okSince: number | undefined;
    if (ok) for (let i = c.samples.length - 1; i >= 0 && satisfied(c.samples[i]!); i--) okSince = c.samples[i]!.at;
    out.push({ kind: c.kind, namespace: c.namespace, name: c.name, desired: last.desired, ready: last.ready, ok, ...(okSince !== undefined ? { okSince } : {}) });
  }
  return out.sort((a, b) => `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`));
}

/** The report of everything in `messages` (stream order) and `chaos` (any order). */
export function buildHealingReport(messages: Iterable<StreamMessage>, chaos: readonly ChaosRecord[]): HealingReport {
  const h = replay(messages);
  const ordered = [...chaos].sort((a, b) => timeOf(a.time) - timeOf(b.time));
  const planned = plannedFailures(ordered, h);
  const all = [...planned, ...unplannedFailures(planned, h)].sort((a, b) => a.at - b.at);
  const assigned = new Set<string>();
  const failures = all.map((f, i) => {
    const next = all.slice(i + 1).find((g) => g.node !== undefined && g.node === f.node);
    return buildFailure(f, h, ordered, assigned, next?.at ?? Infinity);
  });
  const controllers = controllerStatuses(h);
  return {
    failures,
    controllers,
    allControllersOk: controllers.every((c) => c.ok),
    ...(h.from !== undefined ? { from: h.from } : {}),
    ...(h.to !== undefined ? { to: h.to } : {}),
  };
}

/** The failure that began last (the dashboard shows it). */
export function lastFailure(report: HealingReport): Failure | undefined {
  return report.failures[report.failures.length - 1];
}
