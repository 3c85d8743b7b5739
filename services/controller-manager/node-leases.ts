/**
 * Node Leases mirrored from bus heartbeats: `coordination.k8s.io/v1` Lease `kube-node-lease/<node>`
 * with holderIdentity = the node, leaseDurationSeconds from the profile, renewTime = the last
 * heartbeat heard (MicroTime) and an ownerReference to its Node — what a real kubelet writes, so
 * `kubectl describe node` and `kubectl get lease -n kube-node-lease` show what Kubernetes shows.
 *
 * Batched, because a heartbeat per node per second must not become a write per node per second:
 * every tick (`nodeMonitorPeriodMs`) the leases that are due are written, most stale first, where
 * due means missing, pointing at an old Node (re-registered) or last renewed at least
 * `nodeLeaseRenewIntervalMs` (default a quarter of the lease duration) before the last heartbeat;
 * at most `nodeLeaseWritesPerSecond` per second overall (0 = no bound), the rest wait for the next
 * tick. A node that stops sending heartbeats simply stops being renewed: its Lease expires as a
 * dead kubelet's would. Leases are only created for Nodes that exist; the Lease of a Node that was
 * deleted is deleted (the uid precondition spares a re-created one).
 *
 * The node lifecycle controller judges liveness from the heartbeats themselves, not from these
 * Leases (except as a fallback right after it starts). Needs leadership; conflicts are left to the
 * next tick.
 */
import type { Lease } from '../../shared/api/apps.js';
import type { Node } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { Runnable } from '../../shared/controller/manager.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import { microTimeAt, type Clock } from '../../shared/runtime/clock.js';
import { silentLogger, type Logger } from '../../shared/runtime/logger.js';
import { NODE_LEASE_NAMESPACE, type ControllerContext } from './context.js';
import type { HeartbeatTracker } from './heartbeats.js';

const LEASES = resourceByPlural('leases');

export interface NodeLeasesOptions {
  api: ApiClient;
  nodes: SharedInformer<Node>;
  leases: SharedInformer<Lease>;
  heartbeats: HeartbeatTracker;
  clock: Clock;
  log?: Logger;
  leaseDurationSeconds: number;
  renewIntervalMs: number;
  writesPerSecond: number;
  tickMs: number;
}

interface Due {
  node: Node;
  heardAt: number;
  lease?: Lease;
  staleness: number;
}

function renewMs(lease: Lease | undefined): number {
  const t = Date.parse(lease?.spec?.renewTime ?? '');
  return Number.isFinite(t) ? t : -Infinity;
}

export class NodeLeases implements Runnable {
  readonly name = 'node-lease';
  readonly needLeaderElection = true;
  private readonly log: Logger;
  /** renewTime we last wrote per node: the cache may not have caught up yet. */
  private readonly written = new Map<string, number>();
  /** Writes allowed now: a bucket refilled at writesPerSecond, holding at most one second's worth. */
  private budget: number;
  private lastTick = 0;

  constructor(private readonly o: NodeLeasesOptions) {
    this.log = (o.log ?? silentLogger()).child({ controller: 'node-lease' });
    this.budget = o.writesPerSecond > 0 ? o.writesPerSecond : Infinity;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await Promise.all([this.o.nodes.waitForSync(signal), this.o.leases.waitForSync(signal)]);
    } catch {
      return;
    }
    this.written.clear();
    while (!signal.aborted) {
      await this.tick().catch((err: unknown) => this.log.warn({ err }, 'node lease pass failed'));
      await this.o.clock.sleep(this.o.tickMs, signal).catch(() => undefined);
    }
  }

  /** One pass: writes the leases that are due within the write budget; returns how many were written. */
  async tick(): Promise<number> {
    const now = this.o.clock.now();
    const { writesPerSecond } = this.o;
    const elapsed = this.lastTick ? now - this.lastTick : 0;
    if (writesPerSecond > 0) this.budget = Math.min(writesPerSecond, this.budget + (elapsed / 1000) * writesPerSecond);
    this.lastTick = now;
    const due = this.dueLeases().sort((a, b) => b.staleness - a.staleness);
    const batch = due.slice(0, Math.max(0, Math.floor(this.budget)));
    this.budget -= batch.length;
    const results = await Promise.all(batch.map((d) => this.write(d)));
    await this.deleteOrphans();
    return results.filter(Boolean).length;
  }

  private dueLeases(): Due[] {
    const out: Due[] = [];
    for (const [name, heard] of this.o.heartbeats.entries()) {
      const node = this.o.nodes.lister.get(name);
      if (!node) continue;
      const lease = this.o.leases.lister.get(`${NODE_LEASE_NAMESPACE}/${name}`);
      const renewed = Math.max(renewMs(lease), this.written.get(name) ?? -Infinity);
      if (heard.at <= renewed && lease) continue;
      const owned = lease?.metadata.ownerReferences?.some((r) => r.kind === 'Node' && r.uid === node.metadata.uid);
      const stale = heard.at - renewed;
      if (lease && owned && lease.spec?.holderIdentity === name && stale < this.o.renewIntervalMs) continue;
      out.push({ node, heardAt: heard.at, lease, staleness: lease ? stale : Infinity });
    }
    return out;
  }

  private leaseFor(d: Due): Lease {
    const name = d.node.metadata.name ?? '';
    const base = d.lease ? structuredClone(d.lease) : ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NODE_LEASE_NAMESPACE } } as Lease);
    base.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name, uid: d.node.metadata.uid ?? '' }];
    base.spec = { ...base.spec, holderIdentity: name, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime: microTimeAt(d.heardAt) };
    return base;
  }

  private async write(d: Due): Promise<boolean> {
    const name = d.node.metadata.name ?? '';
    try {
      if (d.lease) await this.o.api.update<Lease>(LEASES, this.leaseFor(d));
      else await this.o.api.create<Lease>(LEASES, NODE_LEASE_NAMESPACE, this.leaseFor(d));
      this.written.set(name, d.heardAt);
      return true;
    } catch (err) {
      if (!isStatusError(err, 'Conflict') && !isStatusError(err, 'AlreadyExists')) this.log.warn({ err, node: name }, 'could not write node lease');
      return false;
    }
  }

  private async deleteOrphans(): Promise<void> {
    for (const lease of this.o.leases.lister.list()) {
      const owner = lease.metadata.ownerReferences?.find((r) => r.kind === 'Node' && r.apiVersion === 'v1');
      if (!owner || this.o.nodes.lister.get(owner.name)) continue;
      this.written.delete(owner.name);
      try {
        await this.o.api.delete(LEASES, NODE_LEASE_NAMESPACE, lease.metadata.name ?? '', { preconditions: { uid: lease.metadata.uid } });
        this.log.info({ node: owner.name }, 'deleted the lease of a deleted node');
      } catch (err) {
        if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
      }
    }
  }
}

export function nodeLeasesController(ctx: ControllerContext): Runnable {
  return new NodeLeases({
    api: ctx.api,
    nodes: ctx.nodes(),
    leases: ctx.nodeLeases(),
    heartbeats: ctx.heartbeats,
    clock: ctx.clock,
    log: ctx.log,
    leaseDurationSeconds: ctx.profile.nodeLeaseDurationSeconds,
    renewIntervalMs: ctx.settings.nodeLeaseRenewIntervalMs,
    writesPerSecond: ctx.settings.nodeLeaseWritesPerSecond,
    tickMs: ctx.profile.nodeMonitorPeriodMs,
  });
}
