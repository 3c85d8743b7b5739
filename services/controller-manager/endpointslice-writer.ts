/**
 * Writing one owner's set of EndpointSlices, shared by the EndpointSlice controller (owner: a
 * Service, ./endpointslices.ts) and the mirroring controller (owner: an Endpoints object,
 * ./endpointslice-mirroring.ts).
 *
 * - `planSlices` (pure): endpoints grouped by port list go into slices of at most 100 (Kubernetes'
 *   `maxEndpointsPerSlice`); an endpoint stays in the slice that holds it, new ones fill free room
 *   before a slice is created, a slice that would be deleted is rewritten instead of creating a new
 *   one, and an owner without endpoints keeps one empty placeholder slice.
 * - `SliceWriter.write` applies a plan: creates with `generateName` `<base>-`, updates only the
 *   slices whose ports, endpoints, labels or owner differ, deletes the rest (uid precondition).
 * - Because names are generated, a repeated create would make a duplicate: after writing for a key,
 *   `fresh(key)` is false until the slice cache shows those writes (the revisions of the creates and
 *   updates reached, the deleted slices gone), as Kubernetes' endpoint slice tracker does. Callers
 *   skip a key that is not fresh; the cache's own events bring it back.
 */
import type { EndpointSlice } from '../../shared/api/apps.js';
import { isStatusError } from '../../shared/api/errors.js';
import { rvOf, type OwnerReference } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { ipOrder } from './endpoints.js';

export const ENDPOINT_SLICES = resourceByPlural('endpointslices');
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export type SliceEndpoint = EndpointSlice['endpoints'][number];
export type SlicePort = NonNullable<EndpointSlice['ports']>[number];
export type DesiredSlices = Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>;

export function portsSig(ports: readonly SlicePort[] | undefined): string {
  return (ports ?? []).map((p) => `${p.name ?? ''}/${p.port ?? ''}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`).join(',');
}

function endpointSig(e: SliceEndpoint): string {
  const c = e.conditions ?? {};
  const t = e.targetRef;
  return [(e.addresses ?? []).join('+'), c.ready, c.serving, c.terminating, e.nodeName ?? '', e.hostname ?? '', t?.kind ?? '', t?.namespace ?? '', t?.name ?? '', t?.uid ?? ''].join('|');
}

function labelsSig(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const firstIp = (e: SliceEndpoint): string => e.addresses?.[0] ?? '';
export const byAddress = (a: SliceEndpoint, b: SliceEndpoint): number => ipOrder(firstIp(a), firstIp(b));

/** Adds an endpoint to the group of its port list. */
export function addToGroup(groups: DesiredSlices, ports: SlicePort[], endpoint: SliceEndpoint): void {
  const key = portsSig(ports);
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { ports, endpoints: [] }));
  g.endpoints.push(endpoint);
}

export interface PlannedSlice {
  /** The existing slice this becomes, or undefined for a new one. */
  existing?: EndpointSlice;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export function planSlices(existing: readonly EndpointSlice[], desired: DesiredSlices, max = MAX_ENDPOINTS_PER_SLICE): { keep: PlannedSlice[]; remove: EndpointSlice[] } {
  const keep: PlannedSlice[] = [];
  const remove: EndpointSlice[] = [];
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const k = portsSig(s.ports);
    byPorts.set(k, [...(byPorts.get(k) ?? []), s]);
  }
  for (const [key, group] of desired) {
    const want = new Map(group.endpoints.map((e) => [firstIp(e), e]));
    const planned: PlannedSlice[] = [];
    for (const s of byPorts.get(key) ?? []) {
      const stay: SliceEndpoint[] = [];
      for (const e of s.endpoints ?? []) {
        const w = want.get(firstIp(e));
        if (w && stay.length < max) {
          stay.push(w);
          want.delete(firstIp(e));
        }
      }
      planned.push({ existing: s, ports: group.ports, endpoints: stay });
    }
    byPorts.delete(key);
    const rest = [...want.values()];
    for (const p of planned) while (rest.length > 0 && p.endpoints.length < max) p.endpoints.push(rest.shift() as SliceEndpoint);
    while (rest.length > 0) planned.push({ ports: group.ports, endpoints: rest.splice(0, max) });
    for (const p of planned) {
      if (p.endpoints.length > 0) keep.push({ ...p, endpoints: p.endpoints.sort(byAddress) });
      else if (p.existing) remove.push(p.existing);
    }
  }
  // Slices whose port list nothing gives any more go, unless one is kept as the placeholder.
  remove.push(...[...byPorts.values()].flat());
  if (keep.length === 0) {
    const placeholder = remove.find((s) => (s.ports ?? []).length === 0 && (s.endpoints ?? []).length === 0) ?? remove[0];
    keep.push({ existing: placeholder, ports: [], endpoints: [] });
    if (placeholder) remove.splice(remove.indexOf(placeholder), 1);
  }
  // A new slice takes over one that would be deleted (an update instead of a create and a delete).
  for (const p of keep) if (!p.existing && remove.length > 0) p.existing = remove.shift();
  return { keep, remove };
}

export interface SliceSet {
  namespace: string;
  /** Names are `<base>-<random>`. */
  baseName: string;
  labels: Record<string, string>;
  owner: OwnerReference;
  desired: DesiredSlices;
}

interface Expected {
  /** The slice cache must have reached this revision (our creates and updates). */
  revision: number;
  /** Slices we deleted that the cache must no longer show (namespace/name). */
  deleted: Set<string>;
}

export class SliceWriter {
  private readonly expected = new Map<string, Expected>();

  constructor(
    private readonly api: ApiClient,
    /** The slices of the calling controller (the cache whose freshness matters). */
    private readonly slices: SharedInformer<EndpointSlice>,
    private readonly maxPerSlice = MAX_ENDPOINTS_PER_SLICE,
  ) {}

  /** Whether the slice cache shows every write made for this key. */
  fresh(key: string): boolean {
    const exp = this.expected.get(key);
    if (!exp) return true;
    for (const k of exp.deleted) if (!this.slices.lister.get(k)) exp.deleted.delete(k);
    if (exp.deleted.size === 0 && Number(this.slices.lastResourceVersion || 0) >= exp.revision) {
      this.expected.delete(key);
      return true;
    }
    return false;
  }

  /** Makes `current` (the key's slices owned by `set.owner`) say `set.desired`; `stale` slices go. Answers the number of writes. */
  async write(key: string, current: EndpointSlice[], stale: EndpointSlice[], set: SliceSet): Promise<number> {
    const plan = planSlices(current, set.desired, this.maxPerSlice);
    const writes: Promise<unknown>[] = [...stale, ...plan.remove].map((s) => this.remove(key, s));
    for (const p of plan.keep) {
      const s = p.existing;
      if (!s) {
        const body = {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: `${set.baseName.slice(0, 58)}-`, namespace: set.namespace, labels: set.labels, ownerReferences: [set.owner] },
          addressType: 'IPv4',
          endpoints: p.endpoints,
          ports: p.ports,
        };
        writes.push(this.api.create<EndpointSlice>(ENDPOINT_SLICES, set.namespace, body).then((created) => this.expect(key, created)));
        continue;
      }
      const unchanged =
        portsSig(s.ports) === portsSig(p.ports) &&
        labelsSig(s.metadata.labels) === labelsSig(set.labels) &&
        (s.endpoints ?? []).map(endpointSig).join('\n') === p.endpoints.map(endpointSig).join('\n') &&
        s.metadata.ownerReferences?.some((r) => r.uid === set.owner.uid && r.controller);
      if (unchanged) continue;
      const body: EndpointSlice = { ...s, metadata: { ...s.metadata, labels: set.labels, ownerReferences: [set.owner] }, addressType: 'IPv4', endpoints: p.endpoints, ports: p.ports };
      writes.push(this.api.update<EndpointSlice>(ENDPOINT_SLICES, body).then((updated) => this.expect(key, updated)));
    }
    await settleAll(writes);
    return writes.length;
  }

  async removeAll(key: string, slices: EndpointSlice[]): Promise<void> {
    await settleAll(slices.map((s) => this.remove(key, s)));
  }

  private expect(key: string, written: EndpointSlice | undefined, deleted?: EndpointSlice): void {
    let exp = this.expected.get(key);
    if (!exp) this.expected.set(key, (exp = { revision: 0, deleted: new Set() }));
    if (written) exp.revision = Math.max(exp.revision, rvOf(written));
    if (deleted) exp.deleted.add(`${deleted.metadata.namespace ?? ''}/${deleted.metadata.name ?? ''}`);
  }

  private async remove(key: string, s: EndpointSlice): Promise<void> {
    try {
      await this.api.delete(ENDPOINT_SLICES, s.metadata.namespace, s.metadata.name ?? '', { preconditions: { uid: s.metadata.uid } });
      this.expect(key, undefined, s);
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }
}

/** Waits for every write, then throws the first failure (so the caller's retry sees the others' effects). */
async function settleAll(writes: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
