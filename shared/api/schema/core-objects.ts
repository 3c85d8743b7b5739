/**
 * Schemas of the smaller core kinds: Namespace, Event, ConfigMap, Secret, ServiceAccount and
 * ReplicationController, plus the two reference types many kinds use (ObjectReference,
 * LocalObjectReference).
 *
 * Data only; imports only ./dsl.
 */
import {
  CORE,
  atomicList,
  bool,
  bytes,
  dateTime,
  gvk,
  int,
  int64,
  keyedList,
  kindObj,
  map,
  obj,
  ref,
  string,
  type ObjectDef,
} from './dsl.js';

const CONDITION_STATUS = ['False', 'True', 'Unknown'] as const;

export const namespace = kindObj(`${CORE}Namespace`, 'A scope for names. Deleting a namespace deletes everything in it.', gvk('', 'v1', 'Namespace'), {
  spec: ref(`${CORE}NamespaceSpec`, 'The desired behaviour of the namespace.'),
  status: ref(`${CORE}NamespaceStatus`, 'The observed state of the namespace.'),
});

export const namespaceSpec = obj(`${CORE}NamespaceSpec`, 'What a namespace needs before it can be removed.', {
  finalizers: atomicList(string(), 'Cleanup steps that must finish before the namespace is removed from storage.'),
});

export const namespaceStatus = obj(`${CORE}NamespaceStatus`, 'The observed state of a namespace.', {
  phase: string('Active, or Terminating while its contents are deleted.', { enum: ['Active', 'Terminating'] }),
  conditions: keyedList(ref(`${CORE}NamespaceCondition`), 'Current conditions of the namespace, mostly about its deletion.', 'type'),
});

export const namespaceCondition = obj(
  `${CORE}NamespaceCondition`,
  'One aspect of the state of a namespace.',
  {
    type: string('Which aspect, such as NamespaceContentRemaining.'),
    status: string('Whether it holds: True, False or Unknown.', { enum: CONDITION_STATUS }),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string('CamelCase reason for the last transition.'),
    message: string('Human-readable detail about the last transition.'),
  },
  { required: ['type', 'status'] },
);

export const event = kindObj(
  `${CORE}Event`,
  'A report of something that happened to an object, such as a pod being scheduled or an image failing to pull.',
  gvk('', 'v1', 'Event'),
  {
    involvedObject: ref(`${CORE}ObjectReference`, 'The object the event is about.'),
    reason: string('Short, machine-readable CamelCase reason for the event.'),
    message: string('Human-readable description of what happened.'),
    source: ref(`${CORE}EventSource`, 'The component that reported the event (older clients).'),
    firstTimestamp: dateTime('When the event was first recorded.'),
    lastTimestamp: dateTime('When the most recent occurrence was recorded.'),
    count: int('How many times the event has occurred.'),
    type: string('Normal or Warning; more types may come.'),
    eventTime: dateTime('When the event first happened, with microsecond precision.', { micro: true }),
    series: ref(`${CORE}EventSeries`, 'Data about a series of repeated occurrences.'),
    action: string('What was done, or failed, about the object.'),
    related: ref(`${CORE}ObjectReference`, 'A second object involved, when there is one.'),
    reportingComponent: string('Controller that emitted the event, such as kubernetes.io/kubelet.'),
    reportingInstance: string('Instance of the controller that emitted the event, such as the kubelet host name.'),
  },
  { required: ['metadata', 'involvedObject'] },
);

export const eventSource = obj(`${CORE}EventSource`, 'The reporter of an event.', {
  component: string('Component that reported the event.'),
  host: string('Node on which the event was reported.'),
});

export const eventSeries = obj(`${CORE}EventSeries`, 'A series of repeated occurrences of an event.', {
  count: int('Occurrences in the series so far.'),
  lastObservedTime: dateTime('When the latest occurrence was observed.', { micro: true }),
});

export const objectReference = obj(`${CORE}ObjectReference`, 'A reference to another object, possibly to a field inside it.', {
  kind: string('Kind of the referent.'),
  namespace: string('Namespace of the referent.'),
  name: string('Name of the referent.'),
  uid: string('Uid of the referent.'),
  apiVersion: string('API version of the referent.'),
  resourceVersion: string('The resourceVersion the reference was made against.'),
  fieldPath: string('A field inside the referent, such as spec.containers{name} for a container of a pod.'),
});

export const localObjectReference = obj(`${CORE}LocalObjectReference`, 'A reference to an object in the same namespace, by name.', {
  name: string('Name of the referent.'),
});

export const configMap = kindObj(
  `${CORE}ConfigMap`,
  'Non-secret configuration data as key/value pairs, consumed by pods as environment variables or files.',
  gvk('', 'v1', 'ConfigMap'),
  {
    immutable: bool('When true, data and binaryData can no longer be changed; only deletion is allowed.'),
    data: map(string(), 'UTF-8 values by key. Keys consist of alphanumerics, "-", "_" and "."; they may not also appear in binaryData.'),
    binaryData: map(bytes(), 'Binary values by key, base64-encoded in JSON.'),
  },
);

export const secret = kindObj(
  `${CORE}Secret`,
  'Sensitive data, such as passwords, tokens or keys, as key/value pairs. Total size is limited to 1 MiB.',
  gvk('', 'v1', 'Secret'),
  {
    immutable: bool('When true, data can no longer be changed; only deletion is allowed.'),
    data: map(bytes(), 'Values by key, base64-encoded in JSON.'),
    stringData: map(string(), 'Write-only convenience: plain-text values merged into data on write (winning over it), never returned on read.'),
    type: string('How the data is meant to be used, which may impose required keys. Opaque by default.'),
  },
);

export const serviceAccount = kindObj(
  `${CORE}ServiceAccount`,
  'An identity for processes running in pods, with the secrets used to authenticate and pull images.',
  gvk('', 'v1', 'ServiceAccount'),
  {
    secrets: keyedList(ref(`${CORE}ObjectReference`), 'Deprecated: secrets that pods of this account may use.', 'name'),
    imagePullSecrets: atomicList(ref(`${CORE}LocalObjectReference`), 'Secrets added to every pod of this account for pulling images.'),
    automountServiceAccountToken: bool("Whether pods of this account get the API token mounted; a pod's own setting wins."),
  },
);

export const replicationController = kindObj(
  `${CORE}ReplicationController`,
  'Keeps a given number of copies of a pod template running, replacing pods that fail or disappear.',
  gvk('', 'v1', 'ReplicationController'),
  {
    spec: ref(`${CORE}ReplicationControllerSpec`, 'The desired behaviour of the controller.'),
    status: ref(`${CORE}ReplicationControllerStatus`, 'The most recently observed state of the controller.'),
  },
);

export const replicationControllerSpec = obj(`${CORE}ReplicationControllerSpec`, 'Desired state of a replication controller.', {
  replicas: int('How many pods should run. Defaults to 1.'),
  minReadySeconds: int('Seconds a new pod must be ready without crashing before it counts as available.'),
  selector: map(string(), "Labels that pods must carry to be counted; taken from the template's labels when empty.", { mapType: 'atomic' }),
  template: ref(`${CORE}PodTemplateSpec`, 'The pod created when there are too few; its labels must match the selector.'),
});

export const replicationControllerStatus = obj(
  `${CORE}ReplicationControllerStatus`,
  'Observed state of a replication controller.',
  {
    replicas: int('How many pods exist now.'),
    fullyLabeledReplicas: int('Pods whose labels match the template labels.'),
    readyReplicas: int('Pods that are ready.'),
    availableReplicas: int('Pods that have been ready for at least minReadySeconds.'),
    observedGeneration: int64('The generation of the controller last processed.'),
    conditions: keyedList(ref(`${CORE}ReplicationControllerCondition`), 'Current conditions of the controller.', 'type'),
  },
  { required: ['replicas'] },
);

export const replicationControllerCondition = obj(
  `${CORE}ReplicationControllerCondition`,
  'One aspect of the state of a replication controller.',
  {
    type: string('Which aspect, such as ReplicaFailure.'),
    status: string('Whether it holds: True, False or Unknown.', { enum: CONDITION_STATUS }),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string('CamelCase reason for the last transition.'),
    message: string('Human-readable detail about the last transition.'),
  },
  { required: ['type', 'status'] },
);

export const objectDefinitions: readonly ObjectDef[] = [
  namespace,
  namespaceSpec,
  namespaceStatus,
  namespaceCondition,
  event,
  eventSource,
  eventSeries,
  objectReference,
  localObjectReference,
  configMap,
  secret,
  serviceAccount,
  replicationController,
  replicationControllerSpec,
  replicationControllerStatus,
  replicationControllerCondition,
];
