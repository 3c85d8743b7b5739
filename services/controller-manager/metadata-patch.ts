/**
 * Changing an object's metadata (ownerReferences, finalizers) the way controllers must, without
 * losing a concurrent writer's change: a JSON merge patch of just the changed metadata fields plus
 * the resourceVersion the change was computed from. A concurrent write makes it fail with Conflict;
 * then the object is read again and `change` is asked again on the fresh state (a few times).
 *
 * `change(obj)` returns the metadata fields to set (whole values: lists are replaced), or
 * undefined when nothing needs changing in that state. The answer says what happened: `patched`
 * (with the new object), `unchanged`, or `gone` (NotFound, or replaced by a new object with another
 * uid under the same name). Other errors are thrown.
 */
import { isStatusError } from '../../shared/api/errors.js';
import type { KubeObject, ObjectMeta } from '../../shared/api/meta.js';
import type { ResourceInfo } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';

export type MetadataChange<T extends KubeObject> = (obj: T) => Partial<ObjectMeta> | undefined;

export type PatchOutcome<T extends KubeObject> = { status: 'patched'; object: T } | { status: 'unchanged' | 'gone' };

const ATTEMPTS = 4;

export async function patchMetadata<T extends KubeObject>(api: ApiClient, r: ResourceInfo, cached: T, change: MetadataChange<T>): Promise<PatchOutcome<T>> {
  const { namespace, name = '', uid } = cached.metadata;
  let current: T = cached;
  for (let attempt = 1; ; attempt++) {
    const fields = change(current);
    if (!fields) return { status: 'unchanged' };
    try {
      const object = await api.patch<T>(r, namespace, name, 'merge', { metadata: { ...fields, resourceVersion: current.metadata.resourceVersion } });
      return { status: 'patched', object };
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return { status: 'gone' };
      if (!isStatusError(err, 'Conflict') || attempt >= ATTEMPTS) throw err;
    }
    try {
      current = await api.get<T>(r, namespace, name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return { status: 'gone' };
      throw err;
    }
    if (current.metadata.uid !== uid) return { status: 'gone' };
  }
}
