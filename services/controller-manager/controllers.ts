/**
 * The registry of the controllers the controller-manager runs: one line per controller, a name and
 * a factory from the shared `ControllerContext` (./context.ts) to a manager `Runnable` (usually a
 * `Controller` from shared/controller, run only while this replica leads). The next controllers
 * (ReplicationController, ReplicaSet, Deployment, garbage collector, endpoints, HPA) are added here
 * the same way.
 *
 * `selectControllers(spec)` reads kube-controller-manager's `--controllers` grammar: a comma list
 * where `*` means every controller, `name` enables one and `-name` disables one (`*,-pod-gc`).
 * Unknown names are an error, so a typo does not silently run nothing.
 */
import type { Runnable } from '../../shared/controller/manager.js';
import type { ControllerContext } from './context.js';
import { deploymentController } from './deployment/deployment-controller.js';
import { nodeLeasesController } from './node-leases.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { podGcController } from './pod-gc.js';
import { taintEvictionController } from './taint-eviction.js';
import { replicaManagerController } from './replicas/replica-manager.js';
import { rcAdapter } from './replicas/rc-adapter.js';
import { rsAdapter } from './replicas/rs-adapter.js';
import { garbageCollectorController } from './garbage-collector/collector.js';
import { endpointsController } from './endpoints.js';
import { endpointSliceController } from './endpointslices.js';
import { endpointSliceMirroringController } from './endpointslice-mirroring.js';
import { serviceLoadBalancerController } from './service-lb.js';
import { hpaController } from './hpa/hpa-controller.js';

export interface ControllerDescriptor {
  name: string;
  create(ctx: ControllerContext): Runnable;
}

export const CONTROLLERS: readonly ControllerDescriptor[] = [
  { name: 'node-lifecycle', create: nodeLifecycleController },
  { name: 'node-lease', create: nodeLeasesController },
  { name: 'taint-eviction', create: taintEvictionController },
  { name: 'pod-gc', create: podGcController },
  { name: 'deployment', create: deploymentController },
  { name: 'replicationcontroller', create: replicaManagerController(rcAdapter) },
  { name: 'replicaset', create: replicaManagerController(rsAdapter) },
  { name: 'garbage-collector', create: garbageCollectorController },
  { name: 'endpoint', create: endpointsController },
  { name: 'endpointslice', create: endpointSliceController },
  { name: 'endpointslice-mirroring', create: endpointSliceMirroringController },
  { name: 'service-lb', create: serviceLoadBalancerController },
  { name: 'horizontalpodautoscaling', create: hpaController },
];

export function selectControllers(spec = '*', all: readonly ControllerDescriptor[] = CONTROLLERS): ControllerDescriptor[] {
  const names = new Set(all.map((c) => c.name));
  const enabled = new Set<string>();
  const disabled = new Set<string>();
  let star = false;
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw === '*') {
      star = true;
      continue;
    }
    const off = raw.startsWith('-');
    const name = off ? raw.slice(1) : raw;
    if (!names.has(name)) throw new Error(`--controllers: unknown controller "${name}" (known: ${[...names].join(', ')})`);
    (off ? disabled : enabled).add(name);
  }
  return all.filter((c) => !disabled.has(c.name) && (star || enabled.has(c.name)));
}
