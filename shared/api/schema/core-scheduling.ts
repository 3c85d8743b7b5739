/**
 * Schemas of the scheduling constraints a pod carries: node affinity, pod (anti-)affinity,
 * tolerations and topology spread constraints.
 *
 * Data only; imports only ./dsl.
 */
import { CORE, LABEL_SELECTOR, atomicList, int, int64, obj, ref, string, type ObjectDef } from './dsl.js';

const NODE_OPERATORS = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'] as const;
export const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;

export const affinity = obj(`${CORE}Affinity`, 'Groups the scheduling affinity rules of a pod.', {
  nodeAffinity: ref(`${CORE}NodeAffinity`, 'Rules about which nodes the pod may or prefers to run on.'),
  podAffinity: ref(`${CORE}PodAffinity`, 'Rules for placing the pod near other pods.'),
  podAntiAffinity: ref(`${CORE}PodAntiAffinity`, 'Rules for keeping the pod away from other pods.'),
});

export const nodeAffinity = obj(`${CORE}NodeAffinity`, 'Node affinity rules.', {
  requiredDuringSchedulingIgnoredDuringExecution: ref(
    `${CORE}NodeSelector`,
    'Hard requirement: the pod is only scheduled onto nodes that match. Not re-checked once the pod runs.',
  ),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(
    ref(`${CORE}PreferredSchedulingTerm`),
    'Soft preferences: the scheduler favours nodes whose matching terms have the most total weight.',
  ),
});

export const nodeSelector = obj(
  `${CORE}NodeSelector`,
  'A set of node selector terms, ORed together.',
  { nodeSelectorTerms: atomicList(ref(`${CORE}NodeSelectorTerm`), 'The terms; a node matching any one of them matches.') },
  { required: ['nodeSelectorTerms'] },
);

export const nodeSelectorTerm = obj(`${CORE}NodeSelectorTerm`, 'Requirements ANDed together; an empty term matches no node.', {
  matchExpressions: atomicList(ref(`${CORE}NodeSelectorRequirement`), 'Requirements on node labels.'),
  matchFields: atomicList(ref(`${CORE}NodeSelectorRequirement`), 'Requirements on node fields (only metadata.name).'),
});

export const nodeSelectorRequirement = obj(
  `${CORE}NodeSelectorRequirement`,
  'One requirement on a node label or field.',
  {
    key: string('The label key or field the requirement applies to.'),
    operator: string('How the key relates to the values.', { enum: NODE_OPERATORS }),
    values: atomicList(string(), 'Values: non-empty for In/NotIn, empty for Exists/DoesNotExist, a single integer for Gt/Lt.'),
  },
  { required: ['key', 'operator'] },
);

export const preferredSchedulingTerm = obj(
  `${CORE}PreferredSchedulingTerm`,
  'A weighted node preference.',
  {
    weight: int('Weight of the preference, 1 to 100.'),
    preference: ref(`${CORE}NodeSelectorTerm`, 'The node selector term that earns the weight.'),
  },
  { required: ['weight', 'preference'] },
);

export const podAffinity = obj(`${CORE}PodAffinity`, 'Rules that attract the pod to topology domains holding matching pods.', {
  requiredDuringSchedulingIgnoredDuringExecution: atomicList(
    ref(`${CORE}PodAffinityTerm`),
    'Hard requirements, all of which must be met at scheduling time.',
  ),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(
    ref(`${CORE}WeightedPodAffinityTerm`),
    'Soft preferences; domains meeting more weight are favoured.',
  ),
});

export const podAntiAffinity = obj(`${CORE}PodAntiAffinity`, 'Rules that keep the pod out of topology domains holding matching pods.', {
  requiredDuringSchedulingIgnoredDuringExecution: atomicList(
    ref(`${CORE}PodAffinityTerm`),
    'Hard requirements, all of which must be met at scheduling time.',
  ),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(
    ref(`${CORE}WeightedPodAffinityTerm`),
    'Soft preferences; domains meeting more weight are avoided.',
  ),
});

export const podAffinityTerm = obj(
  `${CORE}PodAffinityTerm`,
  'Pods matching a selector in some namespaces, and the topology key that defines "together".',
  {
    labelSelector: ref(LABEL_SELECTOR, 'Which pods count; none when null.'),
    namespaces: atomicList(string(), "Namespaces to look in; together with namespaceSelector, or the pod's own namespace when both are empty."),
    topologyKey: string('Node label whose value defines a topology domain (such as a zone or a hostname).'),
    namespaceSelector: ref(LABEL_SELECTOR, 'Namespaces to look in, chosen by label; an empty selector means all namespaces.'),
    matchLabelKeys: atomicList(string(), "Label keys whose values are taken from the incoming pod and added to labelSelector as In requirements."),
    mismatchLabelKeys: atomicList(string(), 'Label keys whose values are taken from the incoming pod and added to labelSelector as NotIn requirements.'),
  },
  { required: ['topologyKey'] },
);

export const weightedPodAffinityTerm = obj(
  `${CORE}WeightedPodAffinityTerm`,
  'A weighted pod affinity term.',
  {
    weight: int('Weight of the term, 1 to 100.'),
    podAffinityTerm: ref(`${CORE}PodAffinityTerm`, 'The term that earns the weight.'),
  },
  { required: ['weight', 'podAffinityTerm'] },
);

export const toleration = obj(`${CORE}Toleration`, 'Lets a pod be scheduled onto (or stay on) nodes with a matching taint.', {
  key: string('Taint key to match; empty with operator Exists matches every taint.'),
  operator: string('Exists matches any value; Equal (the default) requires the same value.', { enum: ['Equal', 'Exists'] }),
  value: string('Taint value to match; empty with Exists.'),
  effect: string('Taint effect to match; empty matches all effects.', { enum: TAINT_EFFECTS }),
  tolerationSeconds: int64('For NoExecute taints: how long the pod stays bound after the taint appears. Unset means forever; 0 or less means evict at once.'),
});

export const topologySpreadConstraint = obj(
  `${CORE}TopologySpreadConstraint`,
  'How evenly matching pods must be spread across topology domains.',
  {
    maxSkew: int('Largest allowed difference in matching pods between any two domains (or from the global minimum). At least 1.'),
    topologyKey: string('Node label whose values are the domains.'),
    whenUnsatisfiable: string('What to do when the constraint cannot be met: refuse to schedule, or schedule while preferring lower skew.', {
      enum: ['DoNotSchedule', 'ScheduleAnyway'],
    }),
    labelSelector: ref(LABEL_SELECTOR, 'Which pods are counted in each domain.'),
    minDomains: int('Minimum number of eligible domains; fewer counts as zero for the global minimum. Only with DoNotSchedule.'),
    nodeAffinityPolicy: string("Whether the pod's node affinity and node selector limit the domains counted. Honor by default.", {
      enum: ['Honor', 'Ignore'],
    }),
    nodeTaintsPolicy: string('Whether node taints limit the domains counted. Ignore by default.', { enum: ['Honor', 'Ignore'] }),
    matchLabelKeys: atomicList(string(), 'Label keys whose values are taken from the incoming pod and ANDed into labelSelector.'),
  },
  { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
);

export const schedulingDefinitions: readonly ObjectDef[] = [
  affinity,
  nodeAffinity,
  nodeSelector,
  nodeSelectorTerm,
  nodeSelectorRequirement,
  preferredSchedulingTerm,
  podAffinity,
  podAntiAffinity,
  podAffinityTerm,
  weightedPodAffinityTerm,
  toleration,
  topologySpreadConstraint,
];
