/**
 * Cluster-level kinds. Nodes: NAME, STATUS, ROLES, AGE, VERSION; wide: INTERNAL-IP, EXTERNAL-IP,
 * OS-IMAGE, KERNEL-VERSION, CONTAINER-RUNTIME. Namespaces: NAME, STATUS, AGE. Leases: NAME,
 * HOLDER, AGE.
 *
 * A node's STATUS is `Ready` / `NotReady` from its Ready condition (`Unknown` without one), plus
 * `,SchedulingDisabled` when cordoned — a Ready condition of status Unknown (a node that stopped
 * reporting) therefore reads `NotReady`, as kubectl shows it. ROLES are the sorted, distinct
 * suffixes of `node-role.kubernetes.io/<role>` labels and values of `kubernetes.io/role`, or
 * `<none>`. Missing node info prints `<unknown>`, missing addresses `<none>`.
 */
import type { Namespace, Node, NodeAddress } from '../../../../shared/api/core.js';
import type { Lease } from '../../../../shared/api/apps.js';
import { AGE_COLUMN, NAME_COLUMN, age, column, doc, printer } from './column.js';

const CORE = 'io.k8s.api.core.v1.';
const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === ROLE_LABEL && v !== '') roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.findLast((c) => c.type === 'Ready'); // the last one wins, as in a map by type
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: Node, type: NodeAddress['type']): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter = printer<Node>({
  columns: [
    NAME_COLUMN,
    column('Status', 'Whether the node is ready for pods, and whether scheduling on it is disabled.'),
    column('Roles', 'The roles the node has, from its node-role.kubernetes.io/<role> labels.'),
    AGE_COLUMN,
    column('Version', doc(`${CORE}NodeSystemInfo`, 'kubeletVersion')),
    column('Internal-IP', doc(`${CORE}NodeStatus`, 'addresses'), { priority: 1 }),
    column('External-IP', doc(`${CORE}NodeStatus`, 'addresses'), { priority: 1 }),
    column('OS-Image', doc(`${CORE}NodeSystemInfo`, 'osImage'), { priority: 1 }),
    column('Kernel-Version', doc(`${CORE}NodeSystemInfo`, 'kernelVersion'), { priority: 1 }),
    column('Container-Runtime', doc(`${CORE}NodeSystemInfo`, 'containerRuntimeVersion'), { priority: 1 }),
  ],
  row(node, clock) {
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name ?? '',
      nodeStatus(node),
      nodeRoles(node),
      age(node, clock),
      info.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
});

export const namespacePrinter = printer<Namespace>({
  columns: [NAME_COLUMN, column('Status', doc(`${CORE}NamespaceStatus`, 'phase')), AGE_COLUMN],
  row(ns, clock) {
    return [ns.metadata.name ?? '', ns.status?.phase ?? '', age(ns, clock)];
  },
});

export const leasePrinter = printer<Lease>({
  columns: [NAME_COLUMN, column('Holder', doc('io.k8s.api.coordination.v1.LeaseSpec', 'holderIdentity')), AGE_COLUMN],
  row(lease, clock) {
    return [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', age(lease, clock)];
  },
});
