/**
 * The decoder check: what kube-apiserver's JSON decoder does to a create/update body before any
 * validation, driven by the schema definitions.
 *
 * `checkObject(root, value, {unknownFields})` walks `value` against `root` and returns
 * - `value`: a pruned copy — unknown fields removed (Kubernetes drops them while decoding into
 *   its Go types), `null` fields removed (Go leaves them unset), `null` list items and map
 *   values replaced by the zero value of their type, free-form values (`preserveUnknown`) kept
 *   whole. `apiVersion`, `kind` and `metadata` are always known at the root.
 * - `unknown`: paths of unknown fields as the strict decoder spells them
 *   (`spec.containers[0].foo`, map keys as `.key`), deduplicated and capped at 100; collected
 *   under `Strict` and `Warn`, left empty under `Ignore`.
 * - `typeErrors`: every value of the wrong JSON type, with what Go's decoder needs to phrase it:
 *   the innermost struct, the field path without indexes, the Go type expected and the JSON kind
 *   found (`number 1.5` for a non-integer where an integer is required). Errors of the custom
 *   decoders (Quantity, Time, IntOrString) abort Go's decode, so `primaryTypeError` picks the one
 *   kube-apiserver would report.
 *
 * Nothing here throws on bad input; `decodeFailure` turns a result into the 400 BadRequest
 * kube-apiserver answers, with its exact wording. Enum values, required fields and formats are
 * validation (422), not decoding, and are left to the strategies.
 *
 * Imports only shared/api modules.
 */
import { badRequest, type StatusError } from '../errors.js';
import { definitions } from './registry.js';
import { base64Problem, quantityProblem, QUANTITY_FORMAT_ERROR, timeProblem } from './scalars.js';
import type { ObjectDef, Schema } from './dsl.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface FieldTypeError {
  /** Path with indexes, as in unknown-field messages: `spec.containers[0].ports[0].containerPort`. */
  path: string;
  /** The Go type the decoder wanted: `int32`, `v1.PodSpec`, `[]v1.Container`, `map[string]string`. */
  expected: string;
  /** The JSON found: `string`, `number`, `number 1.5`, `bool`, `array`, `object`. */
  got: string;
  /** The Go struct holding the field (`ContainerPort`); empty for the root value itself. */
  struct: string;
  /** JSON field names from the root without indexes (`spec.containers.ports.containerPort`). */
  field: string;
  /** A custom decoder's own message (quantity, time, base64), replacing the `json:` wording. */
  detail?: string;
  /** True when Go's decoder stops at this error (custom unmarshalers return instead of saving). */
  fatal?: boolean;
}

export interface CheckResult {
  value: unknown;
  unknown: string[];
  typeErrors: FieldTypeError[];
}

const ALWAYS_KNOWN = new Set(['apiVersion', 'kind', 'metadata']);
const MAX_UNKNOWN = 100;
const INT_RANGE = { int32: [-2147483648, 2147483647], int64: [-(2 ** 63), 2 ** 63 - 1] } as const;

interface Ctx {
  path: string;
  struct: string;
  field: string;
}

const DROP = Symbol('drop');

const join = (a: string, b: string): string => (a ? `${a}.${b}` : b);
const shortName = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

/** `io.k8s.api.core.v1.PodSpec` → `v1.PodSpec`, as Go prints a type of package v1. */
export function goTypeName(defName: string): string {
  const parts = defName.split('.');
  return parts.slice(-2).join('.');
}

export function goTypeOf(s: Schema): string {
  switch (s.type) {
    case 'string':
      return s.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return s.format;
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'int-or-string':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'date-time':
      return s.micro ? 'v1.MicroTime' : 'v1.Time';
    case 'map':
      return s.goType ?? `map[string]${goTypeOf(s.values)}`;
    case 'list':
      return `[]${goTypeOf(s.items)}`;
    case 'ref':
      return goTypeName(s.name);
    case 'free-form':
      return s.of === 'FieldsV1' ? 'v1.FieldsV1' : 'runtime.RawExtension';
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return 'object';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value Go leaves in a list slot or map entry decoded from `null`. */
function zeroOf(s: Schema): unknown {
  switch (s.type) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
    case 'int-or-string':
      return 0;
    case 'boolean':
      return false;
    case 'quantity':
      return '0';
    case 'ref':
      return {};
    default:
      return null;
  }
}

class Walker {
  readonly unknown: string[] = [];
  readonly typeErrors: FieldTypeError[] = [];
  private readonly seenUnknown = new Set<string>();

  constructor(
    private readonly defs: ReadonlyMap<string, ObjectDef>,
    private readonly collectUnknown: boolean,
  ) {}

  object(def: ObjectDef, v: Record<string, unknown>, ctx: Ctx, root: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const struct = shortName(def.name);
    for (const [key, child] of Object.entries(v)) {
      const schema = def.properties[key];
      const childCtx: Ctx = { path: join(ctx.path, key), struct, field: join(ctx.field, key) };
      if (!schema) {
        if (root && ALWAYS_KNOWN.has(key)) out[key] = child;
        else this.noteUnknown(childCtx.path);
        continue;
      }
      if (child === null || child === undefined) continue;
      const kept = this.value(schema, child, childCtx);
      if (kept !== DROP) out[key] = kept;
    }
    return out;
  }

  value(s: Schema, v: unknown, ctx: Ctx): unknown {
    switch (s.type) {
      case 'string':
        if (typeof v !== 'string') return this.mismatch(s, v, ctx);
        if (s.format === 'byte') {
          const problem = base64Problem(v);
          if (problem) return this.fail(s, v, ctx, { detail: problem });
        }
        return v;
      case 'integer':
        if (typeof v !== 'number') return this.mismatch(s, v, ctx);
        if (!Number.isInteger(v) || v < INT_RANGE[s.format][0] || v > INT_RANGE[s.format][1]) {
          return this.fail(s, v, ctx, { got: `number ${String(v)}` });
        }
        return v;
      case 'number':
        return typeof v === 'number' ? v : this.mismatch(s, v, ctx);
      case 'boolean':
        return typeof v === 'boolean' ? v : this.mismatch(s, v, ctx);
      case 'int-or-string':
        if (typeof v === 'string') return v;
        if (typeof v === 'number' && Number.isInteger(v) && v >= INT_RANGE.int32[0] && v <= INT_RANGE.int32[1]) return v;
        return this.fail(s, v, ctx, { expected: 'int32', got: typeof v === 'number' ? `number ${String(v)}` : jsonKind(v), fatal: true });
      case 'quantity': {
        const problem = typeof v === 'string' || typeof v === 'number' ? quantityProblem(String(v)) : QUANTITY_FORMAT_ERROR;
        return problem ? this.fail(s, v, ctx, { detail: problem, fatal: true }) : v;
      }
      case 'date-time': {
        if (typeof v !== 'string') return this.fail(s, v, ctx, { expected: 'string', fatal: true });
        const problem = timeProblem(v, s.micro);
        return problem ? this.fail(s, v, ctx, { detail: problem, fatal: true }) : v;
      }
      case 'map':
        return isPlainObject(v) ? this.map(s.values, v, ctx) : this.mismatch(s, v, ctx);
      case 'list':
        return Array.isArray(v) ? this.list(s.items, v, ctx) : this.mismatch(s, v, ctx);
      case 'ref': {
        const def = this.defs.get(s.name);
        if (!def) throw new Error(`schema: unresolved reference ${s.name}`);
        return isPlainObject(v) ? this.object(def, v, ctx, false) : this.mismatch(s, v, ctx);
      }
      case 'free-form':
        return v;
    }
  }

  private map(values: Schema, v: Record<string, unknown>, ctx: Ctx): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(v)) {
      if (child === null || child === undefined) {
        out[key] = zeroOf(values);
        continue;
      }
      const kept = this.value(values, child, { ...ctx, path: join(ctx.path, key) });
      if (kept !== DROP) out[key] = kept;
    }
    return out;
  }

  private list(items: Schema, v: unknown[], ctx: Ctx): unknown[] {
    const out: unknown[] = [];
    v.forEach((child, i) => {
      if (child === null || child === undefined) {
        out.push(zeroOf(items));
        return;
      }
      const kept = this.value(items, child, { ...ctx, path: `${ctx.path}[${i}]` });
      if (kept !== DROP) out.push(kept);
    });
    return out;
  }

  private mismatch(s: Schema, v: unknown, ctx: Ctx): typeof DROP {
    return this.fail(s, v, ctx, {});
  }

  private fail(s: Schema, v: unknown, ctx: Ctx, over: Partial<FieldTypeError>): typeof DROP {
    const err: FieldTypeError = { path: ctx.path, expected: goTypeOf(s), got: jsonKind(v), struct: ctx.struct, field: ctx.field, ...over };
    this.typeErrors.push(err);
    return DROP;
  }

  private noteUnknown(path: string): void {
    if (!this.collectUnknown || this.unknown.length >= MAX_UNKNOWN || this.seenUnknown.has(path)) return;
    this.seenUnknown.add(path);
    this.unknown.push(path);
  }
}

/**
 * Decode-checks `value` against the definition `root`. `defs` resolves references (the registry
 * by default; tests may pass their own).
 */
export function checkObject(
  root: ObjectDef,
  value: unknown,
  opts: { unknownFields?: FieldValidation } = {},
  defs: ReadonlyMap<string, ObjectDef> = definitions,
): CheckResult {
  const walker = new Walker(defs, (opts.unknownFields ?? 'Warn') !== 'Ignore');
  const top: Ctx = { path: '', struct: '', field: '' };
  let out: unknown = {};
  if (isPlainObject(value)) out = walker.object(root, value, top, true);
  else if (value !== null && value !== undefined) {
    walker.typeErrors.push({ path: '', expected: goTypeName(root.name), got: jsonKind(value), struct: '', field: '' });
  }
  return { value: out, unknown: walker.unknown, typeErrors: walker.typeErrors };
}

/** The error kube-apiserver reports among several: the first that stops Go's decoder, else the first. */
export function primaryTypeError(errors: readonly FieldTypeError[]): FieldTypeError | undefined {
  return errors.find((e) => e.fatal) ?? errors[0];
}

/** Go's own words for one error: `json: cannot unmarshal string into Go struct field X.a.b of type int32`. */
export function typeErrorMessage(err: FieldTypeError): string {
  if (err.detail) return err.detail;
  if (err.struct || err.field) {
    return `json: cannot unmarshal ${err.got} into Go struct field ${err.struct}.${err.field} of type ${err.expected}`;
  }
  return `json: cannot unmarshal ${err.got} into Go value of type ${err.expected}`;
}

/** `Pod in version "v1" cannot be handled as a Pod: <detail>` — kube-apiserver's decode failure. */
export function cannotHandle(kind: string, apiVersion: string, detail: string): string {
  const version = apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${detail}`;
}

export function formatTypeError(kind: string, apiVersion: string, err: FieldTypeError): string {
  return cannotHandle(kind, apiVersion, typeErrorMessage(err));
}

/** `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`. */
export function unknownFieldMessage(paths: readonly string[]): string {
  return `strict decoding error: ${unknownFieldWarnings(paths).join(', ')}`;
}

/** One `unknown field "spec.foo"` per path: the Warning headers sent under fieldValidation=Warn. */
export function unknownFieldWarnings(paths: readonly string[]): string[] {
  return paths.map((p) => `unknown field ${JSON.stringify(p)}`);
}

/**
 * The 400 kube-apiserver answers for a body that does not decode, or undefined when it decodes:
 * a type error always fails; unknown fields fail only under Strict.
 */
export function decodeFailure(kind: string, apiVersion: string, result: CheckResult, policy: FieldValidation): StatusError | undefined {
  const typeErr = primaryTypeError(result.typeErrors);
  if (typeErr) return badRequest(formatTypeError(kind, apiVersion, typeErr));
  if (policy === 'Strict' && result.unknown.length > 0) return badRequest(cannotHandle(kind, apiVersion, unknownFieldMessage(result.unknown)));
  return undefined;
}
