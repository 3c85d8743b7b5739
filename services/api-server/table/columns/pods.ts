/**
 * Pods: NAME, READY, STATUS, RESTARTS, AGE; wide: IP, NODE, NOMINATED NODE, READINESS GATES.
 * READY / STATUS / RESTARTS come from ./pod-status.ts; the wide cells print `<none>` for what is
 * not set yet. Succeeded and Failed pods carry a `Completed` row condition, as kube-apiserver's
 * rows do.
 */
import type { Pod } from '../../../../shared/api/core.js';
import { AGE_COLUMN, NAME_COLUMN, age, column, doc, printer, type RowCondition } from './column.js';
import { podCells } from './pod-status.js';

const CORE = 'io.k8s.api.core.v1.';

function readinessGates(pod: Pod): string {
  const gates = (pod.spec as { readinessGates?: { conditionType: string }[] } | undefined)?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const passed = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${passed}/${gates.length}`;
}

export const podPrinter = printer<Pod>({
  columns: [
    NAME_COLUMN,
    column('Ready', 'Ready containers out of all containers (sidecars included): whether the pod can take traffic.'),
    column('Status', 'A one-word summary of the pod: its phase, or the reason a container is waiting or stopped.'),
    column('Restarts', 'How often the containers have restarted, and how long ago the latest restart was.'),
    AGE_COLUMN,
    column('IP', doc(`${CORE}PodStatus`, 'podIP'), { priority: 1 }),
    column('Node', doc(`${CORE}PodSpec`, 'nodeName'), { priority: 1 }),
    column('Nominated Node', doc(`${CORE}PodStatus`, 'nominatedNodeName'), { priority: 1 }),
    column('Readiness Gates', doc(`${CORE}PodSpec`, 'readinessGates'), { priority: 1 }),
  ],
  row(pod, clock) {
    const c = podCells(pod, clock);
    // podIPs is authoritative; podIP alone (a writer that sets only the singular field) still counts.
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    return [
      pod.metadata.name ?? '',
      c.ready,
      c.status,
      c.restarts,
      age(pod, clock),
      ip,
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod): RowCondition[] | undefined {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'Every container of the pod finished successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod stopped and at least one container failed.' }];
    return undefined;
  },
});
