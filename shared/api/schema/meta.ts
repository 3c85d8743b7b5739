/**
 * Schemas of the apimachinery `meta/v1` types every kind shares: ObjectMeta, ListMeta,
 * OwnerReference, ManagedFieldsEntry, LabelSelector, Condition, Status, DeleteOptions,
 * Preconditions and WatchEvent, under their real definition names
 * (`io.k8s.apimachinery.pkg.apis.meta.v1.*`).
 *
 * Time, MicroTime, Quantity, IntOrString, FieldsV1 and RawExtension are scalars in our DSL
 * (`dateTime`, `quantity`, `intOrString`, `preserveUnknown`); `SCALAR_DEFINITIONS` gives the
 * OpenAPI builder their names, types and descriptions so it can emit them as named definitions.
 *
 * Data only; imports only ./dsl.
 */
import {
  META,
  API_VERSION_DESC,
  KIND_DESC,
  atomicList,
  bool,
  dateTime,
  gvk,
  int,
  int64,
  keyedList,
  list,
  map,
  obj,
  preserveUnknown,
  ref,
  string,
  type ObjectDef,
} from './dsl.js';

const LABEL_OPERATORS = ['DoesNotExist', 'Exists', 'In', 'NotIn'] as const;

export const objectMeta = obj(
  `${META}ObjectMeta`,
  'Metadata that every persisted object carries: identity (name, namespace, uid), the labels and annotations users attach, ownership, finalizers, and the bookkeeping the server maintains.',
  {
    name: string('Unique name of the object within its namespace (or cluster-wide for cluster-scoped kinds). Required on create unless generateName is set; cannot be changed afterwards.'),
    generateName: string('A prefix from which the server builds a unique name when `name` is empty, by appending a random suffix.'),
    namespace: string('The namespace that scopes the name. Empty means the "default" namespace for namespaced kinds; cluster-scoped kinds leave it empty.'),
    selfLink: string('Deprecated and no longer filled in by the server.'),
    uid: string('Identifier the server assigns at creation, unique across time and space; never reused and never changed.'),
    resourceVersion: string('Opaque version of this object, changed on every write. Clients send it back to detect conflicting updates and to resume watches; they must not interpret it.'),
    generation: int64('Sequence number of the desired state, incremented by the server whenever the spec changes.'),
    creationTimestamp: dateTime('When the server created the object (RFC 3339, UTC). Set by the server; read-only.'),
    deletionTimestamp: dateTime('When the object will be gone. Set by the server when deletion is requested; while finalizers remain the object stays visible but can no longer be revived.'),
    deletionGracePeriodSeconds: int64('How many seconds the object is given to terminate gracefully before it is removed. Set together with deletionTimestamp; may only shrink.'),
    labels: map(string(), 'Key/value pairs used to organise and select objects (by label selectors in services, controllers and queries).'),
    annotations: map(string(), 'Arbitrary non-identifying key/value data for tools and humans. Not queryable.'),
    ownerReferences: keyedList(
      ref(`${META}OwnerReference`),
      'Objects this one depends on. When every owner is gone the garbage collector removes this object; at most one entry may be the managing controller.',
      'uid',
    ),
    finalizers: list(string(), 'Names of pending cleanup steps. While any remain, deletion only sets deletionTimestamp; each finalizer owner removes its entry when done.', {
      patchStrategy: 'merge',
      listType: 'set',
    }),
    managedFields: atomicList(ref(`${META}ManagedFieldsEntry`), 'Which manager set which fields, used by server-side apply. Mostly internal.'),
  },
);

export const listMeta = obj(
  `${META}ListMeta`,
  'Metadata of a list response: the collection version to watch from and the continuation token for paging.',
  {
    selfLink: string('Deprecated and no longer filled in by the server.'),
    resourceVersion: string('The version of the collection this list reflects; start a watch here to see every later change.'),
    continue: string('Token for fetching the next page when the list was limited; empty on the last page. It expires after compaction.'),
    remainingItemCount: int64('How many items follow this page, when the server can tell; an estimate when the list was served from a consistent snapshot.'),
  },
);

export const ownerReference = obj(
  `${META}OwnerReference`,
  'Identifies an owner of an object. The owner must live in the same namespace as the dependent, or be cluster-scoped.',
  {
    apiVersion: string("The owner's API version."),
    kind: string("The owner's kind."),
    name: string("The owner's name."),
    uid: string("The owner's uid; a recreated owner with the same name does not match."),
    controller: bool('True when this owner is the managing controller of the dependent.'),
    blockOwnerDeletion: bool('With foreground deletion, the owner is not removed until this dependent is gone.'),
  },
  { required: ['apiVersion', 'kind', 'name', 'uid'] },
);

export const managedFieldsEntry = obj(
  `${META}ManagedFieldsEntry`,
  'One manager\'s claim on a set of fields, recorded by server-side apply.',
  {
    manager: string('Name of the workflow or client that manages these fields.'),
    operation: string('How the fields were written.', { enum: ['Apply', 'Update'] }),
    apiVersion: string('The API version the field set is expressed in.'),
    time: dateTime('When this entry last changed.'),
    fieldsType: string('Format of fieldsV1; only "FieldsV1" exists.'),
    fieldsV1: preserveUnknown('The set of fields, as a trie of field, key and value selectors.', 'FieldsV1'),
    subresource: string('The subresource the fields were written through, empty for the main resource.'),
  },
);

export const labelSelector = obj(
  `${META}LabelSelector`,
  'Selects objects by their labels. All terms are ANDed; an empty selector matches everything and a null one matches nothing.',
  {
    matchLabels: map(string(), 'Exact key=value pairs that must all be present; shorthand for In requirements with one value.'),
    matchExpressions: atomicList(ref(`${META}LabelSelectorRequirement`), 'Set-based requirements that must all hold.'),
  },
);

export const labelSelectorRequirement = obj(
  `${META}LabelSelectorRequirement`,
  'One set-based requirement on a label key.',
  {
    key: string('The label key the requirement is about.'),
    operator: string('How the key relates to the values.', { enum: LABEL_OPERATORS }),
    values: atomicList(string(), 'Values for In and NotIn (must be non-empty); must be empty for Exists and DoesNotExist.'),
  },
  { required: ['key', 'operator'] },
);

export const condition = obj(
  `${META}Condition`,
  'A generic observation about one aspect of an object\'s current state.',
  {
    type: string('The aspect this condition describes, in CamelCase.'),
    status: string('Whether the condition holds.', { enum: ['False', 'True', 'Unknown'] }),
    observedGeneration: int64('The metadata.generation this condition was computed from.'),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string('Machine-readable CamelCase cause of the last transition.'),
    message: string('Human-readable detail about the last transition.'),
  },
  { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);

export const status = obj(
  `${META}Status`,
  'The result of a call that does not return an object, most often an error.',
  {
    apiVersion: string(API_VERSION_DESC),
    kind: string(KIND_DESC),
    metadata: ref(`${META}ListMeta`, 'Standard list metadata (usually empty).'),
    status: string('"Success" or "Failure".'),
    message: string('Human-readable description of the outcome.'),
    reason: string('Machine-readable reason for a failure; empty when none applies.'),
    details: ref(`${META}StatusDetails`, 'Extra data about the failure, depending on the reason.'),
    code: int('The HTTP status code matching this status; 0 when not set.'),
  },
  { gvk: gvk('', 'v1', 'Status') },
);

export const statusDetails = obj(
  `${META}StatusDetails`,
  'Which object a failure concerns and, for validation failures, the individual causes.',
  {
    name: string('Name of the object concerned, when there is one.'),
    group: string('API group of the object concerned.'),
    kind: string('Kind (or resource) of the object concerned.'),
    uid: string('Uid of the object concerned, when known.'),
    causes: atomicList(ref(`${META}StatusCause`), 'The individual problems found, for example each invalid field.'),
    retryAfterSeconds: int('Seconds the client should wait before retrying, when the failure is temporary.'),
  },
);

export const statusCause = obj(
  `${META}StatusCause`,
  'One problem behind a failure, optionally tied to a field.',
  {
    reason: string('Machine-readable kind of problem, such as FieldValueRequired.'),
    message: string('Human-readable explanation.'),
    field: string('Path of the offending field (for example "spec.containers[0].name"), when the problem is about one.'),
  },
);

export const deleteOptions = obj(
  `${META}DeleteOptions`,
  'Options accepted in the body of a delete request.',
  {
    apiVersion: string(API_VERSION_DESC),
    kind: string(KIND_DESC),
    gracePeriodSeconds: int64('Seconds the object may take to terminate; 0 deletes at once, unset uses the default of the kind.'),
    preconditions: ref(`${META}Preconditions`, 'Conditions the object must meet for the delete to go ahead.'),
    orphanDependents: bool('Deprecated: use propagationPolicy. True orphans dependents instead of deleting them.'),
    propagationPolicy: string('What happens to dependents: Orphan keeps them, Background deletes them after the owner, Foreground deletes them before the owner.', {
      enum: ['Background', 'Foreground', 'Orphan'],
    }),
    dryRun: atomicList(string(), 'When set to ["All"], the request is fully processed but nothing is persisted.'),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool('Forces removal of an object that can no longer be read from storage. Dangerous; needs special permission.'),
  },
  { gvk: gvk('', 'v1', 'DeleteOptions') },
);

export const preconditions = obj(`${META}Preconditions`, 'Guards that must hold before an operation proceeds.', {
  uid: string('The object must have this uid.'),
  resourceVersion: string('The object must be at this resourceVersion.'),
});

export const watchEvent = obj(
  `${META}WatchEvent`,
  'One change in a watch stream.',
  {
    type: string('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
    object: preserveUnknown('The object after the change; the last known state for DELETED, a Status for ERROR, only a resourceVersion for BOOKMARK.'),
  },
  { required: ['type', 'object'], gvk: gvk('', 'v1', 'WatchEvent') },
);

export const metaDefinitions: readonly ObjectDef[] = [
  objectMeta,
  listMeta,
  ownerReference,
  managedFieldsEntry,
  labelSelector,
  labelSelectorRequirement,
  condition,
  status,
  statusDetails,
  statusCause,
  deleteOptions,
  preconditions,
  watchEvent,
];

/** The apimachinery types our DSL treats as scalars, as OpenAPI names and shows them. */
export const SCALAR_DEFINITIONS = {
  time: {
    name: `${META}Time`,
    type: 'string',
    format: 'date-time',
    description: 'A point in time, serialised as an RFC 3339 string with second precision.',
  },
  microTime: {
    name: `${META}MicroTime`,
    type: 'string',
    format: 'date-time',
    description: 'A point in time with microsecond precision, serialised as RFC 3339 with exactly six fractional digits.',
  },
  quantity: {
    name: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
    type: 'string',
    format: '',
    description:
      'A fixed-point amount such as "500m", "2", "128Mi" or "1e3": a signed decimal number followed by a binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal (n, u, m, k, M, G, T, P, E) or exponent suffix. Written as a string or a plain number.',
  },
  intOrString: {
    name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    type: 'string',
    format: 'int-or-string',
    description: 'Either a 32-bit integer or a string, such as a port number or a named port, or a count or a percentage.',
  },
  fieldsV1: {
    name: `${META}FieldsV1`,
    type: 'object',
    format: '',
    description: 'A set of fields encoded as a JSON trie, as recorded by server-side apply.',
  },
  rawExtension: {
    name: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
    type: 'object',
    format: '',
    description: 'An embedded object of any kind, carried as raw JSON.',
  },
} as const;
