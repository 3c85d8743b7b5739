/**
 * Field selectors (`?fieldSelector=`, `kubectl --field-selector`), with Kubernetes' grammar and its
 * per-kind table of selectable fields.
 *
 * Grammar: terms separated by unescaped `,` (AND); a term is `field=value`, `field==value` (same as
 * `=`) or `field!=value`, split at the first operator; an empty term is skipped. In a value, `\,`
 * `\=` and `\\` stand for `,` `=` `\`; any other escape, a trailing `\`, or a bare `,` / `=` in a
 * value is a bad request. Nothing is trimmed: whitespace is part of fields and values.
 *
 * Matching: a field missing from the object compares as "" (so `spec.nodeName=` finds unscheduled
 * pods); booleans and numbers compare in Go's print form ("true"/"false", "0" when unset), as the
 * typed Kubernetes objects would. `toString()` is canonical: terms sorted, `==` written `=`, values
 * re-escaped.
 *
 * Every kind supports `metadata.name` and `metadata.namespace`; FIELDS lists the others. A field a
 * kind does not support is `badRequest('field label not supported: <field>')`, what kube-apiserver
 * answers; the api-server calls `validateFieldSelector` before serving a list or watch.
 * This module imports only shared/api.
 */
import { badRequest } from '../api/errors.js';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** `get(field)` gives the object's value of a field ("" when missing). */
  matches(get: (field: string) => string): boolean;
  /** The value `field` must equal, when the selector pins one (`spec.nodeName=node-1`). */
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

type Getter = (obj: Record<string, unknown>) => string;

function at(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const text = (...path: string[]): Getter => (o) => {
  const v = at(o, path);
  return v === undefined || v === null ? '' : String(v);
};
const bool = (...path: string[]): Getter => (o) => String(at(o, path) === true);
const int = (...path: string[]): Getter => (o) => String(Number(at(o, path) ?? 0) || 0);

function podIP(o: Record<string, unknown>): string {
  const ips = at(o, ['status', 'podIPs']);
  if (Array.isArray(ips) && ips.length > 0) return text('ip')(ips[0] as Record<string, unknown>);
  return text('status', 'podIP')(o);
}

const COMMON: Record<string, Getter> = {
  'metadata.name': text('metadata', 'name'),
  'metadata.namespace': text('metadata', 'namespace'),
};

/** Selectable fields beyond metadata.name / metadata.namespace, by resource plural. */
export const FIELDS: Readonly<Record<string, Readonly<Record<string, Getter>>>> = {
  pods: {
    'spec.nodeName': text('spec', 'nodeName'),
    'spec.restartPolicy': text('spec', 'restartPolicy'),
    'spec.schedulerName': text('spec', 'schedulerName'),
    'spec.serviceAccountName': text('spec', 'serviceAccountName'),
    'spec.hostNetwork': bool('spec', 'hostNetwork'),
    'status.phase': text('status', 'phase'),
    'status.podIP': podIP,
    'status.nominatedNodeName': text('status', 'nominatedNodeName'),
  },
  events: {
    'involvedObject.kind': text('involvedObject', 'kind'),
    'involvedObject.namespace': text('involvedObject', 'namespace'),
    'involvedObject.name': text('involvedObject', 'name'),
    'involvedObject.uid': text('involvedObject', 'uid'),
    'involvedObject.apiVersion': text('involvedObject', 'apiVersion'),
    'involvedObject.resourceVersion': text('involvedObject', 'resourceVersion'),
    'involvedObject.fieldPath': text('involvedObject', 'fieldPath'),
    reason: text('reason'),
    reportingComponent: text('reportingComponent'),
    // The reporting component of old-style events lives in source.component.
    source: (o) => text('source', 'component')(o) || text('reportingComponent')(o),
    type: text('type'),
  },
  nodes: { 'spec.unschedulable': bool('spec', 'unschedulable') },
  namespaces: { 'status.phase': text('status', 'phase') },
  secrets: { type: text('type') },
  replicationcontrollers: { 'status.replicas': int('status', 'replicas') },
  replicasets: { 'status.replicas': int('status', 'replicas') },
};

function getterFor(plural: string, field: string): Getter | undefined {
  return COMMON[field] ?? FIELDS[plural]?.[field];
}

/** Every selectable field of a kind, in a stable order. */
export function supportedFields(plural: string): string[] {
  return [...Object.keys(COMMON), ...Object.keys(FIELDS[plural] ?? {})];
}

// ---- parsing ----

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescape(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[i + 1];
      if (n !== '\\' && n !== ',' && n !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${n ?? ''}`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else out += c;
  }
  return out;
}

/** The inverse of the value unescaping: safe to embed any string as a field selector value. */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function splitTerm(term: string, whole: string): FieldRequirement {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) {
        return { field: term.slice(0, i), operator: op === '!=' ? '!=' : '=', value: unescape(term.slice(i + op.length)) };
      }
    }
  }
  throw badRequest(`invalid selector: '${whole}'; can't understand '${term}'`);
}

function fieldSelectorOf(requirements: FieldRequirement[]): FieldSelector {
  const str = requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (get) => requirements.every((r) => (get(r.field) === r.value) === (r.operator === '=')),
    requiresExactMatch(field) {
      const r = requirements.find((x) => x.field === field && x.operator === '=');
      return r?.value;
    },
    toString: () => str,
  };
}

/** Parses the string form; '' selects everything. Throws badRequest on a malformed selector. */
export function parseFieldSelector(s: string | undefined | null): FieldSelector {
  if (!s) return fieldSelectorOf([]);
  const terms = splitTerms(s)
    .filter((t) => t !== '')
    .sort();
  return fieldSelectorOf(terms.map((t) => splitTerm(t, s)));
}

function asSelector(sel: FieldSelector | string | undefined | null): FieldSelector {
  return typeof sel === 'string' || sel === undefined || sel === null ? parseFieldSelector(sel) : sel;
}

/** Throws badRequest('field label not supported: <field>') for a field the kind cannot select on. */
export function validateFieldSelector(plural: string, sel: FieldSelector | string | undefined | null): FieldSelector {
  const selector = asSelector(sel);
  for (const r of selector.requirements) {
    if (!getterFor(plural, r.field)) throw badRequest(`field label not supported: ${r.field}`);
  }
  return selector;
}

/** The value of one selectable field of an object ("" when missing); throws for an unsupported field. */
export function fieldValue(plural: string, obj: unknown, field: string): string {
  const get = getterFor(plural, field);
  if (!get) throw badRequest(`field label not supported: ${field}`);
  return get((obj ?? {}) as Record<string, unknown>);
}

/** Does `obj` (of resource `plural`) satisfy the selector? Unsupported fields throw badRequest. */
export function matchesFields(plural: string, obj: unknown, sel: FieldSelector | string | undefined | null): boolean {
  const selector = validateFieldSelector(plural, sel);
  return selector.empty || selector.matches((field) => fieldValue(plural, obj, field));
}
