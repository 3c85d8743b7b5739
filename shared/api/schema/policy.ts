/**
 * Schemas of `policy/v1` Eviction, the body posted to the pods/eviction subresource (a delete
 * that respects disruption budgets).
 *
 * Data only; imports only ./dsl.
 */
import { META, gvk, kindObj, ref, type ObjectDef } from './dsl.js';

export const eviction = kindObj(
  'io.k8s.api.policy.v1.Eviction',
  'A request to evict a pod, honouring disruption budgets. Posted to the eviction subresource of the pod.',
  gvk('policy', 'v1', 'Eviction'),
  { deleteOptions: ref(`${META}DeleteOptions`, 'Options for the deletion the eviction performs.') },
  { metadata: ref(`${META}ObjectMeta`, 'Identifies the pod to evict.') },
);

export const policyDefinitions: readonly ObjectDef[] = [eviction];
