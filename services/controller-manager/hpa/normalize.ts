/**
 * From the metrics' proposal to the replica count actually set, as Kubernetes' HPA controller does
 * it, with the per-HPA memory this needs (`ScaleHistory`: recent recommendations, recent scale
 * events). Pure apart from that memory; time is passed in.
 *
 * Without `spec.behavior` (what autoscaling/v1 HPAs have):
 * - stabilisation: the highest recommendation of the last downscale window (the controller's
 *   setting) wins, so scaling down waits for the window; condition AbleToScale ScaleDownStabilized
 *   or ReadyForNewScale;
 * - limits: at most max(2 × current, 4) (ScaleUpLimit), at most maxReplicas (TooManyReplicas), at
 *   least minReplicas (TooFewReplicas), else DesiredWithinRange (condition ScalingLimited).
 * With `spec.behavior` (defaults filled by the API):
 * - stabilisation per direction: the count moves from the current one at most up to the lowest
 *   recommendation of the scale-up window and at most down to the highest of the scale-down window
 *   (its window unset → the controller's setting);
 * - rate: each policy allows a change relative to the replicas at the start of its period (the
 *   scale events of that period subtracted); selectPolicy Max takes the most permissive, Min the
 *   least, Disabled forbids the direction; then min/maxReplicas.
 * Reasons and messages are Kubernetes' own.
 */
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from '../../../shared/api/autoscaling.js';

export type SetCondition = (type: 'AbleToScale' | 'ScalingLimited', status: 'True' | 'False', reason: string, message: string) => void;

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

/** What the controller remembers about one HPA between syncs. */
export class ScaleHistory {
  recommendations: Recommendation[] = [];
  scaleUpEvents: ScaleEvent[] = [];
  scaleDownEvents: ScaleEvent[] = [];

  /** The first sync starts the memory with the current size. */
  recordInitial(currentReplicas: number, now: number): void {
    if (this.recommendations.length === 0) this.recommendations.push({ replicas: currentReplicas, at: now });
  }
}

export interface NormalizeInput {
  history: ScaleHistory;
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  now: number;
  /** The controller's downscale stabilisation window (ms). */
  downscaleWindowMs: number;
  setCondition: SetCondition;
}

/** Replaces an expired sample (or appends) and answers the stabilised recommendation. */
function stabilize(history: ScaleHistory, desired: number, now: number, windowMs: number): number {
  let max = desired;
  let old = -1;
  history.recommendations.forEach((rec, i) => {
    if (rec.at < now - windowMs) old = i;
    else if (rec.replicas > max) max = rec.replicas;
  });
  if (old >= 0) history.recommendations[old] = { replicas: desired, at: now };
  else history.recommendations.push({ replicas: desired, at: now });
  return max;
}

function scaleUpLimit(currentReplicas: number): number {
  return Math.max(2 * currentReplicas, 4);
}

/** The path for HPAs without `spec.behavior`. */
export function normalizeDesiredReplicas(input: NormalizeInput): number {
  const { history, currentReplicas, desiredReplicas, minReplicas, maxReplicas, now, setCondition } = input;
  const stabilized = stabilize(history, desiredReplicas, now, input.downscaleWindowMs);
  if (stabilized !== desiredReplicas) {
    setCondition('AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
  } else {
    setCondition('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
  }
  let max: number;
  let reason: string;
  let message: string;
  const limit = scaleUpLimit(currentReplicas);
  if (maxReplicas > limit) {
    max = limit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    max = maxReplicas;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  let result = stabilized;
  if (stabilized < minReplicas) {
    result = minReplicas;
    reason = 'TooFewReplicas';
    message = 'the desired replica count is less than the minimum replica count';
  } else if (stabilized > max) {
    result = max;
  } else {
    reason = 'DesiredWithinRange';
    message = 'the desired count is within the acceptable range';
  }
  setCondition('ScalingLimited', result === stabilized ? 'False' : 'True', reason, message);
  return result;
}

function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((n, e) => n + e.change, 0);
}

/** The replicas each policy's period started with: current, less what was added, plus what was removed in it. */
function periodStart(history: ScaleHistory, currentReplicas: number, periodSeconds: number, now: number): number {
  return currentReplicas - changeInPeriod(periodSeconds, history.scaleUpEvents, now) + changeInPeriod(periodSeconds, history.scaleDownEvents, now);
}

const MAX_INT32 = 2 ** 31 - 1;
const MIN_INT32 = -(2 ** 31);

/** The most replicas the scale-up rules allow now. */
export function scaleUpLimitWithRules(history: ScaleHistory, currentReplicas: number, rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const minChange = rules.selectPolicy === 'Min';
  let result = minChange ? MAX_INT32 : MIN_INT32;
  for (const p of rules.policies ?? []) {
    const start = periodStart(history, currentReplicas, p.periodSeconds, now);
    // Rounded up: a percentage of a small count must still allow at least one more pod.
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = minChange ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down rules allow now. */
export function scaleDownLimitWithRules(history: ScaleHistory, currentReplicas: number, rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const minChange = rules.selectPolicy === 'Min';
  let result = minChange ? MIN_INT32 : MAX_INT32;
  for (const p of rules.policies ?? []) {
    const start = periodStart(history, currentReplicas, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = minChange ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

export interface BehaviorInput extends NormalizeInput {
  behavior: HorizontalPodAutoscalerBehavior;
}

/** The path for HPAs with `spec.behavior`. */
export function normalizeWithBehaviors(input: BehaviorInput): number {
  const { history, currentReplicas, desiredReplicas, minReplicas, maxReplicas, now, setCondition } = input;
  const up = input.behavior.scaleUp ?? {};
  const down = input.behavior.scaleDown ?? {};
  const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff = now - (down.stabilizationWindowSeconds ?? Math.trunc(input.downscaleWindowMs / 1000)) * 1000;

  // Stabilisation: never beyond what every recent recommendation agrees on, in either direction.
  let upBound = desiredReplicas;
  let downBound = desiredReplicas;
  let old = -1;
  history.recommendations.forEach((rec, i) => {
    if (rec.at > upCutoff) upBound = Math.min(rec.replicas, upBound);
    if (rec.at > downCutoff) downBound = Math.max(rec.replicas, downBound);
    if (rec.at < upCutoff && rec.at < downCutoff) old = i;
  });
  const stabilized = Math.min(Math.max(currentReplicas, upBound), downBound);
  if (old >= 0) history.recommendations[old] = { replicas: desiredReplicas, at: now };
  else history.recommendations.push({ replicas: desiredReplicas, at: now });
  if (stabilized !== desiredReplicas) {
    if (desiredReplicas >= currentReplicas) setCondition('AbleToScale', 'True', 'ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation');
    else setCondition('AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
  } else {
    setCondition('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
  }

  // Rate limits, then the bounds.
  let result = stabilized;
  let reason = 'DesiredWithinRange';
  let message = 'the desired count is within the acceptable range';
  if (stabilized > currentReplicas) {
    const limit = Math.max(currentReplicas, scaleUpLimitWithRules(history, currentReplicas, up, now));
    const [allowed, r, m] = maxReplicas > limit
      ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    if (stabilized > allowed) [result, reason, message] = [allowed, r, m];
  } else if (stabilized < currentReplicas) {
    const limit = Math.min(currentReplicas, scaleDownLimitWithRules(history, currentReplicas, down, now));
    const [allowed, r, m] = minReplicas < limit
      ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
      : [minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    if (stabilized < allowed) [result, reason, message] = [allowed, r, m];
  }
  setCondition('ScalingLimited', result === stabilized ? 'False' : 'True', reason, message);
  return result;
}

function longestPeriod(rules: HPAScalingRules | undefined): number {
  return Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));
}

/** Remembers a rescale for the behaviour rate limits (reusing an outdated slot, as Kubernetes does). */
export function storeScaleEvent(history: ScaleHistory, behavior: HorizontalPodAutoscalerBehavior | undefined, prev: number, next: number, now: number): void {
  if (!behavior) return;
  const upward = next > prev;
  const events = upward ? history.scaleUpEvents : history.scaleDownEvents;
  const cutoff = now - longestPeriod(upward ? behavior.scaleUp : behavior.scaleDown) * 1000;
  for (const e of events) if (e.at < cutoff) e.outdated = true;
  const event = { change: Math.abs(next - prev), at: now, outdated: false };
  const slot = events.map((e) => e.outdated).lastIndexOf(true);
  if (slot >= 0) events[slot] = event;
  else events.push(event);
}
