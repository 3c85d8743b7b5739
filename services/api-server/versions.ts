/**
 * One kind served in several versions, stored in one (kube-apiserver's storage version plus
 * conversion, without an internal version).
 *
 * The resource table lists one row per served version; the first row of a group and plural is the
 * storage version (`storageResourceOf`). The store, the watch cache, strategies, admission and
 * validation only ever see storage-version objects. Requests for any other version are converted
 * at the edges: the registry converts bodies on the way in and answers on the way out, lists and
 * watches convert every object they hand out. A kind served in one version passes through
 * untouched (no copy).
 *
 * A conversion is a pair of pure functions per kind, registered in CONVERSIONS below; a kind with a
 * second row but no conversion is a programming error found when this module loads.
 */
import type { KubeObject } from '../../shared/api/meta.js';
import { apiVersionOf, RESOURCES, storageResourceOf, type ResourceInfo } from '../../shared/api/resources.js';
import { hpaConversion } from './conversion/autoscaling.js';

export interface Conversion {
  /** An object of `version` → the storage version. Returns a fresh object; must not change `obj`. */
  toStorage(obj: KubeObject, version: string): KubeObject;
  /** A stored object → `version`. Returns a fresh object; must not change `obj`. */
  fromStorage(obj: KubeObject, version: string): KubeObject;
}

/** By `<group>/<plural>`. */
const CONVERSIONS: Readonly<Record<string, Conversion>> = {
  'autoscaling/horizontalpodautoscalers': hpaConversion,
};

for (const r of RESOURCES) {
  if (storageResourceOf(r) !== r && !CONVERSIONS[`${r.group}/${r.plural}`]) {
    throw new Error(`${apiVersionOf(r)} ${r.kind} is served besides its storage version but has no conversion`);
  }
}

/** True when `r` is the version its kind is stored in. */
export function isStorageVersion(r: ResourceInfo): boolean {
  return storageResourceOf(r) === r;
}

/** `obj` (in `r`'s version) as the storage version; `obj` itself when `r` is the storage version. */
export function toStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  const s = storageResourceOf(r);
  if (s === r) return obj;
  const out = CONVERSIONS[`${r.group}/${r.plural}`].toStorage(obj, r.version);
  out.apiVersion = apiVersionOf(s);
  out.kind = s.kind;
  return out;
}

/** A stored object in `r`'s version; the object itself when `r` is the storage version. */
export function fromStorage<T extends KubeObject>(r: ResourceInfo, obj: T): T {
  const s = storageResourceOf(r);
  if (s === r) return obj;
  const out = CONVERSIONS[`${r.group}/${r.plural}`].fromStorage(obj, r.version);
  out.apiVersion = apiVersionOf(r);
  out.kind = r.kind;
  return out as T;
}
