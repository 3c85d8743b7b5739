/**
 * ReplicaSets (apps/v1) for the replica manager: `spec.selector` is a LabelSelector (matchLabels
 * and matchExpressions; one that cannot be parsed throws, and the owner is left alone until it is
 * fixed), Events come from `replicaset-controller`.
 */
import type { ReplicaSet } from '../../../shared/api/apps.js';
import { resourceByPlural } from '../../../shared/api/resources.js';
import { selectorFromLabelSelector } from '../../../shared/selectors/labels.js';
import type { ReplicaAdapter } from './replica-owner.js';

export const rsAdapter: ReplicaAdapter = {
  name: 'replicaset',
  resource: resourceByPlural('replicasets'),
  eventSource: 'replicaset-controller',
  selector: (owner) => selectorFromLabelSelector((owner as unknown as ReplicaSet).spec?.selector),
};
