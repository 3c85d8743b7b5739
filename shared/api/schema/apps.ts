/**
 * Schemas of the `apps/v1` kinds kubemu serves: Deployment (spec, strategy, status, conditions)
 * and ReplicaSet (spec, status, conditions).
 *
 * Data only; imports only ./dsl.
 */
import {
  APPS,
  CORE,
  LABEL_SELECTOR,
  bool,
  dateTime,
  gvk,
  int,
  int64,
  intOrString,
  keyedList,
  kindObj,
  obj,
  ref,
  string,
  type ObjectDef,
} from './dsl.js';

const CONDITION_STATUS = ['False', 'True', 'Unknown'] as const;

export const deployment = kindObj(
  `${APPS}Deployment`,
  'Declarative updates for pods: keeps a ReplicaSet per pod template revision and rolls pods from the old one to the new one.',
  gvk('apps', 'v1', 'Deployment'),
  {
    spec: ref(`${APPS}DeploymentSpec`, 'The desired state of the deployment.'),
    status: ref(`${APPS}DeploymentStatus`, 'The most recently observed state of the deployment.'),
  },
);

export const deploymentSpec = obj(
  `${APPS}DeploymentSpec`,
  'Desired state of a deployment.',
  {
    replicas: int('How many pods should run. Defaults to 1.'),
    selector: ref(LABEL_SELECTOR, "Which pods the deployment owns; must match the template's labels and cannot change in apps/v1."),
    template: ref(`${CORE}PodTemplateSpec`, 'The pods to create. Only restartPolicy Always is allowed.'),
    strategy: ref(`${APPS}DeploymentStrategy`, 'How old pods are replaced by new ones.', { patchStrategy: 'retainKeys' }),
    minReadySeconds: int('Seconds a new pod must be ready without crashing before it counts as available. Defaults to 0.'),
    revisionHistoryLimit: int('How many old ReplicaSets to keep for rollback. Defaults to 10.'),
    paused: bool('Stop rolling out changes to the template while true.'),
    progressDeadlineSeconds: int('Seconds a rollout may go without progress before it is reported as failed. Defaults to 600.'),
  },
  { required: ['selector', 'template'] },
);

export const deploymentStrategy = obj(`${APPS}DeploymentStrategy`, 'How a deployment replaces pods.', {
  type: string('Recreate kills all old pods before creating new ones; RollingUpdate (the default) replaces them gradually.', {
    enum: ['Recreate', 'RollingUpdate'],
  }),
  rollingUpdate: ref(`${APPS}RollingUpdateDeployment`, 'Limits of a rolling update; only with type RollingUpdate.'),
});

export const rollingUpdateDeployment = obj(`${APPS}RollingUpdateDeployment`, 'How far a rolling update may stray from the desired replica count.', {
  maxUnavailable: intOrString('Most pods that may be unavailable during the update, as a number or a percentage (rounded down). Defaults to 25%.'),
  maxSurge: intOrString('Most pods that may exist above the desired count during the update, as a number or a percentage (rounded up). Defaults to 25%.'),
});

export const deploymentStatus = obj(`${APPS}DeploymentStatus`, 'Observed state of a deployment.', {
  observedGeneration: int64('The generation of the deployment last processed.'),
  replicas: int('Pods owned by the deployment (all its ReplicaSets).'),
  updatedReplicas: int('Pods made from the current template.'),
  readyReplicas: int('Pods that are ready.'),
  availableReplicas: int('Pods ready for at least minReadySeconds.'),
  unavailableReplicas: int('Pods still needed for the deployment to be fully available.'),
  conditions: keyedList(ref(`${APPS}DeploymentCondition`), 'Current conditions of the deployment (Available, Progressing, ReplicaFailure).', 'type'),
  collisionCount: int('Count of hash collisions of template revisions, used to make ReplicaSet names unique.'),
});

export const deploymentCondition = obj(
  `${APPS}DeploymentCondition`,
  'One aspect of the state of a deployment.',
  {
    type: string('Which aspect: Available, Progressing or ReplicaFailure.'),
    status: string('Whether it holds: True, False or Unknown.', { enum: CONDITION_STATUS }),
    lastUpdateTime: dateTime('When the condition was last updated.'),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string('CamelCase reason for the last transition.'),
    message: string('Human-readable detail about the last transition.'),
  },
  { required: ['type', 'status'] },
);

export const replicaSet = kindObj(
  `${APPS}ReplicaSet`,
  'Keeps a given number of pods matching a label selector running. Usually managed by a Deployment.',
  gvk('apps', 'v1', 'ReplicaSet'),
  {
    spec: ref(`${APPS}ReplicaSetSpec`, 'The desired state of the replica set.'),
    status: ref(`${APPS}ReplicaSetStatus`, 'The most recently observed state of the replica set.'),
  },
);

export const replicaSetSpec = obj(
  `${APPS}ReplicaSetSpec`,
  'Desired state of a replica set.',
  {
    replicas: int('How many pods should run. Defaults to 1.'),
    minReadySeconds: int('Seconds a new pod must be ready without crashing before it counts as available.'),
    selector: ref(LABEL_SELECTOR, "Which pods count; must match the template's labels."),
    template: ref(`${CORE}PodTemplateSpec`, 'The pod created when there are too few.'),
  },
  { required: ['selector'] },
);

export const replicaSetStatus = obj(
  `${APPS}ReplicaSetStatus`,
  'Observed state of a replica set.',
  {
    replicas: int('How many pods exist now.'),
    fullyLabeledReplicas: int('Pods whose labels match the template labels.'),
    readyReplicas: int('Pods that are ready.'),
    availableReplicas: int('Pods ready for at least minReadySeconds.'),
    observedGeneration: int64('The generation of the replica set last processed.'),
    conditions: keyedList(ref(`${APPS}ReplicaSetCondition`), 'Current conditions of the replica set.', 'type'),
  },
  { required: ['replicas'] },
);

export const replicaSetCondition = obj(
  `${APPS}ReplicaSetCondition`,
  'One aspect of the state of a replica set.',
  {
    type: string('Which aspect, such as ReplicaFailure.'),
    status: string('Whether it holds: True, False or Unknown.', { enum: CONDITION_STATUS }),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string('CamelCase reason for the last transition.'),
    message: string('Human-readable detail about the last transition.'),
  },
  { required: ['type', 'status'] },
);

export const appsDefinitions: readonly ObjectDef[] = [
  deployment,
  deploymentSpec,
  deploymentStrategy,
  rollingUpdateDeployment,
  deploymentStatus,
  deploymentCondition,
  replicaSet,
  replicaSetSpec,
  replicaSetStatus,
  replicaSetCondition,
];
