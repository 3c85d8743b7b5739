/**
 * Taints and tolerations, as Kubernetes matches them (pure functions, no I/O):
 *
 * - A toleration tolerates a taint when its effect is empty or equal to the taint's, and either its
 *   key is empty with operator `Exists` (tolerates everything), or the keys are equal and the
 *   operator is `Exists` (any value) or `Equal` / unset (values equal; absent value = "").
 * - `matchingTolerations(taints, tolerations)`: for each taint the first toleration that tolerates
 *   it; `allTolerated` is false as soon as one taint is tolerated by none.
 * - `minTolerationSeconds(used)`: how long the pod may stay: the smallest `tolerationSeconds` among
 *   the used tolerations (≤ 0 → 0, evict at once); `Infinity` when none of them sets one (tolerated
 *   forever).
 *
 * The node lifecycle controller's own taints (`not-ready`, `unreachable`, the condition-driven
 * NoSchedule taints) are named here too, so every controller spells them the same way.
 */
import type { Taint, Toleration } from './core.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  const op = tol.operator ?? 'Equal';
  if (!tol.key) return op === 'Exists';
  if (tol.key !== taint.key) return false;
  if (op === 'Exists') return true;
  return (tol.value ?? '') === (taint.value ?? '');
}

export interface ToleranceResult {
  allTolerated: boolean;
  /** The first toleration that tolerates each taint (only meaningful when allTolerated). */
  used: Toleration[];
}

export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[] = []): ToleranceResult {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const tol = tolerations.find((t) => tolerates(t, taint));
    if (!tol) return { allTolerated: false, used: [] };
    used.push(tol);
  }
  return { allTolerated: true, used };
}

/** Seconds a pod may stay given the tolerations it uses; Infinity = forever. */
export function minTolerationSeconds(used: readonly Toleration[]): number {
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min;
}

export function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}
