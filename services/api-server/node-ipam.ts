/**
 * Node IPAM, done at admission (kube-controller-manager's range allocator does it in Kubernetes):
 * a Node created without `spec.podCIDR` gets a free /24 from kubemu's pod range (see
 * shared/api/network.ts) — the one matching its index when its name ends in one (`node-3` → the
 * network plan's CIDR 3, 127.128.3.0/24 in slot 0), else the lowest free one. What is taken is read from the watch cache plus the
 * allocations the cache does not show yet. A podCIDR, once set, cannot change.
 */
import type { Node } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { MAX_NODES, nodeIndexOf, type NetworkPlan } from '../../shared/api/network.js';
import { resourceByPlural, storePrefix, type ResourceInfo } from '../../shared/api/resources.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { WatchCache } from './watch-cache.js';
import type { Admission } from './registry/registry.js';
import { FieldErrors } from './validation.js';

const NODES = resourceByPlural('nodes');
const HOLD_MS = 10_000;

export function nodeIpam(cache: WatchCache, clock: Clock, plan: NetworkPlan): Admission {
  const recent = new Map<string, { index: number; at: number }>();

  function taken(): Set<number> {
    const out = new Set<number>();
    for (const o of cache.list(NODES, storePrefix(NODES))) {
      recent.delete(o.metadata.name ?? '');
      const i = plan.podCidrIndex((o as Node).spec?.podCIDR ?? '');
      if (i !== undefined) out.add(i);
    }
    const cutoff = clock.now() - HOLD_MS;
    for (const [name, r] of recent) {
      if (r.at < cutoff) recent.delete(name);
      else out.add(r.index);
    }
    return out;
  }

  function assign(node: Node): void {
    node.spec ??= {};
    if (node.spec.podCIDR) {
      node.spec.podCIDRs ??= [node.spec.podCIDR];
      return;
    }
    const used = taken();
    const wanted = nodeIndexOf(node.metadata.name ?? '');
    let index = wanted !== undefined && wanted < MAX_NODES && !used.has(wanted) ? wanted : undefined;
    for (let i = 1; index === undefined && i < MAX_NODES; i++) if (!used.has(i)) index = i;
    if (index === undefined) throw new Error('no pod CIDR left for this node');
    node.spec.podCIDR = plan.podCidr(index);
    node.spec.podCIDRs = [node.spec.podCIDR];
    recent.set(node.metadata.name ?? '', { index, at: clock.now() });
  }

  return {
    admitCreate(r: ResourceInfo, obj: KubeObject) {
      if (r === NODES) assign(obj as Node);
    },
    admitUpdate(r: ResourceInfo, obj: KubeObject, old: KubeObject) {
      if (r !== NODES) return;
      const before = (old as Node).spec?.podCIDR;
      const node = obj as Node;
      if (!before) return assign(node);
      if (node.spec?.podCIDR && node.spec.podCIDR !== before) {
        const errs = new FieldErrors();
        errs.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid');
        errs.throwIfAny('Node', node.metadata.name ?? '');
      }
      node.spec = { ...(node.spec ?? {}), podCIDR: before, podCIDRs: [before] };
    },
  };
}
