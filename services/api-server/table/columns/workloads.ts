/**
 * Workload controllers. ReplicationControllers and ReplicaSets: NAME, DESIRED, CURRENT, READY,
 * AGE; Deployments: NAME, READY (`ready/desired`), UP-TO-DATE, AVAILABLE, AGE; all three add
 * CONTAINERS, IMAGES (comma-joined from the pod template) and SELECTOR in wide output.
 *
 * Counts are numbers (kubectl prints them as is); an unset `spec.replicas` counts as 1, the
 * API default. Selectors print canonically: a ReplicationController's map as `k=v,…` (`<none>`
 * when empty), a ReplicaSet's LabelSelector likewise (`<error>` when invalid), a Deployment's as
 * the bare selector string (`<invalid>` when invalid), exactly as the real printers differ.
 */
import type { Container, ReplicationController } from '../../../../shared/api/core.js';
import type { Deployment, ReplicaSet } from '../../../../shared/api/apps.js';
import type { LabelSelector } from '../../../../shared/api/meta.js';
import { labelSelectorToString } from '../../../../shared/selectors/labels.js';
import { AGE_COLUMN, NAME_COLUMN, age, column, doc, formatLabels, printer, type ColumnDefinition } from './column.js';

const CORE = 'io.k8s.api.core.v1.';
const APPS = 'io.k8s.api.apps.v1.';

/** Container names and images of a pod template, each comma-joined. */
export function containerCells(containers: readonly Container[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image ?? '').join(',')];
}

function selectorString(s: LabelSelector | undefined, onError: string): string {
  try {
    return labelSelectorToString(s);
  } catch {
    return onError;
  }
}

function templateColumns(selectorDoc: string): ColumnDefinition[] {
  return [
    column('Containers', 'Names of the containers in the pod template.', { priority: 1 }),
    column('Images', 'Images of the containers in the pod template.', { priority: 1 }),
    column('Selector', selectorDoc, { priority: 1 }),
  ];
}

/** ReplicationControllers and ReplicaSets print alike; only their selector types differ. */
function replicatedPrinter<T extends ReplicationController | ReplicaSet>(specDef: string, statusDef: string, selector: (obj: T) => string) {
  return printer<T>({
    columns: [
      NAME_COLUMN,
      column('Desired', doc(specDef, 'replicas'), { type: 'integer' }),
      column('Current', doc(statusDef, 'replicas'), { type: 'integer' }),
      column('Ready', doc(statusDef, 'readyReplicas'), { type: 'integer' }),
      AGE_COLUMN,
      ...templateColumns(doc(specDef, 'selector')),
    ],
    row(obj, clock) {
      const [names, images] = containerCells(obj.spec?.template?.spec?.containers);
      const status = obj.status;
      return [obj.metadata.name ?? '', obj.spec?.replicas ?? 1, status?.replicas ?? 0, status?.readyReplicas ?? 0, age(obj, clock), names, images, selector(obj)];
    },
  });
}

export const replicationControllerPrinter = replicatedPrinter<ReplicationController>(
  `${CORE}ReplicationControllerSpec`,
  `${CORE}ReplicationControllerStatus`,
  (rc) => formatLabels(rc.spec?.selector),
);

export const replicaSetPrinter = replicatedPrinter<ReplicaSet>(
  `${APPS}ReplicaSetSpec`,
  `${APPS}ReplicaSetStatus`,
  (rs) => selectorString(rs.spec?.selector, '<error>') || '<none>',
);

export const deploymentPrinter = printer<Deployment>({
  columns: [
    NAME_COLUMN,
    column('Ready', 'Ready pods out of the desired number.'),
    column('Up-to-date', doc(`${APPS}DeploymentStatus`, 'updatedReplicas')),
    column('Available', doc(`${APPS}DeploymentStatus`, 'availableReplicas')),
    AGE_COLUMN,
    ...templateColumns(doc(`${APPS}DeploymentSpec`, 'selector')),
  ],
  row(d, clock) {
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d, clock),
      names,
      images,
      selectorString(d.spec?.selector, '<invalid>'),
    ];
  },
});
