/**
 * Building the stream's messages (shared/api/stream.ts) and encoding them once as the bytes of a
 * text frame. A change names the object by the storage row of its kind (kind, apiVersion),
 * carries its uid and resourceVersion at the top so a client that asked for `objects=false` still
 * knows what changed, and the time the api-server received it.
 */
import type { KubeObject } from '../../../shared/api/meta.js';
import { apiVersionOf, type ResourceInfo } from '../../../shared/api/resources.js';
import type { StreamBookmark, StreamChange, StreamChangeType, StreamMessage } from '../../../shared/api/stream.js';
import type { ChangeTime } from './change-times.js';

export function changeMessage(type: StreamChangeType, r: ResourceInfo, object: KubeObject, rev: number, time: ChangeTime, withObject: boolean): StreamChange {
  const m: StreamChange = {
    type,
    kind: r.kind,
    apiVersion: apiVersionOf(r),
    ...(r.namespaced ? { namespace: object.metadata.namespace ?? '' } : {}),
    name: object.metadata.name ?? '',
    uid: object.metadata.uid ?? '',
    resourceVersion: String(rev),
    time: new Date(time.ms).toISOString(),
  };
  if (time.estimated) m.timeEstimated = true;
  if (withObject) m.object = { ...object, kind: r.kind, apiVersion: apiVersionOf(r) };
  return m;
}

export function bookmarkMessage(rev: number, ms: number, caughtUp = false): StreamBookmark {
  return { type: 'BOOKMARK', resourceVersion: String(rev), time: new Date(ms).toISOString(), ...(caughtUp ? { caughtUp: true as const } : {}) };
}

export function encodeMessage(m: StreamMessage): Buffer {
  return Buffer.from(JSON.stringify(m), 'utf8');
}
