/**
 * Kubernetes `Status` errors: the one error type of kubemu.
 *
 * Every failure that crosses a process boundary (HTTP or NATS) is a `metav1.Status` with a stable
 * `reason` and the HTTP `code` Kubernetes uses for it. `StatusError` carries that object; it is
 * rebuilt from the wire on the other side so callers can branch on `reason` wherever they are.
 * Message forms follow the real kube-apiserver (`pods "x" not found`, `... already exists`,
 * `Operation cannot be fulfilled on ...`), because kubectl prints them verbatim.
 *
 * This module imports nothing.
 */

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'Timeout'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Expired';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

const CODES: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
  Expired: 410,
};

export class StatusError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message ?? status.reason ?? 'unknown error');
    this.name = 'StatusError';
    this.status = status;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason | '' {
    return this.status.reason ?? '';
  }
}

export function statusError(reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code: CODES[reason],
  };
  if (details) status.details = details;
  return new StatusError(status);
}

/** A Status as seen on the wire → a StatusError (tolerates partial objects). */
export function fromStatus(raw: unknown): StatusError {
  const s = (raw ?? {}) as Partial<Status>;
  const reason = (s.reason || 'InternalError') as StatusReason;
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: typeof s.message === 'string' ? s.message : String(reason),
    reason,
    code: typeof s.code === 'number' ? s.code : CODES[reason] ?? 500,
  };
  if (s.details) status.details = s.details;
  return new StatusError(status);
}

/** Any thrown value → a Status. Unknown errors become InternalError, never leak a stack. */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  const message = err instanceof Error ? err.message : String(err);
  return statusError('InternalError', `Internal error occurred: ${message}`).status;
}

export function isStatusError(err: unknown, reason?: StatusReason): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}

export function successStatus(details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}

// ---- the catalogue: one constructor per failure, with Kubernetes' wording ----

/** `resource` is the plural resource name (`pods`); `group` is '' for the core group. */
export function notFound(resource: string, name: string, group = ''): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return statusError('NotFound', `${qualified} "${name}" not found`, { name, group, kind: resource });
}

export function alreadyExists(resource: string, name: string, group = ''): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return statusError('AlreadyExists', `${qualified} "${name}" already exists`, { name, group, kind: resource });
}

export function conflict(resource: string, name: string, why: string, group = ''): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return statusError('Conflict', `Operation cannot be fulfilled on ${qualified} "${name}": ${why}`, {
    name,
    group,
    kind: resource,
  });
}

export const MODIFIED_CONFLICT = 'the object has been modified; please apply your changes to the latest version and try again';

/** `kind` is the Kind (`Pod`), as kube-apiserver reports validation failures. */
export function invalid(kind: string, name: string, causes: StatusCause[], group = ''): StatusError {
  const qualified = group ? `${kind}.${group}` : kind;
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message ?? '')).filter(Boolean);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return statusError('Invalid', `${qualified} "${name}" is invalid: ${summary}`, { name, group, kind, causes });
}

/** 403 for a named object: `pods "x" is forbidden: <why>`. */
export function forbidden(resource: string, name: string, why: string, group = ''): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return statusError('Forbidden', `${qualified} "${name}" is forbidden: ${why}`, { name, group, kind: resource });
}

export function badRequest(message: string): StatusError {
  return statusError('BadRequest', message);
}

export function gone(message: string): StatusError {
  return statusError('Gone', message);
}

/** What kube-apiserver answers for a watch or list from a compacted resourceVersion (410). */
export function expired(message: string): StatusError {
  return statusError('Expired', message);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): StatusError {
  return statusError('MethodNotAllowed', message);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return statusError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType || 'none'})`,
  );
}

export function tooLarge(message = 'the request is too large'): StatusError {
  return statusError('RequestEntityTooLarge', message);
}

export function notAcceptable(message: string): StatusError {
  return statusError('NotAcceptable', message);
}

export function internalError(message: string): StatusError {
  return statusError('InternalError', `Internal error occurred: ${message}`);
}

export function serviceUnavailable(message: string): StatusError {
  return statusError('ServiceUnavailable', message);
}

export function timeout(message: string): StatusError {
  return statusError('Timeout', message);
}

export function unknownPath(): StatusError {
  return statusError('NotFound', 'the server could not find the requested resource');
}
