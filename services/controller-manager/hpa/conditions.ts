/**
 * HPA status conditions as the controller keeps them: AbleToScale, ScalingActive, ScalingLimited,
 * each added the first time it is set (so they appear in that order), its transition time moved
 * only when its status changes. Mutates the (private copy of the) HPA it is given.
 */
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HpaConditionType } from '../../../shared/api/autoscaling.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export function setCondition(hpa: HorizontalPodAutoscaler, type: HpaConditionType, status: ConditionStatus, reason: string, message: string, at: string): void {
  hpa.status ??= { desiredReplicas: 0 };
  const list: HorizontalPodAutoscalerCondition[] = (hpa.status.conditions ??= []);
  let c = list.find((x) => x.type === type);
  if (!c) list.push((c = { type, status }));
  if (c.status !== status || !c.lastTransitionTime) c.lastTransitionTime = at;
  c.status = status;
  c.reason = reason;
  c.message = message;
}

export function conditionOf(hpa: HorizontalPodAutoscaler, type: HpaConditionType): HorizontalPodAutoscalerCondition | undefined {
  return hpa.status?.conditions?.find((c) => c.type === type);
}
