/**
 * Objects → a `meta.k8s.io` Table, what `kubectl get` prints: the resource's column definitions
 * and one row per object with its cells and, as `includeObject` says, nothing, the object's
 * metadata as a PartialObjectMetadata (the default; kubectl reads labels and namespaces from it)
 * or the whole object.
 *
 * The Table's metadata carries the list's resourceVersion / continue / remainingItemCount (a
 * one-object Table carries the object's resourceVersion), so `kubectl get -w` can watch from it
 * and kubectl can page. `columnDefinitions` may be left out (null) for watch events after the
 * first, as kube-apiserver does: kubectl keeps the headers of the first Table it saw.
 *
 * Pure: no I/O; time comes from the Clock.
 */
import type { KubeObject, ListMeta } from '../../../shared/api/meta.js';
import { apiVersionOf, type ResourceInfo } from '../../../shared/api/resources.js';
import type { Clock } from '../../../shared/runtime/clock.js';
import type { Cell, ColumnDefinition, RowCondition } from './columns/column.js';
import { printerFor } from './columns/index.js';
import type { IncludeObject, TableVersion } from './negotiate.js';

export interface TableRow {
  cells: Cell[];
  conditions?: RowCondition[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: ListMeta;
  columnDefinitions: ColumnDefinition[] | null;
  rows: TableRow[];
}

export interface TableOptions {
  clock: Clock;
  includeObject?: IncludeObject;
  /** meta.k8s.io version of the Table (and of PartialObjectMetadata rows); v1 by default. */
  version?: TableVersion;
  /** resourceVersion / continue / remainingItemCount of the Table. */
  metadata?: ListMeta;
  /** false: columnDefinitions null (later events of a watch). */
  withColumns?: boolean;
}

function rowObject(r: ResourceInfo, obj: KubeObject, include: IncludeObject, metaVersion: string): unknown {
  switch (include) {
    case 'None':
      return undefined;
    case 'Object':
      return { ...obj, kind: obj.kind ?? r.kind, apiVersion: obj.apiVersion ?? apiVersionOf(r) };
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: metaVersion, metadata: obj.metadata };
  }
}

export function toTable(r: ResourceInfo, objects: readonly KubeObject[], opts: TableOptions): Table {
  const printer = printerFor(r);
  const metaVersion = `meta.k8s.io/${opts.version ?? 'v1'}`;
  const include = opts.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.row(obj, opts.clock) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    const object = rowObject(r, obj, include, metaVersion);
    if (object !== undefined) row.object = object;
    return row;
  });
  const metadata: ListMeta = {};
  if (opts.metadata?.resourceVersion !== undefined) metadata.resourceVersion = opts.metadata.resourceVersion;
  if (opts.metadata?.continue) metadata.continue = opts.metadata.continue;
  if (opts.metadata?.remainingItemCount !== undefined) metadata.remainingItemCount = opts.metadata.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: metaVersion,
    metadata,
    columnDefinitions: opts.withColumns === false ? null : [...printer.columns],
    rows,
  };
}
