/**
 * The shape of a printer: the column definitions of one kind (name, type, format, description,
 * priority — priority 1 columns are the ones kubectl shows only with `-o wide`) and a row function
 * that turns one object into its cells. Cells are strings or numbers exactly as kubectl will print
 * them: kubectl adds nothing but padding.
 *
 * Printers always produce every cell, wide ones included (kube-apiserver prints wide and lets the
 * client hide priority > 0 columns). A row function must not throw on a partial object: anything
 * missing prints as the real printers print a zero value.
 *
 * Descriptions come from our own schemas (`shared/api/schema`), the way Kubernetes takes them from
 * its API docs, so a column and `kubectl explain` say the same thing.
 */
import type { KubeObject } from '../../../../shared/api/meta.js';
import { definitions } from '../../../../shared/api/schema/registry.js';
import { OBJECT_META } from '../../../../shared/api/schema/dsl.js';
import type { Clock } from '../../../../shared/runtime/clock.js';
import { since } from '../duration.js';

export type Cell = string | number | boolean;

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** metav1.TableRowCondition: kubectl reads `Completed` to know a row is finished. */
export interface RowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface Printer<T extends KubeObject = KubeObject> {
  columns: readonly ColumnDefinition[];
  row(obj: T, clock: Clock): Cell[];
  conditions?(obj: T): RowCondition[] | undefined;
}

/** Erases a printer's object type so printers of every kind live in one table. */
export function printer<T extends KubeObject>(p: Printer<T>): Printer {
  return p as unknown as Printer;
}

export function column(
  name: string,
  description: string,
  opts: { type?: ColumnDefinition['type']; format?: string; priority?: number } = {},
): ColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** The description of `field` in the schema definition `definitionName` ('' when unknown). */
export function doc(definitionName: string, field: string): string {
  return definitions.get(definitionName)?.properties[field]?.description ?? '';
}

export const NAME_COLUMN = column('Name', doc(OBJECT_META, 'name'), { format: 'name' });
export const AGE_COLUMN = column('Age', doc(OBJECT_META, 'creationTimestamp'));

/** The Age cell of any object. */
export function age(obj: KubeObject, clock: Clock): string {
  return since(obj.metadata.creationTimestamp, clock);
}

/** `k=v,k=v` sorted by key, or `<none>` (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** `a,b,c` for the first three, then ` + N more...` (the printers' list-with-more form). */
export function listWithMore(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}
