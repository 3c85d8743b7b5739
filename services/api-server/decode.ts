/**
 * Decoding a request object the way kube-apiserver does, against the kind's schema
 * (shared/api/schema): wrong JSON types are a 400 in Go's words (`Pod in version "v1" cannot be
 * handled as a Pod: json: cannot unmarshal string into Go struct field …`); unknown fields are
 * dropped, and per `fieldValidation` either ignored, returned as warnings (the default, Warn) or
 * refused with 400 (Strict, what kubectl create/apply send).
 */
import type { KubeObject } from '../../shared/api/meta.js';
import { badRequest } from '../../shared/api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../../shared/api/resources.js';
import { schemaForKind } from '../../shared/api/schema/registry.js';
import { checkObject, decodeFailure, unknownFieldWarnings, type FieldValidation } from '../../shared/api/schema/check.js';
import { checkTypeMeta } from './registry/object-meta.js';

export interface Decoded {
  object: KubeObject;
  /** Warning texts for the `Warning` response header. */
  warnings: string[];
}

const POLICIES: FieldValidation[] = ['Strict', 'Warn', 'Ignore'];

export function fieldValidation(raw: string | undefined): FieldValidation {
  if (raw === undefined || raw === '') return 'Warn';
  const p = POLICIES.find((x) => x.toLowerCase() === raw.toLowerCase());
  if (!p) throw badRequest(`fieldValidation: Unsupported value: "${raw}": supported values: "Ignore", "Strict", "Warn"`);
  return p;
}

/** Checks TypeMeta against the resource, then the whole object against the kind's schema. */
export function decodeObject(r: ResourceInfo, obj: KubeObject, policy: FieldValidation): Decoded {
  checkTypeMeta(r, obj);
  const root = schemaForKind(r.group, r.version, r.kind);
  if (!root) return { object: obj, warnings: [] };
  const result = checkObject(root, obj, { unknownFields: policy });
  const failure = decodeFailure(r.kind, apiVersionOf(r), result, policy);
  if (failure) throw failure;
  const object = result.value as KubeObject;
  object.metadata ??= {};
  return { object, warnings: policy === 'Warn' ? unknownFieldWarnings(result.unknown) : [] };
}

/** The `Warning` header value for warnings (RFC 7234 form kubectl prints as `Warning: …`). */
export function warningHeader(warnings: string[]): Record<string, string> | undefined {
  if (warnings.length === 0) return undefined;
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}
