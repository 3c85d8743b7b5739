/**
 * NodeAffinity, as kube-scheduler's plugin of that name: `spec.nodeSelector` and node affinity.
 *
 * Filter: every `nodeSelector` pair must be a label of the node, and when the pod has required
 * node affinity, at least one of its `nodeSelectorTerms` must match (terms are ORed). A term
 * matches when all its `matchExpressions` (on labels) and all its `matchFields` (only
 * `metadata.name`) hold; a term with neither matches nothing. Operators: In, NotIn (also true when
 * the label is absent), Exists, DoesNotExist, Gt and Lt (the label and the single value both
 * integers). Failure, unresolvable: `node(s) didn't match Pod's node affinity/selector`.
 *
 * Score: the sum of the weights of the preferred terms the node matches, normalized to 0–100.
 */
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../../shared/api/core.js';
import type { PodInfo } from '../pod-info.js';
import type { NodeInfo } from '../snapshot.js';
import { normalizeToMax, unresolvable, type FilterPlugin, type ScorePlugin } from './types.js';

export const AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector";

const INTEGER_RE = /^[+-]?\d+$/;

function asInteger(v: string | undefined): bigint | undefined {
  return v !== undefined && INTEGER_RE.test(v) ? BigInt(v) : undefined;
}

export function matchesRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1) return false;
      const have = asInteger(value);
      const want = asInteger(values[0]);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

export function matchesTerm(term: NodeSelectorTerm, labels: Record<string, string>, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const label = (k: string): string | undefined => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined);
  return (
    exprs.every((r) => matchesRequirement(r, label(r.key))) &&
    fields.every((r) => r.key === 'metadata.name' && matchesRequirement(r, nodeName))
  );
}

/** nodeSelector and required node affinity: does the pod accept this node? */
export function podMatchesNode(pod: PodInfo, node: NodeInfo): boolean {
  const labels = node.node?.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => matchesTerm(t, labels, node.name));
}

export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (pod, node) => (podMatchesNode(pod, node) ? undefined : unresolvable(AFFINITY_REASON)),
};

export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  score(pod: PodInfo, node: NodeInfo) {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const labels = node.node?.metadata.labels ?? {};
    let sum = 0;
    for (const p of preferred) if (p.weight && p.preference && matchesTerm(p.preference, labels, node.name)) sum += p.weight;
    return sum;
  },
  normalize: (scores) => normalizeToMax(scores, false),
};
