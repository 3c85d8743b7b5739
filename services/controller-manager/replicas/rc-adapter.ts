/**
 * ReplicationControllers (core v1) for the replica manager: `spec.selector` is a plain label map
 * (every pair must match; validation guarantees it is not empty), Events come from
 * `replication-controller`, as kube-controller-manager's RC manager reports them.
 */
import type { ReplicationController } from '../../../shared/api/core.js';
import { resourceByPlural } from '../../../shared/api/resources.js';
import { selectorFromSet } from '../../../shared/selectors/labels.js';
import type { ReplicaAdapter } from './replica-owner.js';

export const rcAdapter: ReplicaAdapter = {
  name: 'replicationcontroller',
  resource: resourceByPlural('replicationcontrollers'),
  eventSource: 'replication-controller',
  selector: (owner) => selectorFromSet((owner as unknown as ReplicationController).spec?.selector),
};
