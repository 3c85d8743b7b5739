/**
 * A strategy is everything kind-specific about storing objects of one resource: defaulting,
 * what the server owns on create and update (status vs. spec), validation, and graceful deletion.
 * The generic registry calls these hooks in a fixed order, so each kind states only how it differs.
 *
 * Order on create:  default → prepareForCreate → validate.
 * Order on update:  default → prepareForUpdate (main: keep old status; status: keep old everything
 *                   else) → validate → validateUpdate.
 * Hooks mutate the object they are given; the registry always hands them a private copy.
 */
import type { KubeObject } from '../../../shared/api/meta.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { FieldErrors, NameRule } from '../validation.js';

export interface StrategyContext {
  clock: Clock;
  /** Seconds of the not-ready / unreachable NoExecute tolerations admission adds to pods (300 in Kubernetes). */
  defaultTolerationSeconds?: number;
}

export interface Strategy {
  /** Which DNS rule names must follow (default 'subdomain'). */
  nameRule?: NameRule;
  /** Whether `metadata.generation` counts spec changes (workloads do; pods, nodes, events don't). */
  tracksGeneration?: boolean;
  /** Whether `status` is a subresource: the main PUT keeps the old status, `/status` keeps the rest. */
  statusSubresource?: boolean;
  /** Fill defaults as Kubernetes does for the fields kubemu uses (called on create and update). */
  default?(obj: KubeObject, ctx: StrategyContext): void;
  /** Server-owned fields on create (e.g. reset status). */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** Server-owned fields on update of the main resource. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  validate?(obj: KubeObject, errs: FieldErrors): void;
  /** Extra rules on update: immutable fields and the like (`subresource` names who is writing). */
  validateUpdate?(obj: KubeObject, old: KubeObject, errs: FieldErrors, subresource?: string): void;
  /**
   * Seconds of graceful deletion for this object given the request's `gracePeriodSeconds`
   * (undefined = not given). 0 deletes at once. Kinds without graceful deletion omit this.
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /** Objects of this kind expire a while after their last write (Events; `--event-ttl`). */
  expires?: boolean;
  /** Refuses a delete (throw a StatusError), e.g. the system namespaces. */
  beforeDelete?(obj: KubeObject): void;
  /** Changes made when an object is marked for deletion (e.g. a namespace becomes Terminating). */
  markDeleting?(obj: KubeObject): void;
  /** What a delete without a propagation policy does to dependents (default Background; see ./propagation.ts). */
  defaultPropagation?: 'Orphan' | 'Background';
}

/** A fresh deep copy (objects are JSON). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** `spec`-like content: everything but metadata and status, for generation tracking. */
export function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}
