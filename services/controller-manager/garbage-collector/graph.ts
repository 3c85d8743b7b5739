/**
 * The garbage collector's picture of ownership (Kubernetes' graph builder): every object of every
 * watched kind by uid, and, for every uid named in some object's `ownerReferences`, the objects
 * naming it (its dependents). Built from shared informers on all kinds the collector handles
 * (`collectableResources`: every kind in the resource table that can be listed, watched and
 * deleted, once per group/plural, except Events — as Kubernetes' collector ignores them).
 *
 * Invariants:
 * - a node holds the informer's (frozen) metadata of the object as last seen; it is removed when
 *   the informer reports the object deleted;
 * - the dependents index is keyed by owner uid and exists whether or not the owner is observed, so
 *   a deleted owner's dependents are still found;
 * - `isGone(uid)`: the object with this uid was seen deleted (uids are never reused, so this is
 *   final); remembered only while some object still names it as owner.
 *
 * Which uids deserve a look after a change is decided here, from what changed (the collector then
 * works level-based from the graph): an object that is being deleted with a collector finalizer or
 * that names an owner that is not observed, gone, or waiting for its dependents' deletion; the
 * owners an object stopped naming; and, when an object is deleted, its dependents (their owner is
 * gone) and its owners (one may be waiting for it). Nothing here talks to the API.
 */
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type KubeObject, type ObjectMeta, type OwnerReference } from '../../../shared/api/meta.js';
import { RESOURCES, type ResourceInfo } from '../../../shared/api/resources.js';
import type { SharedInformer } from '../../../shared/informer/informer.js';

export interface GraphNode {
  uid: string;
  resource: ResourceInfo;
  meta: ObjectMeta;
}

/** The kinds the collector watches: listable, watchable, deletable, one row per stored kind, no Events. */
export function collectableResources(rows: readonly ResourceInfo[] = RESOURCES): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  for (const r of rows) {
    const id = `${r.group}/${r.plural}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (r.group === '' && r.plural === 'events') continue;
    if (['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) out.push(r);
  }
  return out;
}

export function hasFinalizer(meta: ObjectMeta, f: string): boolean {
  return meta.finalizers?.includes(f) ?? false;
}

/** Being deleted in the foreground: the owner waits for its dependents. */
export function deletingDependents(meta: ObjectMeta): boolean {
  return !!meta.deletionTimestamp && hasFinalizer(meta, FOREGROUND_FINALIZER);
}

function sameRefs(a: readonly OwnerReference[] | undefined, b: readonly OwnerReference[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly gone = new Set<string>();
  private listener: (uids: string[]) => void = () => undefined;

  constructor(readonly informers: readonly SharedInformer<KubeObject>[]) {
    for (const informer of informers) {
      const r = informer.resource;
      informer.addEventHandler({
        onAdd: (obj) => this.upsert(r, obj.metadata),
        onUpdate: (old, obj) => this.upsert(r, obj.metadata, old.metadata),
        onDelete: (obj) => this.remove(obj.metadata),
      });
    }
  }

  /** Who to tell which uids deserve a look (the collector's queue). */
  onAttention(listener: (uids: string[]) => void): void {
    this.listener = listener;
  }

  hasSynced(): boolean {
    return this.informers.every((i) => i.hasSynced());
  }

  /** One informer at a time: a listener per informer on the one signal would trip Node's leak warning. */
  async waitForSync(signal: AbortSignal): Promise<void> {
    for (const informer of this.informers) await informer.waitForSync(signal);
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  isGone(uid: string): boolean {
    return this.gone.has(uid);
  }

  /** Remembers that `uid` does not exist (verified with the API), while something names it. */
  markGone(uid: string): void {
    if (this.dependents.get(uid)?.size) this.gone.add(uid);
  }

  dependentsOf(uid: string): GraphNode[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.nodes.get(d)).filter((n): n is GraphNode => !!n);
  }

  /** Every uid that deserves a look now (a full pass, e.g. when the collector starts leading). */
  attentionNeeded(): string[] {
    return [...this.nodes.values()].filter((n) => this.needsAttention(n)).map((n) => n.uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  private needsAttention(node: GraphNode): boolean {
    const { meta } = node;
    if (meta.deletionTimestamp && (hasFinalizer(meta, ORPHAN_FINALIZER) || hasFinalizer(meta, FOREGROUND_FINALIZER))) return true;
    return (meta.ownerReferences ?? []).some((ref) => {
      const owner = this.nodes.get(ref.uid);
      return !owner || deletingDependents(owner.meta);
    });
  }

  private upsert(resource: ResourceInfo, meta: ObjectMeta, oldMeta?: ObjectMeta): void {
    const uid = meta.uid;
    if (!uid) return;
    const node: GraphNode = { uid, resource, meta };
    const previous = this.nodes.get(uid);
    this.nodes.set(uid, node);
    const before = previous?.meta.ownerReferences ?? oldMeta?.ownerReferences;
    const attention: string[] = [];
    if (!previous || !sameRefs(before, meta.ownerReferences)) {
      const now = new Set((meta.ownerReferences ?? []).map((r) => r.uid));
      for (const ref of before ?? []) {
        if (now.has(ref.uid)) continue;
        this.unlink(ref.uid, uid);
        attention.push(ref.uid);
      }
      for (const owner of now) this.link(owner, uid);
    }
    if (this.needsAttention(node)) attention.push(uid);
    if (attention.length) this.listener(attention);
  }

  private remove(meta: ObjectMeta): void {
    const uid = meta.uid;
    if (!uid) return;
    const node = this.nodes.get(uid);
    this.nodes.delete(uid);
    const owners = (node?.meta ?? meta).ownerReferences ?? [];
    for (const ref of owners) this.unlink(ref.uid, uid);
    const dependents = [...(this.dependents.get(uid) ?? [])];
    if (dependents.length) this.gone.add(uid);
    const attention = [...dependents, ...owners.map((r) => r.uid)];
    if (attention.length) this.listener(attention);
  }

  private link(owner: string, dependent: string): void {
    let set = this.dependents.get(owner);
    if (!set) this.dependents.set(owner, (set = new Set()));
    set.add(dependent);
  }

  private unlink(owner: string, dependent: string): void {
    const set = this.dependents.get(owner);
    if (!set) return;
    set.delete(dependent);
    if (set.size === 0) {
      this.dependents.delete(owner);
      this.gone.delete(owner);
    }
  }
}
