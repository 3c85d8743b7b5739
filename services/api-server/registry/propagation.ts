/**
 * Deletion propagation: what a delete asks the garbage collector to do with the object's
 * dependents, recorded the way kube-apiserver records it, as finalizers on the object.
 *
 * - `Orphan` → the `orphan` finalizer: the object stays (with its deletionTimestamp) until the
 *   garbage collector has removed it from its dependents' ownerReferences, then goes.
 * - `Foreground` → the `foregroundDeletion` finalizer: the object stays until every dependent that
 *   blocks owner deletion is gone.
 * - `Background` → neither: the object goes at once and the collector deletes the dependents after.
 *
 * Precedence (Kubernetes' rules): the request's policy (`propagationPolicy`, or the deprecated
 * `orphanDependents` the request reader turns into one) wins; without one, a GC finalizer the
 * object already carries decides (a second plain delete keeps what the first asked for); without
 * either, the kind's default — `Orphan` for core/v1 ReplicationControllers (the strategy's
 * `defaultPropagation`, kept for compatibility as Kubernetes does), `Background` for everything else.
 * The two finalizers never appear together; other finalizers are kept in place.
 */
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../../shared/api/meta.js';
import type { DeleteOptions } from '../../../shared/client/api.js';
import type { Strategy } from './strategy.js';

function shouldOrphan(strategy: Strategy, finalizers: readonly string[], opts: DeleteOptions): boolean {
  if (opts.propagationPolicy) return opts.propagationPolicy === 'Orphan';
  if (finalizers.includes(ORPHAN_FINALIZER)) return true;
  if (finalizers.includes(FOREGROUND_FINALIZER)) return false;
  return strategy.defaultPropagation === 'Orphan';
}

function shouldDeleteForeground(finalizers: readonly string[], opts: DeleteOptions): boolean {
  if (opts.propagationPolicy) return opts.propagationPolicy === 'Foreground';
  return finalizers.includes(FOREGROUND_FINALIZER);
}

/** The finalizers an object has once deleted with `opts`, and whether that differs from `current`. */
export function propagationFinalizers(strategy: Strategy, current: readonly string[] | undefined, opts: DeleteOptions): { finalizers: string[]; changed: boolean } {
  const finalizers = current ?? [];
  const next = finalizers.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (shouldOrphan(strategy, finalizers, opts)) next.push(ORPHAN_FINALIZER);
  else if (shouldDeleteForeground(finalizers, opts)) next.push(FOREGROUND_FINALIZER);
  const same = next.length === finalizers.length && next.every((f) => finalizers.includes(f));
  return { finalizers: same ? [...finalizers] : next, changed: !same };
}
