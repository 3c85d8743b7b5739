/**
 * The pod-template hash that names a Deployment's ReplicaSets (`<deployment>-<hash>`) and labels
 * them and their pods (`pod-template-hash`), and template equality "ignoring the hash".
 *
 * - The hash is FNV-1a (32 bit) over the template's canonical JSON (keys sorted; null, undefined,
 *   empty objects and empty arrays dropped, so a defaulted round trip through the api-server does
 *   not change it), followed by the Deployment's `status.collisionCount` as 4 little-endian bytes
 *   when set, as Kubernetes does to get a new name after a collision. The decimal value is then
 *   spelled in Kubernetes' "safe" alphabet (one character per digit, no vowels), so names look like
 *   Kubernetes' (`kubia-5d9c8b7f6d`). Kubernetes hashes the Go struct dump; ours differs in value,
 *   not in behaviour: the same template always gives the same name, a changed one a new name.
 * - `equalIgnoringHash` compares two templates after removing the hash label from both, treating
 *   absent, null and empty as the same (Kubernetes' semantic equality treats nil and empty alike).
 *
 * Pure functions; no I/O.
 */
import type { PodTemplateSpec } from '../../../shared/api/core.js';

export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** The alphabet Kubernetes spells generated name suffixes with (no vowels, no 0/1/3). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with sorted keys and empty values removed; `undefined` when nothing is left. */
export function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v) ?? null);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

function fnv1a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv1a(new TextEncoder().encode(JSON.stringify(canonical(template) ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(4);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a(extra, h);
  }
  return [...String(h)].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

function withoutHash(template: PodTemplateSpec | undefined): unknown {
  if (!template) return undefined;
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH];
  return canonical({ ...template, metadata: { ...(template.metadata ?? {}), labels } });
}

export function equalIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return JSON.stringify(withoutHash(a)) === JSON.stringify(withoutHash(b));
}

/** JSON equality ignoring key order and empty values (status and annotation comparisons). */
export function sameContent(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
