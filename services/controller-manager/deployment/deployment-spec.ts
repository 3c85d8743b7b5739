/**
 * Reading a Deployment's spec the way the controller needs it: the apps/v1 defaults applied to
 * whatever is absent (the api-server defaults them on write, but a controller must not trust that
 * every object it reads went through it — replicas 1, RollingUpdate 25 % / 25 %, 10 revisions of
 * history, a 600 s progress deadline (2147483647 = none), minReadySeconds 0), and the rolling-update
 * fenceposts.
 *
 * Fenceposts, as Kubernetes resolves them: `maxSurge` and `maxUnavailable` are an integer or a
 * percentage of `replicas`; a percentage of surge rounds up, of unavailability rounds down; if both
 * come out 0, one pod may be unavailable (otherwise no rollout could ever make progress);
 * unavailability never exceeds `replicas`. Recreate has neither surge nor unavailability budget.
 * A value that is neither an integer nor `N%` is an `Invalid` Status error.
 */
import type { Deployment } from '../../../shared/api/apps.js';
import { invalid } from '../../../shared/api/errors.js';

export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

export const replicasOf = (d: Deployment): number => d.spec.replicas ?? 1;
export const isRollingUpdate = (d: Deployment): boolean => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
export const isRecreate = (d: Deployment): boolean => d.spec.strategy?.type === 'Recreate';
export const minReadySecondsOf = (d: Deployment): number => d.spec.minReadySeconds ?? 0;
export const revisionHistoryLimitOf = (d: Deployment): number => d.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
export const progressDeadlineSecondsOf = (d: Deployment): number => d.spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
/** MaxInt32 seconds is how apps/v1 spells "no deadline" (the Progressing condition is then not kept). */
export const hasProgressDeadline = (d: Deployment): boolean => progressDeadlineSecondsOf(d) !== 2 ** 31 - 1;

/** An int-or-percent of `total`: `roundUp` for surge, down for unavailability. */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, field: string, name = ''): number {
  if (value === undefined) value = '25%';
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value.trim());
  if (!m) {
    throw invalid('Deployment', name, [{ field, message: `Invalid value: ${JSON.stringify(value)}: a valid percent string must be a numeric string followed by an ending '%'` }], 'apps');
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

export function fenceposts(d: Deployment): Fenceposts {
  if (!isRollingUpdate(d)) return { maxSurge: 0, maxUnavailable: 0 };
  const desired = replicasOf(d);
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const name = d.metadata.name ?? '';
  const maxSurge = scaledValue(ru.maxSurge, desired, true, 'spec.strategy.rollingUpdate.maxSurge', name);
  let maxUnavailable = scaledValue(ru.maxUnavailable, desired, false, 'spec.strategy.rollingUpdate.maxUnavailable', name);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function maxSurge(d: Deployment): number {
  return fenceposts(d).maxSurge;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).maxUnavailable, replicas);
}
