/**
 * Field validation in Kubernetes' terms: a `FieldErrors` collector whose causes carry the reasons
 * kube-apiserver uses (FieldValueRequired, FieldValueInvalid, …) and the field path, so the final
 * 422 reads `Pod "x" is invalid: metadata.name: Invalid value: "X_Y": …` and kubectl prints it as
 * it would for a real cluster. Plus the name / label / annotation rules every kind shares.
 */
import { invalid, type StatusCause } from '../../shared/api/errors.js';
import type { ObjectMeta } from '../../shared/api/meta.js';
import { labelKeyErrors, labelValueErrors } from '../../shared/selectors/labels.js';

export class FieldErrors {
  readonly causes: StatusCause[] = [];

  required(field: string, detail = ''): void {
    this.causes.push({ reason: 'FieldValueRequired', field, message: `Required value${detail ? `: ${detail}` : ''}` });
  }

  invalid(field: string, value: unknown, detail: string): void {
    this.causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${detail}` });
  }

  forbidden(field: string, detail: string): void {
    this.causes.push({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` });
  }

  notSupported(field: string, value: unknown, supported: string[]): void {
    const list = supported.map((s) => `"${s}"`).join(', ');
    this.causes.push({ reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${show(value)}: supported values: ${list}` });
  }

  duplicate(field: string, value: unknown): void {
    this.causes.push({ reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${show(value)}` });
  }

  tooLong(field: string, max: number): void {
    this.causes.push({ reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` });
  }

  get empty(): boolean {
    return this.causes.length === 0;
  }

  /** Throws the 422 Invalid StatusError when anything was collected. */
  throwIfAny(kind: string, name: string, group = ''): void {
    if (!this.empty) throw invalid(kind, name, this.causes, group);
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'null';
  return JSON.stringify(v) ?? String(v);
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export type NameRule = 'subdomain' | 'label' | 'dns1035';

/** Why `name` breaks `rule`, or undefined when it is fine. */
export function nameProblem(name: string, rule: NameRule): string | undefined {
  if (rule === 'label') {
    if (name.length > 63) return 'must be no more than 63 characters';
    if (!LABEL.test(name)) return `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '${LABEL.source.slice(1, -1)}')`;
  } else if (rule === 'dns1035') {
    if (name.length > 63) return 'must be no more than 63 characters';
    if (!DNS1035.test(name)) return `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123', regex used for validation is '${DNS1035.source.slice(1, -1)}')`;
  } else {
    if (name.length > 253) return 'must be no more than 253 characters';
    if (!SUBDOMAIN.test(name)) return `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN.source.slice(1, -1)}')`;
  }
  return undefined;
}

/** Why a label/annotation key is invalid (`prefix/name` with a DNS subdomain prefix), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const errs = labelKeyErrors(key);
  return errs.length ? errs.join('; ') : undefined;
}

export function labelValueProblem(value: string): string | undefined {
  const errs = labelValueErrors(value);
  return errs.length ? errs.join('; ') : undefined;
}

const ANNOTATIONS_MAX = 256 * 1024;

/** The metadata rules every kind shares: name, namespace, labels, annotations, owner references. */
export function validateObjectMeta(meta: ObjectMeta, opts: { nameRule: NameRule; namespaced: boolean }, errs: FieldErrors): void {
  if (!meta.name) errs.required('metadata.name', 'name or generateName is required');
  else {
    const why = nameProblem(meta.name, opts.nameRule);
    if (why) errs.invalid('metadata.name', meta.name, why);
  }
  if (opts.namespaced && !meta.namespace) errs.required('metadata.namespace');
  if (!opts.namespaced && meta.namespace) errs.forbidden('metadata.namespace', 'not allowed on this type');
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    const kp = qualifiedNameProblem(k);
    if (kp) errs.invalid('metadata.labels', k, kp);
    if (typeof v !== 'string') errs.invalid(`metadata.labels[${k}]`, v, 'must be a string');
    else {
      const vp = labelValueProblem(v);
      if (vp) errs.invalid('metadata.labels', v, vp);
    }
  }
  let size = 0;
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    const kp = qualifiedNameProblem(k);
    if (kp) errs.invalid('metadata.annotations', k, kp);
    if (typeof v !== 'string') errs.invalid(`metadata.annotations[${k}]`, v, 'must be a string');
    size += k.length + String(v).length;
  }
  if (size > ANNOTATIONS_MAX) errs.tooLong('metadata.annotations', ANNOTATIONS_MAX);
  (meta.ownerReferences ?? []).forEach((r, i) => {
    const f = `metadata.ownerReferences[${i}]`;
    if (!r.apiVersion) errs.required(`${f}.apiVersion`);
    if (!r.kind) errs.required(`${f}.kind`);
    if (!r.name) errs.required(`${f}.name`);
    if (!r.uid) errs.required(`${f}.uid`);
  });
  if ((meta.ownerReferences ?? []).filter((r) => r.controller).length > 1) {
    errs.invalid('metadata.ownerReferences', meta.ownerReferences, 'Only one reference can have Controller set to true');
  }
}
