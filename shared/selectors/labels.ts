/**
 * Label selectors, with Kubernetes' grammar and validation. The api-server parses `?labelSelector=`
 * with it; controllers turn `spec.selector` objects into the same `Selector`.
 *
 * Grammar (what `parseLabelSelector` executes; whitespace between tokens is ignored):
 *
 *   selector    ::= "" | requirement ( "," requirement )*        comma = AND
 *   requirement ::= "!" KEY                                       DoesNotExist
 *                 | KEY                                           Exists
 *                 | KEY ( "=" | "==" | "!=" ) [VALUE]             exact match (no VALUE = "")
 *                 | KEY ( "in" | "notin" ) "(" [VALUE] ( "," [VALUE] )* ")"
 *                 | KEY ( ">" | "<" ) INTEGER                     numeric, as Kubernetes allows
 *   KEY   ::= [ DNS-1123 subdomain (≤ 253) "/" ] NAME, NAME ≤ 63 of [A-Za-z0-9] ( [-A-Za-z0-9_.]* [A-Za-z0-9] )?
 *   VALUE ::= "" | ≤ 63 of [A-Za-z0-9] ( [-A-Za-z0-9_.]* [A-Za-z0-9] )?
 *
 * Tokens are runs of characters other than whitespace and `= ! ( ) , > <`; `in` / `notin` are
 * keywords only where an operator is expected, so `in` is a valid key or value. An empty slot in a
 * value set is the empty string (`in ()` is `in ("")`), as in Kubernetes.
 *
 * Semantics: `!=` and `notin` match objects without the key; `in`, `=`, `>`, `<` need it. Values
 * of a requirement are kept sorted and unique, requirements sorted by key (stable), so `toString()`
 * is canonical: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, `a>1`, joined by `,`.
 *
 * Every failure is a `badRequest` StatusError saying what was found and what was expected.
 * This module imports only shared/api.
 */
import { badRequest } from '../api/errors.js';
import type { LabelSelector } from '../api/meta.js';

export type Operator =
  | 'Equals'
  | 'DoubleEquals'
  | 'NotEquals'
  | 'In'
  | 'NotIn'
  | 'Exists'
  | 'DoesNotExist'
  | 'GreaterThan'
  | 'LessThan';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted, unique. Empty for Exists / DoesNotExist. */
  readonly values: readonly string[];
}

export type Labels = Record<string, string> | undefined | null;

export interface Selector {
  readonly requirements: readonly Requirement[];
  /** True when the selector selects everything (no requirement). */
  readonly empty: boolean;
  matches(labels: Labels): boolean;
  /** The value `key` must equal for a match, when the selector pins one (`k=v`, `k==v`, `k in (v)`). */
  requiresExactMatch(key: string): string | undefined;
  toString(): string;
}

// ---- validation (also used by the api-server for metadata.labels) ----

const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key (qualified name); empty when it is. */
export function labelKeyErrors(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return ['a qualified name must be an optional DNS subdomain prefix, one "/", and a name'];
  const name = parts.length === 2 ? parts[1] : parts[0];
  const errs: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '') errs.push('prefix part must be non-empty');
    else if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
    else if (!DNS1123_SUBDOMAIN_RE.test(prefix))
      errs.push("prefix part must be a lowercase RFC 1123 subdomain: lower case alphanumerics, '-' or '.', starting and ending with an alphanumeric (e.g. 'example.com')");
  }
  if (name === '') errs.push('name part must be non-empty');
  else {
    if (name.length > 63) errs.push('name part must be no more than 63 characters');
    if (!NAME_RE.test(name))
      errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')");
  }
  return errs;
}

/** Why `value` is not a valid label value; empty when it is. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!VALUE_RE.test(value))
    errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')");
  return errs;
}

function invalidValue(what: string, v: string, errs: string[]): Error {
  return new Error(`${what}: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
}

/** Builds one validated requirement; throws a plain Error the callers wrap with context. */
export function newRequirement(key: string, operator: Operator, values: readonly string[]): Requirement {
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) throw invalidValue('key', key, keyErrs);
  const n = values.length;
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (n === 0) throw new Error(`values: for 'in', 'notin' operators, values set can't be empty (key ${key})`);
      break;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (n !== 1) throw new Error(`values: exact-match compatibility requires one single value (key ${key})`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (n !== 0) throw new Error(`values: values set must be empty for exists and does not exist (key ${key})`);
      break;
    case 'GreaterThan':
    case 'LessThan':
      if (n !== 1 || !/^[-+]?\d+$/.test(values[0]))
        throw new Error(`values: for 'Gt', 'Lt' operators, exactly one integer value is required (key ${key})`);
      break;
    default:
      throw new Error(`operator: Unsupported value: ${JSON.stringify(operator)}`);
  }
  for (const v of values) {
    const errs = labelValueErrors(v);
    if (errs.length) throw invalidValue(`values[${key}]`, v, errs);
  }
  return { key, operator, values: [...new Set(values)].sort() };
}

// ---- matching and printing ----

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'In':
    case 'Equals':
    case 'DoubleEquals':
      return has && r.values.includes(v as string);
    case 'NotIn':
    case 'NotEquals':
      return !has || !r.values.includes(v as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'GreaterThan':
    case 'LessThan': {
      if (!has || !/^[-+]?\d+$/.test(v as string)) return false;
      const diff = Number(v) - Number(r.values[0]);
      return r.operator === 'GreaterThan' ? diff > 0 : diff < 0;
    }
  }
}

const OP_TEXT: Record<Operator, string> = {
  Equals: '=',
  DoubleEquals: '==',
  NotEquals: '!=',
  In: ' in ',
  NotIn: ' notin ',
  GreaterThan: '>',
  LessThan: '<',
  Exists: '',
  DoesNotExist: '',
};

export function requirementToString(r: Requirement): string {
  if (r.operator === 'Exists') return r.key;
  if (r.operator === 'DoesNotExist') return `!${r.key}`;
  const vals = r.values.join(',');
  const set = r.operator === 'In' || r.operator === 'NotIn';
  return `${r.key}${OP_TEXT[r.operator]}${set ? `(${vals})` : vals}`;
}

/** A selector over already-validated requirements (sorted here by key, stably). */
export function selectorOf(reqs: readonly Requirement[]): Selector {
  const requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const text = requirements.map(requirementToString).join(',');
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (labels) => requirements.every((r) => requirementMatches(r, labels ?? {})),
    requiresExactMatch(key) {
      const r = requirements.find((x) => x.key === key);
      if (!r || r.values.length !== 1) return undefined;
      return r.operator === 'Equals' || r.operator === 'DoubleEquals' || r.operator === 'In' ? r.values[0] : undefined;
    },
    toString: () => text,
  };
}

const EVERYTHING = selectorOf([]);

/** Matches every object. */
export function everything(): Selector {
  return EVERYTHING;
}

const NOTHING: Selector = {
  requirements: [],
  empty: false,
  matches: () => false,
  requiresExactMatch: () => undefined,
  toString: () => '',
};

/** Matches no object (what a missing `spec.selector` object selects in Kubernetes). */
export function nothing(): Selector {
  return NOTHING;
}

// ---- the parser ----

type TokenType = 'id' | '!' | '=' | '==' | '!=' | '>' | '<' | '(' | ')' | ',' | 'eos';
interface Token {
  type: TokenType;
  lit: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (WHITESPACE.has(ch)) {
      i++;
    } else if (SPECIAL.has(ch)) {
      const two = s.slice(i, i + 2);
      const type = (two === '==' || two === '!=' ? two : ch) as TokenType;
      out.push({ type, lit: type });
      i += type.length;
    } else {
      let j = i;
      while (j < s.length && !SPECIAL.has(s[j]) && !WHITESPACE.has(s[j])) j++;
      out.push({ type: 'id', lit: s.slice(i, j) });
      i = j;
    }
  }
  out.push({ type: 'eos', lit: '' });
  return out;
}

function found(t: Token): string {
  return t.type === 'eos' ? 'found end of string' : `found '${t.lit}'`;
}

const BINARY_OPS: Partial<Record<string, Operator>> = {
  '=': 'Equals',
  '==': 'DoubleEquals',
  '!=': 'NotEquals',
  '>': 'GreaterThan',
  '<': 'LessThan',
  in: 'In',
  notin: 'NotIn',
};

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.type !== 'eos') this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    if (this.peek().type === 'eos') return reqs;
    for (;;) {
      const start = this.peek();
      if (start.type !== 'id' && start.type !== '!') throw new Error(`${found(start)}, expected: !, identifier, or end of string`);
      try {
        reqs.push(this.requirement());
      } catch (err) {
        throw new Error(`unable to parse requirement: ${(err as Error).message}`);
      }
      const sep = this.next();
      if (sep.type === 'eos') return reqs;
      if (sep.type !== ',') throw new Error(`${found(sep)}, expected: ',' or end of string`);
      const after = this.peek();
      if (after.type !== 'id' && after.type !== '!') throw new Error(`${found(after)}, expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    const negated = t.type === '!';
    if (negated) t = this.next();
    if (t.type !== 'id') throw new Error(`${found(t)}, expected: identifier`);
    const key = t.lit;
    const after = this.peek().type;
    if (negated || after === 'eos' || after === ',') return newRequirement(key, negated ? 'DoesNotExist' : 'Exists', []);
    const opTok = this.next();
    const op = BINARY_OPS[opTok.lit];
    if (!op) {
      throw new Error(`${found(opTok)}, expected: one of in, notin, =, ==, !=, >, < after key '${key}'`);
    }
    const values = op === 'In' || op === 'NotIn' ? this.valueSet() : [this.exactValue()];
    return newRequirement(key, op, values);
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.type !== '(') throw new Error(`${found(open)}, expected: '('`);
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = this.next();
      if (t.type === 'id' && expectValue) {
        values.push(t.lit);
        expectValue = false;
      } else if (t.type === ',') {
        if (expectValue) values.push('');
        expectValue = true;
      } else if (t.type === ')') {
        if (expectValue) values.push('');
        return values;
      } else {
        throw new Error(`${found(t)}, expected: ${expectValue ? "a value, ',' or ')'" : "',' or ')'"}`);
      }
    }
  }

  private exactValue(): string {
    const t = this.peek();
    if (t.type === 'eos' || t.type === ',') return '';
    this.next();
    if (t.type !== 'id') throw new Error(`${found(t)}, expected: a value`);
    return t.lit;
  }
}

/** Parses the string form (`?labelSelector=`, `kubectl -l`). Throws badRequest on any error. */
export function parseLabelSelector(s: string | undefined | null): Selector {
  if (!s) return EVERYTHING;
  try {
    return selectorOf(new Parser(lex(s)).parse());
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

const EXPRESSION_OPS: Record<string, Operator> = { In: 'In', NotIn: 'NotIn', Exists: 'Exists', DoesNotExist: 'DoesNotExist' };

/**
 * A `metav1.LabelSelector` object (Deployment / ReplicaSet `spec.selector`) → Selector.
 * Absent → selects nothing; `{}` → selects everything (Kubernetes' rule). Invalid → badRequest.
 */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (!ls) return NOTHING;
  const reqs: Requirement[] = [];
  try {
    for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(newRequirement(k, 'Equals', [v]));
    for (const e of ls.matchExpressions ?? []) {
      const op = EXPRESSION_OPS[e.operator];
      if (!op) throw new Error(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
      reqs.push(newRequirement(e.key, op, e.values ?? []));
    }
  } catch (err) {
    throw badRequest(`invalid label selector: ${(err as Error).message}`);
  }
  return selectorOf(reqs);
}

/** A map of required labels (ReplicationController / Service `spec.selector`); empty → everything. Not validated, as in Kubernetes. */
export function selectorFromSet(set: Record<string, string> | undefined | null): Selector {
  return selectorOf(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: 'Equals' as const, values: [v] })));
}

/** The canonical string of a LabelSelector object ('' selects everything); throws badRequest if invalid. */
export function labelSelectorToString(ls: LabelSelector | undefined | null): string {
  return selectorFromLabelSelector(ls).toString();
}
