/**
 * Questions about a Deployment's ReplicaSets, answered from the objects alone (pure functions):
 * which one is the new one (its template equals the Deployment's, ignoring the hash label; the
 * oldest such if several), which are old, which are active (replicas > 0), their revisions, the
 * counts summed over them, and the orders Kubernetes sorts them in when scaling or cleaning up.
 *
 * `spec.replicas` absent counts as 1 (the apps/v1 default); absent status counts as 0.
 * Revisions are the `deployment.kubernetes.io/revision` annotation; a missing or malformed one is 0.
 * Sorting never mutates its input.
 */
import type { Deployment, ReplicaSet } from '../../../shared/api/apps.js';
import { equalIgnoringHash } from './template-hash.js';

export const REVISION = 'deployment.kubernetes.io/revision';

export const specReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 1;

export function revisionOf(rs: ReplicaSet): number {
  const raw = rs.metadata.annotations?.[REVISION];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** Oldest first; ties by name (Kubernetes' ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Largest first; among equals the newer first (where a scale-up's leftovers go). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Largest first; among equals the older first (where a scale-down's leftovers come from). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/** Lowest revision first; ties oldest first. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

export const sorted = (rss: readonly ReplicaSet[], cmp: (a: ReplicaSet, b: ReplicaSet) => number): ReplicaSet[] => [...rss].sort(cmp);

export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return sorted(rss, byCreation).find((rs) => equalIgnoringHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet but the new one. */
export function oldReplicaSets(rss: readonly ReplicaSet[], newRS: ReplicaSet | undefined): ReplicaSet[] {
  return rss.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

export function activeReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number =>
  rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);

/** Desired pods (`spec.replicas`). */
export const replicaCount = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, specReplicas);
/** Pods that exist (`status.replicas`). */
export const actualReplicaCount = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/**
 * The only ReplicaSet with pods, or — when none has any — the new one, else the newest old one;
 * undefined while several are active (a rollout is under way).
 */
export function activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = sorted(oldRSs, (a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  return newRS ?? newestFirst[0];
}
