/**
 * The parameters the published operations declare: the path parameters (`namespace`, `name`) and
 * the query parameters kubemu's api-server reads, grouped per kind of operation. An operation only
 * advertises what the server honours, with one exception kubectl depends on: every PATCH (and
 * create/update) declares `fieldValidation`, because kubectl create/apply look for it on the PATCH
 * operation of a kind to decide that the server validates (and then send `fieldValidation=Strict`).
 *
 * Descriptions are ours. Pure data; imports nothing.
 */

export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'integer' | 'boolean'; uniqueItems?: boolean };
}

function query(name: string, type: OpenApiParameter['schema']['type'], description: string): OpenApiParameter {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

function pathParam(name: string, description: string): OpenApiParameter {
  return { name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } };
}

export function nameParameter(kind: string): OpenApiParameter {
  return pathParam('name', `Name of the ${kind}.`);
}

export const NAMESPACE_PARAMETER = pathParam('namespace', 'The namespace that scopes the request.');

const labelSelector = query('labelSelector', 'string', 'Only objects whose labels match this selector (`a=b`, `a!=b`, `a in (x,y)`, `a`, `!a`, comma-separated terms ANDed).');
const fieldSelector = query('fieldSelector', 'string', 'Only objects whose fields match this selector (`metadata.name=x`, `spec.nodeName=n`, `status.phase!=Failed`, …).');
const limit = query('limit', 'integer', 'Most items to return; when more remain, the list metadata carries a continue token.');
const cont = query('continue', 'string', 'The continue token of the previous page of the same list.');
const resourceVersion = query('resourceVersion', 'string', 'For a watch: start after this version, replaying what changed since. For a list: the version the answer must be at least as new as.');

export const LIST_PARAMETERS: readonly OpenApiParameter[] = [
  query('allowWatchBookmarks', 'boolean', 'For a watch: the server may send BOOKMARK events that only carry a newer resourceVersion.'),
  cont,
  fieldSelector,
  labelSelector,
  limit,
  resourceVersion,
  query('timeoutSeconds', 'integer', 'For a watch: end the stream after this many seconds.'),
  query('watch', 'boolean', 'Stream changes (ADDED, MODIFIED, DELETED) as newline-delimited JSON events instead of answering with a list.'),
];

const fieldManager = query('fieldManager', 'string', 'Name of the actor making the change (kubectl sends kubectl-create, kubectl-client-side-apply, …).');
const fieldValidation = query(
  'fieldValidation',
  'string',
  'What to do with unknown or duplicated fields in the body: Ignore drops them silently, Warn (the default) drops them and answers with a Warning header per field, Strict refuses the request with 400 BadRequest.',
);

const dryRun = query('dryRun', 'string', 'All: check and process the request completely, but persist nothing. No other value is accepted.');

export const WRITE_PARAMETERS: readonly OpenApiParameter[] = [dryRun, fieldManager, fieldValidation];

const gracePeriodSeconds = query('gracePeriodSeconds', 'integer', 'Seconds the object may take to terminate; 0 removes it at once, unset uses the default of the kind.');
const propagationPolicy = query('propagationPolicy', 'string', 'What happens to dependents: Background (the default) deletes them after the owner, Foreground before it, Orphan leaves them.');

export const DELETE_PARAMETERS: readonly OpenApiParameter[] = [dryRun, gracePeriodSeconds, propagationPolicy];

export const DELETE_COLLECTION_PARAMETERS: readonly OpenApiParameter[] = [cont, dryRun, fieldSelector, gracePeriodSeconds, labelSelector, limit, propagationPolicy, resourceVersion];

export const LOG_PARAMETERS: readonly OpenApiParameter[] = [
  query('container', 'string', 'The container whose log to return; may be omitted when the pod has one container.'),
  query('follow', 'boolean', 'Keep the response open and stream new output until the container stops.'),
  query('previous', 'boolean', 'The log of the previous, terminated instance of the container.'),
  query('tailLines', 'integer', 'Only this many lines from the end of the log.'),
  query('timestamps', 'boolean', 'Prefix every line with the time it was written (RFC 3339).'),
];

export const EXEC_PARAMETERS: readonly OpenApiParameter[] = [
  query('command', 'string', 'The command to run, one argument per repetition of the parameter; not run through a shell.'),
  query('container', 'string', 'The container to run the command in; may be omitted when the pod has one container.'),
  query('stderr', 'boolean', "Stream the command's standard error."),
  query('stdin', 'boolean', "Stream the client's input to the command's standard input."),
  query('stdout', 'boolean', "Stream the command's standard output."),
  query('tty', 'boolean', 'Give the command a terminal; standard error is then merged into standard output.'),
];

export const PORT_FORWARD_PARAMETERS: readonly OpenApiParameter[] = [query('ports', 'integer', 'Ports of the pod to forward; clients usually name them in stream headers instead.')];
