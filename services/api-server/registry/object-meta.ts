/**
 * The server-owned parts of an object on its way into storage: TypeMeta checked against the URL,
 * the namespace reconciled with the path, names generated from `generateName`, uid /
 * creationTimestamp / generation set on create, and the system fields a client may not change on
 * update carried over from the stored object. Errors are the 400s kube-apiserver gives for these.
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from '../../../shared/api/errors.js';
import type { KubeObject, ObjectMeta } from '../../../shared/api/meta.js';
import { apiVersionOf, type ResourceInfo } from '../../../shared/api/resources.js';
import { isoTime, type Clock } from '../../../shared/runtime/clock.js';

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 random characters from Kubernetes' alphabet (no vowels, no look-alikes). */
export function generatedName(prefix: string): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return prefix.slice(0, 63 - 5) + s;
}

/** The object's apiVersion/kind must match the URL's resource (filled in when absent). */
export function checkTypeMeta(r: ResourceInfo, obj: KubeObject): void {
  const want = apiVersionOf(r);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== r.kind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${r.kind}) for the resource ${r.plural}`);
  }
  obj.apiVersion = want;
  obj.kind = r.kind;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
}

/** Namespace from the path wins; a different one in the body is an error, as in Kubernetes. */
export function reconcileNamespace(r: ResourceInfo, meta: ObjectMeta, pathNamespace: string | undefined): void {
  if (!r.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace && pathNamespace && meta.namespace !== pathNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  meta.namespace = pathNamespace ?? meta.namespace;
}

export function prepareCreateMeta(meta: ObjectMeta, clock: Clock, tracksGeneration: boolean): void {
  if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
  meta.uid = randomUUID();
  meta.creationTimestamp = isoTime(clock);
  if (tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  delete meta.managedFields;
}

/** On update, the fields only the server sets come from the stored object. */
export function keepSystemMeta(meta: ObjectMeta, old: ObjectMeta): void {
  meta.uid = old.uid;
  meta.creationTimestamp = old.creationTimestamp;
  meta.namespace = old.namespace;
  if (old.deletionTimestamp) {
    meta.deletionTimestamp = old.deletionTimestamp;
    meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  } else {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  if (old.generation !== undefined) meta.generation = old.generation;
  else delete meta.generation;
  if (old.generateName !== undefined) meta.generateName = old.generateName;
  delete meta.selfLink;
  delete meta.managedFields;
}

/** The form written to the store: no resourceVersion (it is the key's modRevision). */
export function storedForm(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}
