/**
 * When each pod reached each milestone of its life, as a watcher sees it: one pod watch (through
 * the api-server, as the Kubernetes pod-startup SLO measures) in one namespace, every event stamped
 * on arrival with the machine's monotonic clock (`process.hrtime.bigint()`, ns).
 *
 * Milestones, each the first event that shows it:
 *   added        the pod exists (ADDED)
 *   scheduled    bound to a node (spec.nodeName set)
 *   accepted     the kubelet wrote its first status (hostIP or containerStatuses present)
 *   running      phase Running
 *   ready        condition Ready=True
 *   terminating  deletionTimestamp set (deleted or evicted, not yet gone)
 *   deleted      DELETED
 * `created` is not seen by the watch: the benchmark marks it (`mark`) just before it sends the
 * create, so created → added includes the API's create.
 *
 * Pods are keyed by name; every benchmark pod name is used once. `until(name, milestone)` resolves
 * with the milestone's time (at once when already reached) or rejects after its timeout.
 * A watch error (410 after a long gap) is reported through `onError` and ends the timeline's use:
 * a benchmark that missed events has no numbers to give.
 */
import type { Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient, ApiWatch } from '../../shared/client/api.js';

export const MILESTONES = ['created', 'added', 'scheduled', 'accepted', 'running', 'ready', 'terminating', 'deleted'] as const;
export type Milestone = (typeof MILESTONES)[number];

export interface PodRecord {
  name: string;
  node?: string;
  labels: Record<string, string>;
  at: Partial<Record<Milestone, bigint>>;
}

const PODS = resourceByPlural('pods');

function reached(pod: Pod, deleted: boolean): Milestone[] {
  const s = pod.status ?? {};
  const out: Milestone[] = ['added'];
  if (pod.spec?.nodeName) out.push('scheduled');
  if (s.hostIP || s.containerStatuses?.length) out.push('accepted');
  if (s.phase === 'Running') out.push('running');
  if (s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) out.push('ready');
  if (pod.metadata.deletionTimestamp) out.push('terminating');
  if (deleted) out.push('deleted');
  return out;
}

type Waiter = { name: string; milestone: Milestone; resolve(t: bigint): void };

export class PodTimeline {
  private readonly pods = new Map<string, PodRecord>();
  private waiters: Waiter[] = [];
  private watch?: ApiWatch;
  private failure?: Error;
  /** Called on every pod change (after the milestones are recorded). */
  onChange?: (pod: Pod, record: PodRecord, type: 'ADDED' | 'MODIFIED' | 'DELETED') => void;

  private constructor(readonly namespace: string) {}

  static async open(api: ApiClient, namespace: string, opts: { labelSelector?: string } = {}): Promise<PodTimeline> {
    const t = new PodTimeline(namespace);
    t.watch = await api.watch<Pod>(PODS, namespace, { labelSelector: opts.labelSelector }, {
      onEvent: (e) => {
        if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') t.observe(e.object, e.type, process.hrtime.bigint());
      },
      onError: (err) => {
        t.failure = err;
      },
    });
    return t;
  }

  private record(name: string): PodRecord {
    let r = this.pods.get(name);
    if (!r) this.pods.set(name, (r = { name, labels: {}, at: {} }));
    return r;
  }

  private observe(pod: Pod, type: 'ADDED' | 'MODIFIED' | 'DELETED', now: bigint): void {
    const r = this.record(pod.metadata.name ?? '');
    r.labels = pod.metadata.labels ?? r.labels;
    if (pod.spec?.nodeName) r.node = pod.spec.nodeName;
    for (const m of reached(pod, type === 'DELETED')) r.at[m] ??= now;
    this.onChange?.(pod, r, type);
    this.wake();
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      const t = this.pods.get(w.name)?.at[w.milestone];
      if (t === undefined) return true;
      w.resolve(t);
      return false;
    });
  }

  /** Marks a milestone the watch cannot see (`created`: just before the create is sent). */
  mark(name: string, milestone: Milestone, at: bigint = process.hrtime.bigint()): void {
    this.record(name).at[milestone] ??= at;
  }

  get(name: string): PodRecord | undefined {
    return this.pods.get(name);
  }

  all(): PodRecord[] {
    return [...this.pods.values()];
  }

  /** Throws the watch's error, if it had one. */
  check(): void {
    if (this.failure) throw new Error(`the pod watch failed, events may be missing: ${this.failure.message}`);
  }

  until(name: string, milestone: Milestone, timeoutMs: number): Promise<bigint> {
    this.check();
    const t = this.pods.get(name)?.at[milestone];
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const seen = MILESTONES.filter((m) => this.pods.get(name)?.at[m] !== undefined);
        reject(new Error(`pod ${this.namespace}/${name} not ${milestone} within ${timeoutMs} ms (seen: ${seen.join(', ') || 'nothing'})`));
      }, timeoutMs);
      const waiter: Waiter = {
        name,
        milestone,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      this.waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    await this.watch?.stop();
  }
}
