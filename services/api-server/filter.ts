/**
 * What a list or watch asks for: namespace, label selector and field selector, parsed and checked
 * once (400 BadRequest on a bad selector or an unsupported field label), then applied per object.
 * The same filter serves lists and watches, so `get` and `get -w` always agree.
 */
import type { KubeObject } from '../../shared/api/meta.js';
import type { ResourceInfo } from '../../shared/api/resources.js';
import { parseLabelSelector } from '../../shared/selectors/labels.js';
import { matchesFields, parseFieldSelector, validateFieldSelector } from '../../shared/selectors/fields.js';

export interface Filter {
  namespace?: string;
  matches(obj: KubeObject): boolean;
  /** True when nothing but the namespace restricts (lets callers skip per-object work). */
  everything: boolean;
}

export function makeFilter(r: ResourceInfo, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Filter {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields) validateFieldSelector(r.plural, fields);
  const ns = r.namespaced ? namespace : undefined;
  const labelsEmpty = !labels || labels.empty;
  const fieldsEmpty = !fields || fields.empty;
  return {
    namespace: ns,
    everything: labelsEmpty && fieldsEmpty,
    matches(obj) {
      if (ns && obj.metadata.namespace !== ns) return false;
      if (!labelsEmpty && !labels!.matches(obj.metadata.labels ?? {})) return false;
      if (!fieldsEmpty && !matchesFields(r.plural, obj, fields!)) return false;
      return true;
    },
  };
}
