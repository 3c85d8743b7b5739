/**
 * The garbage collector: deleting an owner deletes its dependents, as Kubernetes' collector does.
 *
 * Level-based, keyed by uid, from the ownership graph (./graph.ts), for an object in the graph:
 * - **being deleted with `orphan`**: every dependent loses its ownerReference to the object, then
 *   the finalizer is removed (the object goes; the dependents stay, as orphans);
 * - **being deleted with `foregroundDeletion`**: while a dependent still blocks (its reference has
 *   `blockOwnerDeletion: true` and it exists, even Terminating), every dependent not yet being
 *   deleted is looked at (and so deleted, its owner now waiting); once none blocks, the finalizer
 *   is removed and the object goes;
 * - **being deleted otherwise**: nothing to do;
 * - **with owners** (./owners.ts): with a solid (or unresolvable) owner it stays, minus the
 *   references to owners that are gone or waiting; otherwise it is deleted — in the foreground when
 *   an owner waits for it and it has dependents of its own (so the wait covers the grandchildren),
 *   else with the policy its own finalizers ask for (Background by default). A Background delete of
 *   an owner thus reaches its dependents when the owner's deletion shows in the graph: they dangle.
 *
 * Deletes carry the object's uid as precondition; patches go through `patchMetadata` (guarded by
 * resourceVersion). Objects already gone are not errors; other failures are thrown for a
 * rate-limited retry. Dependents of owners deleted while no collector ran are found on the first
 * pass, which looks at everything the graph says needs attention. Needs leadership.
 */
import { isStatusError } from '../../../shared/api/errors.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type KubeObject } from '../../../shared/api/meta.js';
import type { ApiClient, DeleteOptions } from '../../../shared/client/api.js';
import { Controller, type Reconciler } from '../../../shared/controller/controller.js';
import type { Runnable } from '../../../shared/controller/manager.js';
import { silentLogger, type Logger } from '../../../shared/runtime/logger.js';
import type { ControllerContext } from '../context.js';
import { patchMetadata } from '../metadata-patch.js';
import { collectableResources, deletingDependents, hasFinalizer, OwnerGraph, type GraphNode } from './graph.js';
import { classifyOwners } from './owners.js';

const WORKERS = 20;
const PARALLEL = 16;

export interface GarbageCollectorOptions {
  api: ApiClient;
  graph: OwnerGraph;
  log?: Logger;
}

function asObject(node: GraphNode): KubeObject {
  return { metadata: node.meta };
}

export class GarbageCollector implements Reconciler {
  /** Where uids to look at go (the controller's queue while running). */
  enqueue: (uid: string) => void = () => undefined;
  private readonly log: Logger;

  constructor(private readonly o: GarbageCollectorOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'garbage-collector' });
  }

  async reconcile(uid: string): Promise<void> {
    const node = this.o.graph.get(uid);
    if (!node) return;
    if (node.meta.deletionTimestamp) {
      if (hasFinalizer(node.meta, ORPHAN_FINALIZER)) return this.orphanDependents(node);
      if (hasFinalizer(node.meta, FOREGROUND_FINALIZER)) return this.awaitDependents(node);
      return;
    }
    if ((node.meta.ownerReferences ?? []).length === 0) return;
    await this.collect(node);
  }

  private async orphanDependents(owner: GraphNode): Promise<void> {
    const dependents = this.o.graph.dependentsOf(owner.uid);
    const errors: unknown[] = [];
    for (let i = 0; i < dependents.length; i += PARALLEL) {
      const results = await Promise.allSettled(dependents.slice(i, i + PARALLEL).map((d) => this.dropOwnerRefs(d, [owner.uid])));
      for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
    }
    if (errors.length) throw errors[0];
    await this.removeFinalizer(owner, ORPHAN_FINALIZER);
    this.log.info({ owner: describe(owner), orphaned: dependents.length }, 'orphaned dependents');
  }

  private async awaitDependents(owner: GraphNode): Promise<void> {
    const dependents = this.o.graph.dependentsOf(owner.uid);
    const blocking = dependents.filter((d) => d.meta.ownerReferences?.some((r) => r.uid === owner.uid && r.blockOwnerDeletion === true));
    if (blocking.length === 0) {
      await this.removeFinalizer(owner, FOREGROUND_FINALIZER);
      this.log.info({ owner: describe(owner) }, 'dependents gone: foreground deletion finished');
      return;
    }
    for (const d of dependents) if (!d.meta.deletionTimestamp) this.enqueue(d.uid);
  }

  private async collect(node: GraphNode): Promise<void> {
    const owners = await classifyOwners(this.o.api, this.o.graph, node);
    if (owners.solid.length || owners.unresolved.length) {
      const drop = [...owners.dangling, ...owners.waiting].map((r) => r.uid);
      if (drop.length) await this.dropOwnerRefs(node, drop);
      return;
    }
    const dependents = this.o.graph.dependentsOf(node.uid);
    if (owners.waiting.length && dependents.length) {
      // A dependent of ours that itself waits for its dependents could wait on us in a cycle: stop blocking our owners.
      if (dependents.some((d) => deletingDependents(d.meta))) await this.unblockOwners(node);
      return this.delete(node, 'Foreground');
    }
    const policy = hasFinalizer(node.meta, ORPHAN_FINALIZER) ? 'Orphan' : hasFinalizer(node.meta, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
    await this.delete(node, policy);
  }

  private async delete(node: GraphNode, propagationPolicy: NonNullable<DeleteOptions['propagationPolicy']>): Promise<void> {
    const { namespace, name = '', uid } = node.meta;
    try {
      await this.o.api.delete(node.resource, namespace, name, { propagationPolicy, preconditions: { uid } });
      this.log.info({ object: describe(node), propagationPolicy }, 'deleted object whose owners are gone');
    } catch (err) {
      if (isStatusError(err, 'NotFound') || (isStatusError(err, 'Conflict') && /UID in precondition/.test(err.message))) return;
      throw err;
    }
  }

  private async dropOwnerRefs(node: GraphNode, uids: readonly string[]): Promise<void> {
    await patchMetadata(this.o.api, node.resource, asObject(node), (obj) => {
      const refs = obj.metadata.ownerReferences ?? [];
      const keep = refs.filter((r) => !uids.includes(r.uid));
      return keep.length === refs.length ? undefined : { ownerReferences: keep };
    });
  }

  private async unblockOwners(node: GraphNode): Promise<void> {
    await patchMetadata(this.o.api, node.resource, asObject(node), (obj) => {
      const refs = obj.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.blockOwnerDeletion)) return undefined;
      return { ownerReferences: refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)) };
    });
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    await patchMetadata(this.o.api, node.resource, asObject(node), (obj) => {
      const finalizers = obj.metadata.finalizers ?? [];
      return finalizers.includes(finalizer) ? { finalizers: finalizers.filter((f) => f !== finalizer) } : undefined;
    });
  }
}

function describe(node: GraphNode): string {
  const { namespace, name } = node.meta;
  return `${node.resource.plural}/${namespace ? `${namespace}/` : ''}${name}`;
}

export function garbageCollectorController(ctx: ControllerContext): Runnable {
  const graph = new OwnerGraph(collectableResources().map((r) => ctx.informer(r)));
  const collector = new GarbageCollector({ api: ctx.api, graph, log: ctx.log });
  const controller = new Controller({ name: 'garbage-collector', reconciler: collector, clock: ctx.clock, log: ctx.log, workers: WORKERS });
  return {
    name: controller.name,
    needLeaderElection: true,
    async run(signal) {
      try {
        await graph.waitForSync(signal);
      } catch {
        return; // stopped before the caches synced
      }
      const done = controller.run(signal);
      const enqueue = (uid: string): void => controller.enqueue(uid);
      graph.onAttention((uids) => uids.forEach(enqueue));
      collector.enqueue = enqueue;
      for (const uid of graph.attentionNeeded()) enqueue(uid);
      try {
        await done;
      } finally {
        graph.onAttention(() => undefined);
        collector.enqueue = () => undefined;
      }
    },
  };
}
