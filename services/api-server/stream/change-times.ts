/**
 * When the api-server received each change — the `time` of stream messages, which the healing
 * report measures with, so it must not be "when this client happened to read it".
 *
 * Live changes are stamped once, as the watch cache hands them to the stream (every client sees
 * the same time for the same change, replayed or not). The record is bounded like the cache's
 * history (`capacity` revisions, oldest forgotten first). A change this process never saw live —
 * back-filled from the store after an api-server restart — gets an estimate: the newest timestamp
 * the object itself carries (creation, conditions, container states, Event times, deletion), never
 * later than this process's start; such messages say `timeEstimated`.
 */
import type { KubeObject } from '../../../shared/api/meta.js';
import type { Clock } from '../../../shared/runtime/clock.js';

export interface ChangeTime {
  ms: number;
  estimated: boolean;
}

export class ChangeTimes {
  private readonly revs: number[] = [];
  private readonly times: number[] = [];
  private start = 0;
  readonly startedAt: number;

  constructor(clock: Clock, private readonly capacity = 50_000) {
    this.startedAt = clock.now();
  }

  /** Stamps a revision (revisions arrive in increasing order). */
  record(rev: number, ms: number): void {
    this.revs.push(rev);
    this.times.push(ms);
    if (this.revs.length - this.start > this.capacity) {
      this.start++;
      if (this.start > this.capacity) {
        this.revs.splice(0, this.start);
        this.times.splice(0, this.start);
        this.start = 0;
      }
    }
  }

  timeOf(rev: number, object: KubeObject): ChangeTime {
    let lo = this.start;
    let hi = this.revs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.revs[mid]!;
      if (r === rev) return { ms: this.times[mid]!, estimated: false };
      if (r < rev) lo = mid + 1;
      else hi = mid - 1;
    }
    return { ms: estimateTime(object, this.startedAt), estimated: true };
  }
}

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(asObj).filter((x): x is Obj => x !== undefined) : []);

function timestampsOf(obj: KubeObject): unknown[] {
  const o = obj as unknown as Obj;
  const status = asObj(o.status);
  const out: unknown[] = [obj.metadata.creationTimestamp, obj.metadata.deletionTimestamp, o.lastTimestamp, o.eventTime, o.firstTimestamp, asObj(o.series)?.lastObservedTime];
  if (status) {
    out.push(status.startTime);
    for (const c of asList(status.conditions)) out.push(c.lastTransitionTime, c.lastHeartbeatTime, c.lastUpdateTime, c.lastProbeTime);
    for (const cs of [...asList(status.containerStatuses), ...asList(status.initContainerStatuses)]) {
      const state = asObj(cs.state);
      out.push(asObj(state?.running)?.startedAt, asObj(state?.terminated)?.finishedAt);
    }
  }
  return out;
}

/** The newest timestamp an object carries, at most `notAfter` (which is also the fallback). */
export function estimateTime(obj: KubeObject, notAfter: number): number {
  let best = 0;
  for (const t of timestampsOf(obj)) {
    if (typeof t !== 'string') continue;
    const ms = Date.parse(t);
    if (Number.isFinite(ms) && ms > best) best = ms;
  }
  return best > 0 ? Math.min(best, notAfter) : notAfter;
}
