/**
 * Content negotiation for Tables: does a request's Accept header ask for a `meta.k8s.io` Table,
 * and which parts of each object should ride along in its rows.
 *
 * The Accept header is read in the client's order, as kube-apiserver does: the first clause the
 * server can answer decides. A clause `application/json;as=Table;g=meta.k8s.io;v=v1` (or
 * `v=v1beta1`) picks a Table of that version; a plain clause kubemu serves (`application/json`,
 * protobuf — answered as JSON —, yaml, wildcards) picks the plain object; clauses for
 * representations kubemu does not produce (other `as=` kinds, Tables in other encodings) are
 * skipped. kubectl's `get` sends Table v1, Table v1beta1, then JSON, so it gets Table v1.
 *
 * `includeObject` (query): `None` (rows carry no object), `Metadata` (the default: a
 * PartialObjectMetadata, which is what `--show-labels`, `-L` and `-A` read) or `Object` (the
 * whole object; what `--sort-by` asks for). Anything else is a 400.
 */
import { badRequest } from '../../../shared/api/errors.js';

export type TableVersion = 'v1' | 'v1beta1';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

const PLAIN_TYPES = new Set(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/*', '*/*']);

interface Clause {
  type: string;
  params: Map<string, string>;
}

function parseClause(text: string): Clause {
  const [type = '', ...rest] = text.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i > 0) params.set(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim());
  }
  return { type: type.trim().toLowerCase(), params };
}

/** The Table version an Accept header asks for, or undefined for a plain answer. */
export function wantsTable(accept: string | undefined): TableVersion | undefined {
  if (!accept) return undefined;
  for (const raw of accept.split(',')) {
    const c = parseClause(raw);
    const as = c.params.get('as');
    if (as === undefined) {
      if (PLAIN_TYPES.has(c.type)) return undefined;
      continue;
    }
    if (as !== 'Table' || c.params.get('g') !== 'meta.k8s.io' || c.type !== 'application/json') continue;
    const v = c.params.get('v');
    if (v === 'v1' || v === 'v1beta1') return v;
  }
  return undefined;
}

/** The `includeObject` query value, `Metadata` when absent; 400 for anything unknown. */
export function includeObjectOf(value: string | undefined): IncludeObject {
  if (value === undefined || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`unrecognized includeObject value: "${value}" (must be None, Metadata or Object)`);
}
