/**
 * Schemas of `coordination.k8s.io/v1`: Lease, the lock object behind leader election and node
 * heartbeats (kube-node-lease). Its times are MicroTime: exactly six fractional digits.
 *
 * Data only; imports only ./dsl.
 */
import { dateTime, gvk, int, kindObj, obj, ref, string, type ObjectDef } from './dsl.js';

const COORD = 'io.k8s.api.coordination.v1.';

export const lease = kindObj(`${COORD}Lease`, 'A lease on a named resource, held by one identity at a time and renewed to keep it.', gvk('coordination.k8s.io', 'v1', 'Lease'), {
  spec: ref(`${COORD}LeaseSpec`, 'The holder and timing of the lease.'),
});

export const leaseSpec = obj(`${COORD}LeaseSpec`, 'Who holds a lease and until when.', {
  holderIdentity: string('Identity of the current holder.'),
  leaseDurationSeconds: int('Seconds a candidate must wait after the last renewal before it may take the lease over.'),
  acquireTime: dateTime('When the current holder acquired the lease.', { micro: true }),
  renewTime: dateTime('When the current holder last renewed the lease.', { micro: true }),
  leaseTransitions: int('How many times the lease has changed holders.'),
  strategy: string('How the holder is picked under coordinated leader election.', { enum: ['OldestEmulationVersion'] }),
  preferredHolder: string('A holder the coordinated election asks the current holder to yield to.'),
});

export const coordinationDefinitions: readonly ObjectDef[] = [lease, leaseSpec];
